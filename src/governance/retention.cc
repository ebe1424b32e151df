#include "governance/retention.h"

#include <algorithm>
#include <map>
#include <set>
#include <unordered_map>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "audit/audit_log.h"
#include "consent/lawful_basis.h"
#include "consent/ledger.h"
#include "consent/purpose_features.h"
#include "core/text.h"
#include "crypto/keys.h"
#include "governance/event_features.h"
#include "store/profile_doc.h"
#include "store/transaction.h"

namespace consentric::governance {
namespace {

using nlohmann::json;

// The whole retention run against an open transaction. plan_retention rolls it back,
// run_retention commits it: one code path, so a dry run's counts are the run's.
class RetentionRun {
 public:
  // Rules are applied as of `as_of`; what is written (ledger entries, audit) is dated `now`.
  // REQUIRES: as_of <= now.
  RetentionRun(StoreDir& sd, const Config& config, std::string_view actor, UnixSeconds as_of,
               UnixSeconds now)
      : sd_(sd), store_(*sd.store), config_(config), actor_(actor), as_of_(as_of), now_(now) {}

  Result<RetentionPlan> run() {
    RetentionPlan plan{.as_of = as_of_};
    CONSENTRIC_RETURN_IF_ERROR(lapse_consents(&plan));
    CONSENTRIC_RETURN_IF_ERROR(expire_events(&plan));
    CONSENTRIC_RETURN_IF_ERROR(expire_fields(&plan));
    CONSENTRIC_RETURN_IF_ERROR(expire_purpose_data(&plan));
    return plan;
  }

 private:
  // GDPR Art. 7(3) and the gate's rule (lawful_basis.h): a consent past its expiry is no consent.
  // The gate already refuses it; the lapse entry makes the ledger say so, and the person's
  // derived data for the purpose goes as after a withdrawal.
  Status lapse_consents(RetentionPlan* plan) {
    for (const PurposeSpec& p : config_.purposes) {
      if (p.legal_basis != LegalBasis::kConsent) continue;
      RetentionRule rule{.kind = RetentionKind::kConsentLapse, .name = p.id, .cutoff = as_of_};
      std::unordered_map<SubjectId, ConsentEntry> latest;
      CONSENTRIC_RETURN_IF_ERROR(
          store_.scan_consent_decisions(p.id, as_of_, [&](const ConsentEntry& e) {
            auto [it, fresh] = latest.try_emplace(e.subject, e);
            if (!fresh && consent::supersedes(e.ts, e.entry_id, it->second.ts, it->second.entry_id))
              it->second = e;
          }));
      // (entry id, subject) of the grants past expiry, in ledger order.
      std::vector<std::pair<std::int64_t, SubjectId>> expired;
      for (const auto& [subject, e] : latest) {
        if (e.action == ConsentAction::kGrant && e.expires_at && *e.expires_at <= as_of_)
          expired.emplace_back(e.entry_id, subject);
      }
      std::sort(expired.begin(), expired.end());
      for (const auto& [entry_id, subject] : expired) {
        // The scan fills only what the gate decides on; the lapse repeats the notice it ends.
        CONSENTRIC_ASSIGN_OR_RETURN(std::vector<ConsentEntry> history,
                                    store_.consent_history(subject));
        const auto grant = std::find_if(history.begin(), history.end(), [&](const ConsentEntry& h) {
          return h.entry_id == entry_id;
        });
        if (grant == history.end())
          return internal_error(fmt::format("ledger entry {} vanished during the run", entry_id));
        // At now, not as_of: with as_of <= now the grant has expired by then too, and a grant
        // given since as_of keeps the memberships it allows.
        CONSENTRIC_ASSIGN_OR_RETURN(consent::Lapsed lapsed,
                                    consent::append_lapse(store_, config_, *grant, actor_, now_));
        rule.memberships_dropped += lapsed.memberships_removed;
        ++rule.items;
        ++rule.subjects;
      }
      plan->rules.push_back(rule);
    }
    return Status();
  }

