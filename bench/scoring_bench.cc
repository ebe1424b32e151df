// scoring_bench: lead scoring (src/score) beside scikit-learn's LogisticRegression and the
// xgboost Python package, in one run, on the same splits and the same feature matrices.
//
//   scoring_bench [--quick] [--rows N] [--seed S] [--runs R] [--data FILE --label COLUMN]
//                 [--datasets DIR] [--no-peers]
//
// 1. Real data (DIR, by default ../shared/datasets beside the checkout): the X Education leads
//    (label Converted) and UCI bank marketing (label y) files, without the columns their
//    provenance notes mark as leaking the outcome (the lists below). Categorical columns are
//    one-hot encoded ("" and the form placeholder "Select" as missing, values seen fewer than 5
//    times in training as "other"), numeric ones imputed with the training mean and
//    standardized with a scaler fitted on the training rows; a seeded random 80/20 split. Our
//    logistic regression and our boosted trees beside scikit-learn's lbfgs and xgboost: the
//    held-out AUC of each. Skipped, saying so, when DIR is absent.
// 2. A large set: `--rows` generated leads × 16 features (1,000,000 by default; 100,000 with
//    --quick), or any CSV with --data FILE --label COLUMN prepared as above. Our logistic
//    regression's training time against scikit-learn's lbfgs at equal tolerance (1e-4 on the
//    infinity norm of the gradient of the same objective, C = 1), scoring rows/s of both over
//    every row, boosted-tree training through XGBoost (hist, 100 trees, depth 6) and scoring by
//    our compiled evaluator against XGBoost's own predict (in-process, the C API's in-place
//    prediction on 2 threads) and the Python package's, and the largest prediction difference.
//
// The peers run in bench/scoring_peers.py under /usr/bin/python3 with OMP_NUM_THREADS=2
// OPENBLAS_NUM_THREADS=1; the matrices reach it as raw float32 files in a temporary folder. A
// missing interpreter or module prints "peer_<name>: skipped (<reason>)" and ours is still
// measured. Times are medians of the runs, with their spread; ratio_vs_<peer> = peer time /
// our time. Prints one "name: value unit" line per figure, then "targets: met (...)" or
// "targets: missed (...)". Exits 0 either way; 1 on bad arguments; 2 when something fails
// outright, including predictions that differ from XGBoost's by more than 1e-5.

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <optional>
#include <set>
#include <span>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "bench_util.h"
#include "core/xoshiro.h"
#include "score/boosted_trees.h"
#include "score/features.h"
#include "score/logistic.h"
#include "score/metrics.h"

#ifndef SCORING_PEERS_SCRIPT
#define SCORING_PEERS_SCRIPT "bench/scoring_peers.py"
#endif
#ifndef SCORING_DATASETS_DIR
#define SCORING_DATASETS_DIR "../shared/datasets"
#endif

namespace consentric {
namespace {

namespace fs = std::filesystem;
using bench::median;
using bench::seconds_since;
using bench::spread;
using Clock = bench::SteadyClock;
using score::MatrixRef;

constexpr std::string_view kProgram = "scoring_bench";
constexpr std::string_view kPython = "/usr/bin/python3";
constexpr int kThreads = 2;
constexpr int kGeneratedCols = 16;

// The logistic regression both sides fit: C = 1 / l2, tolerance on the gradient's infinity norm.
constexpr double kC = 1.0;
constexpr double kTolerance = 1e-4;
constexpr int kMaxIterations = 1000;

// Targets from issue 8.
constexpr double kMaxAucShortfall = 0.005;      // real data: ours >= theirs − this
constexpr double kMaxAucDiffGenerated = 0.001;  // large set, logistic regression: |ours − theirs|
constexpr double kMinTrainRatio = 5;            // vs sklearn lbfgs
constexpr double kMinRowsPerSecond = 50e6;      // our logistic regression scoring
constexpr double kMinTreeScoreRatio = 4;        // vs XGBoost's predict
constexpr double kMaxPredictionDiff = 1e-5;

struct Args {
  bool quick = false;
  std::int64_t rows = 1'000'000;
  std::uint64_t seed = 42;
  int runs = 5;
  std::string data;
  std::string label;
  std::string datasets = SCORING_DATASETS_DIR;
  bool peers = true;
};

// ---------------------------------------------------------------------------------------------

using bench::fail;
using bench::must;
using bench::progress;

class Report {
 public:
  void add(const std::string& name, double value, int decimals, std::string_view unit = "",
           const std::string& extra = "") {
    std::string text = fmt::format("{:.{}f}", value, decimals);
    if (!unit.empty()) text += fmt::format(" {}", unit);
    lines_.push_back(fmt::format("{}: {}{}", name, text, extra));
  }
  void add_g(const std::string& name, double value, std::string_view unit = "") {
    lines_.push_back(fmt::format("{}: {:.6g}{}{}", name, value, unit.empty() ? "" : " ", unit));
  }
  void add_text(const std::string& name, const std::string& text) {
    lines_.push_back(fmt::format("{}: {}", name, text));
  }
  void print() const {
    for (const std::string& l : lines_) fmt::print("{}\n", l);
    std::fflush(stdout);
  }

