#include "rights/erasure.h"

#include <charconv>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "audit/audit_log.h"
#include "audit/audit_ops.h"
#include "rights/register.h"
#include "store/transaction.h"

namespace consentric::rights {
namespace {

using nlohmann::json;
using namespace detail;

// How many of the key ring's recorded erasures the data has seen (store meta).
constexpr std::string_view kErasuresApplied = "erasures_applied";

json removed_json(const RemovedCounts& removed) {
  json out = json::object();
  for (const auto& [kind, count] : removed) out[kind] = count;
  return out;
}

// Suppresses the subject's identifiers and deletes every row about them; returns the rows
// removed and how many identifiers were suppressed.
struct Removal {
  RemovedCounts removed;
  std::int64_t suppressed = 0;
  std::vector<DisclosureRow> recipients;
  std::vector<std::int64_t> models_marked_stale;
};

Result<Removal> remove_subject(Store& store, SubjectId subject, std::string_view reason,
                               UnixSeconds now) {
  Removal out;
  CONSENTRIC_ASSIGN_OR_RETURN(std::vector<IdentifierRow> ids, store.subject_identifiers(subject));
  for (const IdentifierRow& id : ids) {
    CONSENTRIC_RETURN_IF_ERROR(store.suppress(id.blind_index, id.field, reason, now));
  }
  out.suppressed = static_cast<std::int64_t>(ids.size());
  // Read before the rows go: who must be told (Art. 19).
  CONSENTRIC_ASSIGN_OR_RETURN(out.recipients, store.disclosures(subject));
  // DESIGN.md invariant 4: every model trained on the subject is marked for retraining (its
  // scores go with the subject's rows below).
  CONSENTRIC_ASSIGN_OR_RETURN(
      out.models_marked_stale,
      store.mark_models_stale(subject, "", "a training subject was erased"));
  CONSENTRIC_ASSIGN_OR_RETURN(out.removed, store.erase_subject(subject));
  return out;
}

// What anonymization strips from the kept events beyond their sealed (pii) part: the
// properties declared quasi-identifiers. (The config language has no such key for event
// properties today, as k-anonymity is computed over profiles; the rule stands for when it does.)
Result<AnonymizeOptions> anonymize_options(Store& store, const Config& config) {
  AnonymizeOptions options;
  CONSENTRIC_ASSIGN_OR_RETURN(std::vector<EventTypeRow> types, store.event_types());
  for (const EventTypeRow& t : types) {
    const EventTypeSpec* spec = config.event_type(t.name);
    if (spec == nullptr) continue;
    std::vector<std::string> names;
    for (const FieldSpec& p : spec->properties) {
      if (p.quasi_identifier) names.push_back(p.name);
    }
    if (!names.empty()) options.drop_properties.emplace_back(t.type_id, std::move(names));
  }
  return options;
}

Result<std::int64_t> applied_count(Store& store) {
  CONSENTRIC_ASSIGN_OR_RETURN(std::optional<std::string> text, store.meta(kErasuresApplied));
  std::int64_t n = 0;
  if (text) std::from_chars(text->data(), text->data() + text->size(), n);
  return n;
}

// Destroys the keys, recording the erasures in the key ring, and notes in the data how many
// erasures the key ring now records. Runs last inside the data transaction: when the key ring
// fails, the data rolls back and nothing happened; when the data commit fails after it, the key
// ring's record makes apply_recorded_erasures finish the job at the next open.
Status destroy_keys(StoreDir& sd, const std::vector<SubjectId>& subjects, UnixSeconds now) {
  CONSENTRIC_RETURN_IF_ERROR(sd.keyring->begin());
  for (SubjectId s : subjects) {
    if (Status st = sd.keyring->destroy_subject_key(s, now); !st.ok()) {
      sd.keyring->rollback();
      return st;
    }
  }
  CONSENTRIC_RETURN_IF_ERROR(sd.keyring->commit());
  CONSENTRIC_ASSIGN_OR_RETURN(std::int64_t recorded, sd.keyring->erasure_count());
  return sd.store->set_meta(kErasuresApplied, std::to_string(recorded));
}

Status checkpoint_after_erasure(Store& store) {
  return store.checkpoint().with_context(
      "the erasure is committed, but the write-ahead log still holds old page images until the "
      "next checkpoint; stop the other processes using the store, then run the next erasure or a "
      "restore, which truncate it");
}

}  // namespace

Result<EraseOutcome> erase(StoreDir& sd, const EraseRequest& r) {
  if (r.identifiers.empty()) return invalid_argument("identifiers: expected at least one");
  if (r.request_id && r.identifiers.size() != 1) {
    return invalid_argument("--request: carries out one request, for one identifier");
  }
  std::vector<Resolved> people;
  for (const std::string& id : r.identifiers) {
    CONSENTRIC_ASSIGN_OR_RETURN(Resolved who, resolve(sd, id));
    people.push_back(std::move(who));
  }
  CONSENTRIC_ASSIGN_OR_RETURN(audit::LogSigner signer, audit::log_signer(*sd.store, sd.master));
  Store& store = *sd.store;
  const ErasureMethod method = sd.config.erasure;
  auto outcome = in_transaction(store, [&]() -> Result<EraseOutcome> {
    EraseOutcome out;
    AnonymizeOptions options;
    if (method == ErasureMethod::kAnonymize) {
      CONSENTRIC_ASSIGN_OR_RETURN(options, anonymize_options(store, sd.config));
    }
    std::set<SubjectId> seen;
    std::vector<SubjectId> keys;
    for (const Resolved& who : people) {
      if (!who.subject) {
        CONSENTRIC_ASSIGN_OR_RETURN(
            Request nd, record_no_data(store, RequestType::kErasure, r.regime, who, r.now, true,
                                       r.actor, r.now));
        out.no_data.push_back(std::move(nd));
        continue;
      }
      const SubjectId subject = who.subject->id;
      if (!seen.insert(subject).second) continue;
      CONSENTRIC_ASSIGN_OR_RETURN(
          DsarRow row, request_to_carry_out(store, RequestType::kErasure, r.request_id, r.regime,
                                            who, r.actor, r.now));
      // Anonymization first moves the events to a remnant; the erasure below then removes
      // every row that is left, exactly as a deletion does.
      RemovedCounts kept;
      if (method == ErasureMethod::kAnonymize) {
        CONSENTRIC_ASSIGN_OR_RETURN(kept, store.anonymize_subject(subject, options));
      }
      CONSENTRIC_ASSIGN_OR_RETURN(
          Removal removal,
          remove_subject(store, subject, fmt::format("erased (request {})", row.request_id),
                         r.now));
      // Counts only: the remnant's pseudonym or id here would link it back to the person.
      json detail = {{"request", row.request_id},
                     {"method", to_string(method)},
                     {"removed", removed_json(removal.removed)},
                     {"identifiers_suppressed", removal.suppressed}};
      if (method == ErasureMethod::kAnonymize) detail["kept_anonymously"] = removed_json(kept);
      if (!removal.models_marked_stale.empty()) {
        detail["models_marked_stale"] = removal.models_marked_stale;
      }
      CONSENTRIC_ASSIGN_OR_RETURN(AuditRecord entry,
                                  audit::append(store,
                                                {.actor = r.actor,
                                                 .action = "subject.erase",
                                                 .subject = who.subject->pseudonym,
                                                 .detail = detail.dump()},
                                                r.now));
      const ErasureReceipt receipt{.installation = signer.origin,
                                   .request_id = row.request_id,
                                   .regime = row.regime,
                                   .received = row.received_at,
                                   .erased = r.now,
                                   .method = method,
                                   .removed = removal.removed,
                                   .kept_anonymously = kept,
                                   .identifiers_suppressed = removal.suppressed,
                                   .data_key_destroyed = true,
                                   .audit_seq = entry.seq};
      std::string signed_receipt = sign_receipt(receipt, signer.key);
      // The register keeps the request; the person is gone from it (Art. 5(2) accountability).
      row.subject.reset();
      json recipients = json::array();
      for (const DisclosureRow& d : removal.recipients) {
        recipients.push_back({{"audit_seq", d.audit_seq},
                              {"recipient", d.recipient},
                              {"purpose", d.purpose},
                              {"disclosed", format_timestamp(d.ts)}});
      }
      json evidence = {{"receipt_sha256", crypto::to_hex(crypto::sha256(signed_receipt))},
                       {"method", to_string(method)},
                       {"removed", removed_json(removal.removed)},
                       {"identifiers_suppressed", removal.suppressed},
                       {"audit_seq", entry.seq},
                       {"recipients_to_notify", recipients}};
      if (method == ErasureMethod::kAnonymize) evidence["kept_anonymously"] = removed_json(kept);
      CONSENTRIC_RETURN_IF_ERROR(
          close_row(store, row, "completed", evidence.dump(), r.actor, r.now));
      out.erased.push_back({Request{row, ""}, std::move(signed_receipt), removal.removed,
                            removal.suppressed, std::move(removal.recipients), method,
                            std::move(kept)});
      keys.push_back(subject);
    }
    if (!keys.empty()) CONSENTRIC_RETURN_IF_ERROR(destroy_keys(sd, keys, r.now));
    return out;
  });
  CONSENTRIC_RETURN_IF_ERROR(outcome.status());
  if (!outcome->erased.empty()) CONSENTRIC_RETURN_IF_ERROR(checkpoint_after_erasure(store));
  return outcome;
}

Status check_receipt_against_store(StoreDir& sd, const ErasureReceipt& receipt) {
  CONSENTRIC_ASSIGN_OR_RETURN(audit::LogSigner signer, audit::log_signer(*sd.store, sd.master));
  if (receipt.installation != signer.origin) {
    return unauthenticated(fmt::format("the receipt is from {}, not from this store ({})",
                                       receipt.installation, signer.origin));
  }
  if (receipt.public_key != signer.key.public_key()) {
    return unauthenticated("the receipt was signed with another key than this installation's");
  }
  std::optional<AuditRecord> entry;
  // The scan stops at the entry: the callback's non-ok Status ends it.
  const Status scanned = sd.store->scan_audit([&](const AuditRecord& r) -> Status {
    if (r.seq != receipt.audit_seq) return Status();
    entry = r;
    return failed_precondition("found");
  });
  if (!entry && !scanned.ok()) return scanned;
  const json detail = entry ? json::parse(entry->detail, nullptr, false) : json();
  if (!entry || entry->action != "subject.erase" || !detail.is_object() ||
      detail.value("request", std::int64_t{-1}) != receipt.request_id ||
      detail.value("method", std::string()) != to_string(receipt.method) ||
      detail.value("removed", json()) != removed_json(receipt.removed) ||
      detail.value("kept_anonymously", json::object()) != removed_json(receipt.kept_anonymously)) {
    return unauthenticated(fmt::format(
        "the audit chain has no subject.erase entry {} for request {} with these counts",
        receipt.audit_seq, receipt.request_id));
  }
  return Status();
}

Result<std::int64_t> apply_recorded_erasures(StoreDir& sd, std::string_view actor,
                                             UnixSeconds now) {
  Store& store = *sd.store;
  CONSENTRIC_ASSIGN_OR_RETURN(std::int64_t recorded, sd.keyring->erasure_count());
  CONSENTRIC_ASSIGN_OR_RETURN(std::int64_t applied, applied_count(store));
  if (recorded == applied) return 0;
  CONSENTRIC_ASSIGN_OR_RETURN(std::vector<crypto::KeyRing::Erasure> erasures,
                              sd.keyring->erasures());
  auto done = in_transaction(store, [&]() -> Result<std::int64_t> {
    std::int64_t n = 0;
    for (const crypto::KeyRing::Erasure& e : erasures) {
      CONSENTRIC_ASSIGN_OR_RETURN(std::optional<SubjectRow> row, store.subject(e.subject_id));
      if (!row) continue;
      CONSENTRIC_ASSIGN_OR_RETURN(Removal removal,
                                  remove_subject(store, e.subject_id, "erased (re-applied)", now));
      json detail = {{"erased", format_timestamp(e.erased_at)},
                     {"removed", removed_json(removal.removed)},
                     {"identifiers_suppressed", removal.suppressed}};
      if (!removal.models_marked_stale.empty()) {
        detail["models_marked_stale"] = removal.models_marked_stale;
      }
      CONSENTRIC_RETURN_IF_ERROR(audit::append(store,
                                               {.actor = std::string(actor),
                                                .action = "subject.erase.reapplied",
                                                .subject = row->pseudonym,
                                                .detail = detail.dump()},
                                               now)
                                     .status());
      ++n;
    }
    CONSENTRIC_RETURN_IF_ERROR(store.set_meta(kErasuresApplied, std::to_string(recorded)));
    return n;
  });
  CONSENTRIC_RETURN_IF_ERROR(done.status());
  if (*done > 0) CONSENTRIC_RETURN_IF_ERROR(checkpoint_after_erasure(store));
  return done;
}

}  // namespace consentric::rights
