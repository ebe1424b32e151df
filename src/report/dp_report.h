#pragma once

// Differentially private reports (docs/algorithms/differential-privacy.md, "Reports"): count,
// sum, mean, histogram and quantiles over a purpose's view, or over the released members of a
// segment, each charged to the purpose's privacy budget before anything is shown.
//
// The engine bounds every subject's contribution itself: a view holds one row per subject, each
// subject falls in exactly one group or bin, and numeric values are clamped to bounds the
// analyst gives up front (bounds read off the data would leak it). Groups come out only through
// partition selection, and every released count, group or bin is at least k (DESIGN.md
// invariant 5) or suppressed. A release and its charge are one transaction with a dp.release
// audit entry; a query the budget cannot cover is refused before any data is read.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "disclose/dp_mechanisms.h"
#include "disclose/dp_random.h"
#include "store/store_dir.h"

namespace consentric::report {

enum class DpStatistic { kCount, kSum, kMean, kHistogram, kQuantiles };
std::string_view to_string(DpStatistic s);
std::optional<DpStatistic> parse_dp_statistic(std::string_view text);

inline constexpr int kDefaultQuantileBins = 64;

struct DpQuery {
  DpStatistic statistic = DpStatistic::kCount;
  std::string purpose;                 // may be empty with a segment: the segment's purpose
  std::string segment;                 // empty: the whole view
  std::string group;                   // with segment: one released group of it
  std::string column;                  // sum, mean, histogram, quantiles
  std::optional<double> lower, upper;  // numeric columns: the public bounds values are clamped to
  std::string by;                      // count, sum, mean: a column to group by
  int bins = 0;                        // histogram of a number (10), quantiles (64)
  std::vector<double> quantiles = {0.25, 0.5, 0.75};
  std::optional<double> epsilon;  // default: the declaration's epsilon per query
  bool gaussian = false;          // count only: discrete Gaussian, (epsilon, delta)
  std::optional<double> delta;    // default: the declaration's delta per query
};

struct DpBudgetState {
  std::string purpose;
  double epsilon_total = 0;
  double delta_total = 0;
  double epsilon_spent = 0;
  double delta_spent = 0;
  std::int64_t releases = 0;
  double epsilon_left() const { return epsilon_total - epsilon_spent; }
  double delta_left() const { return delta_total - delta_spent; }
};

// One released figure: a whole-view figure (label empty), a group, a bin or a quantile.
struct DpRow {
  std::string label;
  std::optional<double> value;  // nullopt: suppressed, its noisy count was below k
};

struct DpRelease {
  DpQuery query;  // as run: purpose and epsilon filled in
  std::vector<DpRow> rows;
  std::string mechanism;              // e.g. "discrete_laplace"
  double noise_scale = 0;             // of each released figure, in its units (a mean's: its sum's)
  std::string noise;                  // in words, for people: what noise, on what, how large
  std::int64_t count_half_width = 0;  // counts: 95% of the noise is within +- this
  std::int64_t threshold = 0;         // partition selection: the smallest noisy count released
  int k = 0;
  disclose::PrivacyCost cost;  // charged
  DpBudgetState budget;        // after the charge
  std::int64_t audit_seq = 0;
};

struct ReportContext {
  std::string actor = "local-operator";
  UnixSeconds now = 0;
};

// Runs, charges and audits one query. InvalidArgument for a query that does not make sense
// (naming the option), NotFound for an unknown segment or group, ResourceExhausted when the
// purpose's budget cannot cover it (nothing is read or charged then).
Result<DpRelease> run_dp_query(StoreDir& sd, const DpQuery& query, const ReportContext& ctx,
                               disclose::RandomSource& rng);

// The budget of every declared purpose, in declaration order.
Result<std::vector<DpBudgetState>> dp_budgets(StoreDir& sd);
Result<DpBudgetState> dp_budget(StoreDir& sd, std::string_view purpose);

}  // namespace consentric::report
