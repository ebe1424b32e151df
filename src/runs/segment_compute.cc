#include "runs/segment_compute.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "core/text.h"
#include "segment/profile.h"
#include "segment/rule.h"

namespace consentric::runs {
namespace {

using nlohmann::json;

constexpr std::string_view kRfmColumns[] = {"days_since_purchase", "frequency", "monetary"};
// Above this many rows, k-means runs in mini-batches.
constexpr std::size_t kMiniBatchRows = 2'000'000;
constexpr std::size_t kSilhouetteSample = 10'000;

bool is_behaviour_feature(std::string_view c) {
  return c == "event_count" || c == "recency_days" || c == "tenure_days" || c == "frequency" ||
         c == "monetary" || c.starts_with("count.");
}

json profiles_json(const std::vector<segment::SegmentProfile>& profiles,
                   const std::vector<std::string>& features) {
  json out = json::array();
  for (const segment::SegmentProfile& p : profiles) {
    json means = json::object();
    for (std::size_t f = 0; f < features.size(); ++f) {
      means[features[f]] = std::isnan(p.means[f]) ? json(nullptr) : json(p.means[f]);
    }
    json distinctions = json::array();
    for (const segment::Distinction& d : p.distinctions) {
      distinctions.push_back({{"feature", d.feature},
                              {"segment_mean", d.segment_mean},
                              {"rest_mean", d.rest_mean},
                              {"effect", d.effect},
                              {"sentence", d.sentence}});
    }
    out.push_back({{"label", p.label},
                   {"name", p.name},
                   {"size", p.size},
                   {"means", means},
                   {"distinctions", distinctions}});
  }
  return out;
}

// The numeric columns `names` of the view, in that order; a category column is an error.
Result<std::vector<const gate::Column*>> number_columns(const gate::PurposeView& view,
                                                        const std::vector<std::string>& names,
                                                        std::string_view what) {
  std::vector<const gate::Column*> out;
  for (const std::string& n : names) {
    const gate::Column* c = view.column(n);
    if (c == nullptr) {
      return invalid_argument(fmt::format("column {} is not in the view of purpose {}",
                                          quote_for_message(n), view.purpose()));
    }
    if (c->kind != gate::ColumnKind::kNumber) {
      return invalid_argument(
          fmt::format("{} uses numbers; column {} is a category", what, quote_for_message(n)));
    }
    out.push_back(c);
  }
  return out;
}

std::vector<segment::ProfileFeature> profile_features(
    const std::vector<const gate::Column*>& columns) {
  std::vector<segment::ProfileFeature> out;
  for (const gate::Column* c : columns) out.push_back({c->name, c->numbers});
  return out;
}

std::vector<std::string> names_of(const std::vector<const gate::Column*>& columns) {
  std::vector<std::string> out;
  for (const gate::Column* c : columns) out.push_back(c->name);
  return out;
}

Result<Computed> compute_rule(const SegmentDefinition& d, const gate::PurposeView& view) {
  CONSENTRIC_ASSIGN_OR_RETURN(segment::CompiledRule rule, segment::compile_rule(d.rule, view));
  const std::vector<std::uint8_t> in = segment::evaluate(rule, view);
  Computed out;
  out.groups = {d.name};
  std::vector<std::int32_t> in_or_rest(view.rows());
  out.labels.assign(view.rows(), -1);
  for (std::size_t r = 0; r < view.rows(); ++r) {
    in_or_rest[r] = in[r] ? 0 : 1;
    if (in[r]) out.labels[r] = 0;
  }
  std::vector<const gate::Column*> numeric;
  for (const gate::Column& c : view.columns()) {
    if (c.kind == gate::ColumnKind::kNumber) numeric.push_back(&c);
  }
  const std::vector<std::string> group_names = {d.name, "rest"};
  auto profiles = segment::profile_segments(profile_features(numeric), in_or_rest, 2, group_names);
  profiles.resize(1);  // the rest is everyone else in the view, not a segment
  out.model = {{"kind", "rule"},
               {"rule", segment::describe(rule)},
               {"columns", rule.columns},
               {"groups", out.groups},
               {"profiles", profiles_json(profiles, names_of(numeric))}};
  return out;
}

Result<Computed> compute_rfm(const SegmentDefinition& d, const gate::PurposeView& view) {
  CONSENTRIC_ASSIGN_OR_RETURN(
      auto columns, number_columns(view,
                                   {std::string(kRfmColumns[0]), std::string(kRfmColumns[1]),
                                    std::string(kRfmColumns[2])},
                                   "RFM"));
  CONSENTRIC_ASSIGN_OR_RETURN(
      segment::RfmResult rfm,
      segment::score_rfm({columns[0]->numbers, columns[1]->numbers, columns[2]->numbers}, d.rfm));
  Computed out;
  json advice = json::array();
  for (int s = 0; s < segment::kRfmSegmentCount; ++s) {
    out.groups.emplace_back(segment::rfm_segment_name(static_cast<segment::RfmSegment>(s)));
    advice.push_back(segment::rfm_segment_advice(static_cast<segment::RfmSegment>(s)));
  }
  out.labels.resize(view.rows());
  out.rfm.resize(view.rows());
  for (std::size_t r = 0; r < view.rows(); ++r) {
    out.labels[r] = static_cast<std::int32_t>(rfm.segment[r]);
    out.rfm[r] = rfm.r[r] * 100 + rfm.f[r] * 10 + rfm.m[r];
  }
  const auto profiles = segment::profile_segments(profile_features(columns), out.labels,
                                                  segment::kRfmSegmentCount, out.groups);
  auto cuts = [](const segment::RfmCuts& c) { return std::vector<double>(c.begin(), c.end()); };
  out.model = {{"kind", "rfm"},
               {"cuts",
                {{"recency_days", cuts(rfm.recency_cuts)},
                 {"frequency", cuts(rfm.frequency_cuts)},
                 {"monetary", cuts(rfm.monetary_cuts)}}},
               {"configured_cuts",
                {{"recency", d.rfm.recency_cuts.has_value()},
                 {"frequency", d.rfm.frequency_cuts.has_value()},
                 {"monetary", d.rfm.monetary_cuts.has_value()}}},
               {"groups", out.groups},
               {"advice", advice},
               {"profiles", profiles_json(profiles, names_of(columns))}};
  return out;
}

double median_of(std::vector<double> v) {
  if (v.empty()) return 0;
  const std::size_t mid = v.size() / 2;
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(mid), v.end());
  return v[mid];
}

Result<Computed> compute_kmeans(const SegmentDefinition& d, const gate::PurposeView& view,
                                const ProgressFn& progress) {
  const KMeansSpec& spec = d.kmeans;
  std::vector<std::string> features = spec.features;
  if (features.empty()) {
    for (const gate::Column& c : view.columns()) {
      if (is_behaviour_feature(c.name)) features.push_back(c.name);
    }
  }
  if (features.empty()) {
    return invalid_argument(fmt::format(
        "purpose {} declares no event types, so it has no behavioural features to cluster on; "
        "name numeric profile fields with --features",
        d.purpose));
  }
  CONSENTRIC_ASSIGN_OR_RETURN(auto columns, number_columns(view, features, "k-means"));
  const std::size_t rows = view.rows();
  const std::size_t cols = columns.size();
  const int k_needed = spec.k != 0 ? spec.k : spec.k_min;
  if (rows < static_cast<std::size_t>(std::max(k_needed, 2)) + 1) {
    return failed_precondition(fmt::format(
        "only {} subjects may be processed for purpose {} now; k-means needs more than {}", rows,
        d.purpose, k_needed));
  }
  // Missing values (no purchase yet, say) take the column's median: k-means needs numbers.
  std::vector<float> x(rows * cols);
  json medians = json::array();
  for (std::size_t c = 0; c < cols; ++c) {
    std::vector<double> present;
    for (double v : columns[c]->numbers) {
      if (!std::isnan(v)) present.push_back(v);
    }
    if (present.empty()) {
      return failed_precondition(
          fmt::format("column {} has no values in this view", quote_for_message(columns[c]->name)));
    }
    const double median = median_of(std::move(present));
    medians.push_back(median);
    for (std::size_t r = 0; r < rows; ++r) {
      const double v = columns[c]->numbers[r];
      x[r * cols + c] = static_cast<float>(std::isnan(v) ? median : v);
    }
  }
  if (spec.log_transform) {
    for (std::size_t c = 0; c < cols; ++c) {
      for (std::size_t r = 0; r < rows; ++r) {
        float& v = x[r * cols + c];
        if (v < 0) {
          return invalid_argument(fmt::format("--log needs values of 0 or more; column {} has {}",
                                              quote_for_message(features[c]), v));
        }
        v = std::log1p(v);
      }
    }
  }
  const segment::MatrixRef m{x.data(), rows, cols};
  const segment::Scaler scaler = segment::fit_scaler(m, spec.scaling);
  scaler.apply(x.data(), rows, cols);

  int k = spec.k;
  json choice = nullptr;
  segment::KMeansOptions options{.seed = spec.seed};
  if (k == 0) {
    if (progress) progress("choosing k", 0, spec.k_max - spec.k_min + 1);
    const int k_max = static_cast<int>(std::min<std::size_t>(spec.k_max, rows - 1));
    CONSENTRIC_ASSIGN_OR_RETURN(
        segment::KChoice kc, segment::choose_k(m, spec.k_min, k_max, options, kSilhouetteSample));
    k = kc.best_by_silhouette;
    choice = {{"ks", kc.ks},
              {"inertia", kc.inertia},
              {"silhouette", kc.silhouette},
              {"best_by_silhouette", kc.best_by_silhouette},
              {"elbow", kc.elbow}};
  }
  segment::KMeansResult result;
  std::string algorithm;
  if (rows > kMiniBatchRows) {
    algorithm = "mini-batch";
    CONSENTRIC_ASSIGN_OR_RETURN(
        result,
        segment::minibatch_kmeans(m, {.k = k, .seed = spec.seed, .on_batch = [&](int batch) {
                                        if (progress) progress("k-means batches", batch, 0);
                                      }}));
  } else {
    algorithm = "lloyd-hamerly";
    options.k = k;
    for (int start = 0; start < spec.n_init; ++start) {
      options.seed = spec.seed + static_cast<std::uint64_t>(start);
      options.on_iteration = [&](int iteration, std::size_t) {
        if (progress) progress("k-means iterations", iteration, options.max_iterations);
      };
      CONSENTRIC_ASSIGN_OR_RETURN(segment::KMeansResult r, segment::kmeans(m, options));
      if (start == 0 || r.inertia < result.inertia) result = std::move(r);
    }
  }
  const double silhouette = segment::silhouette(m, result.labels, k, kSilhouetteSample, spec.seed);

  Computed out;
  out.labels = result.labels;
  out.distances = result.distances;
  for (int c = 0; c < k; ++c) out.groups.push_back(fmt::format("cluster {}", c + 1));
  std::vector<float> centroids = result.centroids;
  scaler.unapply(centroids.data(), static_cast<std::size_t>(k), cols);
  if (spec.log_transform) {
    // Back to original units; the values were 0 or more, whatever the rounding says.
    for (float& v : centroids) v = std::max(0.0f, std::expm1(v));
  }
  json centroid_rows = json::array();
  for (int c = 0; c < k; ++c) {
    json row = json::object();
    for (std::size_t f = 0; f < cols; ++f) {
      row[features[f]] = centroids[static_cast<std::size_t>(c) * cols + f];
    }
    centroid_rows.push_back(row);
  }
  const auto profiles =
      segment::profile_segments(profile_features(columns), out.labels, k, out.groups);
  out.model = {{"kind", "kmeans"},
               {"features", features},
               {"imputed_medians", medians},
               {"scaling", to_string(spec.scaling)},
               {"log", spec.log_transform},
               {"scaler", {{"center", scaler.center}, {"scale", scaler.scale}}},
               {"k", k},
               {"k_choice", choice},
               {"n_init", rows > kMiniBatchRows ? 1 : spec.n_init},
               {"algorithm", algorithm},
               {"iterations", result.iterations},
               {"converged", result.converged},
               {"inertia", result.inertia},
               {"silhouette", silhouette},
               {"centroids", centroid_rows},
               {"groups", out.groups},
               {"profiles", profiles_json(profiles, features)}};
  return out;
}

}  // namespace