 private:
  std::vector<std::string> lines_;
};

// The outcome of every target: met, missed, or not measured (a peer is missing).
struct Targets {
  std::vector<std::string> met, missed, not_measured, not_judged;
  void judge(const std::string& name, bool ok) { (ok ? met : missed).push_back(name); }
};

// ---------------------------------------------------------------------------------------------
// Data: a prepared set is the float32 train and test matrices (features both sides use) and
// their labels.

struct Prepared {
  std::string name;
  std::size_t cols = 0;
  std::vector<float> train, test, train_y, test_y;
  std::size_t train_rows() const { return train_y.size(); }
  std::size_t test_rows() const { return test_y.size(); }
  MatrixRef train_ref() const { return {train.data(), train_rows(), cols}; }
  MatrixRef test_ref() const { return {test.data(), test_rows(), cols}; }
  std::size_t numeric = 0, categorical = 0;  // source columns used
  std::vector<std::string> dropped;
};

// A uniform double in [0, 1) from the top 53 bits.
double uniform01(Xoshiro256StarStar& g) { return static_cast<double>(g.next() >> 11) * 0x1p-53; }

// A seeded random permutation of [0, n) (Fisher-Yates; the modulo's bias is below n / 2^64).
std::vector<std::size_t> permutation(std::size_t n, std::uint64_t seed) {
  std::vector<std::size_t> p(n);
  std::iota(p.begin(), p.end(), std::size_t{0});
  auto g = Xoshiro256StarStar::from_seed(seed);
  for (std::size_t i = n; i > 1; --i) {
    const auto j = static_cast<std::size_t>(g.next() % i);
    std::swap(p[i - 1], p[j]);
  }
  return p;
}

// RFC 4180 records: quoted fields with "" for a quote, separators and line breaks inside quotes,
// CRLF or LF line ends. The separator is ';' when the header has more of them than commas.
std::vector<std::vector<std::string>> read_csv(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    fmt::print(stderr, "{}: {}: cannot open\n", kProgram, path);
    std::exit(1);
  }
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string text = ss.str();
  const std::string_view first_line(text.data(), std::min(text.find('\n'), text.size()));
  const char sep = std::count(first_line.begin(), first_line.end(), ';') >
                           std::count(first_line.begin(), first_line.end(), ',')
                       ? ';'
                       : ',';
  std::vector<std::vector<std::string>> records;
  std::vector<std::string> record;
  std::string field;
  bool quoted = false, any = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field += c;
      }
      continue;
    }
    if (c == '"') {
      quoted = true;
      any = true;
    } else if (c == sep) {
      record.push_back(std::move(field));
      field.clear();
      any = true;
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      if (any || !field.empty()) {
        record.push_back(std::move(field));
        records.push_back(std::move(record));
      }
      record.clear();
      field.clear();
      any = false;
    } else {
      field += c;
      any = true;
    }
  }
  if (any || !field.empty()) {
    record.push_back(std::move(field));
    records.push_back(std::move(record));
  }
  return records;
}

