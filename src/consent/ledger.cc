#include "consent/ledger.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "audit/audit_log.h"
#include "consent/lawful_basis.h"
#include "core/text.h"

namespace consentric::consent {
namespace {

// "203.0.113.77" -> "203.0.113.0/24"; "2001:db8:85a3::8a2e:370:7334" -> "2001:db8:85a3::/48".
std::optional<std::string> ip_prefix(std::string_view ip) {
  if (ip.find(':') == std::string_view::npos) {
    int parts[4];
    int n = 0;
    std::string_view rest = ip;
    while (n < 4) {
      auto dot = rest.find('.');
      std::int64_t v = 0;
      if (!parse_int64(rest.substr(0, dot), &v) || v < 0 || v > 255) return std::nullopt;
      parts[n++] = static_cast<int>(v);
      if (dot == std::string_view::npos) break;
      rest.remove_prefix(dot + 1);
    }
    if (n != 4) return std::nullopt;
    return fmt::format("{}.{}.{}.0/24", parts[0], parts[1], parts[2]);
  }
  // IPv6: keep the first three groups as written.
  std::string out;
  int groups = 0;
  std::size_t i = 0;
  while (groups < 3 && i < ip.size()) {
    auto colon = ip.find(':', i);
    std::string_view g = ip.substr(i, colon == std::string_view::npos ? ip.npos : colon - i);
    if (g.empty() || g.size() > 4) break;
    for (char c : g) {
      if (!std::isxdigit(static_cast<unsigned char>(c))) return std::nullopt;
    }
    out += std::string(g) + ":";
    ++groups;
    if (colon == std::string_view::npos) break;
    i = colon + 1;
  }
  if (groups == 0) return std::nullopt;
  return out + ":/48";
}

std::string audit_detail(std::int64_t entry_id, const Decision& d) {
  nlohmann::json j = {{"entry", entry_id},
                      {"time", format_timestamp(d.ts)},
                      {"source", d.source},
                      {"method", d.method},
                      {"notice_version", d.notice_version}};
  if (d.expires_at) j["expires_at"] = format_timestamp(*d.expires_at);
  return j.dump();
}

}  // namespace

std::optional<DecisionError> check_decision(const Config& config, const Decision& d,
                                            UnixSeconds now) {
  const PurposeSpec* spec = config.purpose(d.purpose);
  if (spec == nullptr) {
    return DecisionError{"purpose",
                         fmt::format("{} is not a declared purpose", quote_for_message(d.purpose))};
  }
  if (d.action == ConsentAction::kRefuse || d.action == ConsentAction::kLapse) {
    return DecisionError{"action", "expected grant or withdraw (a refusal or a lapse is derived)"};
  }
  if (d.ts > now) {
    return DecisionError{"time", fmt::format("{} is in the future (now is {})",
                                             format_timestamp(d.ts), format_timestamp(now))};
  }
  if (d.action == ConsentAction::kGrant && spec->legal_basis == LegalBasis::kConsent &&
      d.notice_version.empty()) {
    return DecisionError{"notice_version",
                         "a grant must name the version of the notice the person was shown"};
  }
  if (d.expires_at && *d.expires_at <= d.ts)
    return DecisionError{"expires_at", "expected a time after the decision"};
  if (d.source.empty()) return DecisionError{"source", "expected where the decision came from"};
  auto proof = nlohmann::json::parse(d.proof, nullptr, /*allow_exceptions=*/false);
  if (!proof.is_object()) return DecisionError{"proof", "expected a JSON object"};
  return std::nullopt;
}

Result<std::string> normalize_proof(std::string_view proof_json) {
  auto proof = nlohmann::json::parse(proof_json, nullptr, /*allow_exceptions=*/false);
  if (!proof.is_object()) return invalid_argument("proof: expected a JSON object");
  if (auto it = proof.find("ip"); it != proof.end()) {
    if (!it->is_string()) return invalid_argument("proof.ip: expected an IP address as a string");
    auto prefix = ip_prefix(it->get<std::string>());
    if (!prefix) {
      return invalid_argument(fmt::format("proof.ip: {} is not an IPv4 or IPv6 address",
                                          quote_for_message(it->get<std::string>())));
    }
    proof.erase(it);
    proof["ip_prefix"] = *prefix;
  }
  return proof.dump();
}

Result<Appended> append_decision(Store& store, const Config& config, PurposeFeatureKeeper& keeper,
                                 SubjectId subject, const Decision& d, std::string_view actor,
                                 UnixSeconds now) {
  const PurposeSpec* spec = config.purpose(d.purpose);
  if (spec == nullptr) return invalid_argument(fmt::format("unknown purpose {}", d.purpose));
  CONSENTRIC_ASSIGN_OR_RETURN(std::string proof, normalize_proof(d.proof));
  ConsentEntry e{.subject = subject,
                 .purpose = spec->id,
                 .action = d.action,
                 .ts = d.ts,
                 .recorded_at = now,
                 .source = d.source,
                 .method = d.method,
                 .notice_version = d.notice_version,
                 .notice_hash = d.notice_hash,
                 .proof = std::move(proof),
                 .expires_at = d.expires_at};
  CONSENTRIC_ASSIGN_OR_RETURN(std::vector<ConsentEntry> history, store.consent_history(subject));
  if (e.action == ConsentAction::kWithdraw) {
    const bool granted_before = std::any_of(history.begin(), history.end(), [&](const auto& h) {
      return h.purpose == e.purpose && h.action == ConsentAction::kGrant && h.ts <= e.ts;
    });
    if (!granted_before) e.action = ConsentAction::kRefuse;
  }
  for (const ConsentEntry& h : history) {
    if (h.purpose == e.purpose && h.ts == e.ts && h.action == e.action && h.source == e.source)
      return Appended{0, e.action};
  }
  CONSENTRIC_ASSIGN_OR_RETURN(std::int64_t id, store.append_consent(e));
  CONSENTRIC_ASSIGN_OR_RETURN(std::optional<SubjectRow> row, store.subject(subject));
  Decision recorded = d;
  CONSENTRIC_RETURN_IF_ERROR(
      audit::append(store,
                    {.actor = std::string(actor),
                     .action = fmt::format("consent.{}", to_string(e.action)),
                     .purpose = e.purpose,
                     .subject = row ? row->pseudonym : std::string(),
                     .detail = audit_detail(id, recorded)},
                    now)
          .status());
  if (!spec->event_types.empty()) CONSENTRIC_RETURN_IF_ERROR(keeper.rebuild(subject, *spec));
  CONSENTRIC_RETURN_IF_ERROR(
      forget_unlawful_memberships(store, config, subject, actor, now).status());
  return Appended{id, e.action};
}

Result<Lapsed> append_lapse(Store& store, const Config& config, const ConsentEntry& grant,
                            std::string_view actor, UnixSeconds now) {
  const PurposeSpec* spec = config.purpose(grant.purpose);
  if (spec == nullptr) return invalid_argument(fmt::format("unknown purpose {}", grant.purpose));
  if (grant.action != ConsentAction::kGrant || !grant.expires_at || *grant.expires_at > now) {
    return failed_precondition(fmt::format("ledger entry {} is not a grant that has expired by {}",
                                           grant.entry_id, format_timestamp(now)));
  }
  // Dated at the expiry, not at the run: consent ended then, and the gate has treated it so
  // since (lawful_basis.h), so the consent intervals, and the purpose features built on them,
  // stay as they were.
  ConsentEntry e{.subject = grant.subject,
                 .purpose = grant.purpose,
                 .action = ConsentAction::kLapse,
                 .ts = *grant.expires_at,
                 .recorded_at = now,
                 .source = "retention",
                 .method = "expiry",
                 .notice_version = grant.notice_version,
                 .notice_hash = grant.notice_hash,
                 .proof = nlohmann::json{{"lapsed_entry", grant.entry_id}}.dump()};
  CONSENTRIC_ASSIGN_OR_RETURN(std::int64_t id, store.append_consent(e));
  CONSENTRIC_ASSIGN_OR_RETURN(std::optional<SubjectRow> row, store.subject(grant.subject));
  CONSENTRIC_RETURN_IF_ERROR(
      audit::append(store,
                    {.actor = std::string(actor),
                     .action = "consent.lapse",
                     .purpose = e.purpose,
                     .subject = row ? row->pseudonym : std::string(),
                     .detail = nlohmann::json{{"entry", id},
                                              {"lapsed_entry", grant.entry_id},
                                              {"time", format_timestamp(e.ts)}}
                                   .dump()},
                    now)
          .status());
  CONSENTRIC_ASSIGN_OR_RETURN(
      std::int64_t removed, forget_unlawful_memberships(store, config, grant.subject, actor, now));
  return Lapsed{id, removed};
}

Result<std::int64_t> append_limit(Store& store, const Config& config, LimitEntry entry,
                                  std::string_view actor, UnixSeconds now) {
  if (!entry.purpose.empty() && config.purpose(entry.purpose) == nullptr) {
    return invalid_argument(
        fmt::format("{} is not a declared purpose", quote_for_message(entry.purpose)));
  }
  if (entry.kind == LimitKind::kRestriction && !entry.purpose.empty())
    return invalid_argument("a restriction applies to every purpose; give no purpose");
  if (entry.ts > now)
    return invalid_argument("the time of a restriction or objection is in the future");
  entry.recorded_at = now;
  CONSENTRIC_ASSIGN_OR_RETURN(std::int64_t id, store.append_limit(entry));
  CONSENTRIC_ASSIGN_OR_RETURN(std::optional<SubjectRow> row, store.subject(entry.subject));
  const std::string kind = entry.kind == LimitKind::kRestriction ? "restrict" : "object";
  nlohmann::json detail = {
      {"entry", id}, {"time", format_timestamp(entry.ts)}, {"source", entry.source}};
  CONSENTRIC_RETURN_IF_ERROR(
      audit::append(store,
                    {.actor = std::string(actor),
                     .action = fmt::format("subject.{}{}", entry.lifted ? "lift_" : "", kind),
                     .purpose = entry.purpose,
                     .subject = row ? row->pseudonym : std::string(),
                     .detail = detail.dump()},
                    now)
          .status());
  CONSENTRIC_RETURN_IF_ERROR(
      forget_unlawful_memberships(store, config, entry.subject, actor, now).status());
  return id;
}

Result<std::int64_t> forget_unlawful_memberships(Store& store, const Config& config,
                                                 SubjectId subject, std::string_view actor,
                                                 UnixSeconds now) {
  CONSENTRIC_ASSIGN_OR_RETURN(std::vector<std::string> purposes,
                              store.membership_purposes(subject));
  CONSENTRIC_ASSIGN_OR_RETURN(std::vector<std::string> scoring, store.scoring_purposes(subject));
  CONSENTRIC_ASSIGN_OR_RETURN(std::vector<std::string> points, store.points_purposes(subject));
  if (purposes.empty() && scoring.empty() && points.empty()) return std::int64_t{0};
  CONSENTRIC_ASSIGN_OR_RETURN(std::vector<ConsentEntry> history, store.consent_history(subject));
  CONSENTRIC_ASSIGN_OR_RETURN(std::vector<LimitEntry> limits, store.limit_history(subject));
  CONSENTRIC_ASSIGN_OR_RETURN(std::optional<SubjectRow> row, store.subject(subject));
  // Why the subject may no longer be processed for `purpose` at now; empty when they may.
  const auto unlawful_reason = [&](const std::string& purpose) -> std::string {
    const PurposeSpec* spec = config.purpose(purpose);
    std::vector<ConsentEntry> mine;
    for (const ConsentEntry& h : history) {
      if (h.purpose == purpose) mine.push_back(h);
    }
    const ConsentEntry* latest = latest_at(mine, now);
    const Limits in_force = limits_at(limits, purpose, now);
    // A purpose no longer declared processes nobody.
    if (spec != nullptr && is_lawful(*spec, latest, in_force, now)) return "";
    return spec == nullptr ? "purpose no longer declared"
                           : gate_reason(*spec, latest, in_force, now);
  };
  std::int64_t removed = 0;
  for (const std::string& purpose : purposes) {
    const std::string reason = unlawful_reason(purpose);
    if (reason.empty()) continue;
    CONSENTRIC_ASSIGN_OR_RETURN(std::int64_t n, store.remove_memberships(subject, purpose));
    removed += n;
    CONSENTRIC_RETURN_IF_ERROR(
        audit::append(store,
                      {.actor = std::string(actor),
                       .action = "segment.forget",
                       .purpose = purpose,
                       .subject = row ? row->pseudonym : std::string(),
                       .detail = nlohmann::json{{"memberships", n}, {"reason", reason}}.dump()},
                      now)
            .status());
  }
  // Lead scoring (DESIGN.md "Models record the exact set of subjects they were trained on"):
  // the subject's scores go, and every model trained on them is marked for retraining.
  for (const std::string& purpose : scoring) {
    const std::string reason = unlawful_reason(purpose);
    if (reason.empty()) continue;
    CONSENTRIC_ASSIGN_OR_RETURN(std::int64_t n, store.remove_scores(subject, purpose));
    CONSENTRIC_ASSIGN_OR_RETURN(
        std::vector<std::int64_t> stale,
        store.mark_models_stale(subject, purpose,
                                fmt::format("a training subject may no longer be processed "
                                            "({})",
                                            reason)));
    CONSENTRIC_RETURN_IF_ERROR(
        audit::append(
            store,
            {.actor = std::string(actor),
             .action = "score.forget",
             .purpose = purpose,
             .subject = row ? row->pseudonym : std::string(),
             .detail =
                 nlohmann::json{{"scores", n}, {"models_marked_stale", stale}, {"reason", reason}}
                     .dump()},
            now)
            .status());
  }
  // Points scoring (docs/scoring.md, "Points"): points are profiling results like scores, so
  // they go with the legal basis; the audit chain keeps that they went, not what they were.
  for (const std::string& purpose : points) {
    const std::string reason = unlawful_reason(purpose);
    if (reason.empty()) continue;
    CONSENTRIC_ASSIGN_OR_RETURN(std::int64_t n, store.remove_points(subject, purpose));
    CONSENTRIC_RETURN_IF_ERROR(
        audit::append(store,
                      {.actor = std::string(actor),
                       .action = "points.forget",
                       .purpose = purpose,
                       .subject = row ? row->pseudonym : std::string(),
                       .detail = nlohmann::json{{"log_entries", n}, {"reason", reason}}.dump()},
                      now)
            .status());
  }
  return removed;
}

}  // namespace consentric::consent
