#pragma once

// Gradient-boosted trees: trained by XGBoost through its C API, then compiled into our own
// evaluator, which scores several rows at a time over flat arrays and gives XGBoost's own
// predictions (to float rounding of the sigmoid; margins bit for bit). Explanations (SHAP
// contributions) come from XGBoost.
//
//   CONSENTRIC_ASSIGN_OR_RETURN(XgbBooster booster, XgbBooster::train(x, labels, {}, options));
//   CONSENTRIC_ASSIGN_OR_RETURN(std::string json, booster.save_json());
//   CONSENTRIC_ASSIGN_OR_RETURN(TreeEnsemble trees, TreeEnsemble::from_xgboost_json(json));
//   trees.predict_proba(rows, out);
//
// docs/algorithms/lead-scoring-models.md has the layout of the evaluator and its figures.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "consentric/status.h"
#include "score/matrix.h"

namespace consentric::score {

struct BoostedTreesOptions {
  int rounds = 100;
  // XGBoost parameters as name and value, set in order after these defaults (a later one with
  // the same name wins): objective binary:logistic, tree_method hist, max_depth 6, eta 0.3,
  // nthread 2, seed 0, verbosity 0.
  std::vector<std::pair<std::string, std::string>> params;
};

// An XGBoost booster (move-only; freed on destruction). Not thread-safe: one caller at a time.
class XgbBooster {
 public:
  // Trains on the rows of x (NaN = missing) with labels (0/1 for the logistic objectives);
  // `sample_weight` empty or one per row. Errors carry XGBoost's message.
  static Result<XgbBooster> train(MatrixRef x, std::span<const float> labels,
                                  std::span<const float> sample_weight,
                                  const BoostedTreesOptions& options);
  static Result<XgbBooster> load_json(std::string_view json);

  // The model as XGBoost's JSON (XGBoosterSaveModelToBuffer, format json).
  Result<std::string> save_json() const;
  // XGBoost's own predictions for the rows of x (in-place prediction over the dense rows,
  // XGBoosterPredictFromDense): probabilities, or margins when `margin`.
  Result<std::vector<float>> predict(MatrixRef x, bool margin) const;
  // SHAP contributions (XGBoost's exact TreeSHAP, type 2): x.rows × (x.cols + 1) values, row
  // by row, the last of each row the bias; each row sums to its margin.
  Result<std::vector<float>> contributions(MatrixRef x) const;

  XgbBooster(XgbBooster&&) noexcept = default;
  XgbBooster& operator=(XgbBooster&&) noexcept = default;
  ~XgbBooster() = default;

 private:
  struct Free {
    void operator()(void* handle) const;
  };
  XgbBooster() = default;
  std::unique_ptr<void, Free> handle_;
};

// A compiled tree ensemble (immutable once built; predictions are thread-safe).
//
// Layout: a tree of depth D (D <= kMaxImplicitDepth) is stored complete, in breadth-first
// order: 2^D − 1 split nodes of 8 bytes (feature index with the default-direction bit, float
// threshold) and 2^D leaf values. A leaf above depth D is pushed down: its place becomes a
// split whose both sides end in copies of its value. Node i's children are 2i + 1 and 2i + 2,
// so evaluation needs no child pointers and no branches: i = 2i + 1 + (go right). Deeper trees
// keep XGBoost's own node arrays and are walked the ordinary way.
//
// Scoring takes kInterleave rows at a time through each tree, so that many independent
// walks are in flight; margins are summed in float in tree order from the base margin, as
// XGBoost's CPU predictor does, so they equal its margins exactly.
class TreeEnsemble {
 public:
  static constexpr int kMaxImplicitDepth = 10;
  static constexpr int kInterleave = 16;

  // Compiles a model saved by XGBoost 1.7 (XgbBooster::save_json). Supported: booster gbtree,
  // numerical splits, one output group; objectives binary:logistic, reg:logistic,
  // binary:logitraw (logistic link) and reg:squarederror (identity).
  static Result<TreeEnsemble> from_xgboost_json(std::string_view json);

  std::size_t trees() const { return trees_.size(); }
  std::size_t cols() const { return cols_; }
  int max_depth() const { return max_depth_; }
  // base_score mapped to margin space (logit(base_score) for the logistic objectives).
  float base_margin() const { return base_margin_; }
  bool logistic() const { return logistic_; }

  // REQUIRES: x.cols >= cols(), out.size() >= x.rows, threads >= 1.
  void predict_margin(MatrixRef x, std::span<float> out, int threads = 1) const;
  // σ(margin) for the logistic objectives, the margin otherwise.
  void predict(MatrixRef x, std::span<float> out, int threads = 1) const;
  // Whether predictions run on the AVX-512 kernel (every tree at most 6 deep, the processor
  // has AVX-512F, and force_portable_trees is off); the scalar interleaved loop otherwise.
  bool simd_active() const;

 private:
  struct Node {
    std::uint32_t feature;  // bit 31: missing values go left
    float threshold;        // x < threshold goes left
  };
  struct Tree {
    int depth = 0;             // implicit layout: its depth; explicit: −1
    std::uint32_t nodes = 0;   // offset into nodes_
    std::uint32_t leaves = 0;  // offset into leaves_ (implicit layout)
    std::uint32_t count = 0;   // explicit layout: number of nodes
  };
  static constexpr std::uint32_t kDefaultLeft = 1u << 31;

  void margins_block(MatrixRef x, std::size_t begin, std::size_t end, float* out) const;
  void margins_block_avx512(MatrixRef x, std::size_t begin, std::size_t end, float* out) const;
  void pack_for_simd();

  std::vector<Tree> trees_;
  std::vector<Node> nodes_;
  std::vector<float> leaves_;
  // Explicit layout: children per node (−1 for a leaf, whose value is its threshold).
  std::vector<std::int32_t> left_, right_;
  std::size_t cols_ = 0;
  int max_depth_ = 0;
  float base_margin_ = 0;
  bool logistic_ = true;
  // The AVX-512 layout, when every tree is at most kSimdDepth deep: each tree padded to depth
  // kSimdDepth, 64 entries of each array per tree (63 splits and one unused, 64 leaves), so a
  // whole tree's splits sit in a few vector registers and are looked up by lane permutes.
  static constexpr int kSimdDepth = 6;
  std::vector<std::int32_t> simd_feature_;  // bit 31: missing values go left
  std::vector<float> simd_threshold_;
  std::vector<float> simd_leaf_;
};

namespace detail {
// Test hook: true makes TreeEnsemble use the scalar loop even where AVX-512 would run.
void force_portable_trees(bool on);
}  // namespace detail

}  // namespace consentric::score
