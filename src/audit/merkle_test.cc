#include "audit/merkle.h"

#include <bit>
#include <map>

#include "crypto/keys.h"
#include "testing/status_matchers.h"

namespace consentric::audit {
namespace {

std::string unhex(std::string_view hex) { return std::move(crypto::from_hex(hex)).value(); }

// The RFC 6962 test leaves and hashes, as published in transparency-dev/merkle
// (testonly/constants.go) and google/certificate-transparency.
const std::vector<std::string>& vector_leaves() {
  static const auto* leaves = new std::vector<std::string>{
      unhex(""),
      unhex("00"),
      unhex("10"),
      unhex("2021"),
      unhex("3031"),
      unhex("40414243"),
      unhex("5051525354555657"),
      unhex("606162636465666768696a6b6c6d6e6f"),
  };
  return *leaves;
}

// Level 0 (leaf hashes) ... level 3 (the root of all 8) of the complete subtrees.
const std::vector<std::vector<std::string>>& vector_nodes() {
  static const auto* nodes = new std::vector<std::vector<std::string>>{
      {
          unhex("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"),
          unhex("96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"),
          unhex("0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7"),
          unhex("07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7"),
          unhex("bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"),
          unhex("4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658"),
          unhex("b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f"),
          unhex("46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1"),
      },
      {
          unhex("fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"),
          unhex("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
          unhex("0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a"),
          unhex("ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0"),
      },
      {
          unhex("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"),
          unhex("6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"),
      },
      {
          unhex("5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"),
      },
  };
  return *nodes;
}

// Roots of the trees of the first n vector leaves, n = 0..8.
const std::vector<std::string>& vector_roots() {
  static const auto* roots = new std::vector<std::string>{
      unhex("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
      unhex("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"),
      unhex("fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"),
      unhex("aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77"),
      unhex("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"),
      unhex("4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4"),
      unhex("76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef"),
      unhex("ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c"),
      unhex("5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"),
  };
  return *roots;
}

std::vector<std::string> vector_leaf_hashes(std::size_t n) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < n; ++i) out.push_back(leaf_hash(vector_leaves()[i]));
  return out;
}

// Leaves for the larger tests: distinct, and not the vector leaves.
std::vector<std::string> numbered_leaf_hashes(std::size_t n) {
  std::vector<std::string> out;
  out.reserve(n);
  for (std::size_t i = 0; i < n; ++i) out.push_back(leaf_hash("entry " + std::to_string(i)));
  return out;
}

std::uint64_t ceil_log2(std::uint64_t n) { return n <= 1 ? 0 : std::bit_width(n - 1); }

std::string flip(std::string h, std::size_t at = 0) {
  h[at] = static_cast<char>(h[at] ^ 0x01);
  return h;
}

TEST(MerkleHashes, LeafAndNodeHashesMatchRfc6962Vectors) {
  const auto& nodes = vector_nodes();
  for (std::size_t i = 0; i < vector_leaves().size(); ++i) {
    EXPECT_EQ(leaf_hash(vector_leaves()[i]), nodes[0][i]) << "leaf " << i;
  }
  for (std::size_t level = 1; level < nodes.size(); ++level) {
    for (std::size_t i = 0; i < nodes[level].size(); ++i) {
      EXPECT_EQ(node_hash(nodes[level - 1][2 * i], nodes[level - 1][2 * i + 1]), nodes[level][i])
          << "level " << level << " node " << i;
    }
  }
  EXPECT_EQ(empty_root(), vector_roots()[0]);
}

TEST(MerkleHashes, DomainSeparationKeepsLeavesAndNodesApart) {
  // A leaf whose bytes are two child hashes must not hash like the node above them.
  const std::string a = leaf_hash("a");
  const std::string b = leaf_hash("b");
  EXPECT_NE(leaf_hash(a + b), node_hash(a, b));
  // Odd-length inputs take the slow path and still agree with the definition.
  EXPECT_EQ(node_hash("x", "yz"), node_hash("xy", "z"));
}

TEST(MerkleRoot, MatchesRfc6962RootsForEverySize) {
  for (std::size_t n = 0; n <= 8; ++n) {
    const auto leaves = vector_leaf_hashes(n);
    EXPECT_EQ(crypto::to_hex(root_of(leaves)), crypto::to_hex(vector_roots()[n])) << "size " << n;
    MerkleTree tree;
    for (const auto& l : leaves) tree.append(l);
    EXPECT_EQ(tree.size(), n);
    EXPECT_EQ(tree.root(), vector_roots()[n]) << "size " << n;
  }
}

TEST(MerkleRoot, IncrementalTreeMatchesRecursiveDefinition) {
  const auto leaves = numbered_leaf_hashes(300);
  MerkleTree tree;
  EXPECT_EQ(tree.root(), empty_root());
  for (std::size_t n = 1; n <= leaves.size(); ++n) {
    tree.append(leaves[n - 1]);
    ASSERT_EQ(tree.root(), root_of(std::span(leaves).first(n))) << "size " << n;
  }
}

TEST(MerkleRoot, OrderAndContentMatter) {
  auto leaves = numbered_leaf_hashes(9);
  const std::string root = root_of(leaves);
  std::swap(leaves[3], leaves[4]);
  EXPECT_NE(root_of(leaves), root);
  std::swap(leaves[3], leaves[4]);
  leaves[8] = flip(leaves[8]);
  EXPECT_NE(root_of(leaves), root);
  leaves.pop_back();
  EXPECT_NE(root_of(leaves), root);
}

// c2sp.org/merkle-tree, "Example": the 7-entry tree with leaves a..g and inner nodes h..l.
class C2spExample : public ::testing::Test {
 protected:
  void SetUp() override {
    leaves_ = vector_leaf_hashes(7);
    const char* names = "abcdefg";
    for (int i = 0; i < 7; ++i) label_[names[i]] = leaves_[static_cast<std::size_t>(i)];
    label_['h'] = node_hash(label_['a'], label_['b']);
    label_['i'] = node_hash(label_['c'], label_['d']);
    label_['j'] = node_hash(label_['e'], label_['f']);
    label_['k'] = node_hash(label_['h'], label_['i']);
    label_['l'] = node_hash(label_['j'], label_['g']);
    root_ = node_hash(label_['k'], label_['l']);
  }
  std::vector<std::string> labels(std::string_view names) {
    std::vector<std::string> out;
    for (char c : names) out.push_back(label_[c]);
    return out;
  }
  std::vector<std::string> leaves_;
  std::map<char, std::string> label_;
  std::string root_;
};

TEST_F(C2spExample, LabelsAgreeWithPublishedHashes) {
  EXPECT_EQ(label_['h'], vector_nodes()[1][0]);
  EXPECT_EQ(label_['i'], vector_nodes()[1][1]);
  EXPECT_EQ(label_['j'], vector_nodes()[1][2]);
  EXPECT_EQ(label_['k'], vector_nodes()[2][0]);
  EXPECT_EQ(root_, vector_roots()[7]);
  EXPECT_EQ(root_of(leaves_), root_);
}

TEST_F(C2spExample, InclusionProofs) {
  const std::vector<std::pair<std::uint64_t, std::string_view>> cases = {
      {0, "bil"}, {3, "chl"}, {4, "fgk"}, {6, "jk"}};
  for (const auto& [index, names] : cases) {
    const auto proof = inclusion_proof(leaves_, index);
    EXPECT_EQ(proof, labels(names)) << "d[" << index << "]";
    EXPECT_TRUE(verify_inclusion(index, 7, leaves_[index], proof, root_)) << "d[" << index << "]";
  }
}

TEST_F(C2spExample, ConsistencyProofs) {
  const std::vector<std::pair<std::uint64_t, std::string_view>> cases = {
      {3, "cdhl"}, {4, "l"}, {6, "jgk"}};
  for (const auto& [old_size, names] : cases) {
    const auto proof = consistency_proof(leaves_, old_size);
    EXPECT_EQ(proof, labels(names)) << old_size << " -> 7";
    EXPECT_TRUE(verify_consistency(old_size, 7, vector_roots()[old_size], root_, proof))
        << old_size << " -> 7";
  }
}

TEST(MerkleProofs, MatchPublishedProofsOverEightLeaves) {
  const auto leaves = vector_leaf_hashes(8);
  const auto& nh = vector_nodes();
  EXPECT_EQ(inclusion_proof(leaves, 0), (std::vector{nh[0][1], nh[1][1], nh[2][1]}));
  EXPECT_EQ(inclusion_proof(leaves, 5), (std::vector{nh[0][4], nh[1][3], nh[2][0]}));
  EXPECT_TRUE(inclusion_proof(std::span(leaves).first(1), 0).empty());
  EXPECT_EQ(consistency_proof(leaves, 6), (std::vector{nh[1][2], nh[1][3], nh[2][0]}));
  EXPECT_EQ(consistency_proof(std::span(leaves).first(5), 2), (std::vector{nh[1][1], nh[0][4]}));
  EXPECT_EQ(consistency_proof(leaves, 4), (std::vector{nh[2][1]}));
  EXPECT_TRUE(consistency_proof(leaves, 8).empty());
}

// Every proof of every small tree verifies, is no longer than RFC 6962 allows, and stops
// verifying when any part of what it is checked against changes.
TEST(MerkleProofs, EveryInclusionProofVerifiesAndTamperingFails) {
  const auto all = numbered_leaf_hashes(70);
  for (std::uint64_t n = 1; n <= all.size(); ++n) {
    const auto leaves = std::span(all).first(n);
    const std::string root = root_of(leaves);
    for (std::uint64_t i = 0; i < n; ++i) {
      const auto proof = inclusion_proof(leaves, i);
      ASSERT_LE(proof.size(), ceil_log2(n)) << i << " in " << n;
      ASSERT_TRUE(verify_inclusion(i, n, leaves[i], proof, root)) << i << " in " << n;

      EXPECT_FALSE(verify_inclusion(i, n, flip(leaves[i]), proof, root));
      EXPECT_FALSE(verify_inclusion(i, n, leaves[i], proof, flip(root, 31)));
      // Not checked: the same path under another tree size. Where the path has the same shape
      // (leaf 0 of 5 or of 6 leaves) it verifies; the proof binds index, leaf and root, and
      // only the signed checkpoint binds the size to the root (check_inclusion compares it).
      EXPECT_FALSE(verify_inclusion(n, n, leaves[i], proof, root));
      for (std::uint64_t other = 0; other < n; ++other) {
        if (other == i) continue;
        ASSERT_FALSE(verify_inclusion(other, n, leaves[i], proof, root))
            << "leaf " << i << " claimed at " << other << " in " << n;
      }
      for (std::size_t p = 0; p < proof.size(); ++p) {
        auto bad = proof;
        bad[p] = flip(bad[p], p % 32);
        EXPECT_FALSE(verify_inclusion(i, n, leaves[i], bad, root));
      }
      if (!proof.empty()) {
        auto shorter = proof;
        shorter.pop_back();
        EXPECT_FALSE(verify_inclusion(i, n, leaves[i], shorter, root));
      }
      auto longer = proof;
      longer.push_back(root);
      EXPECT_FALSE(verify_inclusion(i, n, leaves[i], longer, root));
    }
  }
}

TEST(MerkleProofs, EveryConsistencyProofVerifiesAndTamperingFails) {
  const auto all = numbered_leaf_hashes(70);
  std::vector<std::string> roots;
  for (std::size_t n = 0; n <= all.size(); ++n) roots.push_back(root_of(std::span(all).first(n)));
  for (std::uint64_t n = 1; n <= all.size(); ++n) {
    const auto leaves = std::span(all).first(n);
    for (std::uint64_t m = 1; m <= n; ++m) {
      const auto proof = consistency_proof(leaves, m);
      ASSERT_LE(proof.size(), ceil_log2(n) + 1) << m << " -> " << n;
      ASSERT_TRUE(verify_consistency(m, n, roots[m], roots[n], proof)) << m << " -> " << n;

      EXPECT_FALSE(verify_consistency(m, n, flip(roots[m]), roots[n], proof));
      EXPECT_FALSE(verify_consistency(m, n, roots[m], flip(roots[n], 7), proof));
      if (m < n) {
        EXPECT_FALSE(verify_consistency(m, n, roots[n], roots[m], proof));
        EXPECT_FALSE(verify_consistency(m, n, roots[m], roots[n], {}));
        EXPECT_FALSE(verify_consistency(m + 1, n, roots[m + 1], roots[n], proof))
            << m << " -> " << n << " as " << m + 1;
        EXPECT_FALSE(verify_consistency(m - 1, n, roots[m - 1], roots[n], proof))
            << m << " -> " << n << " as " << m - 1;
      }
      for (std::size_t p = 0; p < proof.size(); ++p) {
        auto bad = proof;
        bad[p] = flip(bad[p], p % 32);
        EXPECT_FALSE(verify_consistency(m, n, roots[m], roots[n], bad)) << m << " -> " << n;
      }
      if (!proof.empty()) {
        auto shorter = proof;
        shorter.pop_back();
        EXPECT_FALSE(verify_consistency(m, n, roots[m], roots[n], shorter));
      }
      auto longer = proof;
      longer.push_back(roots[n]);
      EXPECT_FALSE(verify_consistency(m, n, roots[m], roots[n], longer));
    }
  }
}

TEST(MerkleProofs, RewrittenHistoryIsNotConsistent) {
  auto leaves = numbered_leaf_hashes(20);
  const std::string old_root = root_of(std::span(leaves).first(11));
  leaves[5] = leaf_hash("rewritten");
  const auto proof = consistency_proof(leaves, 11);
  EXPECT_FALSE(verify_consistency(11, 20, old_root, root_of(leaves), proof));
}

TEST(MerkleProofs, EdgeSizes) {
  const std::string e = empty_root();
  const std::string r = leaf_hash("x");
  EXPECT_TRUE(verify_consistency(0, 0, e, e, {}));
  EXPECT_TRUE(verify_consistency(0, 5, e, r, {}));
  EXPECT_FALSE(verify_consistency(0, 5, r, r, {}));  // a size-0 tree has exactly one root
  EXPECT_FALSE(verify_consistency(0, 5, e, r, std::vector{r}));
  EXPECT_TRUE(verify_consistency(3, 3, r, r, {}));
  EXPECT_FALSE(verify_consistency(3, 3, r, e, {}));
  EXPECT_FALSE(verify_consistency(3, 3, r, r, std::vector{r}));
  EXPECT_FALSE(verify_consistency(4, 3, r, r, {}));
  EXPECT_FALSE(verify_inclusion(0, 0, r, {}, e));
  EXPECT_TRUE(verify_inclusion(0, 1, r, {}, r));
  // Hashes of the wrong length are refused, not read past.
  EXPECT_FALSE(verify_inclusion(0, 1, "short", {}, "short"));
  EXPECT_FALSE(verify_inclusion(0, 2, r, std::vector<std::string>{"short"}, r));
  EXPECT_FALSE(verify_consistency(1, 2, r, r, std::vector<std::string>{"short"}));
  // The largest sizes do not overflow.
  const std::uint64_t big = ~std::uint64_t{0};
  EXPECT_FALSE(verify_inclusion(big - 1, big, r, std::vector<std::string>(64, r), r));
  EXPECT_FALSE(verify_consistency(big - 1, big, r, r, std::vector<std::string>(65, r)));
}

TEST(MerkleProofs, LargeTreeProofsAreShortAndVerify) {
  const auto leaves = numbered_leaf_hashes(100'003);
  MerkleTree tree;
  for (const auto& l : leaves) tree.append(l);
  const std::string root = tree.root();
  for (std::uint64_t i : {std::uint64_t{0}, std::uint64_t{65'535}, std::uint64_t{100'002}}) {
    const auto proof = inclusion_proof(leaves, i);
    EXPECT_LE(proof.size(), 17u);
    EXPECT_TRUE(verify_inclusion(i, leaves.size(), leaves[i], proof, root));
  }
  const auto proof = consistency_proof(leaves, 77'777);
  EXPECT_TRUE(verify_consistency(77'777, leaves.size(), root_of(std::span(leaves).first(77'777)),
                                 root, proof));
}

}  // namespace
}  // namespace consentric::audit