  Status expire_events(RetentionPlan* plan) {
    CONSENTRIC_ASSIGN_OR_RETURN(std::vector<EventTypeRow> stored, store_.event_types());
    // Per subject whose events went: the purposes whose feature rows read a type that lost some.
    std::map<SubjectId, std::set<const PurposeSpec*>> touched;
    for (const EventTypeSpec& type : config_.event_types) {
      if (!type.retention_seconds) continue;
      RetentionRule rule{.kind = RetentionKind::kEvents,
                         .name = type.name,
                         .retention_seconds = type.retention_seconds,
                         .cutoff = as_of_ - *type.retention_seconds};
      const auto row = std::find_if(stored.begin(), stored.end(),
                                    [&](const EventTypeRow& r) { return r.name == type.name; });
      if (row != stored.end()) {
        CONSENTRIC_ASSIGN_OR_RETURN(Store::EventsBefore found,
                                    store_.events_before(row->type_id, rule.cutoff));
        if (found.events > 0) {
          CONSENTRIC_ASSIGN_OR_RETURN(rule.items,
                                      store_.delete_events_before(row->type_id, rule.cutoff));
          rule.subjects = static_cast<std::int64_t>(found.subjects.size());
          for (SubjectId s : found.subjects) {
            auto& purposes = touched[s];
            for (const PurposeSpec& p : config_.purposes) {
              if (std::find(p.event_types.begin(), p.event_types.end(), type.name) !=
                  p.event_types.end())
                purposes.insert(&p);
            }
          }
        }
      }
      plan->rules.push_back(rule);
    }
    // Features follow the events (DESIGN.md "Storage"): rebuilt from what stays.
    consent::PurposeFeatureKeeper keeper(store_, config_);
    for (const auto& [subject, purposes] : touched) {
      CONSENTRIC_ASSIGN_OR_RETURN(FeatureRow row, all_events_features(store_, config_, subject));
      CONSENTRIC_RETURN_IF_ERROR(store_.replace_features(subject, row));
      // An anonymous remnant of an erased person has no purpose feature rows: no purpose may
      // process it (Store::anonymize_subject), so none is built for it here either.
      CONSENTRIC_ASSIGN_OR_RETURN(std::optional<SubjectRow> who, store_.subject(subject));
      if (!who || who->anonymous) continue;
      for (const PurposeSpec* p : purposes) CONSENTRIC_RETURN_IF_ERROR(keeper.rebuild(subject, *p));
    }
    return Status();
  }

  Status expire_fields(RetentionPlan* plan) {
    std::vector<const FieldSpec*> fields;
    UnixSeconds latest_cutoff = 0;
    for (const FieldSpec& f : config_.fields) {
      if (!f.retention_seconds) continue;
      fields.push_back(&f);
      latest_cutoff = std::max(latest_cutoff, as_of_ - *f.retention_seconds);
    }
    std::vector<RetentionRule> rules;
    for (const FieldSpec* f : fields) {
      rules.push_back({.kind = RetentionKind::kField,
                       .name = f->name,
                       .retention_seconds = f->retention_seconds,
                       .cutoff = as_of_ - *f->retention_seconds});
    }
    // Profiles old enough for at least one rule; read first, written after the scan ends.
    std::vector<std::pair<SubjectId, ProfileRow>> old;
    if (!fields.empty()) {
      CONSENTRIC_RETURN_IF_ERROR(store_.scan_profiles([&](SubjectId id, const ProfileRow& row) {
        if (row.updated_at < latest_cutoff) old.emplace_back(id, row);
      }));
    }
    for (auto& [subject, row] : old) {
      // Which declared fields this profile holds past their retention.
      const auto expired = [&](std::string_view name) -> RetentionRule* {
        for (std::size_t i = 0; i < fields.size(); ++i) {
          if (fields[i]->name == name && row.updated_at < rules[i].cutoff) return &rules[i];
        }
        return nullptr;
      };
      bool changed = false;
      const auto drop = [&](FieldValues* values) {
        std::erase_if(*values, [&](const auto& v) {
          RetentionRule* rule = expired(v.first);
          if (rule == nullptr) return false;
          ++rule->items;
          ++rule->subjects;
          changed = true;
          return true;
        });
      };
      CONSENTRIC_ASSIGN_OR_RETURN(FieldValues plain, decode_fields(row.plain));
      drop(&plain);
      const bool any_pii = std::any_of(fields.begin(), fields.end(), [&](const FieldSpec* f) {
        return f->pii && expired(f->name) != nullptr;
      });
      std::string sealed = row.sealed;
      if (any_pii && !row.sealed.empty()) {
        CONSENTRIC_ASSIGN_OR_RETURN(crypto::SecretKey key, sd_.keyring->subject_key(subject));
        CONSENTRIC_ASSIGN_OR_RETURN(std::string opened,
                                    crypto::open(key, row.sealed, profile_aad(subject)));
        CONSENTRIC_ASSIGN_OR_RETURN(FieldValues secret, decode_fields(opened));
        const std::size_t held = secret.size();
        drop(&secret);
        // A new ciphertext under a fresh nonce; the old one is overwritten by secure_delete.
        if (secret.size() != held) {
          sealed = secret.empty() ? std::string()
                                  : crypto::seal(key, encode_fields(secret), profile_aad(subject));
        }
      }
      if (!changed) continue;
      // updated_at stays: taking values out is not a write of the others, which keep their age.
      CONSENTRIC_RETURN_IF_ERROR(store_.put_profile(
          subject,
          {.plain = encode_fields(plain), .sealed = sealed, .updated_at = row.updated_at}));
    }
    plan->rules.insert(plan->rules.end(), rules.begin(), rules.end());
    return Status();
  }

