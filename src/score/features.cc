#include "score/features.h"

#include <algorithm>
#include <cmath>
#include <map>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace consentric::score {

StandardScaler StandardScaler::fit(MatrixRef x, std::span<const std::size_t> columns) {
  StandardScaler s;
  s.mean.assign(x.cols, 0.0);
  s.scale.assign(x.cols, 1.0);
  std::vector<bool> chosen(x.cols, columns.empty());
  for (std::size_t c : columns) {
    if (c < x.cols) chosen[c] = true;
  }
  // Two passes in double per column (mean, then squared deviations): exact enough for any
  // feature a model sees, and clear.
  std::vector<double> sum(x.cols, 0.0), sq(x.cols, 0.0);
  std::vector<std::size_t> count(x.cols, 0);
  for (std::size_t r = 0; r < x.rows; ++r) {
    const float* row = x.row(r);
    for (std::size_t c = 0; c < x.cols; ++c) {
      if (!std::isnan(row[c])) {
        sum[c] += row[c];
        ++count[c];
      }
    }
  }
  for (std::size_t c = 0; c < x.cols; ++c) {
    if (count[c] > 0) sum[c] /= static_cast<double>(count[c]);
  }
  for (std::size_t r = 0; r < x.rows; ++r) {
    const float* row = x.row(r);
    for (std::size_t c = 0; c < x.cols; ++c) {
      if (!std::isnan(row[c])) {
        const double d = row[c] - sum[c];
        sq[c] += d * d;
      }
    }
  }
  for (std::size_t c = 0; c < x.cols; ++c) {
    if (!chosen[c] || count[c] == 0) continue;
    const double sd = std::sqrt(sq[c] / static_cast<double>(count[c]));
    if (!std::isfinite(sd) || !std::isfinite(sum[c])) continue;
    s.mean[c] = sum[c];
    s.scale[c] = sd > 0 ? sd : 1.0;
  }
  return s;
}

void StandardScaler::apply(float* data, std::size_t rows) const {
  const std::size_t cols = mean.size();
  for (std::size_t r = 0; r < rows; ++r) {
    float* row = data + r * cols;
    for (std::size_t c = 0; c < cols; ++c) {
      row[c] = static_cast<float>((row[c] - mean[c]) / scale[c]);
    }
  }
}

void StandardScaler::unapply(float* data, std::size_t rows) const {
  const std::size_t cols = mean.size();
  for (std::size_t r = 0; r < rows; ++r) {
    float* row = data + r * cols;
    for (std::size_t c = 0; c < cols; ++c) {
      row[c] = static_cast<float>(row[c] * scale[c] + mean[c]);
    }
  }
}

std::string StandardScaler::to_json() const {
  // nlohmann writes each double in its shortest round-trip form.
  return nlohmann::json{{"mean", mean}, {"scale", scale}}.dump();
}

Result<StandardScaler> StandardScaler::from_json(std::string_view text) {
  using nlohmann::json;
  json doc;
  try {
    doc = json::parse(text);
  } catch (const json::parse_error& e) {
    return invalid_argument(fmt::format("scaler: not JSON at byte {}: {}", e.byte, e.what()));
  }
  const auto m = doc.is_object() ? doc.find("mean") : doc.end();
  const auto s = doc.is_object() ? doc.find("scale") : doc.end();
  if (m == doc.end() || s == doc.end() || !m->is_array() || !s->is_array()) {
    return invalid_argument("scaler: expected an object with arrays \"mean\" and \"scale\"");
  }
  if (m->size() != s->size()) {
    return invalid_argument(fmt::format("scaler: {} means but {} scales", m->size(), s->size()));
  }
  StandardScaler out;
  for (std::size_t i = 0; i < m->size(); ++i) {
    const json& mi = (*m)[i];
    const json& si = (*s)[i];
    if (!mi.is_number() || !si.is_number()) {
      return invalid_argument(fmt::format("scaler: column {}: expected numbers", i));
    }
    const double sc = si.get<double>();
    if (!(sc > 0) || !std::isfinite(sc) || !std::isfinite(mi.get<double>())) {
      return invalid_argument(
          fmt::format("scaler: column {}: scale {} must be finite and positive", i, si.dump()));
    }
    out.mean.push_back(mi.get<double>());
    out.scale.push_back(sc);
  }
  return out;
}

