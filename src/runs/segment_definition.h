#pragma once

// What a segment is, as the analyst defined it (docs/segments.md): its name, the purpose it
// reads under, and a rule, an RFM scoring or a k-means clustering with its settings. Stored as
// JSON with the segment, so that `segment refresh` re-runs exactly what was defined.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/config.h"
#include "consentric/status.h"
#include "segment/kmeans.h"
#include "segment/rfm.h"

namespace consentric::runs {

enum class SegmentKind { kRule, kRfm, kKmeans };
std::string_view to_string(SegmentKind kind);  // "rule", "rfm", "kmeans"
std::optional<SegmentKind> parse_segment_kind(std::string_view text);

std::string_view to_string(segment::Scaling s);  // "zscore", "robust", "none"
std::optional<segment::Scaling> parse_scaling(std::string_view text);

struct KMeansSpec {
  // View columns to cluster on; empty: the purpose's behavioural features (event_count,
  // recency_days, tenure_days, frequency, monetary and count.<type>, those it declares).
  std::vector<std::string> features;
  int k = 0;  // 0: chosen by the best silhouette among k_min..k_max
  int k_min = 2;
  int k_max = 8;
  segment::Scaling scaling = segment::Scaling::kZScore;
  std::uint64_t seed = 1;
  // k-means++ starts (seeds seed, seed + 1, ...); the lowest inertia wins. One start can land
  // in a poor local optimum, as scikit-learn's n_init guards against.
  int n_init = 4;
  // log(1 + x) of every feature before scaling: spend and counts are heavily skewed, and on
  // raw values k-means spends its clusters on a handful of extreme customers.
  bool log_transform = false;
};

struct SegmentDefinition {
  std::string name;
  std::string purpose;
  SegmentKind kind = SegmentKind::kRule;
  std::string rule;         // kRule
  segment::RfmOptions rfm;  // kRfm: configured cuts, else quintiles
  KMeansSpec kmeans;        // kKmeans
};

// Checks what can be checked without data: a name of [a-z][a-z0-9_-]* (at most 64), a declared
// purpose, a non-empty rule, 2 <= k <= 64, k_min <= k_max, 1 <= n_init <= 100, configured cuts
// ascending.
Status check_definition(const Config& config, const SegmentDefinition& d);

nlohmann::json definition_json(const SegmentDefinition& d);
Result<SegmentDefinition> definition_from_json(std::string_view name, std::string_view purpose,
                                               std::string_view kind, std::string_view json);

}  // namespace consentric::runs
