#pragma once

// The Merkle tree over the audit log (RFC 6962 §2.1, RFC 9162 §2.1, c2sp.org/merkle-tree):
// SHA-256, leaf = SHA-256(0x00 || entry), node = SHA-256(0x01 || left || right), split at the
// largest power of two below n. The hash chain of audit_log.h finds a changed entry; the tree
// adds what a chain cannot give cheaply: a short proof that one entry is in the log
// (inclusion) and that a later log extends an earlier one without rewriting it (consistency),
// both checkable by someone who holds only a signed checkpoint (checkpoint.h), not the database.
//
// All hashes here are 32 raw bytes. Functions are pure and thread-safe; MerkleTree is a value
// type with no internal locking.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace consentric::audit {

constexpr std::size_t kMerkleHashBytes = 32;

// SHA-256(0x00 || entry_bytes).
std::string leaf_hash(std::string_view entry_bytes);
// SHA-256(0x01 || left || right).
std::string node_hash(std::string_view left, std::string_view right);
// MTH({}) = SHA-256(""), the root of a tree with no leaves.
std::string empty_root();

// A tree that grows one leaf at a time and keeps only the roots of its full subtrees (one per
// set bit of size(), so O(log n) memory): enough for the root, not for proofs, which need
// the leaves (inclusion_proof, consistency_proof).
class MerkleTree {
 public:
  // REQUIRES: leaf_hash is 32 bytes (a leaf_hash() result).
  void append(std::string leaf_hash);
  std::uint64_t size() const { return size_; }
  // MTH of all leaves appended so far; empty_root() when there are none. O(log n).
  std::string root() const;

 private:
  std::uint64_t size_ = 0;
  // Roots of the full subtrees, largest (leftmost) first; sizes follow the bits of size_.
  std::vector<std::string> full_subtrees_;
};

// The Merkle tree hash of `leaf_hashes`, by the recursive definition (RFC 6962 §2.1). O(n)
// time, O(log n) memory beyond the input.
std::string root_of(std::span<const std::string> leaf_hashes);

// Proofs are built from the full list of leaf hashes: O(n) time, O(log n) memory beyond the
// leaves and the proof. The tree they prove against is the one of all `leaf_hashes`.
//
// The audit path of leaf `index`, leaf to root (RFC 6962 §2.1.1). REQUIRES: index < size.
std::vector<std::string> inclusion_proof(std::span<const std::string> leaf_hashes,
                                         std::uint64_t index);
// Proves that the tree of the first `old_size` leaves is a prefix of the tree of all of them
// (RFC 6962 §2.1.2). Empty when old_size == size. REQUIRES: 0 < old_size <= size.
std::vector<std::string> consistency_proof(std::span<const std::string> leaf_hashes,
                                           std::uint64_t old_size);

// Verifiers need nothing but their arguments (RFC 9162 §2.1.3.2 and §2.1.4.2). They return
// false for any proof that does not verify, including ones of the wrong length or with hashes
// that are not 32 bytes; they never fail otherwise.
bool verify_inclusion(std::uint64_t index, std::uint64_t size, std::string_view leaf_hash,
                      std::span<const std::string> proof, std::string_view root);
// old_size == 0 verifies only an empty proof with old_root == empty_root(); old_size ==
// new_size only an empty proof with equal roots.
bool verify_consistency(std::uint64_t old_size, std::uint64_t new_size, std::string_view old_root,
                        std::string_view new_root, std::span<const std::string> proof);

}  // namespace consentric::audit
