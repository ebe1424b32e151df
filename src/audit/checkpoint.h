#pragma once

// Signed checkpoints of the audit log's Merkle tree, and the proof documents checked against
// them (docs/formats/audit-chain.md, "Merkle tree, checkpoints and proofs").
//
// A checkpoint is a C2SP signed note (c2sp.org/signed-note) whose text is a C2SP tlog
// checkpoint (c2sp.org/tlog-checkpoint) with one extension line, the time it was made:
//
//   consentric/3f9a0c…            origin: which log
//   1042                          tree size
//   8X2n…base64…=                 root hash, standard base64
//   1767225600                    Unix seconds
//
//   — consentric/3f9a0c… base64(key id || Ed25519 signature)
//
// Whoever holds the verifier key (verifier_key()) can check a checkpoint, and then check proof
// documents against it, without the database or the master key. Everything here is a pure
// function of its arguments and thread-safe.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "consentric/status.h"
#include "core/time.h"
#include "crypto/signing.h"
#include "store/store.h"

namespace consentric::audit {

struct Checkpoint {
  std::string origin;  // "consentric/" + the store id in hex; no spaces, '+' or newlines
  std::uint64_t size = 0;
  std::string root;  // 32 raw bytes: the Merkle root of the first `size` entries
  UnixSeconds ts = 0;

  bool operator==(const Checkpoint&) const = default;
};

// The signed text: origin, size, base64 root and time, each on its own line, ending with "\n".
// REQUIRES: origin non-empty without spaces, control characters or '+'; root is 32 bytes;
// ts >= 0.
std::string checkpoint_body(const Checkpoint& checkpoint);

// The whole signed note: the body, a blank line and one signature line.
// REQUIRES: as checkpoint_body(); key_name non-empty without spaces, control characters or
// '+'. Use the origin as the key name (tlog-checkpoint recommends it).
std::string sign_checkpoint(const Checkpoint& checkpoint, const crypto::SigningKey& key,
                            std::string_view key_name);

// The key a verifier needs, in the signed-note verifier key format:
// "<name>+<8 hex digits of key id>+<base64(0x01 || 32-byte public key)>".
// REQUIRES: key_name as for sign_checkpoint().
std::string verifier_key(const crypto::SigningKey& key, std::string_view key_name);

// Checks a signed note against one verifier key and returns its text. Signatures by other
// keys are ignored (the note may carry cosignatures); every signature by this key must verify.
// kInvalidArgument: the note or the key is malformed (the message says where);
// kUnauthenticated: no signature by this key (the message lists the keys that did sign);
// kDataLoss: a signature by this key does not verify (the text was altered).
Result<std::string> open_note(std::string_view signed_note, std::string_view vkey);

// open_note(), then parses the text as a checkpoint; kInvalidArgument if it is not exactly the
// four lines checkpoint_body() writes. The caller still compares the origin with the log it
// expects.
Result<Checkpoint> open_checkpoint(std::string_view signed_note, std::string_view vkey);

// ---- Proof documents ------------------------------------------------------------------------
//
// JSON documents a verifier checks against a checkpoint it already trusts (one it opened with
// open_checkpoint()). Hashes are lowercase hex. Leaf index i is the entry with seq i + 1.

// Proves that one entry is in the log at the checkpoint's size.
struct InclusionProof {
  std::string origin;
  std::uint64_t index = 0;      // leaf index = seq - 1
  std::uint64_t tree_size = 0;  // the size of the checkpoint it is proved against
  std::string leaf_hash;        // 32 raw bytes
  // The entry itself, so the verifier recomputes leaf_hash instead of trusting it. Optional:
  // without it the document proves only that some entry with this leaf hash is in the log.
  std::optional<AuditRecord> entry;
  std::vector<std::string> proof;  // 32-byte hashes, leaf to root
  std::string root;                // 32 raw bytes
};

// Proves that the log at new_size extends the log at old_size without changing it.
struct ConsistencyProof {
  std::string origin;
  std::uint64_t old_size = 0;
  std::uint64_t new_size = 0;
  std::string old_root;  // 32 raw bytes
  std::string new_root;  // 32 raw bytes
  std::vector<std::string> proof;
};

// Builds the proof of leaf `index` in the tree of all `leaf_hashes` (merkle.h), without an
// entry; set `entry` to include it. REQUIRES: index < leaf_hashes.size().
InclusionProof make_inclusion_proof(std::string_view origin,
                                    std::span<const std::string> leaf_hashes, std::uint64_t index);
// The tree of the first old_size leaves against the tree of all of them.
// REQUIRES: 0 < old_size <= leaf_hashes.size().
ConsistencyProof make_consistency_proof(std::string_view origin,
                                        std::span<const std::string> leaf_hashes,
                                        std::uint64_t old_size);

// The JSON documents, indented, ending with a newline.
std::string to_json(const InclusionProof& proof);
std::string to_json(const ConsistencyProof& proof);
// kInvalidArgument naming the field when the text is not such a document. Unknown top-level
// fields are ignored; unknown fields of "entry" are refused, because every entry field is
// hashed into the leaf and a field we did not read would go unchecked.
Result<InclusionProof> parse_inclusion_proof(std::string_view json);
Result<ConsistencyProof> parse_consistency_proof(std::string_view json);

// A proof that does not verify is an answer, not an error: valid is false and problem says
// what does not match.
struct ProofCheck {
  bool valid = false;
  std::string problem;  // when !valid
};

// Checks origin, size and root against the trusted checkpoint, then the entry (if present:
// its seq, its chain hash and its leaf hash), then the Merkle path.
ProofCheck check_inclusion(const InclusionProof& proof, const Checkpoint& checkpoint);
// Checks both ends against the two trusted checkpoints of the same log, then the proof.
ProofCheck check_consistency(const ConsistencyProof& proof, const Checkpoint& older,
                             const Checkpoint& newer);

// parse_*() then check_*(); errors only for malformed documents.
Result<ProofCheck> verify_inclusion_document(std::string_view json, const Checkpoint& checkpoint);
Result<ProofCheck> verify_consistency_document(std::string_view json, const Checkpoint& older,
                                               const Checkpoint& newer);

}  // namespace consentric::audit
