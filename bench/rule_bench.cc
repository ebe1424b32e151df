// rule_bench: row-predicate evaluations per second of a compiled rule segment (src/segment)
// over a synthetic PurposeView, beside the named peer in the same run: a hand-written
// row-at-a-time evaluation of the same rule (one C++ lambda per row with the same
// semantics, short-circuiting as written). Also a memory floor: one pass summing one column.
//
//   rule_bench [--quick] [--rows N] [--runs R]
//
// Prints one "name: value unit" line per figure (STYLE.md); exits 1 when the two evaluations
// disagree on any row.

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "bench_util.h"
#include "segment/rule.h"

namespace consentric {
namespace {

using bench::median;
using bench::seconds_since;
using bench::spread;
using Clock = bench::SteadyClock;
using gate::Column;
using gate::ColumnKind;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr UnixSeconds kAsOf = 20'500 * kSecondsPerDay;

constexpr std::string_view kRule =
    "country IN ('DE','FR','NL') AND recency_days < 30 AND count.page_view >= 3 OR "
    "monetary BETWEEN 100 AND 500 AND NOT frequency IS NULL";
constexpr int kPredicates = 5;

struct Args {
  std::int64_t rows = 1'000'000;
  int runs = 5;
};

Column numbers(std::string name, std::size_t rows, std::mt19937_64& rng, double lo, double hi,
               double missing) {
  std::uniform_real_distribution<double> u(lo, hi), p(0, 1);
  Column c;
  c.name = std::move(name);
  c.numbers.resize(rows);
  for (double& x : c.numbers) x = p(rng) < missing ? kNaN : std::floor(u(rng));
  return c;
}

Column categories(std::string name, std::size_t rows, std::mt19937_64& rng,
                  std::vector<std::string> dict, double missing) {
  std::uniform_int_distribution<std::int32_t> u(0, static_cast<std::int32_t>(dict.size()) - 1);
  std::uniform_real_distribution<double> p(0, 1);
  Column c;
  c.name = std::move(name);
  c.kind = ColumnKind::kCategory;
  c.dictionary = std::move(dict);
  c.codes.resize(rows);
  for (std::int32_t& x : c.codes) x = p(rng) < missing ? -1 : u(rng);
  return c;
}

gate::PurposeView synthetic_view(std::size_t rows) {
  std::mt19937_64 rng(42);
  std::vector<Column> cols;
  cols.push_back(
      categories("country", rows, rng,
                 {"DE", "FR", "NL", "BE", "AT", "IT", "ES", "PL", "SE", "DK", "US", "GB"}, 0.03));
  cols.push_back(categories("device", rows, rng, {"ios", "android", "web"}, 0.1));
  cols.push_back(numbers("recency_days", rows, rng, 0, 365, 0.05));
  cols.push_back(numbers("count.page_view", rows, rng, 0, 20, 0.02));
  cols.push_back(numbers("count.purchase", rows, rng, 0, 5, 0.02));
  cols.push_back(numbers("monetary", rows, rng, 0, 1000, 0.05));
  cols.push_back(numbers("frequency", rows, rng, 0, 12, 0.1));
  cols.push_back(numbers("last_purchase", rows, rng, 20'000, 20'500, 0.05));
  cols.push_back(numbers("age", rows, rng, 18, 90, 0.2));
  cols.push_back(numbers("opted_in", rows, rng, 0, 2, 0));
  std::vector<std::string> ids(rows);
  return gate::PurposeView("segmentation", kAsOf, std::move(ids), std::move(cols));
}

// The peer: the same rule by hand, one row at a time (missing values compare false).
std::vector<std::uint8_t> row_at_a_time(const gate::PurposeView& view) {
  const Column& country = *view.column("country");
  std::vector<std::uint8_t> wanted(country.dictionary.size(), 0);
  for (std::size_t i = 0; i < country.dictionary.size(); ++i) {
    const std::string& s = country.dictionary[i];
    wanted[i] = s == "DE" || s == "FR" || s == "NL";
  }
  const double* recency = view.column("recency_days")->numbers.data();
  const double* page_views = view.column("count.page_view")->numbers.data();
  const double* monetary = view.column("monetary")->numbers.data();
  const double* frequency = view.column("frequency")->numbers.data();
  const std::int32_t* codes = country.codes.data();
  const auto in_segment = [&](std::size_t r) {
    const bool a = codes[r] >= 0 && wanted[static_cast<std::size_t>(codes[r])] && recency[r] < 30 &&
                   page_views[r] >= 3;
    return a || (monetary[r] >= 100 && monetary[r] <= 500 && !std::isnan(frequency[r]));
  };
  std::vector<std::uint8_t> out(view.rows());
  for (std::size_t r = 0; r < out.size(); ++r) out[r] = in_segment(r) ? 1 : 0;
  return out;
}

// The memory floor: one pass over one column of doubles, with eight independent sums so the
// loop is bound by memory rather than by the latency of one chain of additions.
double sum_column(const std::vector<double>& v) {
  double lanes[8] = {};
  std::size_t i = 0;
  for (; i + 8 <= v.size(); i += 8) {
    for (std::size_t j = 0; j < 8; ++j) lanes[j] += v[i + j] == v[i + j] ? v[i + j] : 0;
  }
  double sum = 0;
  for (; i < v.size(); ++i) sum += v[i] == v[i] ? v[i] : 0;
  for (double x : lanes) sum += x;
  return sum;
}

std::vector<double> in_ms(const std::vector<double>& seconds) {
  std::vector<double> out;
  for (double s : seconds) out.push_back(s * 1e3);
  return out;
}

int run(const Args& args) {
  const auto rows = static_cast<std::size_t>(args.rows);
  const gate::PurposeView view = synthetic_view(rows);
  const Result<segment::CompiledRule> rule = segment::compile_rule(kRule, view);
  if (!rule.ok()) {
    fmt::print(stderr, "rule_bench: {}\n", rule.status().to_string());
    return 1;
  }
  std::vector<double> ours, peer, floor;
  std::size_t selected = 0;
  double sink = 0;
  for (int run = 0; run < args.runs; ++run) {
    auto t = Clock::now();
    const std::vector<std::uint8_t> a = segment::evaluate(*rule, view);
    ours.push_back(seconds_since(t));
    t = Clock::now();
    const std::vector<std::uint8_t> b = row_at_a_time(view);
    peer.push_back(seconds_since(t));
    if (a != b) {
      std::size_t r = 0;
      while (a[r] == b[r]) ++r;
      fmt::print(stderr, "rule_bench: evaluations disagree at row {}: {} vs {}\n", r, a[r], b[r]);
      return 1;
    }
    selected = 0;
    for (std::uint8_t x : a) selected += x;
    t = Clock::now();
    sink += sum_column(view.column("monetary")->numbers);
    floor.push_back(seconds_since(t));
  }
  const double evals = static_cast<double>(rows) * kPredicates;
  std::vector<double> ours_rate, peer_rate;
  for (double s : ours) ours_rate.push_back(evals / s);
  for (double s : peer) peer_rate.push_back(evals / s);
  fmt::print("rule: {}\n", segment::describe(*rule));
  fmt::print("rows: {} rows\n", rows);
  fmt::print("predicates: {} predicates\n", kPredicates);
  fmt::print("selected: {} rows\n", selected);
  fmt::print("evaluate: {:.2f} ms{}\n", median(ours) * 1e3, spread(in_ms(ours), 2));
  fmt::print("row_predicate_evals: {:.0f} /s{}\n", median(ours_rate), spread(ours_rate, 0));
  fmt::print("row_at_a_time: {:.2f} ms{}\n", median(peer) * 1e3, spread(in_ms(peer), 2));
  fmt::print("row_at_a_time_evals: {:.0f} /s{}\n", median(peer_rate), spread(peer_rate, 0));
  fmt::print("ratio_vs_row_at_a_time: {:.2f}\n", median(peer) / median(ours));
  fmt::print("sum_one_column: {:.2f} ms{}\n", median(floor) * 1e3, spread(in_ms(floor), 2));
  // The rule reads five columns (four of doubles, one of int32 codes): 4.5 column passes.
  fmt::print("floor_fraction: {:.2f}\n", median(floor) * 4.5 / median(ours));
  if (sink == 42.4242) fmt::print("\n");  // keeps the floor loop from being optimized away
  return 0;
}

}  // namespace
}  // namespace consentric

int main(int argc, char** argv) {
  consentric::Args args;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--quick") {
      args.rows = 100'000;
    } else if (a == "--rows") {
      args.rows = std::atoll(consentric::bench::option_value("rule_bench", argc, argv, &i).c_str());
    } else if (a == "--runs") {
      args.runs = std::atoi(consentric::bench::option_value("rule_bench", argc, argv, &i).c_str());
    } else {
      fmt::print(stderr, "usage: rule_bench [--quick] [--rows N] [--runs R]\n");
      return 1;
    }
  }
  if (args.rows < 1 || args.runs < 1) {
    fmt::print(stderr, "rule_bench: --rows and --runs must be positive\n");
    return 1;
  }
  return consentric::run(args);
}
