#pragma once

// Segment profiles: what an analyst reads about each segment of a run. Size, share, the mean
// of every feature in its original units, and the features that most distinguish the segment
// from everyone else, in words ("clearly higher monetary: 412.50 vs 96.20").
//
// A sentence reads "<magnitude> <direction> <feature or subject>: <segment mean> vs <rest
// mean>[ <unit>]". Magnitude by |effect|: 0.2-0.5 "somewhat", 0.5-0.8 "clearly", >= 0.8
// "much". Direction by feature: lower days since something is "more recent" ("much more
// recent activity: recency_days 4.1 vs 38.7 days"), counts are "more"/"fewer", tenure
// "longer"/"shorter", anything else "higher"/"lower". Days and counts print one decimal,
// monetary and the rest two.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace consentric::segment {

// One feature as the profile sees it: its name and one value per row in original units
// (NaN when missing).
struct ProfileFeature {
  std::string name;
  std::span<const double> values;
};

// |effect| is capped here: past it the groups barely overlap and a larger number says nothing
// more (it also keeps the value finite for JSON).
inline constexpr double kEffectCap = 10.0;

struct Distinction {
  std::string feature;
  double segment_mean = 0;
  double rest_mean = 0;
  // Standardized mean difference (Cohen's d): (segment_mean - rest_mean) / the standard
  // deviation pooled over both groups. When neither group varies but the means differ the
  // groups do not overlap at all; that, and anything beyond, is reported as +-kEffectCap.
  double effect = 0;
  std::string sentence;  // "much more recent purchases: days_since_purchase 6.2 vs 71.4 days"
};

struct SegmentProfile {
  int label = 0;
  std::string name;  // from `names`, or "segment N" (1-based) when absent or empty
  std::size_t size = 0;
  double share = 0;           // size / all rows, those with label -1 included
  std::vector<double> means;  // per feature, over the segment's rows with a value (NaN if none)
  std::vector<Distinction> distinctions;  // at most `max_distinctions`, strongest first,
                                          // only those with |effect| >= 0.2
};

struct ProfileOptions {
  int max_distinctions = 3;
};

// labels: one per row, 0..k-1, or -1 for rows in no segment (ignored). names: empty or k
// names. Every feature's values have one value per label (REQUIRES; in a release build a
// shorter span's missing rows count as missing values).
//
// A row with label -1 (or any label outside 0..k-1) is in no segment: it counts in the total
// behind `share` but neither in a segment nor in "the rest" it is compared with; the rest of
// segment i is the rows of the other segments. NaN and infinite values are missing: they are
// skipped in means and effects. A feature is a distinction when both groups have a value and
// |effect| >= 0.2. Returns k profiles (none when k <= 0). Thread-safe; O(rows x features + k^2
// x features).
std::vector<SegmentProfile> profile_segments(std::span<const ProfileFeature> features,
                                             std::span<const std::int32_t> labels, int k,
                                             std::span<const std::string> names,
                                             const ProfileOptions& options = {});

// The unit a feature is measured in, from its name: "days" for recency_days, tenure_days,
// days_since_purchase and days_since.*; "" otherwise.
std::string unit_of(std::string_view feature);

}  // namespace consentric::segment
