#pragma once

// RFM: recency, frequency and monetary scores from 1 to 5 per customer, and the named segments
// marketers use (docs/segments.md has the table). Boundaries are the data's quintiles unless
// configured; a customer with no purchase gets no score and the segment "No purchase".
//
// A purchaser is a row with a frequency > 0 and a recency that is not NaN. Quintiles are the
// 20/40/60/80th percentiles of the purchasers' values with linear interpolation between the
// two nearest ranks (numpy's default "linear" method). Ties may repeat a cut point; the
// counting rule below still gives every value one sensible score.
//
//   RfmInput in{.recency_days = view.column("days_since_purchase")->numbers, ...};
//   CONSENTRIC_ASSIGN_OR_RETURN(RfmResult rfm, score_rfm(in, RfmOptions{}));

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "consentric/status.h"

namespace consentric::segment {

// Four ascending cut points split a measure into scores 1..5: a value v scores
// 1 + (number of cut points c with v > c) for frequency and monetary; for recency fewer days
// is better, so it scores 5 - (number of cut points c with v > c).
using RfmCuts = std::array<double, 4>;

struct RfmOptions {
  // Configured boundaries; a measure without them uses the quintiles (20/40/60/80th
  // percentiles) of the customers who purchased.
  std::optional<RfmCuts> recency_cuts;
  std::optional<RfmCuts> frequency_cuts;
  std::optional<RfmCuts> monetary_cuts;
};

// One value per row; NaN or a frequency of 0 means no purchase. A purchaser whose monetary
// value is NaN (unknown) scores M = 1, the lowest, and does not move the monetary quintiles of
// the others.
struct RfmInput {
  std::span<const double> recency_days;  // days since the last purchase
  std::span<const double> frequency;     // number of purchases
  std::span<const double> monetary;      // total purchase value
};

// The named segments, in the order they are listed (docs/segments.md).
enum class RfmSegment : std::int8_t {
  kChampions,
  kLoyal,
  kPotentialLoyalist,
  kNewCustomers,
  kPromising,
  kNeedAttention,
  kAboutToSleep,
  kAtRisk,
  kCannotLoseThem,
  kHibernating,
  kLost,
  kNoPurchase,
};
inline constexpr int kRfmSegmentCount = 12;

std::string_view rfm_segment_name(RfmSegment s);  // "Champions", "Can't Lose Them", ...
// What it means and what marketers usually do, one sentence, for profiles.
std::string_view rfm_segment_advice(RfmSegment s);

struct RfmResult {
  // As used: configured, or the quintiles (all 0 when no purchaser has a value to take them
  // from).
  RfmCuts recency_cuts{}, frequency_cuts{}, monetary_cuts{};
  std::vector<std::int8_t> r, f, m;  // per row 1..5, 0 for no purchase
  std::vector<RfmSegment> segment;   // per row
};

// The FM score: the mean of F and M rounded half up ((f + m + 1) / 2), both 1..5.
int rfm_fm_score(int f, int m);

// Named segment from the recency and frequency-monetary scores (both 1..5; kNoPurchase when
// either is outside 1..5, e.g. the 0 of a row without a purchase).
RfmSegment rfm_segment_of(int r, int fm);

// Configured cut points must be four finite numbers in non-decreasing order; the message names
// the option ("recency_cuts [...]: 30 comes after 90; ...").
Status check_rfm_options(const RfmOptions& options);

// Fails with kInvalidArgument when the spans differ in length, when configured cuts are not
// finite or not non-decreasing, or when a value is negative or infinite (the message names the
// row, its 0-based index into the spans, and the measure). Thread-safe; O(n log n).
Result<RfmResult> score_rfm(const RfmInput& input, const RfmOptions& options);

}  // namespace consentric::segment