std::optional<double> as_number(const std::string& s) {
  if (s.empty()) return std::nullopt;
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  if (end != s.c_str() + s.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

// Reads a CSV and builds the matrices: the label column mapped to 0/1 (1, yes, true are
// positive; 0, no, false negative), `drop` left out, numeric columns (every non-empty value a
// number) imputed with the training mean and standardized, the others one-hot encoded.
Prepared prepare_csv(const std::string& name, const std::string& path, const std::string& label,
                     const std::vector<std::string>& drop, std::uint64_t seed) {
  const auto records = read_csv(path);
  if (records.size() < 3) {
    fmt::print(stderr, "{}: {}: fewer than two data rows\n", kProgram, path);
    std::exit(1);
  }
  const std::vector<std::string>& header = records[0];
  const std::size_t n = records.size() - 1;
  for (std::size_t r = 1; r < records.size(); ++r) {
    if (records[r].size() != header.size()) {
      fmt::print(stderr, "{}: {}: record {}: {} fields, the header has {}\n", kProgram, path, r + 1,
                 records[r].size(), header.size());
      std::exit(1);
    }
  }
  const auto label_it = std::find(header.begin(), header.end(), label);
  if (label_it == header.end()) {
    fmt::print(stderr, "{}: {}: no column \"{}\"\n", kProgram, path, label);
    std::exit(1);
  }
  const auto label_col = static_cast<std::size_t>(label_it - header.begin());
  std::vector<float> y(n);
  for (std::size_t r = 0; r < n; ++r) {
    std::string v = records[r + 1][label_col];
    std::transform(v.begin(), v.end(), v.begin(), [](unsigned char c) { return std::tolower(c); });
    if (v == "1" || v == "yes" || v == "true") {
      y[r] = 1;
    } else if (v == "0" || v == "no" || v == "false") {
      y[r] = 0;
    } else {
      fmt::print(stderr, "{}: {}: record {}: label \"{}\" is not 0/1, yes/no or true/false\n",
                 kProgram, path, r + 2, records[r + 1][label_col]);
      std::exit(1);
    }
  }
  const std::vector<std::size_t> order = permutation(n, seed);
  const std::size_t n_train = n * 8 / 10;
  std::vector<bool> is_train(n, false);
  for (std::size_t i = 0; i < n_train; ++i) is_train[order[i]] = true;

  Prepared p;
  p.name = name;
  struct Column {
    std::size_t source;
    bool numeric;
    double fill = 0;  // numeric: the training mean
    std::optional<score::OneHotEncoder> onehot;
  };
  std::vector<Column> columns;
  for (std::size_t c = 0; c < header.size(); ++c) {
    if (c == label_col) continue;
    if (std::find(drop.begin(), drop.end(), header[c]) != drop.end()) {
      p.dropped.push_back(header[c]);
      continue;
    }
    bool numeric = true, any = false;
    for (std::size_t r = 1; r < records.size() && numeric; ++r) {
      const std::string& v = records[r][c];
      if (v.empty()) continue;
      any = true;
      numeric = as_number(v).has_value();
    }
    Column col{c, numeric && any};
    if (col.numeric) {
      double sum = 0, count = 0;
      for (std::size_t r = 0; r < n; ++r) {
        if (!is_train[r]) continue;
        if (auto v = as_number(records[r + 1][c])) {
          sum += *v;
          count += 1;
        }
      }
      col.fill = count > 0 ? sum / count : 0;
      ++p.numeric;
    } else {
      std::vector<std::string> values;
      for (std::size_t r = 0; r < n; ++r) {
        if (is_train[r]) values.push_back(records[r + 1][c]);
      }
      col.onehot = must(score::OneHotEncoder::fit(
                            header[c], values, {.min_count = 5, .missing_values = {"", "Select"}}),
                        "one-hot");
      ++p.categorical;
    }
    columns.push_back(std::move(col));
  }
  std::size_t width = 0;
  std::vector<std::size_t> numeric_cols;
  for (const Column& col : columns) {
    if (col.numeric) numeric_cols.push_back(width);
    width += col.numeric ? 1 : col.onehot->width();
  }
  p.cols = width;
  for (std::size_t i = 0; i < n; ++i) {
    const std::size_t r = order[i];
    std::vector<float>& m = i < n_train ? p.train : p.test;
    (i < n_train ? p.train_y : p.test_y).push_back(y[r]);
    const std::size_t at = m.size();
    m.resize(at + width);
    float* out = m.data() + at;
    for (const Column& col : columns) {
      const std::string& v = records[r + 1][col.source];
      if (col.numeric) {
        *out++ = static_cast<float>(as_number(v).value_or(col.fill));
      } else {
        col.onehot->encode(v, out);
        out += col.onehot->width();
      }
    }
  }
  const auto scaler = score::StandardScaler::fit(p.train_ref(), numeric_cols);
  scaler.apply(p.train.data(), p.train_rows());
  scaler.apply(p.test.data(), p.test_rows());
  return p;
}

// Generated leads: 16 features as a CRM keeps them — engagement counts over windows
// (log1p of Poisson counts), recency, velocity, profile fit scores, binary flags — and a
// conversion drawn from a logistic model with an interaction and a threshold effect, about
// 20% positive. Deterministic for a seed. Standardized with a scaler fitted on the training
// rows; a random 80/20 split.
Prepared generated_leads(std::size_t rows, std::uint64_t seed) {
  Prepared p;
  p.name = "generated";
  p.cols = kGeneratedCols;
  p.numeric = kGeneratedCols;
  auto g = Xoshiro256StarStar::from_seed(seed);
  const auto normal = [&] {
    const double u1 = 1 - uniform01(g), u2 = uniform01(g);
    return std::sqrt(-2 * std::log(u1)) * std::cos(2 * 3.14159265358979323846 * u2);
  };
  const auto poisson = [&](double lambda) {  // Knuth's product method; lambda small
    const double limit = std::exp(-lambda);
    double prod = uniform01(g);
    int k = 0;
    while (prod > limit) {
      prod *= uniform01(g);
      ++k;
    }
    return k;
  };
  std::vector<float> all(rows * kGeneratedCols), y(rows);
  for (std::size_t r = 0; r < rows; ++r) {
    float* f = all.data() + r * kGeneratedCols;
    const double interest = normal();                                                // latent
    const double fit = normal();                                                     // latent
    f[0] = static_cast<float>(std::log1p(poisson(std::exp(0.6 * interest))));        // opens 7d
    f[1] = static_cast<float>(std::log1p(poisson(3 * std::exp(0.5 * interest))));    // opens 30d
    f[2] = static_cast<float>(std::log1p(poisson(std::exp(0.7 * interest - 0.5))));  // clicks 30d
    f[3] = static_cast<float>(std::log1p(poisson(std::exp(0.4 * interest))));        // visits 30d
    f[4] = static_cast<float>(std::log1p(poisson(0.3 * std::exp(0.8 * interest))));  // forms
    f[5] = static_cast<float>(-std::log(1 - uniform01(g)) * 20 * std::exp(-0.4 * interest));
    f[6] = static_cast<float>(f[1] - f[3] + 0.3 * normal());          // velocity
    f[7] = static_cast<float>(fit + 0.5 * normal());                  // company size fit
    f[8] = static_cast<float>(fit + 0.7 * normal());                  // industry fit
    f[9] = static_cast<float>(0.5 * fit + normal());                  // role seniority
    f[10] = uniform01(g) < 0.3 + 0.1 * std::tanh(fit) ? 1.0f : 0.0f;  // decision maker
    f[11] = uniform01(g) < 0.5 ? 1.0f : 0.0f;                         // newsletter
    f[12] = uniform01(g) < 0.1 ? 1.0f : 0.0f;                         // webinar
    f[13] = static_cast<float>(normal());                             // noise
    f[14] = static_cast<float>(std::log1p(poisson(1.0)));             // support tickets
    f[15] = static_cast<float>(uniform01(g) * 365);                   // account age
    const double z = -2.2 + 0.8 * interest + 0.6 * fit + 0.5 * f[4] - 0.02 * f[5] +
                     0.4 * f[10] * (fit > 0 ? 1.5 : 0.5) + 0.3 * f[12] + (f[2] > 1.0f ? 0.5 : 0.0) -
                     0.2 * f[14];
    y[r] = uniform01(g) < 1 / (1 + std::exp(-z)) ? 1.0f : 0.0f;
  }
  const std::vector<std::size_t> order = permutation(rows, seed ^ 0x5eed);
  const std::size_t n_train = rows * 8 / 10;
  p.train.reserve(n_train * kGeneratedCols);
  p.test.reserve((rows - n_train) * kGeneratedCols);
  for (std::size_t i = 0; i < rows; ++i) {
    const std::size_t r = order[i];
    std::vector<float>& m = i < n_train ? p.train : p.test;
    m.insert(m.end(), all.begin() + static_cast<long>(r * kGeneratedCols),
             all.begin() + static_cast<long>((r + 1) * kGeneratedCols));
    (i < n_train ? p.train_y : p.test_y).push_back(y[r]);
  }
  const auto scaler = score::StandardScaler::fit(p.train_ref());
  scaler.apply(p.train.data(), p.train_rows());
  scaler.apply(p.test.data(), p.test_rows());
  return p;
}

// ---------------------------------------------------------------------------------------------
// Ours.

struct Ours {
  score::LogisticModel lr;
  std::vector<double> lr_fit_seconds;
  double lr_auc = 0;
  std::vector<float> lr_test_proba;
  double trees_fit_seconds = 0;
  double trees_auc = 0;
  std::optional<score::TreeEnsemble> trees;
  std::optional<score::XgbBooster> booster;
};

score::BoostedTreesOptions tree_options(bool large) {
  // The configuration on the large set; on the small real sets shallower trees and a
  // smaller step, the usual choice for a few thousand rows. Both sides get the same.
  if (large) {
    return {.rounds = 100,
            .params = {{"max_depth", "6"}, {"eta", "0.3"}, {"nthread", "2"}, {"seed", "0"}}};
  }
  return {.rounds = 100,
          .params = {{"max_depth", "4"}, {"eta", "0.1"}, {"nthread", "2"}, {"seed", "0"}}};
}

score::LogisticOptions lr_options() {
  return {
      .l2 = 1 / kC, .tolerance = kTolerance, .max_iterations = kMaxIterations, .threads = kThreads};
}

Ours run_ours(const Prepared& p, bool large, int runs) {
  Ours o;
  for (int run = 0; run < runs; ++run) {
    progress(fmt::format("{}: our logistic regression ({}/{})", p.name, run + 1, runs));
    const auto start = Clock::now();
    o.lr = must(score::fit_logistic(p.train_ref(), p.train_y, {}, lr_options()), "fit_logistic");
    o.lr_fit_seconds.push_back(seconds_since(start));
  }
  o.lr_test_proba.resize(p.test_rows());
  o.lr.predict_proba(p.test_ref(), o.lr_test_proba, kThreads);
  o.lr_auc = must(score::auc(o.lr_test_proba, p.test_y), "auc");

  progress(fmt::format("{}: boosted trees through XGBoost", p.name));
  const auto start = Clock::now();
  o.booster = must(score::XgbBooster::train(p.train_ref(), p.train_y, {}, tree_options(large)),
                   "XgbBooster::train");
  o.trees_fit_seconds = seconds_since(start);
  o.trees = must(score::TreeEnsemble::from_xgboost_json(must(o.booster->save_json(), "save_json")),
                 "from_xgboost_json");
  std::vector<float> tp(p.test_rows());
  o.trees->predict(p.test_ref(), tp, kThreads);
  o.trees_auc = must(score::auc(tp, p.test_y), "auc");
  return o;
}

// ---------------------------------------------------------------------------------------------
// The peers.

bool write_floats(const fs::path& path, std::span<const float> v) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(v.data()),
            static_cast<std::streamsize>(v.size() * sizeof(float)));
  return static_cast<bool>(out);
}

