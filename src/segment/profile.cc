#include "segment/profile.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstddef>
#include <limits>

#include <fmt/format.h>

namespace consentric::segment {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kMinEffect = 0.2;  // Cohen's "small"; below it a difference is not worth a line

// Count, mean and sum of squared deviations of one group (Welford), mergeable (Chan et al.):
// "the rest" of a segment is the merge of the other segments, so nothing is read twice.
struct Moments {
  double n = 0;
  double mean = 0;
  double m2 = 0;

  void add(double x) {
    n += 1;
    const double d = x - mean;
    mean += d / n;
    m2 += d * (x - mean);
  }
  void merge(const Moments& o) {
    if (o.n == 0) return;
    if (n == 0) {
      *this = o;
      return;
    }
    const double total = n + o.n;
    const double d = o.mean - mean;
    mean += d * o.n / total;
    m2 += o.m2 + d * d * n * o.n / total;
    n = total;
  }
};

// Cohen's d with the deviation pooled over both groups, capped at +-kEffectCap. A deviation
// within rounding of 0 (neither group varies, or one row each) makes the groups either equal
// (0) or fully apart (the cap with the sign of the difference). REQUIRES: in.n, out.n > 0.
double effect_size(const Moments& in, const Moments& out) {
  const double diff = in.mean - out.mean;
  const double dof = in.n + out.n - 2;
  const double sd = dof > 0 ? std::sqrt((in.m2 + out.m2) / dof) : 0;
  const double tiny = 1e-12 * std::max({std::abs(in.mean), std::abs(out.mean), 1.0});
  if (sd <= tiny) {
    if (std::abs(diff) <= tiny) return 0;
    return std::copysign(kEffectCap, diff);
  }
  return std::clamp(diff / sd, -kEffectCap, kEffectCap);
}

// How a sentence speaks of a feature: the first row whose pattern matches (exactly, or as a
// prefix when `prefix`) gives the direction words, an optional subject that replaces the
// feature's name before the colon (the name then comes with the numbers), and the decimals.
struct Wording {
  std::string_view pattern;
  bool prefix;
  std::string_view lower;   // the segment's mean is below the rest's
  std::string_view higher;  // ... above
  std::string_view subject;
  int decimals;
};

constexpr Wording kWordings[] = {
    {"recency_days", false, "more recent", "less recent", "activity", 1},
    {"days_since_purchase", false, "more recent", "less recent", "purchases", 1},
    {"days_since.", true, "more recent", "less recent", "activity", 1},
    {"tenure_days", false, "shorter", "longer", "", 1},
    {"count.", true, "fewer", "more", "", 1},
    {"event_count", false, "fewer", "more", "", 1},
    {"frequency", false, "lower", "higher", "", 1},
    {"monetary", false, "lower", "higher", "", 2},
};
constexpr Wording kDefaultWording = {"", false, "lower", "higher", "", 2};

const Wording& wording_of(std::string_view feature) {
  for (const Wording& w : kWordings) {
    if (w.prefix ? feature.starts_with(w.pattern) : feature == w.pattern) return w;
  }
  return kDefaultWording;
}

std::string_view magnitude_of(double abs_effect) {
  if (abs_effect >= 0.8) return "much";
  if (abs_effect >= 0.5) return "clearly";
  return "somewhat";
}

std::string number(double v, int decimals) {
  // No "-0.0" for a value that rounds to zero.
  if (std::abs(v) < 0.5 * std::pow(10.0, -decimals)) v = 0;
  return fmt::format("{:.{}f}", v, decimals);
}

// "much more recent activity: recency_days 4.1 vs 38.7 days", "clearly higher monetary: 412.50
// vs 96.20". REQUIRES: |effect| >= kMinEffect.
std::string sentence_for(std::string_view feature, double segment_mean, double rest_mean,
                         double effect) {
  const Wording& w = wording_of(feature);
  const std::string unit = unit_of(feature);
  const std::string_view direction = effect < 0 ? w.lower : w.higher;
  const std::string numbers =
      fmt::format("{} vs {}{}{}", number(segment_mean, w.decimals), number(rest_mean, w.decimals),
                  unit.empty() ? "" : " ", unit);
  if (w.subject.empty()) {
    return fmt::format("{} {} {}: {}", magnitude_of(std::abs(effect)), direction, feature, numbers);
  }
  return fmt::format("{} {} {}: {} {}", magnitude_of(std::abs(effect)), direction, w.subject,
                     feature, numbers);
}

}  // namespace

std::string unit_of(std::string_view feature) {
  if (feature == "recency_days" || feature == "tenure_days" || feature == "days_since_purchase" ||
      feature.starts_with("days_since.")) {
    return "days";
  }
  return "";
}

std::vector<SegmentProfile> profile_segments(std::span<const ProfileFeature> features,
                                             std::span<const std::int32_t> labels, int k,
                                             std::span<const std::string> names,
                                             const ProfileOptions& options) {
  if (k <= 0) return {};
  const auto segments = static_cast<std::size_t>(k);
  const std::size_t rows = labels.size();
  const std::size_t nf = features.size();

  std::vector<std::size_t> sizes(segments, 0);
  for (std::int32_t l : labels) {
    if (l >= 0 && l < k) ++sizes[static_cast<std::size_t>(l)];
  }

  // moments[s * nf + j]: segment s, feature j.
  std::vector<Moments> moments(segments * nf);
  for (std::size_t j = 0; j < nf; ++j) {
    const std::span<const double> v = features[j].values;
    assert(v.size() == rows);
    const std::size_t n = std::min(v.size(), rows);
    for (std::size_t i = 0; i < n; ++i) {
      const std::int32_t l = labels[i];
      if (l < 0 || l >= k || !std::isfinite(v[i])) continue;
      moments[static_cast<std::size_t>(l) * nf + j].add(v[i]);
    }
  }

  std::vector<SegmentProfile> out(segments);
  for (std::size_t s = 0; s < segments; ++s) {
    SegmentProfile& p = out[s];
    p.label = static_cast<int>(s);
    p.name = s < names.size() && !names[s].empty() ? names[s] : fmt::format("segment {}", s + 1);
    p.size = sizes[s];
    p.share = rows == 0 ? 0 : static_cast<double>(sizes[s]) / static_cast<double>(rows);
    p.means.resize(nf);
    for (std::size_t j = 0; j < nf; ++j) {
      const Moments& in = moments[s * nf + j];
      p.means[j] = in.n > 0 ? in.mean : kNaN;
      if (in.n == 0) continue;
      Moments rest;
      for (std::size_t o = 0; o < segments; ++o) {
        if (o != s) rest.merge(moments[o * nf + j]);
      }
      if (rest.n == 0) continue;
      const double effect = effect_size(in, rest);
      if (std::abs(effect) < kMinEffect) continue;
      p.distinctions.push_back(Distinction{
          .feature = features[j].name,
          .segment_mean = in.mean,
          .rest_mean = rest.mean,
          .effect = effect,
          .sentence = sentence_for(features[j].name, in.mean, rest.mean, effect),
      });
    }
    std::stable_sort(p.distinctions.begin(), p.distinctions.end(),
                     [](const Distinction& a, const Distinction& b) {
                       return std::abs(a.effect) > std::abs(b.effect);
                     });
    const auto keep = static_cast<std::size_t>(std::max(options.max_distinctions, 0));
    if (p.distinctions.size() > keep) p.distinctions.resize(keep);
  }
  return out;
}

}  // namespace consentric::segment
