#pragma once

// The consent ledger's domain rules (DESIGN.md invariants 1 and 6): a decision is validated
// against the declaration, resolved to a subject, appended to the ledger with its current state
// kept in step, reflected in the subject's purpose features, and written to the audit chain, all
// inside the caller's transaction. The store only keeps rows; what a decision means is decided
// here and in lawful_basis.h.

#include <optional>
#include <string>
#include <vector>

#include "config/config.h"
#include "consent/purpose_features.h"
#include "store/store.h"

namespace consentric::consent {

// What a person decided, as it arrives (CLI, import, TCF, GPC, API).
struct Decision {
  std::string purpose;
  ConsentAction action = ConsentAction::kGrant;  // grant or withdraw; refuse is derived
  UnixSeconds ts = 0;                            // when the person decided
  std::string source = "api";                    // web_form, api, import, tcf, gpc, ...
  std::string method = "unspecified";            // checkbox, form, banner, ...
  std::string notice_version;
  std::string notice_hash;   // hex hash of the exact notice text shown
  std::string proof = "{}";  // JSON object: form id, TC string, IP prefix, user agent, ...
  std::optional<UnixSeconds> expires_at;
};

// Validates a decision against the declaration and the clock: a declared purpose, grant or
// withdraw, a time not in the future, a notice version on every consent grant (Art. 7(1): a
// consent must be demonstrable), an expiry after the decision, a JSON object as proof. The
// message names the field at fault.
struct DecisionError {
  std::string field;
  std::string message;
};
std::optional<DecisionError> check_decision(const Config& config, const Decision& d,
                                            UnixSeconds now);

// Proof as stored: a JSON object whose "ip" member, if any, is cut to its network prefix
// (IPv4 /24, IPv6 /48), so that the ledger never holds a full address.
Result<std::string> normalize_proof(std::string_view proof_json);

struct Appended {
  std::int64_t entry_id = 0;  // 0 when the same decision was already in the ledger
  ConsentAction action = ConsentAction::kGrant;
};

// Appends a checked decision for `subject`. REQUIRES: a transaction is open and
// check_decision(config, d, now) found nothing. A withdrawal with no grant before it becomes a
// refusal; the same decision recorded twice (subject, purpose, time, action, source) is kept once.
Result<Appended> append_decision(Store& store, const Config& config, PurposeFeatureKeeper& keeper,
                                 SubjectId subject, const Decision& d, std::string_view actor,
                                 UnixSeconds now);

// Records that `grant` (a ledger entry, the latest for its subject and purpose) reached its
// expires_at by `now`: a lapse entry dated at the expiry, its consent.lapse audit entry, and the
// subject's memberships and scores for purposes that may no longer process them dropped as for a
// withdrawal (forget_unlawful_memberships). FailedPrecondition when `grant` is not a grant that
// has expired by now. REQUIRES: a transaction is open.
struct Lapsed {
  std::int64_t entry_id = 0;
  std::int64_t memberships_removed = 0;
};
Result<Lapsed> append_lapse(Store& store, const Config& config, const ConsentEntry& grant,
                            std::string_view actor, UnixSeconds now);

// A restriction (Art. 18) or objection (Art. 21) starting or being lifted, with its audit entry.
// REQUIRES: a transaction is open.
Result<std::int64_t> append_limit(Store& store, const Config& config, LimitEntry entry,
                                  std::string_view actor, UnixSeconds now);

// Removes the subject from the segments of every purpose that may no longer process them at
// `now` (a withdrawal, refusal, restriction or objection), with one segment.forget audit entry
// per purpose; likewise deletes their lead scores for such a purpose and marks stale every
// model of it trained on them, with one score.forget entry (scores, models marked stale), and
// removes their points (total and log) for such a purpose, with one points.forget entry.
// append_decision and append_limit call it; erasure removes everything anyway.
// Returns how many memberships were removed. REQUIRES: a transaction is open.
Result<std::int64_t> forget_unlawful_memberships(Store& store, const Config& config,
                                                 SubjectId subject, std::string_view actor,
                                                 UnixSeconds now);

}  // namespace consentric::consent