std::string shell_quote(std::string_view s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

struct PeerRun {
  std::string skipped;  // non-empty: why there is nothing
  nlohmann::json json;
  bool ok() const { return skipped.empty(); }
  const nlohmann::json* get(const std::string& key) const {
    if (!json.is_object()) return nullptr;
    const auto it = json.find(key);
    return it == json.end() ? nullptr : &*it;
  }
  std::optional<double> number(const std::string& key) const {
    const nlohmann::json* v = get(key);
    if (v == nullptr || !v->is_number()) return std::nullopt;
    return v->get<double>();
  }
  std::vector<double> numbers(const std::string& key) const {
    std::vector<double> out;
    if (const nlohmann::json* v = get(key); v != nullptr && v->is_array()) {
      for (const auto& i : *v) {
        if (i.is_number()) out.push_back(i.get<double>());
      }
    }
    return out;
  }
  std::string error(const std::string& key) const {
    const nlohmann::json* v = get(key);
    return v != nullptr && v->is_string() ? v->get<std::string>() : "";
  }
};

PeerRun run_peers(const std::vector<const Prepared*>& sets, const std::vector<const Ours*>& ours,
                  const Args& args, std::size_t large_index) {
  PeerRun pr;
  const std::string script = SCORING_PEERS_SCRIPT;
  if (!args.peers) {
    pr.skipped = "--no-peers";
    return pr;
  }
  if (::access(kPython.data(), X_OK) != 0) {
    pr.skipped = fmt::format("no {}", kPython);
    return pr;
  }
  if (::access(script.c_str(), R_OK) != 0) {
    pr.skipped = fmt::format("no {}", script);
    return pr;
  }
  const fs::path dir =
      fs::temp_directory_path() / fmt::format("consentric-scoring-bench-{}", ::getpid());
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::string manifest = "{\"datasets\": [";
  bool written = true;
  for (std::size_t i = 0; i < sets.size(); ++i) {
    const Prepared& p = *sets[i];
    written = written && write_floats(dir / (p.name + ".train.f32"), p.train) &&
              write_floats(dir / (p.name + ".test.f32"), p.test) &&
              write_floats(dir / (p.name + ".train_y.f32"), p.train_y) &&
              write_floats(dir / (p.name + ".test_y.f32"), p.test_y) &&
              write_floats(dir / (p.name + ".ours_lr.f32"), ours[i]->lr_test_proba);
    const bool large = i == large_index;
    std::string params =
        "{\"objective\": \"binary:logistic\", \"tree_method\": \"hist\", "
        "\"verbosity\": 0";
    for (const auto& [k, v] : tree_options(large).params) {
      params += fmt::format(", {}: {}", nlohmann::json(k).dump(), nlohmann::json(v).dump());
    }
    params += "}";
    manifest += fmt::format(
        "{}{{\"name\": {}, \"train_rows\": {}, \"test_rows\": {}, \"cols\": {}, \"C\": {}, "
        "\"tol\": {}, \"max_iter\": {}, \"xgb_params\": {}, \"rounds\": {}, \"repeats\": {}, "
        "\"train_repeats\": 1, \"score_all\": {}}}",
        i ? ", " : "", nlohmann::json(p.name).dump(), p.train_rows(), p.test_rows(), p.cols, kC,
        kTolerance, kMaxIterations, params, tree_options(large).rounds,
        large ? (args.quick ? 1 : 3) : 1, large ? "true" : "false");
  }
  manifest += "]}";
  {
    std::ofstream m(dir / "manifest.json");
    m << manifest;
    written = written && static_cast<bool>(m);
  }
  if (!written) {
    fs::remove_all(dir);
    pr.skipped = fmt::format("cannot write the data to {}", dir.string());
    return pr;
  }
  const std::string command =
      fmt::format("OMP_NUM_THREADS={} OPENBLAS_NUM_THREADS=1 {} {} {}", kThreads, kPython,
                  shell_quote(script), shell_quote(dir.string()));
  std::string output;
  int status = -1;
  if (FILE* pipe = ::popen(command.c_str(), "r")) {
    char buf[4096];
    std::size_t n = 0;
    while ((n = std::fread(buf, 1, sizeof buf, pipe)) > 0) output.append(buf, n);
    status = ::pclose(pipe);
  }
  fs::remove_all(dir);
  if (status != 0) {
    pr.skipped = WIFEXITED(status)
                     ? fmt::format("scoring_peers.py exited with {}", WEXITSTATUS(status))
                     : std::string("scoring_peers.py did not run");
    return pr;
  }
  const std::size_t brace = output.rfind("\n{");
  const std::string_view line = brace == std::string::npos
                                    ? std::string_view(output)
                                    : std::string_view(output).substr(brace + 1);
  pr.json = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (pr.json.is_discarded() || !pr.json.is_object()) {
    pr.json = nullptr;
    pr.skipped = "scoring_peers.py printed no JSON line";
  }
  return pr;
}

// ---------------------------------------------------------------------------------------------

std::vector<double> per_second(double rows, const std::vector<double>& seconds) {
  std::vector<double> out;
  for (double s : seconds) out.push_back(rows / s / 1e6);
  return out;
}

std::vector<double> in_ms(const std::vector<double>& seconds) {
  std::vector<double> out;
  for (double s : seconds) out.push_back(s * 1e3);
  return out;
}

// The AUC figures of one set, ours and the peers', judged against the peers.
void report_aucs(const Prepared& p, const Ours& o, const PeerRun& peers, double max_shortfall,
                 bool two_sided_lr, Report* report, Targets* targets) {
  const std::string& n = p.name;
  report->add(n + "_ours_lr_auc", o.lr_auc, 4);
  report->add(n + "_ours_trees_auc", o.trees_auc, 4);
  if (!peers.ok()) {
    targets->not_measured.push_back(n + "_auc_vs_peers");
    return;
  }
  if (auto a = peers.number(n + "_ours_lr_auc_sklearn")) {
    report->add_g(n + "_ours_lr_auc_diff_vs_roc_auc_score", std::abs(*a - o.lr_auc));
  }
  if (auto a = peers.number(n + "_sklearn_lr_auc")) {
    report->add(n + "_sklearn_lr_auc", *a, 4);
    const double d = o.lr_auc - *a;
    report->add(n + "_lr_auc_diff", d, 4);
    targets->judge(n + "_lr_auc",
                   two_sided_lr ? std::abs(d) <= max_shortfall : d >= -max_shortfall);
  } else {
    report->add_text("peer_" + n + "_sklearn_lr",
                     fmt::format("skipped ({})", peers.error(n + "_sklearn_lr_error")));
    targets->not_measured.push_back(n + "_lr_auc");
  }
  if (auto a = peers.number(n + "_sklearn_nc_auc"))
    report->add(n + "_sklearn_newton_cholesky_auc", *a, 4);
  if (auto a = peers.number(n + "_xgboost_auc")) {
    report->add(n + "_xgboost_auc", *a, 4);
    const double d = o.trees_auc - *a;
    report->add(n + "_trees_auc_diff", d, 4);
    targets->judge(n + "_trees_auc", d >= -kMaxAucShortfall);
  } else {
    report->add_text("peer_" + n + "_xgboost",
                     fmt::format("skipped ({})", peers.error(n + "_xgboost_error")));
    targets->not_measured.push_back(n + "_trees_auc");
  }
}

int run(const Args& args) {
  Report report;
  Targets targets;
  bool mismatch = false;
  const int runs = args.runs;

  // --- The data ------------------------------------------------------------------------------
  std::vector<Prepared> sets;
  std::string real_skipped;
  const fs::path ds(args.datasets);
  const fs::path leads = ds / "x_education_leads.csv", bank = ds / "uci_bank_marketing.csv";
  if (fs::exists(leads) && fs::exists(bank)) {
    progress("reading the real data sets");
    // PROVENANCE.md: Tags, Lead Quality and Last Notable Activity are filled in after the sales
    // team contacted the lead. Last Activity holds the same stream of events before the
    // "notable" filter (its values include "Had a Phone Conversation", "SMS Sent", "Approached
    // upfront": the sales team's own actions), so it leaks the same way. Prospect ID and Lead
    // Number are identifiers.
    sets.push_back(prepare_csv("x_education", leads.string(), "Converted",
                               {"Prospect ID", "Lead Number", "Tags", "Lead Quality",
                                "Last Notable Activity", "Last Activity"},
                               args.seed));
    // PROVENANCE.md and UCI: duration is known only after the call, when y is known too.
    sets.push_back(prepare_csv("bank", bank.string(), "y", {"duration"}, args.seed));
  } else {
    real_skipped = fmt::format("skipped ({} or {} not found)", leads.string(), bank.string());
  }
  progress(args.data.empty() ? "generating leads" : "reading --data");
  sets.push_back(args.data.empty() ? generated_leads(static_cast<std::size_t>(args.rows), args.seed)
                                   : prepare_csv("data", args.data, args.label, {}, args.seed));
  const std::size_t large_index = sets.size() - 1;
  const Prepared& big = sets[large_index];

  // --- Ours ------------------------------------------------------------------------------------
  std::vector<Ours> ours;
  for (std::size_t i = 0; i < sets.size(); ++i) {
    ours.push_back(run_ours(sets[i], i == large_index, i == large_index ? runs : 1));
  }
  const Ours& ob = ours[large_index];

  // Scoring over every row of the large set (train and test together), as the peers do.
  std::vector<float> all = big.train;
  all.insert(all.end(), big.test.begin(), big.test.end());
  const MatrixRef xall{all.data(), big.train_rows() + big.test_rows(), big.cols};
  const auto n_all = static_cast<double>(xall.rows);
  std::vector<float> out(xall.rows), theirs_out;
  const auto time_runs = [&](std::string_view what, int count, auto&& fn) {
    std::vector<double> s;
    fn();  // warm-up: page faults, thread start
    for (int run = 0; run < count; ++run) {
      progress(fmt::format("{} ({}/{})", what, run + 1, count));
      const auto start = Clock::now();
      fn();
      s.push_back(seconds_since(start));
    }
    return s;
  };
  const auto lr_score_1 =
      time_runs("our LR scoring, 1 thread", runs, [&] { ob.lr.predict_proba(xall, out, 1); });
  const auto lr_score_2 = time_runs("our LR scoring, 2 threads", runs,
                                    [&] { ob.lr.predict_proba(xall, out, kThreads); });
  const auto tree_score =
      time_runs("our tree evaluator", runs, [&] { ob.trees->predict(xall, out, kThreads); });
  std::vector<float> ours_proba = out;
  std::vector<float> ours_margin(xall.rows);
  ob.trees->predict_margin(xall, ours_margin, kThreads);
  const auto xgb_score = time_runs("XGBoost's predict", args.quick ? 1 : 3, [&] {
    theirs_out = must(ob.booster->predict(xall, false), "XGBoost predict");
  });
  const std::vector<float> theirs_margin = must(ob.booster->predict(xall, true), "XGBoost margins");
  double max_diff = 0, max_margin_diff = 0;
  for (std::size_t i = 0; i < xall.rows; ++i) {
    max_diff = std::max(max_diff, static_cast<double>(std::abs(ours_proba[i] - theirs_out[i])));
    max_margin_diff =
        std::max(max_margin_diff, static_cast<double>(std::abs(ours_margin[i] - theirs_margin[i])));
  }

  // --- The peers -------------------------------------------------------------------------------
  progress("peers (scoring_peers.py)");
  std::vector<const Prepared*> set_ptrs;
  std::vector<const Ours*> our_ptrs;
  for (std::size_t i = 0; i < sets.size(); ++i) {
    set_ptrs.push_back(&sets[i]);
    our_ptrs.push_back(&ours[i]);
  }
  const PeerRun peers = run_peers(set_ptrs, our_ptrs, args, large_index);
  progress("");

  // --- Report ----------------------------------------------------------------------------------
  report.add_text("threads", fmt::format("{}", kThreads));
  report.add_text("avx2_scoring", score::detail::avx2_scoring_active() ? "yes" : "no");
  if (!peers.ok()) {
    report.add_text("peer_sklearn", fmt::format("skipped ({})", peers.skipped));
    report.add_text("peer_xgboost", fmt::format("skipped ({})", peers.skipped));
  } else {
    for (const char* m : {"sklearn", "xgboost"}) {
      if (const std::string e = peers.error(std::string(m) + "_error"); !e.empty()) {
        report.add_text(fmt::format("peer_{}", m), fmt::format("skipped ({})", e));
      } else if (const auto* v = peers.get(m); v != nullptr) {
        report.add_text(fmt::format("peer_{}_version", m),
                        v->is_string() ? v->get<std::string>() : v->dump());
      }
    }
  }
  if (!real_skipped.empty()) {
    report.add_text("real_data", real_skipped);
    targets.not_measured.push_back("real_data_aucs");
  }
  for (std::size_t i = 0; i < sets.size(); ++i) {
    const Prepared& p = sets[i];
    report.add_text(p.name + "_rows",
                    fmt::format("{} train, {} test", p.train_rows(), p.test_rows()));
    report.add_text(p.name + "_features",
                    fmt::format("{} ({} numeric, {} categorical columns one-hot)", p.cols,
                                p.numeric, p.categorical));
    if (!p.dropped.empty()) {
      report.add_text(p.name + "_dropped", fmt::format("{}", fmt::join(p.dropped, ", ")));
    }
    const bool large = i == large_index;
    report_aucs(p, ours[i], peers, large ? kMaxAucDiffGenerated : kMaxAucShortfall,
                large && args.data.empty(), &report, &targets);
  }

  // Logistic regression training on the large set.
  const std::string n = big.name;
  const double our_fit = median(ob.lr_fit_seconds);
  report.add(n + "_ours_lr_train_ms", our_fit * 1e3, 1, "ms", spread(in_ms(ob.lr_fit_seconds), 1));
  report.add(n + "_ours_lr_newton_iterations", ob.lr.iterations, 0);
  report.add(n + "_ours_lr_passes", ob.lr.passes, 0);
  report.add(n + "_ours_lr_warm_start_passes_over_a_tenth", ob.lr.warm_start_passes, 0);
  report.add_g(n + "_ours_lr_gradient_norm", ob.lr.gradient_norm);
  report.add_text(n + "_ours_lr_converged", ob.lr.converged ? "yes" : "no");
  const std::vector<double> sk_fit =
      peers.ok() ? peers.numbers(n + "_sklearn_lr_fit_seconds") : std::vector<double>{};
  if (!sk_fit.empty()) {
    report.add(n + "_sklearn_lr_train_ms", median(sk_fit) * 1e3, 1, "ms", spread(in_ms(sk_fit), 1));
    if (auto it = peers.number(n + "_sklearn_lr_iterations")) {
      report.add(n + "_sklearn_lr_iterations", *it, 0);
    }
    const std::vector<double> nc = peers.numbers(n + "_sklearn_nc_fit_seconds");
    if (!nc.empty()) {
      report.add(n + "_sklearn_newton_cholesky_train_ms", median(nc) * 1e3, 1, "ms",
                 spread(in_ms(nc), 1));
      report.add("ratio_vs_sklearn_newton_cholesky_train", median(nc) / our_fit, 2);
    }
    const double ratio = median(sk_fit) / our_fit;
    report.add("ratio_vs_sklearn_lr_train", ratio, 2);
    if (args.quick) {
      targets.not_judged.push_back("ratio_vs_sklearn_lr_train");
    } else {
      targets.judge("ratio_vs_sklearn_lr_train", ratio >= kMinTrainRatio);
    }
  } else {
    targets.not_measured.push_back("ratio_vs_sklearn_lr_train");
  }

  // Logistic regression scoring.
  const double rps1 = n_all / median(lr_score_1), rps2 = n_all / median(lr_score_2);
  report.add(n + "_ours_lr_score_rows_per_s_1_thread", rps1 / 1e6, 1, "M rows/s",
             spread(per_second(n_all, lr_score_1), 1));
  report.add(n + "_ours_lr_score_rows_per_s", rps2 / 1e6, 1, "M rows/s",
             spread(per_second(n_all, lr_score_2), 1));
  if (args.quick) {
    targets.not_judged.push_back("lr_score_rows_per_s");
  } else {
    targets.judge("lr_score_rows_per_s", rps2 >= kMinRowsPerSecond);
  }
  const std::vector<double> sk_score =
      peers.ok() ? peers.numbers(n + "_sklearn_lr_score_seconds") : std::vector<double>{};
  if (!sk_score.empty()) {
    report.add(n + "_sklearn_lr_score_rows_per_s", n_all / median(sk_score) / 1e6, 1, "M rows/s",
               spread(per_second(n_all, sk_score), 1));
    report.add("ratio_vs_sklearn_lr_score", median(sk_score) / median(lr_score_2), 2);
    report.add("ratio_vs_sklearn_lr_score_1_thread", median(sk_score) / median(lr_score_1), 2);
  }

  // Boosted trees.
  report.add(n + "_ours_trees_train_s", ob.trees_fit_seconds, 2, "s");
  report.add(n + "_trees", static_cast<double>(ob.trees->trees()), 0);
  report.add(n + "_trees_max_depth", ob.trees->max_depth(), 0);
  report.add_text(n + "_trees_evaluator", ob.trees->simd_active() ? "avx512" : "scalar");
  if (peers.ok()) {
    const std::vector<double> x = peers.numbers(n + "_xgboost_fit_seconds");
    if (!x.empty()) {
      report.add(n + "_xgboost_python_train_s", median(x), 2, "s");
      report.add("ratio_vs_xgboost_python_train", median(x) / ob.trees_fit_seconds, 2);
    }
  }
  report.add(n + "_ours_trees_score_rows_per_s", n_all / median(tree_score) / 1e6, 2, "M rows/s",
             spread(per_second(n_all, tree_score), 2));
  report.add(n + "_xgboost_score_rows_per_s", n_all / median(xgb_score) / 1e6, 2, "M rows/s",
             spread(per_second(n_all, xgb_score), 2));
  const double tree_ratio = median(xgb_score) / median(tree_score);
  report.add("ratio_vs_xgboost_score", tree_ratio, 2);
  if (args.quick) {
    targets.not_judged.push_back("ratio_vs_xgboost_score");
  } else {
    targets.judge("ratio_vs_xgboost_score", tree_ratio >= kMinTreeScoreRatio);
  }
  if (peers.ok()) {
    const std::vector<double> x = peers.numbers(n + "_xgboost_score_seconds");
    if (!x.empty()) {
      report.add(n + "_xgboost_python_score_rows_per_s", n_all / median(x) / 1e6, 2, "M rows/s",
                 spread(per_second(n_all, x), 2));
      report.add("ratio_vs_xgboost_python_score", median(x) / median(tree_score), 2);
    }
  }
  report.add_g("trees_max_abs_prediction_diff", max_diff);
  report.add_g("trees_max_abs_margin_diff", max_margin_diff);
  targets.judge("trees_max_abs_prediction_diff", max_diff <= kMaxPredictionDiff);
  if (max_diff > kMaxPredictionDiff) mismatch = true;

  if (!targets.not_judged.empty()) {
    report.add_text("targets_not_judged_at_quick_size",
                    fmt::format("{}", fmt::join(targets.not_judged, " ")));
  }
  if (!targets.not_measured.empty()) {
    report.add_text("targets_not_measured",
                    fmt::format("{}", fmt::join(targets.not_measured, " ")));
  }
  report.add_text("targets",
                  targets.missed.empty()
                      ? fmt::format("met ({} of {})", targets.met.size(), targets.met.size())
                      : fmt::format("missed ({})", fmt::join(targets.missed, " ")));
  report.print();
  return mismatch ? 2 : 0;
}

}  // namespace
}  // namespace consentric