Result<std::vector<std::string>> columns_for(const Config& config, const SegmentDefinition& d) {
  switch (d.kind) {
    case SegmentKind::kRule:
      return std::vector<std::string>{};
    case SegmentKind::kRfm: {
      const PurposeSpec* p = config.purpose(d.purpose);
      const bool purchases =
          p != nullptr &&
          std::any_of(p->event_types.begin(), p->event_types.end(), [&](const auto& t) {
            const EventTypeSpec* e = config.event_type(t);
            return e && e->value_property;
          });
      if (!purchases) {
        return invalid_argument(fmt::format(
            "purpose {} declares no event type with a value (a purchase), so RFM has nothing to "
            "score",
            d.purpose));
      }
      return std::vector<std::string>(std::begin(kRfmColumns), std::end(kRfmColumns));
    }
    case SegmentKind::kKmeans:
      return d.kmeans.features;  // empty: every column; the behavioural ones are picked after
  }
  return std::vector<std::string>{};
}

Result<Computed> compute_segments(const SegmentDefinition& d, const gate::PurposeView& view,
                                  const ProgressFn& progress) {
  switch (d.kind) {
    case SegmentKind::kRule:
      return compute_rule(d, view);
    case SegmentKind::kRfm:
      return compute_rfm(d, view);
    case SegmentKind::kKmeans:
      return compute_kmeans(d, view, progress);
  }
  return invalid_argument("unknown segment kind");
}

}  // namespace consentric::runs
