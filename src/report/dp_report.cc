#include "report/dp_report.h"

#include <algorithm>
#include <cmath>
#include <unordered_map>
#include <unordered_set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "audit/audit_log.h"
#include "core/text.h"
#include "disclose/dp_histogram.h"
#include "disclose/partition_selection.h"
#include "gate/gate.h"
#include "runs/segment_runs.h"
#include "store/transaction.h"

namespace consentric::report {
namespace {

using json = nlohmann::json;
using disclose::PrivacyCost;

constexpr std::pair<DpStatistic, std::string_view> kStatistics[] = {
    {DpStatistic::kCount, "count"},         {DpStatistic::kSum, "sum"},
    {DpStatistic::kMean, "mean"},           {DpStatistic::kHistogram, "histogram"},
    {DpStatistic::kQuantiles, "quantiles"},
};

// Budgets are sums of doubles: a relative slack keeps "exactly spent" from failing on rounding.
constexpr double kBudgetSlack = 1e-9;

bool needs_column(DpStatistic s) { return s != DpStatistic::kCount; }

// The rows of the view the query covers: all, or the released members of a segment (group).
struct Population {
  std::vector<std::size_t> rows;
};

Result<Population> population(StoreDir& sd, const DpQuery& q, const gate::PurposeView& view) {
  Population out;
  if (q.segment.empty()) {
    for (std::size_t r = 0; r < view.rows(); ++r) out.rows.push_back(r);
    return out;
  }
  CONSENTRIC_ASSIGN_OR_RETURN(runs::SegmentState state, runs::segment_state(sd, q.segment));
  if (!q.group.empty()) {
    bool released = false;
    for (const auto& g : state.release.groups) released = released || g.name == q.group;
    if (!released) {
      return not_found(fmt::format("segment {} has no released group {}", q.segment,
                                   quote_for_message(q.group)));
    }
  }
  std::unordered_set<std::string> members;
  CONSENTRIC_RETURN_IF_ERROR(runs::for_each_member(sd, state, [&](const runs::Member& m) {
    if (q.group.empty() || m.group == q.group) members.insert(m.pseudonym);
  }));
  for (std::size_t r = 0; r < view.rows(); ++r) {
    if (members.contains(view.row_ids()[r])) out.rows.push_back(r);
  }
  return out;
}

// Category labels of a column: the declared values (a public domain), or none (then the groups
// seen in the data may appear only through partition selection).
std::vector<std::string> declared_domain(const Config& config, const gate::Column& c) {
  const FieldSpec* f = config.field(c.name);
  if (f == nullptr || f->type != FieldType::kCategory) return {};
  return f->values;
}

// The row's label of a grouping column: its category value, or its number as text.
std::string group_label(const gate::Column& c, std::size_t row) {
  if (c.missing(row)) return "(missing)";
  if (c.kind == gate::ColumnKind::kCategory) {
    return c.dictionary[static_cast<std::size_t>(c.codes[row])];
  }
  return fmt::format("{:g}", c.numbers[row]);
}

Status check_query(const Config& config, DpQuery& q) {
  const PurposeSpec* p = config.purpose(q.purpose);
  if (p == nullptr) {
    return invalid_argument(
        fmt::format("{} is not a declared purpose", quote_for_message(q.purpose)));
  }
  if (!q.epsilon) q.epsilon = config.dp_epsilon_per_query;
  if (!q.delta) q.delta = config.dp_delta_per_query;
  CONSENTRIC_RETURN_IF_ERROR(disclose::check_epsilon(*q.epsilon).with_context("--epsilon"));
  CONSENTRIC_RETURN_IF_ERROR(disclose::check_delta(*q.delta).with_context("--delta"));
  if (needs_column(q.statistic) && q.column.empty()) {
    return invalid_argument(fmt::format("{} needs --column", to_string(q.statistic)));
  }
  if (!needs_column(q.statistic) && !q.column.empty()) {
    return invalid_argument(
        "count counts subjects; --column applies to sum, mean, histogram and "
        "quantiles");
  }
  const bool numeric = q.statistic == DpStatistic::kSum || q.statistic == DpStatistic::kMean ||
                       q.statistic == DpStatistic::kQuantiles;
  if (numeric && (!q.lower || !q.upper)) {
    return invalid_argument(fmt::format(
        "{} needs --lower and --upper: values are clamped to bounds given before the data is "
        "read (bounds taken from the data would leak it)",
        to_string(q.statistic)));
  }
  if (q.lower && q.upper &&
      !(std::isfinite(*q.lower) && std::isfinite(*q.upper) && *q.lower < *q.upper)) {
    return invalid_argument(fmt::format("--lower {} must be below --upper {}", *q.lower, *q.upper));
  }
  if (!q.by.empty() &&
      (q.statistic == DpStatistic::kHistogram || q.statistic == DpStatistic::kQuantiles)) {
    return invalid_argument("--by applies to count, sum and mean");
  }
  if (!q.by.empty() && q.by == q.column) {
    return invalid_argument("--by and --column name the same column");
  }
  if (q.gaussian && q.statistic != DpStatistic::kCount) {
    return invalid_argument("--gaussian applies to count");
  }
  if (q.bins == 0) {
    q.bins = q.statistic == DpStatistic::kQuantiles ? kDefaultQuantileBins : 10;
  }
  if (q.bins < 1 || q.bins > disclose::kMaxHistogramBins) {
    return invalid_argument(
        fmt::format("--bins must be in [1, {}], got {}", disclose::kMaxHistogramBins, q.bins));
  }
  for (double x : q.quantiles) {
    if (!(x >= 0 && x <= 1))
      return invalid_argument(fmt::format("quantile {} is not in [0, 1]", x));
  }
  if (q.statistic == DpStatistic::kQuantiles && q.quantiles.empty()) {
    return invalid_argument("quantiles needs at least one quantile");
  }
  if (!q.group.empty() && q.segment.empty()) return invalid_argument("--group needs --segment");
  return Status();
}

// The (epsilon, delta) the query will charge, known before any data is read.
PrivacyCost query_cost(const DpQuery& q) {
  const bool selects = q.statistic == DpStatistic::kSum || q.statistic == DpStatistic::kMean ||
                       q.statistic == DpStatistic::kQuantiles || !q.by.empty();
  const bool gaussian = q.gaussian && q.by.empty();
  return {*q.epsilon, (selects || gaussian) ? *q.delta : 0};
}

Status check_budget(const DpBudgetState& b, const PrivacyCost& cost) {
  const bool eps_ok = b.epsilon_spent + cost.epsilon <= b.epsilon_total * (1 + kBudgetSlack);
  const bool delta_ok = b.delta_spent + cost.delta <= b.delta_total * (1 + kBudgetSlack);
  if (eps_ok && delta_ok) return Status();
  if (!eps_ok) {
    return resource_exhausted(fmt::format(
        "the privacy budget of purpose {} is spent: epsilon {:.4g} of {:.4g} used over {} "
        "release{}, {:.4g} left, and this query needs {:.4g} (a DPO may raise "
        "purposes[].dp_budget.epsilon; every figure already released stays released)",
        b.purpose, b.epsilon_spent, b.epsilon_total, b.releases, b.releases == 1 ? "" : "s",
        std::max(0.0, b.epsilon_left()), cost.epsilon));
  }
  return resource_exhausted(fmt::format(
      "the privacy budget of purpose {} has no delta left for this query: {:.3g} of {:.3g} used, "
      "this query needs {:.3g}",
      b.purpose, b.delta_spent, b.delta_total, cost.delta));
}

// Values of a numeric column over the population; a category column is refused.
Result<std::vector<double>> numbers_of(const gate::Column& c, const Population& pop) {
  if (c.kind != gate::ColumnKind::kNumber) {
    return invalid_argument(
        fmt::format("column {} is a category; {} needs a number (histogram "
                    "counts categories)",
                    c.name, "this statistic"));
  }
  std::vector<double> out;
  out.reserve(pop.rows.size());
  for (std::size_t r : pop.rows) out.push_back(c.numbers[r]);
  return out;
}

struct Computed {
  std::vector<DpRow> rows;
  std::string mechanism;
  std::string noise;
  double noise_scale = 0;
  std::int64_t half_width = 0;
  std::int64_t threshold = 0;
};

std::string laplace_words(std::string_view on, double scale, std::int64_t half_width) {
  return fmt::format("discrete Laplace{}, scale {:.3g} (95% of counts within +-{})", on, scale,
                     half_width);
}

std::optional<double> at_least_k(std::int64_t noisy, int k) {
  if (noisy < k) return std::nullopt;
  return static_cast<double>(noisy);
}

Result<Computed> compute(const Config& config, const DpQuery& q, const gate::PurposeView& view,
                         const Population& pop, disclose::RandomSource& rng) {
  const int k = config.k_anonymity;
  const double eps = *q.epsilon;
  Computed out;
  out.mechanism = "discrete_laplace";
  const gate::Column* column = q.column.empty() ? nullptr : view.column(q.column);
  const gate::Column* by = q.by.empty() ? nullptr : view.column(q.by);

  // Groups: one per distinct label of --by (every subject in exactly one), or one for all.
  std::vector<std::string> labels;
  std::vector<std::vector<std::size_t>> members;
  {
    std::unordered_map<std::string, std::size_t> index;
    for (std::size_t r : pop.rows) {
      const std::string label = by ? group_label(*by, r) : std::string();
      auto [it, fresh] = index.emplace(label, labels.size());
      if (fresh) {
        labels.push_back(label);
        members.emplace_back();
      }
      members[it->second].push_back(r);
    }
    if (!by && labels.empty()) {
      labels.push_back("");
      members.emplace_back();
    }
  }

  if (q.statistic == DpStatistic::kCount && !by) {
    const auto n = static_cast<std::int64_t>(pop.rows.size());
    if (q.gaussian) {
      CONSENTRIC_ASSIGN_OR_RETURN(
          auto r, disclose::noisy_count_gaussian(n, {.epsilon = eps, .delta = *q.delta}, rng));
      out.mechanism = "discrete_gaussian";
      out.noise_scale = r.noise.scale;
      out.half_width = static_cast<std::int64_t>(std::ceil(1.96 * r.noise.scale));
      out.noise = fmt::format("discrete Gaussian, sigma {:.3g} (95% of counts within +-{})",
                              r.noise.scale, out.half_width);
      out.rows.push_back({"", at_least_k(r.value, k)});
    } else {
      CONSENTRIC_ASSIGN_OR_RETURN(auto r, disclose::noisy_count(n, {.epsilon = eps}, rng));
      out.noise_scale = r.noise.scale;
      out.half_width = disclose::laplace_half_width(r.noise.scale, 0.95);
      out.noise = laplace_words("", r.noise.scale, out.half_width);
      out.rows.push_back({"", at_least_k(r.value, k)});
    }
    return out;
  }

  if (q.statistic == DpStatistic::kHistogram || q.statistic == DpStatistic::kQuantiles) {
    if (column->kind == gate::ColumnKind::kCategory) {
      if (q.statistic == DpStatistic::kQuantiles) {
        return invalid_argument(
            fmt::format("column {} is a category; quantiles need a number", column->name));
      }
      const std::vector<std::string> domain = declared_domain(config, *column);
      if (!domain.empty()) {
        // A public domain: every declared value gets a noisy count, present in the data or not.
        std::unordered_map<std::string, std::int32_t> code_of;
        for (std::size_t i = 0; i < domain.size(); ++i) {
          code_of.emplace(domain[i], static_cast<std::int32_t>(i));
        }
        std::vector<std::int32_t> codes;
        for (std::size_t r : pop.rows) {
          const std::string v = group_label(*column, r);
          auto it = code_of.find(v);
          codes.push_back(it == code_of.end() ? -1 : it->second);
        }
        disclose::NoiseDescription noise;
        CONSENTRIC_ASSIGN_OR_RETURN(
            auto counts, disclose::noisy_category_counts(
                             codes, static_cast<std::int32_t>(domain.size()), eps, rng, &noise));
        out.noise_scale = noise.scale;
        out.half_width = disclose::laplace_half_width(noise.scale, 0.95);
        out.noise = laplace_words(" on each declared value", noise.scale, out.half_width);
        for (std::size_t i = 0; i < domain.size(); ++i) {
          out.rows.push_back({domain[i], at_least_k(counts[i], k)});
        }
        return out;
      }
      // No declared domain: the values seen may show only through partition selection.
      DpQuery grouped = q;
      grouped.by = q.column;
      grouped.column.clear();
      grouped.statistic = DpStatistic::kCount;
      return compute(config, grouped, view, pop, rng);
    }
    CONSENTRIC_ASSIGN_OR_RETURN(std::vector<double> values, numbers_of(*column, pop));
    const double lower = q.lower.value_or(0), upper = q.upper.value_or(0);
    if (!q.lower || !q.upper) {
      return invalid_argument("a histogram of a number needs --lower and --upper (its bins)");
    }
    // Quantiles describe the whole population at once, so it must first pass partition
    // selection (and k) like any group: half the epsilon there, half on the histogram.
    bool released = true;
    double hist_eps = eps;
    if (q.statistic == DpStatistic::kQuantiles) {
      hist_eps = eps / 2;
      const disclose::PartitionCount all{0, static_cast<std::int64_t>(pop.rows.size())};
      CONSENTRIC_ASSIGN_OR_RETURN(
          auto selection,
          disclose::select_partitions({&all, 1},
                                      {.epsilon = eps / 2, .delta = *q.delta, .min_size = k}, rng));
      released = !selection.kept.empty();
      out.threshold = std::max<std::int64_t>(selection.threshold, k);
    }
    CONSENTRIC_ASSIGN_OR_RETURN(
        auto h,
        disclose::noisy_histogram(
            values, {.lower = lower, .upper = upper, .bins = q.bins, .epsilon = hist_eps}, rng));
    out.noise_scale = h.noise.scale;
    out.half_width = disclose::laplace_half_width(h.noise.scale, 0.95);
    out.noise = laplace_words(" on each bin", h.noise.scale, out.half_width);
    if (q.statistic == DpStatistic::kHistogram) {
      for (std::size_t i = 0; i < h.counts.size(); ++i) {
        out.rows.push_back({fmt::format("[{:g}, {:g}{}", h.edges[i], h.edges[i + 1],
                                        i + 1 == h.counts.size() ? "]" : ")"),
                            at_least_k(h.counts[i], k)});
      }
      return out;
    }
    const auto qs = disclose::quantiles_from_histogram(h, q.quantiles);
    for (std::size_t i = 0; i < qs.size(); ++i) {
      std::optional<double> v;
      if (released && !std::isnan(qs[i])) v = qs[i];
      out.rows.push_back({fmt::format("p{:g}", q.quantiles[i] * 100), v});
    }
    out.noise = fmt::format(
        "read off a histogram of {} bins with discrete Laplace noise on each bin, scale {:.3g}",
        q.bins, h.noise.scale);
    return out;
  }

  // Grouped counts, and sums and means (grouped or not): groups appear only through partition
  // selection, which also enforces k on the noisy count. Sums and means spend half the epsilon
  // on the selection and half on the value; each subject is in one group (parallel composition).
  const bool value_stat = q.statistic == DpStatistic::kSum || q.statistic == DpStatistic::kMean;
  if (value_stat && column->kind != gate::ColumnKind::kNumber) {
    return invalid_argument(
        fmt::format("column {} is a category; {} needs a number (histogram "
                    "counts categories)",
                    column->name, to_string(q.statistic)));
  }
  const double select_eps = value_stat ? eps / 2 : eps;
  std::vector<disclose::PartitionCount> counts;
  for (std::size_t g = 0; g < labels.size(); ++g) {
    counts.push_back({static_cast<std::int32_t>(g), static_cast<std::int64_t>(members[g].size())});
  }
  CONSENTRIC_ASSIGN_OR_RETURN(
      auto selection, disclose::select_partitions(
                          counts, {.epsilon = select_eps, .delta = *q.delta, .min_size = k}, rng));
  out.threshold = std::max<std::int64_t>(selection.threshold, k);
  if (!value_stat) {
    out.noise_scale = selection.noise.scale;
    out.half_width = disclose::laplace_half_width(selection.noise.scale, 0.95);
    out.noise = laplace_words(" on each group", selection.noise.scale, out.half_width);
    for (const auto& kept : selection.kept) {
      out.rows.push_back(
          {labels[static_cast<std::size_t>(kept.label)], static_cast<double>(kept.noisy_count)});
    }
  } else {
    const disclose::BoundedOptions bounded{
        .lower = *q.lower, .upper = *q.upper, .epsilon = eps / 2};
    for (const auto& kept : selection.kept) {
      std::vector<double> values;
      for (std::size_t r : members[static_cast<std::size_t>(kept.label)]) {
        values.push_back(column->numbers[r]);
      }
      const std::string& label = labels[static_cast<std::size_t>(kept.label)];
      if (q.statistic == DpStatistic::kSum) {
        CONSENTRIC_ASSIGN_OR_RETURN(auto s, disclose::bounded_sum(values, bounded, rng));
        out.noise_scale = s.noise.scale;
        out.noise = fmt::format("discrete Laplace on each sum, scale {:.4g}, on a grid of 2^{}",
                                s.noise.scale, std::ilogb(s.noise.granularity));
        out.rows.push_back({label, s.value});
      } else {
        CONSENTRIC_ASSIGN_OR_RETURN(auto m, disclose::bounded_mean(values, bounded, rng));
        out.noise_scale = m.sum_noise.scale;
        out.noise = fmt::format(
            "discrete Laplace on each group's sum of distances from the midpoint (scale {:.4g}) "
            "and on its count (scale {:.3g})",
            m.sum_noise.scale, m.count_noise.scale);
        out.rows.push_back({label, m.value});
      }
    }
    if (selection.kept.empty() && !by) out.rows.push_back({"", std::nullopt});
  }
  std::sort(out.rows.begin(), out.rows.end(),
            [](const DpRow& a, const DpRow& b) { return a.label < b.label; });
  return out;
}

json query_json(const DpQuery& q) {
  json j = {{"statistic", to_string(q.statistic)}, {"purpose", q.purpose}, {"epsilon", *q.epsilon}};
  if (!q.segment.empty()) j["segment"] = q.segment;
  if (!q.group.empty()) j["group"] = q.group;
  if (!q.column.empty()) j["column"] = q.column;
  if (q.lower) j["lower"] = *q.lower;
  if (q.upper) j["upper"] = *q.upper;
  if (!q.by.empty()) j["by"] = q.by;
  if (q.statistic == DpStatistic::kHistogram || q.statistic == DpStatistic::kQuantiles) {
    j["bins"] = q.bins;
  }
  if (q.statistic == DpStatistic::kQuantiles) j["quantiles"] = q.quantiles;
  if (q.gaussian) j["mechanism"] = "discrete_gaussian";
  return j;
}

}  // namespace

std::string_view to_string(DpStatistic s) {
  for (const auto& [stat, name] : kStatistics) {
    if (stat == s) return name;
  }
  return "?";
}

std::optional<DpStatistic> parse_dp_statistic(std::string_view text) {
  for (const auto& [stat, name] : kStatistics) {
    if (name == text) return stat;
  }
  return std::nullopt;
}

Result<DpBudgetState> dp_budget(StoreDir& sd, std::string_view purpose) {
  const PurposeSpec* p = sd.config.purpose(purpose);
  if (p == nullptr) {
    return invalid_argument(
        fmt::format("{} is not a declared purpose", quote_for_message(purpose)));
  }
  CONSENTRIC_ASSIGN_OR_RETURN(DpSpent spent, sd.store->dp_spent(purpose));
  return DpBudgetState{.purpose = p->id,
                       .epsilon_total = p->dp_epsilon_budget,
                       .delta_total = p->dp_delta_budget,
                       .epsilon_spent = spent.epsilon,
                       .delta_spent = spent.delta,
                       .releases = spent.releases};
}

Result<std::vector<DpBudgetState>> dp_budgets(StoreDir& sd) {
  std::vector<DpBudgetState> out;
  for (const PurposeSpec& p : sd.config.purposes) {
    CONSENTRIC_ASSIGN_OR_RETURN(DpBudgetState b, dp_budget(sd, p.id));
    out.push_back(std::move(b));
  }
  return out;
}

Result<DpRelease> run_dp_query(StoreDir& sd, const DpQuery& query, const ReportContext& ctx,
                               disclose::RandomSource& rng) {
  DpQuery q = query;
  // The segment names its purpose; a purpose given as well must be that one.
  if (!q.segment.empty()) {
    CONSENTRIC_ASSIGN_OR_RETURN(std::optional<SegmentRow> row, sd.store->segment(q.segment));
    if (!row) return not_found(fmt::format("no segment named {}", quote_for_message(q.segment)));
    if (q.purpose.empty()) q.purpose = row->purpose;
    if (row->purpose != q.purpose) {
      return invalid_argument(fmt::format("segment {} was made under purpose {}, not {}", q.segment,
                                          row->purpose, q.purpose));
    }
  }
  if (q.purpose.empty()) return invalid_argument("say which purpose: --purpose P or --segment S");
  CONSENTRIC_RETURN_IF_ERROR(check_query(sd.config, q));
  const PrivacyCost cost = query_cost(q);
  // Refused before any data is read: a spent budget reveals nothing more.
  CONSENTRIC_ASSIGN_OR_RETURN(DpBudgetState before, dp_budget(sd, q.purpose));
  CONSENTRIC_RETURN_IF_ERROR(check_budget(before, cost));

  std::vector<std::string> columns;
  for (const std::string* c : {&q.column, &q.by}) {
    if (!c->empty()) columns.push_back(*c);
  }
  if (columns.empty()) {  // a count reads only rows; the view needs one column
    const auto allowed = gate::available_columns(sd.config, *sd.config.purpose(q.purpose));
    if (allowed.empty()) return failed_precondition("the purpose releases no column");
    columns.push_back(allowed.front());
  }
  CONSENTRIC_ASSIGN_OR_RETURN(
      gate::PurposeView view,
      gate::build_view(
          sd, {.purpose = q.purpose, .as_of = ctx.now, .actor = ctx.actor, .columns = columns},
          ctx.now));
  CONSENTRIC_ASSIGN_OR_RETURN(Population pop, population(sd, q, view));
  CONSENTRIC_ASSIGN_OR_RETURN(Computed computed, compute(sd.config, q, view, pop, rng));

  DpRelease out{.query = q,
                .rows = std::move(computed.rows),
                .mechanism = computed.mechanism,
                .noise_scale = computed.noise_scale,
                .noise = computed.noise,
                .count_half_width = computed.half_width,
                .threshold = computed.threshold,
                .k = sd.config.k_anonymity,
                .cost = cost};
  json released = json::array();
  for (const DpRow& r : out.rows) {
    released.push_back({{"label", r.label}, {"value", r.value ? json(*r.value) : json(nullptr)}});
  }
  auto charged = in_transaction(*sd.store, [&]() -> Result<DpBudgetState> {
    CONSENTRIC_ASSIGN_OR_RETURN(DpBudgetState now_state, dp_budget(sd, q.purpose));
    CONSENTRIC_RETURN_IF_ERROR(check_budget(now_state, cost));
    const json detail = {{"query", query_json(q)},
                         {"cost", {{"epsilon", cost.epsilon}, {"delta", cost.delta}}},
                         {"mechanism", out.mechanism},
                         {"noise_scale", out.noise_scale},
                         {"released", released}};
    CONSENTRIC_ASSIGN_OR_RETURN(AuditRecord rec, audit::append(*sd.store,
                                                               {.actor = ctx.actor,
                                                                .action = "dp.release",
                                                                .purpose = q.purpose,
                                                                .detail = detail.dump()},
                                                               ctx.now));
    CONSENTRIC_RETURN_IF_ERROR(sd.store
                                   ->add_dp_spend({.purpose = q.purpose,
                                                   .epsilon = cost.epsilon,
                                                   .delta = cost.delta,
                                                   .query = query_json(q).dump(),
                                                   .audit_seq = rec.seq,
                                                   .spent_at = ctx.now})
                                   .status());
    out.audit_seq = rec.seq;
    now_state.epsilon_spent += cost.epsilon;
    now_state.delta_spent += cost.delta;
    ++now_state.releases;
    return now_state;
  });
  CONSENTRIC_RETURN_IF_ERROR(charged.status());
  out.budget = *charged;
  return out;
}

}  // namespace consentric::report
