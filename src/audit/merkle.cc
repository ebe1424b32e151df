#include "audit/merkle.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cassert>
#include <cstring>

#include "crypto/signing.h"

namespace consentric::audit {
namespace {

static_assert(kMerkleHashBytes == crypto::kSha256Bytes);

// The largest power of two strictly below n: the size of the left subtree. REQUIRES: n > 1.
std::uint64_t split_point(std::uint64_t n) { return std::bit_floor(n - 1); }

bool is_hash(std::string_view h) { return h.size() == kMerkleHashBytes; }

// Shifts fn and sn right together until fn's low bit is set or fn is 0: climbs past the levels
// where the node on fn's path is a left child whose right sibling does not exist yet (the
// right edge of an incomplete tree), which add no hash to the proof.
void climb_right_edge(std::uint64_t& fn, std::uint64_t& sn) {
  while ((fn & 1) == 0 && fn != 0) {
    fn >>= 1;
    sn >>= 1;
  }
}

}  // namespace

std::string leaf_hash(std::string_view entry_bytes) {
  std::string msg;
  msg.reserve(1 + entry_bytes.size());
  msg.push_back('\x00');
  msg.append(entry_bytes);
  return crypto::sha256(msg);
}

std::string node_hash(std::string_view left, std::string_view right) {
  // Inner nodes are the bulk of the hashing for a proof over millions of leaves; hash from a
  // stack buffer rather than building a string each time.
  if (is_hash(left) && is_hash(right)) {
    std::array<char, 1 + 2 * kMerkleHashBytes> buf;
    buf[0] = '\x01';
    std::memcpy(buf.data() + 1, left.data(), kMerkleHashBytes);
    std::memcpy(buf.data() + 1 + kMerkleHashBytes, right.data(), kMerkleHashBytes);
    return crypto::sha256({buf.data(), buf.size()});
  }
  std::string msg = "\x01";
  msg.append(left);
  msg.append(right);
  return crypto::sha256(msg);
}

std::string empty_root() { return crypto::sha256(""); }

void MerkleTree::append(std::string leaf_hash) {
  assert(is_hash(leaf_hash));
  full_subtrees_.push_back(std::move(leaf_hash));
  ++size_;
  // Each trailing zero bit of the new size is a pair of equal-sized subtrees that now merge.
  for (std::uint64_t n = size_; (n & 1) == 0; n >>= 1) {
    std::string right = std::move(full_subtrees_.back());
    full_subtrees_.pop_back();
    full_subtrees_.back() = node_hash(full_subtrees_.back(), right);
  }
}

std::string MerkleTree::root() const {
  if (full_subtrees_.empty()) return empty_root();
  // MTH hangs each smaller full subtree off the right of the next larger one.
  std::string h = full_subtrees_.back();
  for (auto it = full_subtrees_.rbegin() + 1; it != full_subtrees_.rend(); ++it) {
    h = node_hash(*it, h);
  }
  return h;
}

std::string root_of(std::span<const std::string> leaf_hashes) {
  const std::uint64_t n = leaf_hashes.size();
  if (n == 0) return empty_root();
  if (n == 1) return leaf_hashes[0];
  const std::uint64_t k = split_point(n);
  return node_hash(root_of(leaf_hashes.first(k)), root_of(leaf_hashes.subspan(k)));
}

std::vector<std::string> inclusion_proof(std::span<const std::string> leaf_hashes,
                                         std::uint64_t index) {
  assert(index < leaf_hashes.size());
  // Walks from the root down to the leaf, taking the sibling subtree's hash at each level, then
  // reverses: the proof is ordered leaf to root. Each level hashes the half it leaves behind,
  // so the total work is one pass over the leaves.
  std::vector<std::string> proof;
  std::span<const std::string> range = leaf_hashes;
  std::uint64_t m = index;
  while (range.size() > 1) {
    const std::uint64_t k = split_point(range.size());
    if (m < k) {
      proof.push_back(root_of(range.subspan(k)));
      range = range.first(k);
    } else {
      proof.push_back(root_of(range.first(k)));
      range = range.subspan(k);
      m -= k;
    }
  }
  std::reverse(proof.begin(), proof.end());
  return proof;
}

std::vector<std::string> consistency_proof(std::span<const std::string> leaf_hashes,
                                           std::uint64_t old_size) {
  assert(old_size > 0 && old_size <= leaf_hashes.size());
  // SUBPROOF(m, D[n], b) of RFC 6962 §2.1.2, unrolled from the root down and then reversed.
  // `whole_old_tree` is b: true while the subtree being descended could still be the entire
  // old tree, whose root the verifier already has.
  std::vector<std::string> proof;
  std::span<const std::string> range = leaf_hashes;
  std::uint64_t m = old_size;
  bool whole_old_tree = true;
  while (m != range.size()) {
    const std::uint64_t k = split_point(range.size());
    if (m <= k) {
      proof.push_back(root_of(range.subspan(k)));
      range = range.first(k);
    } else {
      proof.push_back(root_of(range.first(k)));
      range = range.subspan(k);
      m -= k;
      whole_old_tree = false;
    }
  }
  if (!whole_old_tree) proof.push_back(root_of(range));
  std::reverse(proof.begin(), proof.end());
  return proof;
}

bool verify_inclusion(std::uint64_t index, std::uint64_t size, std::string_view leaf_hash,
                      std::span<const std::string> proof, std::string_view root) {
  if (index >= size || !is_hash(leaf_hash) || !is_hash(root)) return false;
  if (!std::all_of(proof.begin(), proof.end(), [](const std::string& p) { return is_hash(p); })) {
    return false;
  }
  // fn is the node's index on its level, sn the last index on that level.
  std::uint64_t fn = index;
  std::uint64_t sn = size - 1;
  std::string r(leaf_hash);
  for (const std::string& p : proof) {
    if (sn == 0) return false;  // more hashes than levels
    if ((fn & 1) == 1 || fn == sn) {
      r = node_hash(p, r);
      climb_right_edge(fn, sn);
    } else {
      r = node_hash(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  return sn == 0 && r == root;
}

bool verify_consistency(std::uint64_t old_size, std::uint64_t new_size, std::string_view old_root,
                        std::string_view new_root, std::span<const std::string> proof) {
  if (old_size > new_size || !is_hash(old_root) || !is_hash(new_root)) return false;
  if (!std::all_of(proof.begin(), proof.end(), [](const std::string& p) { return is_hash(p); })) {
    return false;
  }
  if (old_size == new_size) return proof.empty() && old_root == new_root;
  if (old_size == 0) return proof.empty() && old_root == empty_root();
  if (proof.empty()) return false;

  // When the old tree is a full subtree of the new one, the proof leaves out its root, which
  // the verifier already holds; start from it.
  std::span<const std::string> rest = proof;
  std::string first;
  if (std::has_single_bit(old_size)) {
    first = std::string(old_root);
  } else {
    first = proof[0];
    rest = proof.subspan(1);
  }
  std::uint64_t fn = old_size - 1;
  std::uint64_t sn = new_size - 1;
  while ((fn & 1) == 1) {
    fn >>= 1;
    sn >>= 1;
  }
  // fr rebuilds the old root, sr the new one, from the same hashes.
  std::string fr = first;
  std::string sr = first;
  for (const std::string& c : rest) {
    if (sn == 0) return false;  // more hashes than levels
    if ((fn & 1) == 1 || fn == sn) {
      fr = node_hash(c, fr);
      sr = node_hash(c, sr);
      climb_right_edge(fn, sn);
    } else {
      sr = node_hash(sr, c);
    }
    fn >>= 1;
    sn >>= 1;
  }
  return sn == 0 && fr == old_root && sr == new_root;
}

}  // namespace consentric::audit