int main(int argc, char** argv) {
  using consentric::kProgram;
  consentric::bench::program_name() = kProgram;
  consentric::Args args;
  bool rows_given = false, runs_given = false;
  const auto usage = [] {
    fmt::print(stderr,
               "usage: scoring_bench [--quick] [--rows N] [--seed S] [--runs R] "
               "[--data FILE --label COLUMN] [--datasets DIR] [--no-peers]\n");
    return 1;
  };
  const auto number = [&](int* i) {
    return consentric::bench::option_number(kProgram, argc, argv, i);
  };
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    if (a == "--quick") {
      args.quick = true;
    } else if (a == "--rows") {
      args.rows = number(&i);
      rows_given = true;
    } else if (a == "--seed") {
      args.seed = static_cast<std::uint64_t>(number(&i));
    } else if (a == "--runs") {
      args.runs = static_cast<int>(number(&i));
      runs_given = true;
    } else if (a == "--data") {
      args.data = consentric::bench::option_value(kProgram, argc, argv, &i);
    } else if (a == "--label") {
      args.label = consentric::bench::option_value(kProgram, argc, argv, &i);
    } else if (a == "--datasets") {
      args.datasets = consentric::bench::option_value(kProgram, argc, argv, &i);
    } else if (a == "--no-peers") {
      args.peers = false;
    } else {
      return usage();
    }
  }
  if (args.quick) {
    if (!rows_given) args.rows = 100'000;
    if (!runs_given) args.runs = 3;
  }
  if (args.data.empty() != args.label.empty()) {
    fmt::print(stderr, "{}: --data and --label go together\n", kProgram);
    return 1;
  }
  if (args.rows < 100 || args.runs < 1) {
    fmt::print(stderr, "{}: --rows must be at least 100 and --runs positive\n", kProgram);
    return 1;
  }
  return consentric::run(args);
}
