#pragma once

// The audit chain (DESIGN.md invariant 6): every step that touches a person appends an entry
// whose hash covers the entry and the hash before it, so verify() finds any entry that was
// altered, removed from the middle, or reordered. docs/formats/audit-chain.md has the layout.
//
// append() writes inside the caller's open transaction, so an action and its audit entry
// commit or roll back together.

#include <cstdint>
#include <string>
#include <string_view>

#include "core/time.h"
#include "store/store.h"

namespace consentric::audit {

struct Entry {
  std::string actor;    // "local-operator", a token name, ...
  std::string action;   // dotted verb: store.init, import.profiles, consent.grant, ...
  std::string purpose;  // the purpose acted under, or empty
  std::string subject;  // the subject's pseudonym, or empty for store-wide actions
  std::string detail;   // JSON object; never plaintext personal data
};

// Appends `entry` at time `now`. REQUIRES: a transaction is open on `store`.
Result<AuditRecord> append(Store& store, const Entry& entry, UnixSeconds now);

// Appends `entry` in a transaction of its own, for an entry that stands alone (a refusal, a
// restore). REQUIRES: no transaction is open on `store`.
Status append_committed(Store& store, const Entry& entry, UnixSeconds now);

struct VerifyReport {
  std::int64_t entries = 0;
  bool intact = true;
  std::int64_t first_bad_seq = 0;  // when !intact
  std::string problem;             // when !intact: what is wrong with that entry
  std::string head_hash_hex;       // the hash of the last entry: publish it to detect truncation
};

// Recomputes the whole chain. A broken chain is a report, not an error; errors are for a store
// that cannot be read.
Result<VerifyReport> verify(Store& store);

// The hash of an entry given the previous hash; exposed for tests and tools.
// Equals crypto::hash256(entry_encoding(record)).
std::string entry_hash(const AuditRecord& record);

// The canonical bytes of an entry (docs/formats/audit-chain.md): what its chain hash covers,
// and what its Merkle leaf covers. Ignores record.hash.
std::string entry_encoding(const AuditRecord& record);

// The entry's leaf in the Merkle tree over the log: merkle.h leaf_hash(entry_encoding(record)).
std::string entry_leaf_hash(const AuditRecord& record);

}  // namespace consentric::audit
