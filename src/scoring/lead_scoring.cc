#include "scoring/lead_scoring.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <unordered_map>

#include <fmt/format.h>

#include "audit/audit_log.h"
#include "consent/subjects.h"
#include "core/text.h"
#include "core/xoshiro.h"
#include "crypto/keys.h"
#include "gate/gate.h"
#include "ingest/csv_reader.h"
#include "score/boosted_trees.h"
#include "score/lead_features.h"
#include "score/logistic.h"
#include "score/metrics.h"
#include "store/subject_set.h"
#include "store/transaction.h"

namespace consentric::scoring {
namespace {

using nlohmann::json;

constexpr std::int64_t kDay = 86400;
constexpr std::size_t kTopContributions = 5;

std::vector<std::string> special_category_fields(const Config& config) {
  std::vector<std::string> out;
  for (const FieldSpec& f : config.fields) {
    if (f.category == DataCategory::kSpecialCategory) out.push_back(f.name);
  }
  return out;
}

Result<int> parse_label(std::string_view v) {
  const std::string t = to_lower_ascii(trim(v));
  if (t == "1" || t == "true" || t == "yes") return 1;
  if (t == "0" || t == "false" || t == "no") return 0;
  return invalid_argument("expected 0 or 1 (or true/false, yes/no)");
}

struct Labels {
  std::unordered_map<std::string, float> by_pseudonym;
  LabelCounts counts;
};

// Reads the labels of the people the file names, keyed by pseudonym. The identifiers are
// looked up through the blind index and forgotten.
Result<Labels> read_labels(StoreDir& sd, const LabelSource& src) {
  CONSENTRIC_ASSIGN_OR_RETURN(std::unique_ptr<ingest::CsvReader> csv,
                              ingest::CsvReader::open(src.file));
  const std::string file = src.file.filename().string();
  std::vector<std::string_view> fields;
  CONSENTRIC_ASSIGN_OR_RETURN(bool any, csv->next(&fields));
  if (!any) return invalid_argument(fmt::format("{}: empty; expected a header line", file));
  std::vector<std::string> header(fields.begin(), fields.end());
  const auto column = [&](std::string_view name) -> std::optional<std::size_t> {
    for (std::size_t i = 0; i < header.size(); ++i) {
      if (header[i] == name) return i;
    }
    return std::nullopt;
  };
  std::optional<std::size_t> id_col;
  const IdentifierSpec* id_spec = nullptr;
  if (!src.id_column.empty()) {
    id_spec = sd.config.identifier(src.id_column);
    if (id_spec == nullptr) {
      return invalid_argument(fmt::format("--id-column {}: not a declared identifier field",
                                          quote_for_message(src.id_column)));
    }
    id_col = column(src.id_column);
  } else {
    for (std::size_t i = 0; i < header.size() && id_spec == nullptr; ++i) {
      if ((id_spec = sd.config.identifier(header[i])) != nullptr) id_col = i;
    }
  }
  if (!id_col || id_spec == nullptr) {
    return invalid_argument(fmt::format(
        "{}: no identifier column{} in the header ({}); name one of the declared identifier "
        "fields",
        file, src.id_column.empty() ? "" : fmt::format(" \"{}\"", src.id_column),
        fmt::join(header, ", ")));
  }
  const std::optional<std::size_t> label_col = column(src.label_column);
  if (!label_col) {
    return invalid_argument(fmt::format("{}: no column \"{}\" in the header ({})", file,
                                        src.label_column, fmt::join(header, ", ")));
  }
  Labels out;
  while (true) {
    CONSENTRIC_ASSIGN_OR_RETURN(bool row, csv->next(&fields));
    if (!row) break;
    ++out.counts.rows;
    if (fields.size() != header.size()) {
      return invalid_argument(fmt::format("{}:{}: {} fields, the header has {}", file, csv->line(),
                                          fields.size(), header.size()));
    }
    auto label = parse_label(fields[*label_col]);
    if (!label.ok()) {
      return invalid_argument(fmt::format("{}:{}: column \"{}\": {}", file, csv->line(),
                                          src.label_column, label.status().message()));
    }
    auto found = consent::find_subject(sd, {id_spec, std::string(fields[*id_col])});
    if (!found.ok() && found.status().code() == StatusCode::kFailedPrecondition) {
      ++out.counts.erased;
      continue;
    }
    if (!found.ok()) {
      return found.status().with_context(fmt::format("{}:{}", file, csv->line()));
    }
    if (!*found) {
      ++out.counts.not_in_view;
      continue;
    }
    out.by_pseudonym[(*found)->pseudonym] = static_cast<float>(*label);
  }
  return out;
}

json calibration_json(const std::vector<score::CalibrationBin>& bins) {
  json out = json::array();
  for (const auto& b : bins) {
    out.push_back({{"lower", b.lower},
                   {"upper", b.upper},
                   {"count", b.count},
                   {"mean_predicted", b.mean_predicted},
                   {"observed_rate", b.observed_rate}});
  }
  return out;
}

double sigmoid(double z) { return 1.0 / (1.0 + std::exp(-z)); }

// A model ready to score: the binding of its inputs, and the fitted model.
struct Loaded {
  score::LeadFeatures features;
  std::optional<score::LogisticModel> lr;
  std::optional<score::XgbBooster> booster;
};

Result<Loaded> load(const ScoreModelRow& row) {
  CONSENTRIC_ASSIGN_OR_RETURN(score::LeadFeatures f, score::LeadFeatures::from_json(row.features));
  Loaded out{.features = std::move(f)};
  const json m = json::parse(row.model, nullptr, false);
  if (!m.is_object())
    return data_loss(fmt::format("model {}: its model is unreadable", row.model_id));
  if (row.kind == "lr") {
    score::LogisticModel lr;
    if (!m.contains("coef") || !m["coef"].is_array() || !m.contains("intercept") ||
        !m.contains("scaler")) {
      return data_loss(
          fmt::format("model {}: coefficients, intercept or scaler missing", row.model_id));
    }
    for (const json& c : m["coef"]) lr.coef.push_back(c.get<double>());
    lr.intercept = m["intercept"].get<double>();
    CONSENTRIC_ASSIGN_OR_RETURN(lr.scaler, score::StandardScaler::from_json(m["scaler"].dump()));
    if (lr.coef.size() != out.features.width() || lr.scaler->cols() != lr.coef.size()) {
      return data_loss(fmt::format("model {}: {} coefficients for {} inputs", row.model_id,
                                   lr.coef.size(), out.features.width()));
    }
    out.lr = std::move(lr);
  } else {
    if (!m.contains("xgboost")) return data_loss(fmt::format("model {}: no trees", row.model_id));
    CONSENTRIC_ASSIGN_OR_RETURN(score::XgbBooster b,
                                score::XgbBooster::load_json(m["xgboost"].dump()));
    out.booster = std::move(b);
  }
  return out;
}

// Margins and per-input contributions (rows × width) with the bias of each row.
struct Scored {
  std::vector<double> margin;
  std::vector<double> bias;
  std::vector<double> contributions;
};

Result<Scored> score_rows(const Loaded& m, const std::vector<float>& x, std::size_t rows,
                          int threads) {
  const std::size_t w = m.features.width();
  Scored s;
  s.margin.resize(rows);
  s.bias.resize(rows);
  s.contributions.resize(rows * w);
  if (rows == 0) return s;
  const score::MatrixRef ref{x.data(), rows, w};
  // The margin comes from the model's own scoring path; the contributions are computed apart,
  // so bias + contributions = margin is a check, not an identity.
  if (m.lr) {
    std::vector<float> margins(rows);
    m.lr->predict_margin(ref, margins, threads);
    for (std::size_t r = 0; r < rows; ++r) {
      const std::vector<double> c = m.lr->contributions(x.data() + r * w);
      std::copy(c.begin(), c.end(), s.contributions.begin() + static_cast<std::ptrdiff_t>(r * w));
      s.bias[r] = m.lr->intercept;
      s.margin[r] = margins[r];
    }
    return s;
  }
  // TreeSHAP (XGBoost's exact contributions, the last of each row the bias).
  CONSENTRIC_ASSIGN_OR_RETURN(std::vector<float> shap, m.booster->contributions(ref));
  CONSENTRIC_ASSIGN_OR_RETURN(std::vector<float> margins, m.booster->predict(ref, true));
  for (std::size_t r = 0; r < rows; ++r) {
    const float* c = shap.data() + r * (w + 1);
    for (std::size_t j = 0; j < w; ++j) s.contributions[r * w + j] = c[j];
    s.bias[r] = c[w];
    s.margin[r] = margins[r];
  }
  return s;
}

json explanation_json(const score::LeadFeatures& f, const gate::PurposeView& view, std::size_t row,
                      std::span<const double> contributions, double bias, double margin) {
  const auto top = f.top_contributions(view, row, contributions, kTopContributions);
  double shown = 0;
  json items = json::array();
  for (const auto& c : top) {
    shown += c.value;
    items.push_back({{"feature", f.names()[c.input]}, {"value", c.value}, {"text", c.text}});
  }
  const double all = std::accumulate(contributions.begin(), contributions.end(), 0.0);
  return {{"margin", margin}, {"bias", bias}, {"top", items}, {"rest", all - shown}};
}

Result<std::int64_t> next_version(Store& store, std::string_view purpose) {
  CONSENTRIC_ASSIGN_OR_RETURN(std::vector<ScoreModelRow> rows, store.score_models(purpose));
  std::int64_t v = 0;
  for (const auto& r : rows) v = std::max(v, r.version);
  return v + 1;
}

Result<std::optional<ScoreModelRow>> active_model(Store& store, std::string_view purpose) {
  CONSENTRIC_ASSIGN_OR_RETURN(std::vector<ScoreModelRow> rows, store.score_models(purpose));
  for (auto& r : rows) {
    if (r.active) return std::optional<ScoreModelRow>(std::move(r));
  }
  return std::optional<ScoreModelRow>();
}

}  // namespace

std::string_view to_string(ModelKind k) { return k == ModelKind::kLogistic ? "lr" : "trees"; }

std::string_view to_string(Split s) { return s == Split::kRandom ? "random" : "time"; }

Result<Split> parse_split(std::string_view text) {
  if (text == "random") return Split::kRandom;
  if (text == "time") return Split::kTime;
  return invalid_argument(
      fmt::format("split {}: expected random or time", quote_for_message(text)));
}

Result<ModelKind> parse_model_kind(std::string_view text) {
  if (text == "lr") return ModelKind::kLogistic;
  if (text == "trees") return ModelKind::kTrees;
  return invalid_argument(
      fmt::format("model kind {}: expected lr or trees", quote_for_message(text)));
}

Result<TrainOutcome> train(StoreDir& sd, const TrainRequest& req, const ScoringContext& ctx) {
  const PurposeSpec* purpose = sd.config.purpose(req.purpose);
  if (purpose == nullptr) {
    return invalid_argument(
        fmt::format("{} is not a declared purpose", quote_for_message(req.purpose)));
  }
  if (!(req.validation_share > 0 && req.validation_share <= 0.9)) {
    return invalid_argument(fmt::format("validation share {}: expected more than 0 and at most 0.9",
                                        req.validation_share));
  }
  if (req.review_days < 1) return invalid_argument("review days: expected at least 1");
  const std::vector<std::string> special = special_category_fields(sd.config);
  // GDPR Art. 9; DESIGN.md invariant 2: refused by name before anything is read.
  for (const std::string& f : req.features) {
    if (std::find(special.begin(), special.end(), f) != special.end()) {
      return invalid_argument(fmt::format(
          "field \"{}\" is a special category of personal data (GDPR Art. 9) and can never be a "
          "lead-scoring feature; leave it out of --features",
          f));
    }
  }
  CONSENTRIC_ASSIGN_OR_RETURN(Labels labels, read_labels(sd, req.labels));
  // A split by time reads tenure_days too, as a feature only when asked for.
  std::vector<std::string> view_columns = req.features;
  if (req.split == Split::kTime && !view_columns.empty() &&
      std::find(view_columns.begin(), view_columns.end(), "tenure_days") == view_columns.end()) {
    view_columns.push_back("tenure_days");
  }
  CONSENTRIC_ASSIGN_OR_RETURN(
      gate::PurposeView view,
      gate::build_view(
          sd,
          {.purpose = req.purpose, .as_of = ctx.now, .actor = ctx.actor, .columns = view_columns},
          ctx.now));

  // The labelled rows of the view; a label for someone the view leaves out is not used.
  std::vector<std::size_t> labelled;
  std::vector<float> y_of_row(view.rows(), -1.0f);
  for (std::size_t r = 0; r < view.rows(); ++r) {
    const auto it = labels.by_pseudonym.find(view.row_ids()[r]);
    if (it == labels.by_pseudonym.end()) continue;
    labelled.push_back(r);
    y_of_row[r] = it->second;
  }
  labels.counts.matched = static_cast<std::int64_t>(labelled.size());
  labels.counts.not_in_view = labels.counts.rows - labels.counts.erased - labels.counts.matched;
  const auto k = static_cast<std::size_t>(sd.config.k_anonymity);
  const std::size_t positives = static_cast<std::size_t>(std::count_if(
      labelled.begin(), labelled.end(), [&](std::size_t r) { return y_of_row[r] > 0; }));
  const std::size_t negatives = labelled.size() - positives;
  if (positives < k || negatives < k) {
    return failed_precondition(fmt::format(
        "purpose {}: {} of the people it may process have a label in {}, and each class needs at "
        "least k = {} (positives and negatives both)",
        req.purpose,
        labelled.size() < k ? fmt::format("fewer than {}", k) : std::to_string(labelled.size()),
        req.labels.file.filename().string(), k));
  }
  const auto n_val = static_cast<std::size_t>(
      std::llround(req.validation_share * static_cast<double>(labelled.size())));
  if (req.split == Split::kRandom) {
    // Fisher-Yates on the xoshiro stream of the seed; the held-out share comes first.
    auto rng = Xoshiro256StarStar::from_seed(req.seed);
    for (std::size_t i = labelled.size(); i > 1; --i) {
      const std::size_t j = static_cast<std::size_t>(rng.next() % i);
      std::swap(labelled[i - 1], labelled[j]);
    }
  } else {
    // By time: the people first seen most recently are held out, as the leads a model meets
    // after training are newer than those it learned from.
    const gate::Column* tenure = view.column("tenure_days");
    if (tenure == nullptr || tenure->kind != gate::ColumnKind::kNumber) {
      return failed_precondition(fmt::format(
          "a split by time needs the tenure_days feature, which purpose {} does not give",
          req.purpose));
    }
    const auto days = [&](std::size_t r) {
      const double v = tenure->numbers[r];
      return std::isfinite(v) ? v : 0.0;
    };
    std::stable_sort(labelled.begin(), labelled.end(),
                     [&](std::size_t a, std::size_t b) { return days(a) < days(b); });
  }
  std::vector<std::size_t> val(labelled.begin(),
                               labelled.begin() + static_cast<std::ptrdiff_t>(n_val));
  std::vector<std::size_t> trn(labelled.begin() + static_cast<std::ptrdiff_t>(n_val),
                               labelled.end());
  std::sort(val.begin(), val.end());
  std::sort(trn.begin(), trn.end());
  std::vector<float> y_trn, y_val;
  for (std::size_t r : trn) y_trn.push_back(y_of_row[r]);
  for (std::size_t r : val) y_val.push_back(y_of_row[r]);
  const auto classes = [](const std::vector<float>& y) {
    const auto p = std::count(y.begin(), y.end(), 1.0f);
    return p > 0 && p < static_cast<std::ptrdiff_t>(y.size());
  };
  if (trn.size() < k || val.size() < k || !classes(y_trn) || !classes(y_val)) {
    return failed_precondition(fmt::format(
        "the split leaves a share with fewer than k = {} people or with one class only; "
        "label more people or change --validation",
        k));
  }

  CONSENTRIC_ASSIGN_OR_RETURN(
      score::LeadFeatures features,
      score::LeadFeatures::fit(
          view,
          {.columns = req.features, .special_category_fields = special, .min_category_count = k},
          trn));
  CONSENTRIC_ASSIGN_OR_RETURN(std::vector<float> x_trn, features.matrix(view, trn));
  CONSENTRIC_ASSIGN_OR_RETURN(std::vector<float> x_val, features.matrix(view, val));
  const std::size_t w = features.width();
  const score::MatrixRef trn_ref{x_trn.data(), trn.size(), w};
  const score::MatrixRef val_ref{x_val.data(), val.size(), w};
  std::vector<float> p_val(val.size());
  json model_json;
  json fit_json;
  if (req.kind == ModelKind::kLogistic) {
    // The numbers are standardized (one-hot inputs stay 0/1), so a coefficient times the
    // scaled value is a contribution on a common scale.
    const std::vector<std::size_t> numeric = features.numeric_inputs();
    score::StandardScaler scaler = score::StandardScaler::fit(trn_ref, numeric);
    std::vector<float> scaled = x_trn;
    scaler.apply(scaled.data(), trn.size());
    CONSENTRIC_ASSIGN_OR_RETURN(score::LogisticModel lr,
                                score::fit_logistic({scaled.data(), trn.size(), w}, y_trn, {},
                                                    {.l2 = 1.0, .threads = ctx.threads}));
    lr.scaler = scaler;
    lr.predict_proba(val_ref, p_val, ctx.threads);
    model_json = {
        {"coef", lr.coef}, {"intercept", lr.intercept}, {"scaler", json::parse(scaler.to_json())}};
    fit_json = {{"solver", "newton"},
                {"l2", 1.0},
                {"iterations", lr.iterations},
                {"converged", lr.converged}};
  } else {
    const score::BoostedTreesOptions options{
        .rounds = 100,
        .params = {{"max_depth", "4"},
                   {"eta", "0.1"},
                   // XGBoost's OpenMP workers spin while they wait: on small data a second
                   // thread costs more than it gives, and on a busy machine far more.
                   {"nthread", std::to_string(trn.size() < 100'000 ? 1 : ctx.threads)},
                   {"seed", std::to_string(req.seed)}}};
    CONSENTRIC_ASSIGN_OR_RETURN(score::XgbBooster booster,
                                score::XgbBooster::train(trn_ref, y_trn, {}, options));
    CONSENTRIC_ASSIGN_OR_RETURN(std::string saved, booster.save_json());
    CONSENTRIC_ASSIGN_OR_RETURN(score::TreeEnsemble trees,
                                score::TreeEnsemble::from_xgboost_json(saved));
    trees.predict(val_ref, p_val, ctx.threads);
    model_json = {{"xgboost", json::parse(saved)}};
    fit_json = {{"rounds", options.rounds}, {"max_depth", 4}, {"eta", 0.1}};
  }

  CONSENTRIC_ASSIGN_OR_RETURN(double auc, score::auc(p_val, y_val));
  CONSENTRIC_ASSIGN_OR_RETURN(double log_loss, score::log_loss(p_val, y_val));
  CONSENTRIC_ASSIGN_OR_RETURN(double brier, score::brier_score(p_val, y_val));
  CONSENTRIC_ASSIGN_OR_RETURN(auto calibration, score::calibration_table(p_val, y_val, 10));
  CONSENTRIC_ASSIGN_OR_RETURN(score::TopDecile top, score::top_decile(p_val, y_val));

  // The data period: from the longest tenure in the view to its as-of time.
  UnixSeconds from = view.as_of();
  if (const gate::Column* tenure = view.column("tenure_days"); tenure != nullptr) {
    double most = 0;
    for (double v : tenure->numbers) {
      if (std::isfinite(v)) most = std::max(most, v);
    }
    from = view.as_of() - static_cast<UnixSeconds>(most * kDay);
  }
  CONSENTRIC_ASSIGN_OR_RETURN(std::int64_t version, next_version(*sd.store, req.purpose));
  const UnixSeconds review_due = ctx.now + static_cast<UnixSeconds>(req.review_days) * kDay;
  json card = {
      {"purpose", req.purpose},
      {"description", purpose->description},
      {"legal_basis", to_string(purpose->legal_basis)},
      {"automated_decision", purpose->automated_decision},
      {"model", {{"kind", to_string(req.kind)}, {"version", version}, {"fit", fit_json}}},
      {"trained_at", format_timestamp(ctx.now)},
      {"data_period", {{"from", format_date(from)}, {"to", format_date(view.as_of())}}},
      {"subjects",
       {{"in_view", view.rows()},
        {"labelled", labelled.size()},
        {"train", trn.size()},
        {"validation", val.size()}}},
      {"positive_rate", static_cast<double>(positives) / static_cast<double>(labelled.size())},
      {"split", req.split == Split::kRandom
                    ? fmt::format("at random (seed {}), {:.0f}% held out", req.seed,
                                  100 * req.validation_share)
                    : fmt::format("by time, the {:.0f}% first seen most recently held out",
                                  100 * req.validation_share)},
      {"labels",
       {{"file", req.labels.file.filename().string()},
        {"column", req.labels.label_column},
        {"rows", labels.counts.rows},
        {"erased", labels.counts.erased},
        {"not_in_view", labels.counts.not_in_view}}},
      {"features", features.names()},
      {"columns", features.columns()},
      {"special_category_fields_refused", special},
      {"metrics",
       {{"auc", auc},
        {"log_loss", log_loss},
        {"brier", brier},
        {"top_decile",
         {{"rows", top.rows},
          {"precision", top.precision},
          {"base_rate", top.base_rate},
          {"lift", top.lift}}},
        {"calibration", calibration_json(calibration)}}},
      {"review_due", format_date(review_due)},
      {"training",
       {{"kind", to_string(req.kind)},
        {"features", req.features},
        {"validation_share", req.validation_share},
        {"split", to_string(req.split)},
        {"seed", req.seed},
        {"review_days", req.review_days},
        {"label_column", req.labels.label_column},
        {"id_column", req.labels.id_column}}}};

  // The exact set learned from (train and validation: the card's figures come from both).
  std::unordered_map<std::string, SubjectId> ids;
  CONSENTRIC_RETURN_IF_ERROR(
      sd.store->scan_subjects([&](const SubjectRow& s) { ids.emplace(s.pseudonym, s.id); }));
  std::vector<SubjectId> trained;
  for (std::size_t r : labelled) {
    const auto it = ids.find(view.row_ids()[r]);
    if (it == ids.end()) {
      return internal_error(
          fmt::format("the view's subject {} is not in the store", view.row_ids()[r]));
    }
    trained.push_back(it->second);
  }
  std::sort(trained.begin(), trained.end());
  CONSENTRIC_ASSIGN_OR_RETURN(std::string subject_set, encode_subject_set(trained));

  TrainOutcome out;
  out.labels = labels.counts;
  const std::string model_text = model_json.dump();
  auto stored = in_transaction(*sd.store, [&]() -> Result<std::int64_t> {
    CONSENTRIC_ASSIGN_OR_RETURN(std::optional<ScoreModelRow> active,
                                active_model(*sd.store, req.purpose));
    // A stale active model scores nobody: the new one takes its place.
    out.activated = req.activate || !active || active->stale;
    json detail = {{"kind", to_string(req.kind)},
                   {"version", version},
                   {"subjects", trained.size()},
                   {"features", features.names().size()},
                   {"auc", auc},
                   {"labels_file", req.labels.file.filename().string()},
                   {"model_hash", crypto::to_hex(crypto::hash256(model_text))}};
    CONSENTRIC_ASSIGN_OR_RETURN(AuditRecord rec, audit::append(*sd.store,
                                                               {.actor = ctx.actor,
                                                                .action = "score.train",
                                                                .purpose = req.purpose,
                                                                .detail = detail.dump()},
                                                               ctx.now));
    out.model = {.purpose = req.purpose,
                 .kind = std::string(to_string(req.kind)),
                 .version = version,
                 .created_at = ctx.now,
                 .created_by = ctx.actor,
                 .review_due = review_due,
                 .features = features.to_json(),
                 .model = model_text,
                 .card = card.dump(),
                 .training_subjects = subject_set,
                 .audit_seq = rec.seq};
    CONSENTRIC_ASSIGN_OR_RETURN(out.model.model_id, sd.store->add_score_model(out.model));
    if (out.activated) {
      CONSENTRIC_RETURN_IF_ERROR(sd.store->activate_score_model(out.model.model_id));
      out.model.active = true;
    }
    return out.model.model_id;
  });
  CONSENTRIC_RETURN_IF_ERROR(stored.status());
  out.card = std::move(card);
  out.card["model"]["id"] = out.model.model_id;
  return out;
}

Result<std::vector<ScoreModelRow>> models(StoreDir& sd, std::string_view purpose) {
  if (!purpose.empty() && sd.config.purpose(purpose) == nullptr) {
    return invalid_argument(
        fmt::format("{} is not a declared purpose", quote_for_message(purpose)));
  }
  return sd.store->score_models(purpose);
}

Result<ScoreModelRow> model(StoreDir& sd, std::int64_t model_id) {
  CONSENTRIC_ASSIGN_OR_RETURN(std::optional<ScoreModelRow> row, sd.store->score_model(model_id));
  if (!row) return not_found(fmt::format("no model {} (score list shows them)", model_id));
  return *row;
}

Status activate(StoreDir& sd, std::int64_t model_id, const ScoringContext& ctx) {
  CONSENTRIC_ASSIGN_OR_RETURN(ScoreModelRow row, model(sd, model_id));
  if (row.stale) {
    return failed_precondition(
        fmt::format("model {} is stale ({}); retrain it with score retrain --stale", model_id,
                    row.stale_reason));
  }
  return in_transaction(
             *sd.store,
             [&]() -> Result<std::int64_t> {
               CONSENTRIC_RETURN_IF_ERROR(sd.store->activate_score_model(model_id));
               CONSENTRIC_ASSIGN_OR_RETURN(
                   AuditRecord rec,
                   audit::append(
                       *sd.store,
                       {.actor = ctx.actor,
                        .action = "score.activate",
                        .purpose = row.purpose,
                        .detail = json{{"model", model_id}, {"version", row.version}}.dump()},
                       ctx.now));
               return rec.seq;
             })
      .status();
}

Result<RunOutcome> run(StoreDir& sd, std::string_view purpose, const ScoringContext& ctx) {
  const PurposeSpec* spec = sd.config.purpose(purpose);
  if (spec == nullptr) {
    return invalid_argument(
        fmt::format("{} is not a declared purpose", quote_for_message(purpose)));
  }
  CONSENTRIC_ASSIGN_OR_RETURN(std::optional<ScoreModelRow> active,
                              active_model(*sd.store, purpose));
  if (!active) {
    return not_found(fmt::format(
        "purpose {} has no active model (score train --purpose {} makes one)", purpose, purpose));
  }
  if (active->stale) {
    // Its training set holds someone who may no longer be processed (DESIGN.md "Analytics").
    return failed_precondition(
        fmt::format("the active model of {} (id {}) is stale: {}; score retrain --stale first",
                    purpose, active->model_id, active->stale_reason));
  }
  CONSENTRIC_ASSIGN_OR_RETURN(Loaded loaded, load(*active));
  CONSENTRIC_ASSIGN_OR_RETURN(gate::PurposeView view,
                              gate::build_view(sd,
                                               {.purpose = std::string(purpose),
                                                .as_of = ctx.now,
                                                .actor = ctx.actor,
                                                .columns = loaded.features.columns()},
                                               ctx.now));
  std::vector<std::size_t> all(view.rows());
  std::iota(all.begin(), all.end(), std::size_t{0});
  CONSENTRIC_ASSIGN_OR_RETURN(std::vector<float> x, loaded.features.matrix(view, all));
  CONSENTRIC_ASSIGN_OR_RETURN(Scored s, score_rows(loaded, x, view.rows(), ctx.threads));
  std::unordered_map<std::string, SubjectId> ids;
  CONSENTRIC_RETURN_IF_ERROR(
      sd.store->scan_subjects([&](const SubjectRow& row) { ids.emplace(row.pseudonym, row.id); }));
  const std::size_t w = loaded.features.width();
  std::vector<ScoreRow> rows;
  rows.reserve(view.rows());
  for (std::size_t r = 0; r < view.rows(); ++r) {
    const auto it = ids.find(view.row_ids()[r]);
    if (it == ids.end()) {
      return internal_error(
          fmt::format("the view's subject {} is not in the store", view.row_ids()[r]));
    }
    const std::span<const double> c(s.contributions.data() + r * w, w);
    rows.push_back(
        {.subject = it->second,
         .model_id = active->model_id,
         .score = sigmoid(s.margin[r]),
         .explanation =
             explanation_json(loaded.features, view, r, c, s.bias[r], s.margin[r]).dump(),
         .scored_at = ctx.now});
  }
  RunOutcome out{.model = *active,
                 .scored = static_cast<std::int64_t>(rows.size()),
                 .review_overdue = active->review_due <= ctx.now};
  auto done = in_transaction(*sd.store, [&]() -> Result<std::int64_t> {
    CONSENTRIC_ASSIGN_OR_RETURN(AuditRecord rec,
                                audit::append(*sd.store,
                                              {.actor = ctx.actor,
                                               .action = "score.run",
                                               .purpose = std::string(purpose),
                                               .detail = json{{"model", active->model_id},
                                                              {"version", active->version},
                                                              {"scored", rows.size()}}
                                                             .dump()},
                                              ctx.now));
    CONSENTRIC_RETURN_IF_ERROR(sd.store->put_scores(active->model_id, rows));
    if (spec->automated_decision && (spec->review_above || spec->review_below)) {
      std::vector<ScoreReviewRow> queue;
      for (const ScoreRow& row : rows) {
        const bool above = spec->review_above && row.score >= *spec->review_above;
        const bool below = spec->review_below && row.score <= *spec->review_below;
        if (!above && !below) continue;
        queue.push_back({.subject = row.subject,
                         .model_id = row.model_id,
                         .score = row.score,
                         .direction = above ? "above" : "below",
                         .queued_at = ctx.now});
      }
      CONSENTRIC_ASSIGN_OR_RETURN(out.queued_for_review, sd.store->queue_score_reviews(queue));
    }
    return rec.seq;
  });
  CONSENTRIC_RETURN_IF_ERROR(done.status());
  return out;
}

Result<Explanation> parse_explanation(const ScoreRow& row) {
  const json e = json::parse(row.explanation, nullptr, false);
  if (!e.is_object() || !e.contains("top") || !e["top"].is_array()) {
    return data_loss(
        fmt::format("the explanation of a score of model {} is unreadable", row.model_id));
  }
  Explanation out;
  out.score = row.score;
  out.margin = e.value("margin", 0.0);
  out.bias = e.value("bias", 0.0);
  out.rest = e.value("rest", 0.0);
  for (const json& c : e["top"]) {
    out.top.push_back({c.value("feature", ""), c.value("value", 0.0), c.value("text", "")});
  }
  return out;
}

Result<Explanation> explain(StoreDir& sd, std::string_view purpose, std::string_view identifier) {
  CONSENTRIC_ASSIGN_OR_RETURN(std::optional<ScoreModelRow> active,
                              active_model(*sd.store, purpose));
  if (!active) return not_found(fmt::format("purpose {} has no active model", purpose));
  CONSENTRIC_ASSIGN_OR_RETURN(consent::IdentifierArg id,
                              consent::parse_identifier_arg(sd.config, identifier));
  CONSENTRIC_ASSIGN_OR_RETURN(std::optional<consent::SubjectRef> who,
                              consent::find_subject(sd, id));
  if (!who) return not_found("nobody is known by that identifier");
  CONSENTRIC_ASSIGN_OR_RETURN(std::vector<ScoreRow> scores, sd.store->subject_scores(who->id));
  for (const ScoreRow& s : scores) {
    if (s.model_id != active->model_id) continue;
    CONSENTRIC_ASSIGN_OR_RETURN(Explanation e, parse_explanation(s));
    e.model = *active;
    e.pseudonym = who->pseudonym;
    return e;
  }
  return not_found(fmt::format(
      "{} has no score from the active model of {} (not run since it was trained, or they may "
      "not be processed for it)",
      who->pseudonym, purpose));
}

Result<std::vector<ScoreReviewRow>> reviews(StoreDir& sd, std::string_view purpose,
                                            std::string_view status) {
  if (!purpose.empty() && sd.config.purpose(purpose) == nullptr) {
    return invalid_argument(
        fmt::format("{} is not a declared purpose", quote_for_message(purpose)));
  }
  if (!status.empty() && status != "open" && status != "confirmed" && status != "overridden") {
    return invalid_argument(fmt::format("status {}: expected open, confirmed or overridden",
                                        quote_for_message(status)));
  }
  return sd.store->score_reviews(purpose, status);
}

Result<ScoreReviewRow> decide_review(StoreDir& sd, std::int64_t review_id, bool confirm,
                                     std::string_view note, const ScoringContext& ctx) {
  CONSENTRIC_ASSIGN_OR_RETURN(std::optional<ScoreReviewRow> row, sd.store->score_review(review_id));
  if (!row) return not_found(fmt::format("no review {} (score review list shows them)", review_id));
  if (row->status != "open") {
    return failed_precondition(
        fmt::format("review {} was decided already ({})", review_id, row->status));
  }
  ScoreReviewRow d = *row;
  d.status = confirm ? "confirmed" : "overridden";
  d.decided_at = ctx.now;
  d.decided_by = ctx.actor;
  d.note = std::string(note);
  auto done = in_transaction(*sd.store, [&]() -> Result<std::int64_t> {
    // The note stays in the register; the chain records who decided what.
    CONSENTRIC_ASSIGN_OR_RETURN(AuditRecord rec,
                                audit::append(*sd.store,
                                              {.actor = ctx.actor,
                                               .action = "score.review",
                                               .purpose = d.purpose,
                                               .subject = d.pseudonym,
                                               .detail = json{{"review", d.review_id},
                                                              {"model", d.model_id},
                                                              {"score", d.score},
                                                              {"direction", d.direction},
                                                              {"outcome", d.status}}
                                                             .dump()},
                                              ctx.now));
    d.audit_seq = rec.seq;
    CONSENTRIC_RETURN_IF_ERROR(sd.store->decide_score_review(d));
    return rec.seq;
  });
  CONSENTRIC_RETURN_IF_ERROR(done.status());
  return d;
}

Result<std::vector<TrainOutcome>> retrain_stale(StoreDir& sd, std::string_view purpose,
                                                const LabelSource& labels,
                                                const ScoringContext& ctx) {
  CONSENTRIC_ASSIGN_OR_RETURN(std::vector<ScoreModelRow> rows, models(sd, purpose));
  std::vector<TrainOutcome> out;
  for (const ScoreModelRow& row : rows) {
    if (!row.active || !row.stale) continue;
    const json card = json::parse(row.card, nullptr, false);
    const json t = card.is_object() ? card.value("training", json::object()) : json::object();
    TrainRequest req{.purpose = row.purpose, .labels = labels, .activate = true};
    CONSENTRIC_ASSIGN_OR_RETURN(req.kind, parse_model_kind(row.kind));
    if (t.contains("features")) req.features = t["features"].get<std::vector<std::string>>();
    req.validation_share = t.value("validation_share", req.validation_share);
    req.seed = t.value("seed", req.seed);
    CONSENTRIC_ASSIGN_OR_RETURN(req.split, parse_split(t.value("split", "random")));
    req.review_days = t.value("review_days", req.review_days);
    if (req.labels.label_column.empty()) req.labels.label_column = t.value("label_column", "");
    if (req.labels.id_column.empty()) req.labels.id_column = t.value("id_column", "");
    CONSENTRIC_ASSIGN_OR_RETURN(TrainOutcome o, train(sd, req, ctx));
    o.card["retrained_from"] = row.model_id;
    out.push_back(std::move(o));
  }
  return out;
}

std::string card_markdown(const json& card, int k,
                          const std::function<std::string(std::int64_t)>& people) {
  const auto num = [&](const json& j, const char* key) {
    return j.contains(key) && j[key].is_number() ? j[key].get<double>() : 0.0;
  };
  const auto count = [&](const json& j, const char* key) {
    return people(j.contains(key) && j[key].is_number() ? j[key].get<std::int64_t>() : 0);
  };
  const json& m = card["metrics"];
  const json& s = card["subjects"];
  std::string out = fmt::format(
      "# Model card: {} v{} ({})\n\n", card.value("purpose", ""),
      card["model"].value("version", std::int64_t{0}),
      card["model"].value("kind", "") == "lr" ? "logistic regression" : "gradient-boosted trees");
  out +=
      fmt::format("- Purpose: {} — {}\n", card.value("purpose", ""), card.value("description", ""));
  out +=
      fmt::format("- Legal basis: {}{}\n", card.value("legal_basis", ""),
                  card.value("automated_decision", false) ? " (automated decision, Art. 22)" : "");
  out += fmt::format("- Data period: {} to {}\n", card["data_period"].value("from", ""),
                     card["data_period"].value("to", ""));
  out += fmt::format("- Subjects: {} labelled ({} train, {} validation) of {} in the view\n",
                     count(s, "labelled"), count(s, "train"), count(s, "validation"),
                     count(s, "in_view"));
  out += fmt::format("- Positive rate: {:.1f}%\n", 100 * num(card, "positive_rate"));
  out += fmt::format("- Validation: {}\n", card.value("split", ""));
  // One entry per view column; a one-hot column says how many categories it became.
  std::vector<std::string> columns;
  for (const json& c : card["columns"]) {
    const std::string name = c.get<std::string>();
    std::size_t categories = 0;
    for (const json& f : card["features"]) {
      if (f.get<std::string>().starts_with(name + "=")) ++categories;
    }
    columns.push_back(categories > 0 ? fmt::format("{} ({} categories)", name, categories) : name);
  }
  out += fmt::format("- Features ({} inputs from {} columns): {}\n", card["features"].size(),
                     columns.size(), fmt::join(columns, ", "));
  const auto refused = card["special_category_fields_refused"].get<std::vector<std::string>>();
  out += fmt::format(
      "- Special-category fields refused: {}\n",
      refused.empty() ? std::string("none declared") : fmt::format("{}", fmt::join(refused, ", ")));
  out += fmt::format("- Review due: {}\n\n", card.value("review_due", ""));
  out += "## Metrics (validation share)\n\n";
  out += fmt::format("| AUC | log loss | Brier | top-decile precision | top-decile lift |\n");
  out += "| --- | --- | --- | --- | --- |\n";
  out += fmt::format("| {:.4f} | {:.4f} | {:.4f} | {:.1f}% | {:.2f} |\n\n", num(m, "auc"),
                     num(m, "log_loss"), num(m, "brier"), 100 * num(m["top_decile"], "precision"),
                     num(m["top_decile"], "lift"));
  out +=
      "## Calibration\n\n| predicted | people | mean predicted | observed |\n| --- | --- | --- | "
      "--- |\n";
  for (const json& b : m["calibration"]) {
    // A bin of fewer than k people would tell their outcomes: its rates are left out too.
    const bool shown = b.value("count", std::int64_t{0}) >= k;
    out += fmt::format("| {:.1f}–{:.1f} | {} | {} | {} |\n", num(b, "lower"), num(b, "upper"),
                       count(b, "count"),
                       shown ? fmt::format("{:.3f}", num(b, "mean_predicted")) : "-",
                       shown ? fmt::format("{:.3f}", num(b, "observed_rate")) : "-");
  }
  return out;
}

}  // namespace consentric::scoring
