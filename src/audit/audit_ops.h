#pragma once

// What the `consentric audit` commands do, apart from the command line so it can be tested:
// verify the log against its chain and its signed checkpoints, sign a new checkpoint, build
// proofs for outsiders, check a proof without any store, and list entries.
// docs/formats/audit-chain.md has the formats; docs/audit.md the workflow.
//
// Functions taking a Store read it and, where said, write it in their own transaction; none is
// thread-safe with respect to that Store (see store.h).

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "audit/checkpoint.h"
#include "consentric/status.h"
#include "core/time.h"
#include "crypto/keys.h"
#include "crypto/signing.h"
#include "store/store.h"

namespace consentric::audit {

// The name this installation's log goes by and the key that signs its checkpoints.
struct LogSigner {
  std::string origin;  // "consentric/" + the store id (meta "store_id")
  crypto::SigningKey key;
  std::string vkey;  // verifier_key(key, origin): what an outsider keeps to check checkpoints
};

// "consentric/" + the store id. FailedPrecondition when the store has no id (it was not made
// by init_store_dir()).
Result<std::string> log_origin(Store& store);

// The signer of `store`'s log, whose key follows from the master key (signing.h), so there is
// nothing new to keep.
Result<LogSigner> log_signer(Store& store, const crypto::SecretKey& master);

// A checkpoint the caller already trusts (opened with open_checkpoint()), e.g. one an outsider
// kept, and the name messages call it by ("the checkpoint in cp.note").
struct TrustedCheckpoint {
  Checkpoint checkpoint;
  std::string label;
};

struct LogProblem {
  std::int64_t seq = 0;  // the first entry it concerns; 0 when it concerns no single entry
  std::string text;
};

struct LogReport {
  std::int64_t entries = 0;
  std::string head_hash_hex;  // the chain hash of the last entry
  std::string root;           // 32 bytes: the Merkle root of all entries as they are now
  std::int64_t checkpoints_checked = 0;
  std::optional<Checkpoint> latest;  // the largest checkpoint held against the log
  // Empty when the log is intact. The chain's problem (at most one) comes first, then the
  // checkpoints' in order of size.
  std::vector<LogProblem> problems;
  // The first entry known to be bad: the chain's when the chain is broken (it is exact), else
  // the lowest entry a checkpoint shows to be changed or missing; 0 when intact, or when only a
  // checkpoint itself is bad.
  std::int64_t first_bad_seq = 0;

  bool intact() const { return problems.empty(); }
};

// Recomputes the chain (audit_log.h verify()) and the Merkle tree over the entries as they are
// now, and holds the tree against every stored checkpoint (whose signatures must verify with
// signer.vkey) and against `outside` checkpoints: the first `size` leaves must have the
// checkpoint's root, and the log must still have `size` entries. The chain alone cannot see
// entries cut off the end, nor a chain rewritten from some entry on; a checkpoint can.
// A failed check is a report; errors are for a store that cannot be read.
Result<LogReport> verify_log(Store& store, const LogSigner& signer,
                             std::span<const TrustedCheckpoint> outside = {});

struct MadeCheckpoint {
  Checkpoint checkpoint;
  std::string note;            // the signed note
  std::int64_t entry_seq = 0;  // the audit.checkpoint entry that records it
};

// Signs a checkpoint of every entry, stores it, and appends an `audit.checkpoint` entry (detail:
// size and root) in the same transaction; the checkpoint covers the entries before that entry.
// FailedPrecondition, and nothing written, when verify_log() finds a problem: a signature would
// vouch for a log already damaged. REQUIRES: no transaction open on `store`.
Result<MadeCheckpoint> make_checkpoint(Store& store, const LogSigner& signer,
                                       std::string_view actor, UnixSeconds now);

// The inclusion proof of entry `seq` against the latest stored checkpoint, with the entry.
// FailedPrecondition when there is no checkpoint, when seq is newer than the latest checkpoint
// ("run consentric audit checkpoint first"), or when the log no longer matches that checkpoint;
// InvalidArgument when seq < 1.
Result<InclusionProof> prove_inclusion(Store& store, std::int64_t seq);

// The consistency proof from the stored checkpoint of `old_size` entries to the latest one.
// InvalidArgument when no checkpoint has that size (the message lists those that exist), since
// an outsider could not check a proof from a size nobody signed.
Result<ConsistencyProof> prove_consistency(Store& store, std::int64_t old_size);

// What check_proof() concluded. An invalid proof or checkpoint is an answer, not an error.
struct ProofVerdict {
  bool valid = false;
  std::string type;     // "inclusion" or "consistency"
  std::string summary;  // what a valid proof shows, as a sentence
  std::string problem;  // why not, when !valid
};

// What a verifier runs, with no store: opens `checkpoint_note` (and `older_note`, the checkpoint
// a consistency proof starts from) with `vkey`, then checks the proof document against them. A
// note that is not signed by the key, or whose signature fails, makes the verdict invalid.
// InvalidArgument for a document, note or key that is malformed, or when a consistency proof
// comes without an older note (or an inclusion proof with one).
Result<ProofVerdict> check_proof(std::string_view proof_json, std::string_view checkpoint_note,
                                 std::optional<std::string_view> older_note, std::string_view vkey);

struct LogFilter {
  std::string subject;               // exact pseudonym; empty: any
  std::string action_prefix;         // "consent." matches consent.grant, ...; empty: any
  std::string purpose;               // exact; empty: any
  std::optional<UnixSeconds> since;  // ts >= since
  std::optional<UnixSeconds> until;  // ts < until
  std::int64_t limit = 0;            // > 0: only the most recent `limit` matches
};

// The matching entries in log order. Memory is bounded by `limit` when one is given.
Result<std::vector<AuditRecord>> query_log(Store& store, const LogFilter& filter);

// One entry as a single-line JSON object: every field, `time` in ISO 8601 beside `ts`, hashes in
// hex, and `detail` as the exact text that was hashed (so anyone can recompute the hashes).
std::string entry_json(const AuditRecord& record);

}  // namespace consentric::audit