  Status expire_purpose_data(RetentionPlan* plan) {
    CONSENTRIC_ASSIGN_OR_RETURN(std::vector<SegmentRow> segments, store_.segments());
    for (const PurposeSpec& p : config_.purposes) {
      if (!p.retention_seconds) continue;
      const UnixSeconds cutoff = as_of_ - *p.retention_seconds;
      RetentionRule members{.kind = RetentionKind::kMemberships,
                            .name = p.id,
                            .retention_seconds = p.retention_seconds,
                            .cutoff = cutoff};
      std::set<SubjectId> member_subjects;
      for (const SegmentRow& seg : segments) {
        if (seg.purpose != p.id) continue;
        CONSENTRIC_ASSIGN_OR_RETURN(std::vector<SegmentRunRow> runs, store_.segment_runs(seg.id));
        // Only the latest run keeps memberships; it is as old as when it was made.
        if (runs.empty() || runs.back().started_at >= cutoff) continue;
        CONSENTRIC_RETURN_IF_ERROR(store_.scan_memberships(
            runs.back().run_id,
            [&](const MembershipRow& m, std::string_view) { member_subjects.insert(m.subject); }));
        CONSENTRIC_ASSIGN_OR_RETURN(std::int64_t n, store_.clear_memberships(seg.id));
        members.items += n;
      }
      members.subjects = static_cast<std::int64_t>(member_subjects.size());
      plan->rules.push_back(members);

      RetentionRule scores{.kind = RetentionKind::kScores,
                           .name = p.id,
                           .retention_seconds = p.retention_seconds,
                           .cutoff = cutoff};
      // One score per subject and model, and a purpose's scores are all of one model.
      CONSENTRIC_ASSIGN_OR_RETURN(scores.items, store_.remove_scores_before(p.id, cutoff));
      scores.subjects = scores.items;
      plan->rules.push_back(scores);

      RetentionRule features{.kind = RetentionKind::kPurposeFeatures,
                             .name = p.id,
                             .retention_seconds = p.retention_seconds,
                             .cutoff = cutoff};
      std::vector<SubjectId> old;
      CONSENTRIC_RETURN_IF_ERROR(store_.scan_purpose_features(p.id, [&](const FeatureRow& r) {
        if (r.events > 0 && r.last_seen < cutoff) old.push_back(r.subject);
      }));
      for (SubjectId s : old) {
        CONSENTRIC_RETURN_IF_ERROR(store_.replace_purpose_features(p.id, s, std::nullopt));
      }
      features.items = features.subjects = static_cast<std::int64_t>(old.size());
      plan->rules.push_back(features);
    }
    return Status();
  }

  StoreDir& sd_;
  Store& store_;
  const Config& config_;
  std::string actor_;
  UnixSeconds as_of_;
  UnixSeconds now_;
};

json plan_json(const RetentionPlan& plan) {
  json rules = json::array();
  for (const RetentionRule& r : plan.rules) {
    json j = {{"rule", to_string(r.kind)},
              {"name", r.name},
              {"cutoff", format_timestamp(r.cutoff)},
              {"items", r.items},
              {"subjects", r.subjects}};
    j["retention_days"] = r.retention_seconds ? json(*r.retention_seconds / 86400) : json(nullptr);
    if (r.kind == RetentionKind::kConsentLapse) j["memberships_dropped"] = r.memberships_dropped;
    rules.push_back(std::move(j));
  }
  return {{"as_of", format_timestamp(plan.as_of)}, {"rules", rules}, {"total", plan.total()}};
}

}  // namespace

std::string_view to_string(RetentionKind k) {
  switch (k) {
    case RetentionKind::kConsentLapse:
      return "consent_lapse";
    case RetentionKind::kEvents:
      return "events";
    case RetentionKind::kField:
      return "field";
    case RetentionKind::kMemberships:
      return "memberships";
    case RetentionKind::kScores:
      return "scores";
    case RetentionKind::kPurposeFeatures:
      return "purpose_features";
  }
  return "unknown";
}

std::int64_t RetentionPlan::total() const {
  std::int64_t n = 0;
  for (const RetentionRule& r : rules) n += r.items;
  return n;
}

Result<RetentionPlan> plan_retention(StoreDir& sd, const Config& config, UnixSeconds as_of) {
  CONSENTRIC_RETURN_IF_ERROR(sd.store->begin());
  // Rolled back, so as_of may lie ahead: what will be due then.
  auto plan = RetentionRun(sd, config, "retention.plan", as_of, as_of).run();
  // Whatever happened, nothing stays: a plan only counts.
  sd.store->rollback();
  return plan;
}

Result<RetentionOutcome> run_retention(StoreDir& sd, const Config& config, std::string_view actor,
                                       UnixSeconds as_of, UnixSeconds now) {
  if (as_of > now) {
    return invalid_argument(fmt::format(
        "a retention run cannot act as of {}, which has not come yet (now is {}): it would "
        "remove what may still be kept; a dry run shows what will be due then",
        format_timestamp(as_of), format_timestamp(now)));
  }
  return in_transaction(*sd.store, [&]() -> Result<RetentionOutcome> {
    CONSENTRIC_ASSIGN_OR_RETURN(RetentionPlan done,
                                RetentionRun(sd, config, actor, as_of, now).run());
    CONSENTRIC_ASSIGN_OR_RETURN(AuditRecord rec, audit::append(*sd.store,
                                                               {.actor = std::string(actor),
                                                                .action = "retention.run",
                                                                .detail = plan_json(done).dump()},
                                                               now));
    return RetentionOutcome{.done = std::move(done), .audit_seq = rec.seq};
  });
}

}  // namespace consentric::governance
