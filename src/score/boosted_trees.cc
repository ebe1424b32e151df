#include "score/boosted_trees.h"

#include <algorithm>
#include <atomic>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <functional>
#include <limits>
#include <optional>
#include <thread>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <xgboost/c_api.h>

#include "score/cpu.h"

namespace consentric::score {
namespace {

// The last XGBoost error, with what we were doing.
Status xgb_error(std::string_view what) {
  return internal_error(fmt::format("xgboost: {}: {}", what, XGBGetLastError()));
}

#define CONSENTRIC_XGB(call, what)           \
  do {                                       \
    if ((call) != 0) return xgb_error(what); \
  } while (0)

struct DMatrixFree {
  void operator()(void* m) const { XGDMatrixFree(m); }
};
using DMatrix = std::unique_ptr<void, DMatrixFree>;

Result<DMatrix> make_dmatrix(MatrixRef x, int threads) {
  DMatrixHandle h = nullptr;
  CONSENTRIC_XGB(XGDMatrixCreateFromMat_omp(x.data, x.rows, x.cols,
                                            std::numeric_limits<float>::quiet_NaN(), &h, threads),
                 "XGDMatrixCreateFromMat");
  return DMatrix(h);
}

// XGBoost's array-interface description of a dense float32 matrix.
std::string array_interface(MatrixRef x) {
  return fmt::format(R"({{"data": [{}, true], "shape": [{}, {}], "typestr": "<f4", "version": 3}})",
                     reinterpret_cast<std::uintptr_t>(x.data), x.rows, x.cols);
}

// Runs fn(t) for t in [0, threads) on `threads` threads (t = 0 on the caller) and waits.
void on_threads(int threads, const std::function<void(int)>& fn) {
  std::vector<std::jthread> workers;
  for (int t = 1; t < threads; ++t) workers.emplace_back([&fn, t] { fn(t); });
  fn(0);
}

float sigmoid(float m) { return 1.0f / (1.0f + std::exp(-m)); }

}  // namespace

void XgbBooster::Free::operator()(void* handle) const { XGBoosterFree(handle); }

Result<XgbBooster> XgbBooster::train(MatrixRef x, std::span<const float> labels,
                                     std::span<const float> sample_weight,
                                     const BoostedTreesOptions& options) {
  if (labels.size() != x.rows) {
    return invalid_argument(
        fmt::format("boosted trees: {} labels for {} rows", labels.size(), x.rows));
  }
  if (!sample_weight.empty() && sample_weight.size() != x.rows) {
    return invalid_argument(
        fmt::format("boosted trees: {} sample weights for {} rows", sample_weight.size(), x.rows));
  }
  if (x.rows == 0 || x.cols == 0 || options.rounds < 1) {
    return invalid_argument("boosted trees: needs rows, columns and at least one round");
  }
  std::vector<std::pair<std::string, std::string>> params = {{"objective", "binary:logistic"},
                                                             {"tree_method", "hist"},
                                                             {"max_depth", "6"},
                                                             {"eta", "0.3"},
                                                             {"nthread", "2"},
                                                             {"seed", "0"},
                                                             {"verbosity", "0"}};
  for (const auto& p : options.params) params.push_back(p);
  int threads = 2;
  for (const auto& [k, v] : params) {
    if (k == "nthread") threads = std::max(1, std::atoi(v.c_str()));
  }

  CONSENTRIC_ASSIGN_OR_RETURN(DMatrix dm, make_dmatrix(x, threads));
  CONSENTRIC_XGB(XGDMatrixSetFloatInfo(dm.get(), "label", labels.data(), labels.size()),
                 "setting the labels");
  if (!sample_weight.empty()) {
    CONSENTRIC_XGB(
        XGDMatrixSetFloatInfo(dm.get(), "weight", sample_weight.data(), sample_weight.size()),
        "setting the weights");
  }
  DMatrixHandle dms[] = {dm.get()};
  BoosterHandle h = nullptr;
  CONSENTRIC_XGB(XGBoosterCreate(dms, 1, &h), "XGBoosterCreate");
  XgbBooster b;
  b.handle_.reset(h);
  for (const auto& [k, v] : params) {
    CONSENTRIC_XGB(XGBoosterSetParam(h, k.c_str(), v.c_str()),
                   fmt::format("parameter {}={}", k, v));
  }
  for (int i = 0; i < options.rounds; ++i) {
    CONSENTRIC_XGB(XGBoosterUpdateOneIter(h, i, dm.get()), fmt::format("round {}", i));
  }
  return b;
}

Result<XgbBooster> XgbBooster::load_json(std::string_view json) {
  BoosterHandle h = nullptr;
  CONSENTRIC_XGB(XGBoosterCreate(nullptr, 0, &h), "XGBoosterCreate");
  XgbBooster b;
  b.handle_.reset(h);
  CONSENTRIC_XGB(XGBoosterLoadModelFromBuffer(h, json.data(), json.size()), "loading a model");
  return b;
}

Result<std::string> XgbBooster::save_json() const {
  bst_ulong len = 0;
  const char* data = nullptr;
  CONSENTRIC_XGB(XGBoosterSaveModelToBuffer(handle_.get(), R"({"format": "json"})", &len, &data),
                 "saving the model");
  return std::string(data, len);
}

Result<std::vector<float>> XgbBooster::predict(MatrixRef x, bool margin) const {
  if (x.rows == 0) return std::vector<float>{};
  const std::string config =
      fmt::format(R"({{"type": {}, "training": false, "iteration_begin": 0, "iteration_end": 0, )"
                  R"("strict_shape": false, "missing": NaN, "cache_id": 0}})",
                  margin ? 1 : 0);
  const bst_ulong* shape = nullptr;
  bst_ulong dim = 0;
  const float* result = nullptr;
  CONSENTRIC_XGB(XGBoosterPredictFromDense(handle_.get(), array_interface(x).c_str(),
                                           config.c_str(), nullptr, &shape, &dim, &result),
                 "predicting");
  bst_ulong n = 1;
  for (bst_ulong i = 0; i < dim; ++i) n *= shape[i];
  if (n != x.rows) {
    return internal_error(fmt::format("xgboost: {} predictions for {} rows", n, x.rows));
  }
  return std::vector<float>(result, result + n);
}

Result<std::vector<float>> XgbBooster::contributions(MatrixRef x) const {
  if (x.rows == 0) return std::vector<float>{};
  CONSENTRIC_ASSIGN_OR_RETURN(DMatrix dm, make_dmatrix(x, 1));
  const char* config =
      R"({"type": 2, "training": false, "iteration_begin": 0, "iteration_end": 0, )"
      R"("strict_shape": false})";
  const bst_ulong* shape = nullptr;
  bst_ulong dim = 0;
  const float* result = nullptr;
  CONSENTRIC_XGB(
      XGBoosterPredictFromDMatrix(handle_.get(), dm.get(), config, &shape, &dim, &result),
      "predicting contributions");
  bst_ulong n = 1;
  for (bst_ulong i = 0; i < dim; ++i) n *= shape[i];
  if (n != x.rows * (x.cols + 1)) {
    return internal_error(
        fmt::format("xgboost: {} contributions for {} rows of {} columns", n, x.rows, x.cols));
  }
  return std::vector<float>(result, result + n);
}

// ---------------------------------------------------------------------------------------------

namespace {

// One tree as XGBoost saves it.
struct SavedTree {
  std::vector<std::int32_t> left, right;
  std::vector<std::uint32_t> feature;
  std::vector<float> condition;  // threshold, or the leaf value
  std::vector<bool> default_left;
};

using nlohmann::json;

// The member `key` of object `v`, or nullptr (also when `v` is not an object).
const json* member(const json* v, std::string_view key) {
  if (v == nullptr || !v->is_object()) return nullptr;
  const auto it = v->find(key);
  return it == v->end() ? nullptr : &*it;
}

// A number, or a string holding one (XGBoost writes its learner parameters as strings).
// A string is read by strtof itself; a number was read by the JSON parser as a double and is
// narrowed: XGBoost writes each float32 in its shortest round-trip form, whose nearest double
// narrows back to the same float (bit-for-bit margins are tested in boosted_trees_test.cc).
std::optional<float> as_float(const json* v) {
  if (v == nullptr) return std::nullopt;
  if (v->is_number()) return static_cast<float>(v->get<double>());
  if (!v->is_string()) return std::nullopt;
  const std::string& t = v->get_ref<const std::string&>();
  char* end = nullptr;
  const float f = std::strtof(t.c_str(), &end);
  if (t.empty() || end != t.c_str() + t.size()) return std::nullopt;
  return f;
}

std::optional<long long> as_int(const json* v) {
  if (v == nullptr) return std::nullopt;
  if (v->is_number_integer()) return v->get<long long>();
  if (!v->is_string()) return std::nullopt;
  const std::string& t = v->get_ref<const std::string&>();
  long long out = 0;
  const auto [ptr, ec] = std::from_chars(t.data(), t.data() + t.size(), out);
  if (ec != std::errc() || ptr != t.data() + t.size()) return std::nullopt;
  return out;
}

std::string text_of(const json* v) {
  if (v == nullptr) return "";
  return v->is_string() ? v->get<std::string>() : v->dump();
}

Status read_ints(const json* v, std::string_view name, std::size_t tree,
                 std::vector<long long>* out) {
  if (v == nullptr || !v->is_array()) {
    return invalid_argument(fmt::format("xgboost model: tree {}: no array \"{}\"", tree, name));
  }
  out->clear();
  for (const json& item : *v) {
    if (!item.is_number_integer() && !item.is_boolean()) {
      return invalid_argument(
          fmt::format("xgboost model: tree {}: \"{}\" holds a non-integer", tree, name));
    }
    out->push_back(item.is_boolean() ? (item.get<bool>() ? 1 : 0) : item.get<long long>());
  }
  return {};
}

Result<SavedTree> read_tree(const json& t, std::size_t index, std::size_t num_feature) {
  std::vector<long long> left, right, feature, dleft, split_type;
  CONSENTRIC_RETURN_IF_ERROR(read_ints(member(&t, "left_children"), "left_children", index, &left));
  CONSENTRIC_RETURN_IF_ERROR(
      read_ints(member(&t, "right_children"), "right_children", index, &right));
  CONSENTRIC_RETURN_IF_ERROR(
      read_ints(member(&t, "split_indices"), "split_indices", index, &feature));
  CONSENTRIC_RETURN_IF_ERROR(read_ints(member(&t, "default_left"), "default_left", index, &dleft));
  if (const json* st = member(&t, "split_type"); st != nullptr) {
    CONSENTRIC_RETURN_IF_ERROR(read_ints(st, "split_type", index, &split_type));
  }
  const json* cond = member(&t, "split_conditions");
  if (cond == nullptr || !cond->is_array()) {
    return invalid_argument(
        fmt::format("xgboost model: tree {}: no array \"split_conditions\"", index));
  }
  const std::size_t n = left.size();
  if (n == 0 || right.size() != n || feature.size() != n || dleft.size() != n ||
      cond->size() != n || (!split_type.empty() && split_type.size() != n)) {
    return invalid_argument(
        fmt::format("xgboost model: tree {}: node arrays of different lengths", index));
  }
  SavedTree s;
  for (std::size_t i = 0; i < n; ++i) {
    const bool leaf = left[i] == -1;
    if (leaf != (right[i] == -1)) {
      return invalid_argument(
          fmt::format("xgboost model: tree {}: node {} has one child", index, i));
    }
    if (!leaf) {
      const auto bad = [n](long long c) { return c <= 0 || static_cast<std::size_t>(c) >= n; };
      if (bad(left[i]) || bad(right[i])) {
        return invalid_argument(
            fmt::format("xgboost model: tree {}: node {} has a child out of range", index, i));
      }
      if (feature[i] < 0 || static_cast<std::size_t>(feature[i]) >= num_feature) {
        return invalid_argument(
            fmt::format("xgboost model: tree {}: node {} splits on feature {} of {}", index, i,
                        feature[i], num_feature));
      }
      if (!split_type.empty() && split_type[i] != 0) {
        return invalid_argument(fmt::format(
            "xgboost model: tree {}: node {} is a categorical split (not supported)", index, i));
      }
    }
    const json& c = (*cond)[i];
    if (!c.is_number()) {
      return invalid_argument(fmt::format(
          "xgboost model: tree {}: node {}: split condition is not a number", index, i));
    }
    s.left.push_back(static_cast<std::int32_t>(left[i]));
    s.right.push_back(static_cast<std::int32_t>(right[i]));
    s.feature.push_back(leaf ? 0u : static_cast<std::uint32_t>(feature[i]));
    s.condition.push_back(static_cast<float>(c.get<double>()));
    s.default_left.push_back(dleft[i] != 0);
  }
  return s;
}

// The depth of the tree below node 0 (0 for a single leaf), or −1 when a node is reached twice
// (not a tree) or it is deeper than 64.
int tree_depth(const SavedTree& s) {
  std::vector<bool> seen(s.left.size(), false);
  int depth = 0;
  std::vector<std::pair<std::int32_t, int>> stack = {{0, 0}};
  while (!stack.empty()) {
    const auto [node, d] = stack.back();
    stack.pop_back();
    const auto u = static_cast<std::size_t>(node);
    if (seen[u] || d > 64) return -1;
    seen[u] = true;
    depth = std::max(depth, d);
    if (s.left[u] != -1) {
      stack.push_back({s.left[u], d + 1});
      stack.push_back({s.right[u], d + 1});
    }
  }
  return depth;
}

}  // namespace

Result<TreeEnsemble> TreeEnsemble::from_xgboost_json(std::string_view text) {
  // nlohmann's parse error (with its byte position) is caught here: no exception leaves the
  // module.
  json doc;
  try {
    doc = json::parse(text);
  } catch (const json::parse_error& e) {
    return invalid_argument(
        fmt::format("xgboost model: not JSON at byte {}: {}", e.byte, e.what()));
  }
  const json* learner = member(&doc, "learner");
  if (learner == nullptr) return invalid_argument("xgboost model: no \"learner\"");
  const json* param = member(learner, "learner_model_param");
  const json* objective = member(learner, "objective");
  const json* booster = member(learner, "gradient_booster");
  if (param == nullptr || objective == nullptr || booster == nullptr) {
    return invalid_argument(
        "xgboost model: learner lacks learner_model_param, objective or gradient_booster");
  }
  const std::string bname = text_of(member(booster, "name"));
  if (bname != "gbtree") {
    return invalid_argument(
        fmt::format("xgboost model: booster \"{}\" is not supported (gbtree is)", bname));
  }
  const std::string obj = text_of(member(objective, "name"));
  TreeEnsemble e;
  const json* base = member(param, "base_score");
  const std::optional<float> base_score = as_float(base);
  const std::optional<long long> nfeat = as_int(member(param, "num_feature"));
  if (!base_score || !nfeat) {
    return invalid_argument("xgboost model: no base_score or num_feature");
  }
  if (const json* nclass = member(param, "num_class"); nclass != nullptr) {
    if (as_int(nclass).value_or(2) > 1) {
      return invalid_argument("xgboost model: multi-class models are not supported");
    }
  }
  if (obj == "binary:logistic" || obj == "reg:logistic" || obj == "binary:logitraw") {
    if (!(*base_score > 0.0f && *base_score < 1.0f)) {
      return invalid_argument(
          fmt::format("xgboost model: base_score {} is not a probability", text_of(base)));
    }
    // XGBoost 1.7 keeps base_score as a probability and starts every margin from its logit,
    // computed in float (ObjFunction::ProbToMargin): −log(1 / p − 1).
    e.base_margin_ = -std::log(1.0f / *base_score - 1.0f);
    e.logistic_ = obj != "binary:logitraw";
  } else if (obj == "reg:squarederror") {
    e.base_margin_ = *base_score;
    e.logistic_ = false;
  } else {
    return invalid_argument(fmt::format("xgboost model: objective \"{}\" is not supported", obj));
  }
  const long long num_feature = *nfeat;
  if (num_feature < 1) return invalid_argument("xgboost model: num_feature < 1");
  e.cols_ = static_cast<std::size_t>(num_feature);

  const json* model = member(booster, "model");
  const json* trees = member(model, "trees");
  if (trees == nullptr || !trees->is_array()) {
    return invalid_argument("xgboost model: no gradient_booster.model.trees");
  }
  if (const json* info = member(model, "tree_info"); info != nullptr && info->is_array()) {
    for (const json& g : *info) {
      if (as_int(&g).value_or(1) != 0) {
        return invalid_argument("xgboost model: more than one output group");
      }
    }
  }
  for (std::size_t ti = 0; ti < trees->size(); ++ti) {
    CONSENTRIC_ASSIGN_OR_RETURN(SavedTree s, read_tree((*trees)[ti], ti, e.cols_));
    const int depth = tree_depth(s);
    if (depth < 0) {
      return invalid_argument(fmt::format("xgboost model: tree {} is not a tree", ti));
    }
    e.max_depth_ = std::max(e.max_depth_, depth);
    Tree t;
    t.nodes = static_cast<std::uint32_t>(e.nodes_.size());
    if (depth <= kMaxImplicitDepth) {
      t.depth = depth;
      t.leaves = static_cast<std::uint32_t>(e.leaves_.size());
      const std::size_t internal = (std::size_t{1} << depth) - 1;
      e.nodes_.resize(e.nodes_.size() + internal, Node{0, 0.0f});
      e.leaves_.resize(e.leaves_.size() + internal + 1, 0.0f);
      Node* nodes = e.nodes_.data() + t.nodes;
      float* leaves = e.leaves_.data() + t.leaves;
      // Place saved node `from` at complete-tree position `pos` on level `level`.
      std::vector<std::tuple<std::int32_t, std::size_t, int>> stack = {{0, 0, 0}};
      while (!stack.empty()) {
        const auto [from, pos, level] = stack.back();
        stack.pop_back();
        const auto u = static_cast<std::size_t>(from);
        if (s.left[u] == -1) {
          // A leaf: every complete-tree leaf below pos gets its value; the splits between
          // stay {feature 0, threshold 0}, whose either side leads to the same value.
          const int below = depth - level;
          const std::size_t first = ((pos + 1) << below) - 1 - internal;
          std::fill(leaves + first, leaves + first + (std::size_t{1} << below), s.condition[u]);
          continue;
        }
        nodes[pos] = Node{s.feature[u] | (s.default_left[u] ? kDefaultLeft : 0u), s.condition[u]};
        stack.push_back({s.left[u], 2 * pos + 1, level + 1});
        stack.push_back({s.right[u], 2 * pos + 2, level + 1});
      }
    } else {
      t.depth = -1;
      t.count = static_cast<std::uint32_t>(s.left.size());
      // left_ and right_ run parallel to nodes_; the implicit trees' stretches stay −1.
      e.left_.resize(t.nodes, -1);
      e.right_.resize(t.nodes, -1);
      for (std::size_t i = 0; i < s.left.size(); ++i) {
        e.nodes_.push_back(
            Node{s.feature[i] | (s.default_left[i] ? kDefaultLeft : 0u), s.condition[i]});
        e.left_.push_back(s.left[i]);
        e.right_.push_back(s.right[i]);
      }
    }
    e.trees_.push_back(t);
  }
  e.left_.resize(e.nodes_.size(), -1);
  e.right_.resize(e.nodes_.size(), -1);
  e.pack_for_simd();
  return e;
}

void TreeEnsemble::pack_for_simd() {
  simd_feature_.clear();
  simd_threshold_.clear();
  simd_leaf_.clear();
  for (const Tree& t : trees_) {
    if (t.depth < 0 || t.depth > kSimdDepth) {
      simd_feature_.clear();
      simd_threshold_.clear();
      simd_leaf_.clear();
      return;
    }
  }
  constexpr std::size_t kEntries = std::size_t{1} << kSimdDepth;
  for (const Tree& t : trees_) {
    const std::size_t internal = (std::size_t{1} << t.depth) - 1;
    const std::size_t at = simd_feature_.size();
    simd_feature_.resize(at + kEntries, 0);
    simd_threshold_.resize(at + kEntries, 0.0f);
    // Splits above the tree's own depth keep their places (breadth-first positions are the
    // same in the deeper complete tree); those below split on nothing that matters, since
    // every leaf beneath one of them holds the same value.
    for (std::size_t i = 0; i < internal; ++i) {
      const Node& n = nodes_[t.nodes + i];
      simd_feature_[at + i] = static_cast<std::int32_t>(n.feature);  // bit 31 kept
      simd_threshold_[at + i] = n.threshold;
    }
    // Leaf l of the padded tree lies below leaf l >> (kSimdDepth − depth) of the tree.
    for (std::size_t l = 0; l < kEntries; ++l) {
      simd_leaf_.push_back(leaves_[t.leaves + (l >> (kSimdDepth - t.depth))]);
    }
  }
}

namespace {

// Whether a row goes right at a split: x >= threshold, or, for a missing (NaN) value, the
// split's default direction. Branch-free: a NaN fails both comparisons.
inline std::uint32_t go_right(float v, std::uint32_t feature_bits, float threshold) {
  const bool missing_right = (feature_bits & (1u << 31)) == 0;
  const std::uint32_t not_below = v < threshold ? 0u : 1u;  // also 1 for NaN
  const std::uint32_t present_or_right = (v == v) || missing_right ? 1u : 0u;
  return not_below & present_or_right;
}

}  // namespace

void TreeEnsemble::margins_block(MatrixRef x, std::size_t begin, std::size_t end,
                                 float* out) const {
  constexpr std::uint32_t kFeatureMask = ~kDefaultLeft;
  std::size_t r = begin;
  // kInterleave rows at a time through each tree: their walks are independent, so the loads
  // of one overlap the compares of the others.
  for (; r + kInterleave <= end; r += kInterleave) {
    float acc[kInterleave];
    const float* rows[kInterleave];
    for (int g = 0; g < kInterleave; ++g) {
      acc[g] = base_margin_;
      rows[g] = x.row(r + static_cast<std::size_t>(g));
    }
    for (const Tree& t : trees_) {
      const Node* nodes = nodes_.data() + t.nodes;
      if (t.depth >= 0) {
        std::uint32_t idx[kInterleave] = {};
        for (int level = 0; level < t.depth; ++level) {
          for (int g = 0; g < kInterleave; ++g) {
            const Node n = nodes[idx[g]];
            const float v = rows[g][n.feature & kFeatureMask];
            idx[g] = 2 * idx[g] + 1 + go_right(v, n.feature, n.threshold);
          }
        }
        const float* leaves = leaves_.data() + t.leaves;
        const std::uint32_t internal = (1u << t.depth) - 1;
        for (int g = 0; g < kInterleave; ++g) acc[g] += leaves[idx[g] - internal];
      } else {
        for (int g = 0; g < kInterleave; ++g) {
          std::uint32_t i = 0;
          while (left_[t.nodes + i] != -1) {
            const Node n = nodes[i];
            const float v = rows[g][n.feature & kFeatureMask];
            i = static_cast<std::uint32_t>(
                go_right(v, n.feature, n.threshold) ? right_[t.nodes + i] : left_[t.nodes + i]);
          }
          acc[g] += nodes[i].threshold;
        }
      }
    }
    for (int g = 0; g < kInterleave; ++g) out[r + static_cast<std::size_t>(g)] = acc[g];
  }
  // The last rows one at a time, the same sums in the same order.
  for (; r < end; ++r) {
    const float* row = x.row(r);
    float acc = base_margin_;
    for (const Tree& t : trees_) {
      const Node* nodes = nodes_.data() + t.nodes;
      std::uint32_t i = 0;
      if (t.depth >= 0) {
        for (int level = 0; level < t.depth; ++level) {
          const Node n = nodes[i];
          i = 2 * i + 1 + go_right(row[n.feature & kFeatureMask], n.feature, n.threshold);
        }
        acc += leaves_[t.leaves + i - ((1u << t.depth) - 1)];
      } else {
        while (left_[t.nodes + i] != -1) {
          const Node n = nodes[i];
          i = static_cast<std::uint32_t>(
              go_right(row[n.feature & kFeatureMask], n.feature, n.threshold) ? right_[t.nodes + i]
                                                                              : left_[t.nodes + i]);
        }
        acc += nodes[i].threshold;
      }
    }
    out[r] = acc;
  }
}

namespace {

std::atomic<bool> g_force_portable_trees{false};

#if CONSENTRIC_SCORE_X86
// GCC 12 reports the deliberately undefined pass-through operand of its AVX-512 permute and
// gather intrinsics (_mm512_undefined_*) as maybe-uninitialized; nothing here reads one.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#define CONSENTRIC_AVX512 __attribute__((target("avx512f")))

// One tree's splits and leaves in registers: levels 0-3 (splits 0-14) in one vector, level 4
// (15-30) in one, level 5 (31-62) in two; 64 leaves in four.
struct SimdTree {
  __m512i f0, f1, f2a, f2b;
  __m512 t0, t1, t2a, t2b;
  __m512 l0, l1, l2, l3;
};

CONSENTRIC_AVX512 inline SimdTree load_tree(const std::int32_t* f, const float* t, const float* l) {
  return {_mm512_loadu_si512(f),      _mm512_loadu_si512(f + 15), _mm512_loadu_si512(f + 31),
          _mm512_loadu_si512(f + 47), _mm512_loadu_ps(t),         _mm512_loadu_ps(t + 15),
          _mm512_loadu_ps(t + 31),    _mm512_loadu_ps(t + 47),    _mm512_loadu_ps(l),
          _mm512_loadu_ps(l + 16),    _mm512_loadu_ps(l + 32),    _mm512_loadu_ps(l + 48)};
}

// One level for 16 rows: the split at idx (feature and threshold already looked up), the
// row's value by a gather, then idx = 2 idx + 1 + (go right). Missing values: a NaN fails the
// ordered >= (so default-left splits send it left) and passes the unordered not-less-than
// (so default-right splits send it right).
CONSENTRIC_AVX512 inline __m512i step(__m512i idx, __m512i fbits, __m512 thr, __m512i rowoff,
                                      const float* base) {
  const __m512i feature = _mm512_and_si512(fbits, _mm512_set1_epi32(0x7fffffff));
  const __m512 v = _mm512_i32gather_ps(_mm512_add_epi32(rowoff, feature), base, 4);
  const __mmask16 left_default = _mm512_cmplt_epi32_mask(fbits, _mm512_setzero_si512());
  const __mmask16 ge = _mm512_cmp_ps_mask(v, thr, _CMP_GE_OQ);
  const __mmask16 nlt = _mm512_cmp_ps_mask(v, thr, _CMP_NLT_UQ);
  const __mmask16 right = static_cast<__mmask16>((left_default & ge) | (~left_default & nlt));
  const __m512i one = _mm512_set1_epi32(1);
  const __m512i next = _mm512_add_epi32(_mm512_add_epi32(idx, idx), one);
  return _mm512_mask_add_epi32(next, right, next, one);
}

// kBlocks blocks of 16 rows through one tree, their walks interleaved so that the gathers of
// one block overlap those of the others; acc[b] += the leaf of each row.
template <int kBlocks>
CONSENTRIC_AVX512 inline void walk(const SimdTree& tr, const __m512i* rowoff,
                                   const float* const* base, __m512* acc) {
  __m512i idx[kBlocks];
  for (int b = 0; b < kBlocks; ++b) idx[b] = _mm512_setzero_si512();
  for (int level = 0; level < 4; ++level) {
    for (int b = 0; b < kBlocks; ++b) {
      idx[b] = step(idx[b], _mm512_permutexvar_epi32(idx[b], tr.f0),
                    _mm512_permutexvar_ps(idx[b], tr.t0), rowoff[b], base[b]);
    }
  }
  const __m512i k15 = _mm512_set1_epi32(15), k31 = _mm512_set1_epi32(31);
  for (int b = 0; b < kBlocks; ++b) {
    const __m512i i = _mm512_sub_epi32(idx[b], k15);
    idx[b] = step(idx[b], _mm512_permutexvar_epi32(i, tr.f1), _mm512_permutexvar_ps(i, tr.t1),
                  rowoff[b], base[b]);
  }
  for (int b = 0; b < kBlocks; ++b) {
    const __m512i i = _mm512_sub_epi32(idx[b], k31);
    idx[b] = step(idx[b], _mm512_permutex2var_epi32(tr.f2a, i, tr.f2b),
                  _mm512_permutex2var_ps(tr.t2a, i, tr.t2b), rowoff[b], base[b]);
  }
  const __m512i k63 = _mm512_set1_epi32(63), k32 = _mm512_set1_epi32(32);
  for (int b = 0; b < kBlocks; ++b) {
    const __m512i l = _mm512_sub_epi32(idx[b], k63);  // 0..63
    const __m512 low = _mm512_permutex2var_ps(tr.l0, l, tr.l1);
    const __m512 high = _mm512_permutex2var_ps(tr.l2, l, tr.l3);
    const __mmask16 upper = _mm512_cmpge_epi32_mask(l, k32);
    acc[b] = _mm512_add_ps(acc[b], _mm512_mask_blend_ps(upper, low, high));
  }
}

CONSENTRIC_AVX512 void margins_avx512(const std::int32_t* features, const float* thresholds,
                                      const float* leaves, std::size_t trees, float base_margin,
                                      MatrixRef x, std::size_t begin, std::size_t end, float* out,
                                      std::size_t* done) {
  constexpr int kBlocks = 4;
  constexpr std::size_t kRows = 16 * kBlocks;
  const __m512i lane = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
  const __m512i stride = _mm512_mullo_epi32(lane, _mm512_set1_epi32(static_cast<int>(x.cols)));
  __m512i rowoff[kBlocks];
  for (int b = 0; b < kBlocks; ++b) rowoff[b] = stride;
  std::size_t r = begin;
  for (; r + kRows <= end; r += kRows) {
    const float* base[kBlocks];
    __m512 acc[kBlocks];
    for (int b = 0; b < kBlocks; ++b) {
      base[b] = x.row(r + 16 * static_cast<std::size_t>(b));
      acc[b] = _mm512_set1_ps(base_margin);
    }
    for (std::size_t t = 0; t < trees; ++t) {
      const SimdTree tr = load_tree(features + 64 * t, thresholds + 64 * t, leaves + 64 * t);
      walk<kBlocks>(tr, rowoff, base, acc);
    }
    for (int b = 0; b < kBlocks; ++b)
      _mm512_storeu_ps(out + r + 16 * static_cast<std::size_t>(b), acc[b]);
  }
  *done = r;
}
#undef CONSENTRIC_AVX512
#pragma GCC diagnostic pop
#endif  // CONSENTRIC_SCORE_X86

}  // namespace

namespace detail {
void force_portable_trees(bool on) { g_force_portable_trees.store(on, std::memory_order_relaxed); }
}  // namespace detail

bool TreeEnsemble::simd_active() const {
  return detail::cpu_has_avx512f() && !simd_leaf_.empty() && !trees_.empty() &&
         !g_force_portable_trees.load(std::memory_order_relaxed);
}

void TreeEnsemble::margins_block_avx512(MatrixRef x, std::size_t begin, std::size_t end,
                                        float* out) const {
  std::size_t done = begin;
#if CONSENTRIC_SCORE_X86
  margins_avx512(simd_feature_.data(), simd_threshold_.data(), simd_leaf_.data(), trees_.size(),
                 base_margin_, x, begin, end, out, &done);
#endif
  margins_block(x, done, end, out);  // the last rows, and everything without AVX-512
}

void TreeEnsemble::predict_margin(MatrixRef x, std::span<float> out, int threads) const {
  constexpr std::size_t kChunk = 4096;
  const int parts = std::max(1, std::min<int>(threads, static_cast<int>(x.rows / kChunk) + 1));
  const bool simd = simd_active();
  on_threads(parts, [&](int t) {
    const std::size_t per =
        (x.rows + static_cast<std::size_t>(parts) - 1) / static_cast<std::size_t>(parts);
    const std::size_t begin = std::min(x.rows, per * static_cast<std::size_t>(t));
    const std::size_t end = std::min(x.rows, begin + per);
    if (simd) {
      margins_block_avx512(x, begin, end, out.data());
    } else {
      margins_block(x, begin, end, out.data());
    }
  });
}

void TreeEnsemble::predict(MatrixRef x, std::span<float> out, int threads) const {
  predict_margin(x, out, threads);
  if (!logistic_) return;
  for (std::size_t i = 0; i < x.rows; ++i) out[i] = sigmoid(out[i]);
}

}  // namespace consentric::score
