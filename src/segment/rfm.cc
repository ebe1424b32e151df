#include "segment/rfm.h"

#include <algorithm>
#include <cmath>
#include <cstddef>

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace consentric::segment {
namespace {

// The R x FM grid (docs/segments.md), kGrid[r - 1][fm - 1]. Every cell holds one segment.
using S = RfmSegment;
// clang-format off
constexpr S kGrid[5][5] = {
    // Columns: FM 1, 2, 3, 4, 5.
    /* R1 */ {S::kLost, S::kLost, S::kAtRisk, S::kAtRisk, S::kCannotLoseThem},
    /* R2 */ {S::kHibernating, S::kHibernating, S::kAtRisk, S::kAtRisk, S::kCannotLoseThem},
    /* R3 */ {S::kAboutToSleep, S::kAboutToSleep, S::kNeedAttention, S::kLoyal, S::kLoyal},
    /* R4 */ {S::kPromising, S::kPotentialLoyalist, S::kPotentialLoyalist, S::kLoyal, S::kLoyal},
    /* R5 */ {S::kNewCustomers, S::kPotentialLoyalist, S::kPotentialLoyalist, S::kChampions,
              S::kChampions},
};
// clang-format on

struct SegmentText {
  std::string_view name;
  std::string_view advice;
};

// Indexed by RfmSegment; the same words as docs/segments.md.
constexpr SegmentText kSegmentText[kRfmSegmentCount] = {
    {"Champions",
     "Bought recently, buy often and spend the most; reward them, ask for reviews and give them "
     "early access to new products."},
    {"Loyal",
     "Buy often and spend well, if not always very recently; upsell higher-value products and "
     "invite them to a loyalty programme."},
    {"Potential Loyalist",
     "Bought recently with average frequency and spend; recommend products and offer a "
     "membership to make them regulars."},
    {"New Customers",
     "Made their first purchases very recently but little so far; welcome them and help them "
     "to a second purchase."},
    {"Promising",
     "Bought fairly recently but little so far; build the relationship with offers around what "
     "they liked."},
    {"Need Attention",
     "Middling recency, frequency and spend; reactivate them with limited-time, personal "
     "offers before they slip."},
    {"About To Sleep",
     "Last bought a while ago, rarely and for little; share popular products and discounts "
     "before they lapse."},
    {"At Risk",
     "Used to buy often and spend well but not for a long time; win them back with personal "
     "messages and offers."},
    {"Can't Lose Them",
     "Were among the most frequent and biggest spenders but have not bought for a long time; "
     "win them back before a competitor does."},
    {"Hibernating",
     "Last bought long ago, rarely and for little; offer relevant products and discounts, or "
     "let them rest."},
    {"Lost",
     "Last bought longest ago, rarely and for little; try one reactivation campaign, then stop "
     "spending on them."},
    {"No purchase", "Have no recorded purchase; nurture them toward a first purchase."},
};

enum class Measure { kRecency, kFrequency, kMonetary };

struct MeasureText {
  std::string_view name;         // in messages about values
  std::string_view expectation;  // what a value must be
  std::string_view cuts;         // the option that configures its cut points
};

constexpr MeasureText kMeasureText[] = {
    {"recency_days", "a number of days since the last purchase >= 0", "recency_cuts"},
    {"frequency", "a number of purchases >= 0", "frequency_cuts"},
    {"monetary", "a total purchase value >= 0", "monetary_cuts"},
};

std::string_view measure_name(Measure m) { return kMeasureText[static_cast<int>(m)].name; }
std::string_view measure_expectation(Measure m) {
  return kMeasureText[static_cast<int>(m)].expectation;
}
std::string_view cuts_name(Measure m) { return kMeasureText[static_cast<int>(m)].cuts; }

Status check_cuts(const std::optional<RfmCuts>& cuts, Measure m) {
  if (!cuts) return Status();
  const RfmCuts& c = *cuts;
  for (double x : c) {
    if (!std::isfinite(x)) {
      return invalid_argument(
          fmt::format("{} [{}]: cut point {} is not finite; expected 4 finite "
                      "cut points in non-decreasing order",
                      cuts_name(m), fmt::join(c, ", "), x));
    }
  }
  for (std::size_t i = 1; i < c.size(); ++i) {
    if (c[i] < c[i - 1]) {
      return invalid_argument(
          fmt::format("{} [{}]: {} comes after {}; expected 4 finite cut "
                      "points in non-decreasing order",
                      cuts_name(m), fmt::join(c, ", "), c[i], c[i - 1]));
    }
  }
  return Status();
}

// NaN is allowed (it means "no purchase" or "unknown"); negative and infinite values are not.
Status check_value(std::size_t row, Measure m, double v) {
  if (std::isnan(v)) return Status();
  if (std::isinf(v)) {
    return invalid_argument(fmt::format("row {}: {} is infinite ({}); expected {}", row,
                                        measure_name(m), v, measure_expectation(m)));
  }
  if (v < 0) {
    return invalid_argument(fmt::format("row {}: {} is negative ({}); expected {}", row,
                                        measure_name(m), v, measure_expectation(m)));
  }
  return Status();
}

// numpy.percentile's default ("linear", type 7 of Hyndman & Fan): the value at virtual rank
// p * (n - 1), interpolated between its two neighbours the way numpy's lerp does (from the
// nearer end, which keeps the result within [a, b]). REQUIRES: sorted ascending, not
// empty, 0 <= p <= 1.
double percentile(const std::vector<double>& sorted, double p) {
  const double h = p * static_cast<double>(sorted.size() - 1);
  const double lo_rank = std::floor(h);
  const auto lo = static_cast<std::size_t>(lo_rank);
  if (lo + 1 >= sorted.size()) return sorted.back();
  const double a = sorted[lo];
  const double b = sorted[lo + 1];
  const double t = h - lo_rank;
  const double diff = b - a;
  return t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
}

RfmCuts quintiles(std::vector<double> values) {
  if (values.empty()) return RfmCuts{};
  std::sort(values.begin(), values.end());
  return {percentile(values, 0.2), percentile(values, 0.4), percentile(values, 0.6),
          percentile(values, 0.8)};
}

int cuts_below(const RfmCuts& cuts, double v) {
  int n = 0;
  for (double c : cuts) n += c < v ? 1 : 0;
  return n;
}

}  // namespace

std::string_view rfm_segment_name(RfmSegment s) {
  const auto i = static_cast<int>(s);
  return i >= 0 && i < kRfmSegmentCount ? kSegmentText[i].name : "";
}

std::string_view rfm_segment_advice(RfmSegment s) {
  const auto i = static_cast<int>(s);
  return i >= 0 && i < kRfmSegmentCount ? kSegmentText[i].advice : "";
}

int rfm_fm_score(int f, int m) { return (f + m + 1) / 2; }

RfmSegment rfm_segment_of(int r, int fm) {
  if (r < 1 || r > 5 || fm < 1 || fm > 5) return RfmSegment::kNoPurchase;
  return kGrid[r - 1][fm - 1];
}

Status check_rfm_options(const RfmOptions& options) {
  CONSENTRIC_RETURN_IF_ERROR(check_cuts(options.recency_cuts, Measure::kRecency));
  CONSENTRIC_RETURN_IF_ERROR(check_cuts(options.frequency_cuts, Measure::kFrequency));
  return check_cuts(options.monetary_cuts, Measure::kMonetary);
}

Result<RfmResult> score_rfm(const RfmInput& input, const RfmOptions& options) {
  const std::size_t n = input.recency_days.size();
  if (input.frequency.size() != n || input.monetary.size() != n) {
    return invalid_argument(fmt::format(
        "RFM input: recency_days has {} values, frequency {} and monetary {}; expected one "
        "value per row in each",
        n, input.frequency.size(), input.monetary.size()));
  }
  CONSENTRIC_RETURN_IF_ERROR(check_rfm_options(options));

  std::vector<std::size_t> purchasers;
  for (std::size_t i = 0; i < n; ++i) {
    const double r = input.recency_days[i];
    const double f = input.frequency[i];
    CONSENTRIC_RETURN_IF_ERROR(check_value(i, Measure::kRecency, r));
    CONSENTRIC_RETURN_IF_ERROR(check_value(i, Measure::kFrequency, f));
    CONSENTRIC_RETURN_IF_ERROR(check_value(i, Measure::kMonetary, input.monetary[i]));
    // After the checks r is NaN or finite and f is NaN or >= 0; NaN > 0 is false.
    if (f > 0 && !std::isnan(r)) purchasers.push_back(i);
  }

  // Configured cut points, or the quintiles of the purchasers' values. An unknown value (NaN
  // monetary) must not move the others' quintiles.
  auto cuts_for = [&](const std::optional<RfmCuts>& configured, std::span<const double> values) {
    if (configured) return *configured;
    std::vector<double> v;
    v.reserve(purchasers.size());
    for (std::size_t i : purchasers) {
      if (!std::isnan(values[i])) v.push_back(values[i]);
    }
    return quintiles(std::move(v));
  };
  RfmResult out;
  out.recency_cuts = cuts_for(options.recency_cuts, input.recency_days);
  out.frequency_cuts = cuts_for(options.frequency_cuts, input.frequency);
  out.monetary_cuts = cuts_for(options.monetary_cuts, input.monetary);

  out.r.assign(n, 0);
  out.f.assign(n, 0);
  out.m.assign(n, 0);
  out.segment.assign(n, RfmSegment::kNoPurchase);
  for (std::size_t i : purchasers) {
    const int r = 5 - cuts_below(out.recency_cuts, input.recency_days[i]);
    const int f = 1 + cuts_below(out.frequency_cuts, input.frequency[i]);
    const double money = input.monetary[i];
    const int m = std::isnan(money) ? 1 : 1 + cuts_below(out.monetary_cuts, money);
    out.r[i] = static_cast<std::int8_t>(r);
    out.f[i] = static_cast<std::int8_t>(f);
    out.m[i] = static_cast<std::int8_t>(m);
    out.segment[i] = rfm_segment_of(r, rfm_fm_score(f, m));
  }
  return out;
}

}  // namespace consentric::segment