Result<OneHotEncoder> OneHotEncoder::fit(std::string_view field,
                                         std::span<const std::string> values,
                                         const OneHotOptions& options) {
  if (values.empty()) {
    return invalid_argument(fmt::format("one-hot \"{}\": no values to fit on", field));
  }
  OneHotEncoder e;
  e.field_ = std::string(field);
  e.missing_values_ = options.missing_values;
  const auto is_missing = [&](const std::string& v) {
    return std::find(e.missing_values_.begin(), e.missing_values_.end(), v) !=
           e.missing_values_.end();
  };
  std::map<std::string, std::size_t, std::less<>> counts;
  std::size_t missing = 0;
  for (const std::string& v : values) {
    if (is_missing(v)) {
      ++missing;
    } else {
      ++counts[v];
    }
  }
  std::vector<std::pair<std::string, std::size_t>> frequent;
  bool rare = false;
  for (const auto& [v, n] : counts) {
    if (n >= options.min_count) {
      frequent.emplace_back(v, n);
    } else {
      rare = true;
    }
  }
  std::stable_sort(frequent.begin(), frequent.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  for (auto& [v, n] : frequent) e.categories_.push_back(std::move(v));
  e.missing_column_ = e.other_column_ = std::string::npos;
  if (missing > 0) {
    e.missing_column_ = e.categories_.size();
    e.categories_.emplace_back(kMissing);
  }
  if (rare) {
    e.other_column_ = e.categories_.size();
    e.categories_.emplace_back(kOther);
  }
  if (e.missing_column_ == std::string::npos) e.missing_column_ = e.categories_.size();
  if (e.other_column_ == std::string::npos) e.other_column_ = e.categories_.size();
  return e;
}

Result<OneHotEncoder> OneHotEncoder::restore(std::string_view field,
                                             std::vector<std::string> categories,
                                             std::vector<std::string> missing_values) {
  if (categories.empty()) {
    return invalid_argument(fmt::format("one-hot \"{}\": no categories", field));
  }
  std::vector<std::string> sorted = categories;
  std::sort(sorted.begin(), sorted.end());
  if (const auto d = std::adjacent_find(sorted.begin(), sorted.end()); d != sorted.end()) {
    return invalid_argument(fmt::format("one-hot \"{}\": category \"{}\" repeated", field, *d));
  }
  OneHotEncoder e;
  e.field_ = std::string(field);
  e.categories_ = std::move(categories);
  e.missing_values_ = std::move(missing_values);
  e.missing_column_ = e.other_column_ = e.categories_.size();
  for (std::size_t i = 0; i < e.categories_.size(); ++i) {
    if (e.categories_[i] == kMissing) e.missing_column_ = i;
    if (e.categories_[i] == kOther) e.other_column_ = i;
  }
  return e;
}

std::vector<std::string> OneHotEncoder::column_names() const {
  std::vector<std::string> out;
  out.reserve(categories_.size());
  for (const std::string& c : categories_) out.push_back(fmt::format("{}={}", field_, c));
  return out;
}

std::size_t OneHotEncoder::column_of(std::string_view value) const {
  if (std::find(missing_values_.begin(), missing_values_.end(), value) != missing_values_.end()) {
    return missing_column_;
  }
  // The categories proper come before "(missing)" and "(other)".
  const std::size_t proper = std::min(missing_column_, other_column_);
  for (std::size_t i = 0; i < proper; ++i) {
    if (categories_[i] == value) return i;
  }
  return other_column_;
}

void OneHotEncoder::encode(std::string_view value, float* out) const {
  std::fill(out, out + width(), 0.0f);
  const std::size_t c = column_of(value);
  if (c < width()) out[c] = 1.0f;
}

}  // namespace consentric::score
