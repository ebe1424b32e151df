#pragma once

// Erasure (GDPR Art. 17, CCPA right to delete; DESIGN.md invariant 4), and keeping it erased
// across backups (docs/rights.md, "Erasure").
//
// Erasing a person, in one transaction on the store with the register:
//   - their identifiers' blind indexes go on the suppression list (a later import of them is
//     refused and counted);
//   - every row about them is deleted with secure_delete (Store::erase_subject), derived data
//     (feature rows, segment memberships) included; requests in the register stay, unlinked;
//   - with `erasure: anonymize` in the config, their events (without pii properties) and
//     all-events feature rows are first moved to an anonymous remnant that nothing links back
//     to (Store::anonymize_subject); everything else goes as above;
//   - the request is completed with a signed receipt (receipt.h) and audited (subject.erase);
//   - last, their data key is destroyed in the key ring, which records the erasure, so every
//     sealed copy of their data (backups, exports) stays unreadable.
// After the batch the WAL is checkpointed with TRUNCATE, so no old page image is left; a failure
// there is an error even though the erasure is committed.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "rights/receipt.h"
#include "rights/requests.h"

namespace consentric::rights {

struct EraseRequest {
  std::vector<std::string> identifiers;    // one per person (FIELD=VALUE or a bare value)
  std::optional<std::int64_t> request_id;  // carry out this open request; one identifier only
  Regime regime = Regime::kGdpr;           // for requests recorded now
  std::string actor = "local-operator";
  UnixSeconds now = 0;
};

struct Erased {
  Request request;      // completed; its subject is none now
  std::string receipt;  // the signed receipt (JSON text)
  RemovedCounts removed;
  std::int64_t identifiers_suppressed = 0;
  // The recipients their data was disclosed to, who must be told of the erasure (GDPR Art. 19):
  // the audit entry of each export and its recipient. Kept in the request's evidence.
  std::vector<DisclosureRow> recipients;
  ErasureMethod method = ErasureMethod::kDelete;
  RemovedCounts kept_anonymously;  // empty for a deletion
};

struct EraseOutcome {
  std::vector<Erased> erased;
  std::vector<Request> no_data;  // nobody held, or erased before: answered "no data held"
};

// Erases everyone the identifiers name, all or none. Two identifiers of one person erase them
// once. The outcome lists a request per person erased and per identifier that named nobody.
Result<EraseOutcome> erase(StoreDir& sd, const EraseRequest& r);

// Checks a receipt whose signature holds (verify_receipt) against this store: signed with this
// installation's key, for this store, and the audit chain's entry audit_seq records that
// erasure with the same counts. Unauthenticated, saying which check failed.
Status check_receipt_against_store(StoreDir& sd, const ErasureReceipt& receipt);

// Erases again every subject the key ring records as erased who is still in the data: the
// state after a backup from before their erasure was restored (by consentric or by hand), or
// after an erasure whose data transaction did not commit. Cheap when there is nothing to do (it
// compares two counts). Audited as subject.erase.reapplied. Returns how many were erased.
Result<std::int64_t> apply_recorded_erasures(StoreDir& sd, std::string_view actor,
                                             UnixSeconds now);

}  // namespace consentric::rights
