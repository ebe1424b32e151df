#include "score/lead_features.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace consentric::score {
namespace {

using nlohmann::json;

Status special_category_error(std::string_view field) {
  // GDPR Art. 9(1); DESIGN.md invariant 2.
  return invalid_argument(
      fmt::format("field \"{}\" is a special category of personal data (GDPR Art. 9) and can "
                  "never be a lead-scoring feature; leave it out of the feature list",
                  field));
}

std::string view_columns(const gate::PurposeView& view) {
  std::vector<std::string> names;
  for (const gate::Column& c : view.columns()) names.push_back(c.name);
  return fmt::format("{}", fmt::join(names, ", "));
}

// A number as people write it: integers without a fraction, others to one decimal (three
// significant digits when smaller than 1).
std::string plain_number(double v) {
  if (std::isfinite(v) && v == std::round(v) && std::fabs(v) < 1e15) {
    return fmt::format("{}", static_cast<long long>(v));
  }
  return std::fabs(v) < 1 ? fmt::format("{:.3g}", v) : fmt::format("{:.1f}", v);
}

}  // namespace

Result<LeadFeatures> LeadFeatures::fit(const gate::PurposeView& view,
                                       const LeadFeatureRequest& request,
                                       std::span<const std::size_t> rows) {
  const auto special = [&](std::string_view name) {
    return std::find(request.special_category_fields.begin(), request.special_category_fields.end(),
                     name) != request.special_category_fields.end();
  };
  std::vector<std::string> wanted = request.columns;
  if (wanted.empty()) {
    for (const gate::Column& c : view.columns()) wanted.push_back(c.name);
  }
  if (wanted.empty()) {
    return invalid_argument(
        fmt::format("purpose \"{}\": the view has no columns to score on", view.purpose()));
  }
  if (rows.empty()) return invalid_argument("lead features: no training rows to fit on");
  std::vector<Binding> bindings;
  for (const std::string& name : wanted) {
    // Refused before anything else, so the error names the field even when the gate kept it
    // out of the view.
    if (special(name)) return special_category_error(name);
    if (std::any_of(bindings.begin(), bindings.end(),
                    [&](const Binding& b) { return b.column == name; })) {
      return invalid_argument(fmt::format("feature \"{}\" is listed twice", name));
    }
    const gate::Column* col = view.column(name);
    if (col == nullptr) {
      return invalid_argument(
          fmt::format("feature \"{}\": not a column of the view for purpose \"{}\" (it has: {})",
                      name, view.purpose(), view_columns(view)));
    }
    Binding b;
    b.column = name;
    if (col->kind == gate::ColumnKind::kNumber) {
      double sum = 0;
      std::size_t n = 0;
      for (std::size_t r : rows) {
        const double v = col->numbers[r];
        if (std::isfinite(v)) {
          sum += v;
          ++n;
        }
      }
      b.fill = n > 0 ? sum / static_cast<double>(n) : 0.0;
    } else {
      b.category = true;
      std::vector<std::string> values;
      values.reserve(rows.size());
      for (std::size_t r : rows) {
        const std::int32_t code = col->codes[r];
        values.push_back(code < 0 ? std::string()
                                  : col->dictionary[static_cast<std::size_t>(code)]);
      }
      CONSENTRIC_ASSIGN_OR_RETURN(
          b.encoder, OneHotEncoder::fit(name, values, {.min_count = request.min_category_count}));
    }
    bindings.push_back(std::move(b));
  }
  return assemble(std::move(bindings));
}

Result<LeadFeatures> LeadFeatures::assemble(std::vector<Binding> bindings) {
  LeadFeatures f;
  for (std::size_t i = 0; i < bindings.size(); ++i) {
    Binding& b = bindings[i];
    b.first = f.names_.size();
    if (b.category) {
      for (std::string& n : b.encoder.column_names()) f.names_.push_back(std::move(n));
    } else {
      f.names_.push_back(b.column);
    }
    f.binding_of_.resize(f.names_.size(), i);
  }
  f.bindings_ = std::move(bindings);
  return f;
}

std::vector<std::string> LeadFeatures::columns() const {
  std::vector<std::string> out;
  for (const Binding& b : bindings_) out.push_back(b.column);
  return out;
}

std::vector<std::size_t> LeadFeatures::numeric_inputs() const {
  std::vector<std::size_t> out;
  for (const Binding& b : bindings_) {
    if (!b.category) out.push_back(b.first);
  }
  return out;
}

Result<std::vector<float>> LeadFeatures::matrix(const gate::PurposeView& view,
                                                std::span<const std::size_t> rows) const {
  const std::size_t w = width();
  std::vector<float> x(rows.size() * w, 0.0f);
  for (const Binding& b : bindings_) {
    const gate::Column* col = view.column(b.column);
    if (col == nullptr) {
      return invalid_argument(fmt::format(
          "feature \"{}\": the model needs it, but the view for purpose \"{}\" has no such "
          "column (it has: {})",
          b.column, view.purpose(), view_columns(view)));
    }
    const bool is_category = col->kind == gate::ColumnKind::kCategory;
    if (is_category != b.category) {
      return invalid_argument(fmt::format("feature \"{}\": the model expects {}, the view holds {}",
                                          b.column, b.category ? "a category" : "a number",
                                          is_category ? "a category" : "a number"));
    }
    for (std::size_t i = 0; i < rows.size(); ++i) {
      const std::size_t r = rows[i];
      float* out = x.data() + i * w + b.first;
      if (b.category) {
        const std::int32_t code = col->codes[r];
        b.encoder.encode(code < 0
                             ? std::string_view()
                             : std::string_view(col->dictionary[static_cast<std::size_t>(code)]),
                         out);
      } else {
        const double v = col->numbers[r];
        *out = static_cast<float>(std::isfinite(v) ? v : b.fill);
      }
    }
  }
  return x;
}

std::vector<LeadFeatures::Contribution> LeadFeatures::top_contributions(
    const gate::PurposeView& view, std::size_t row, std::span<const double> contributions,
    std::size_t top) const {
  std::vector<std::size_t> order(std::min(contributions.size(), width()));
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return std::fabs(contributions[a]) > std::fabs(contributions[b]);
  });
  order.resize(std::min(order.size(), top));
  std::vector<Contribution> out;
  for (std::size_t j : order) {
    const Binding& b = bindings_[binding_of_[j]];
    const gate::Column* col = view.column(b.column);
    const double c = contributions[j];
    std::string what;
    if (b.category) {
      const std::string& category = b.encoder.categories()[j - b.first];
      std::string value;
      if (col != nullptr && col->codes[row] >= 0) {
        value = col->dictionary[static_cast<std::size_t>(col->codes[row])];
      }
      const bool on = b.encoder.column_of(value) == j - b.first;
      what = fmt::format("{} {} {}", b.column, on ? "=" : "is not", category);
    } else {
      const double v = col != nullptr ? col->numbers[row] : NAN;
      what = std::isfinite(v)
                 ? fmt::format("{} {}", b.column, plain_number(v))
                 : fmt::format("{} missing (taken as {})", b.column, plain_number(b.fill));
    }
    out.push_back({j, c, fmt::format("{}: {:+.2f}", what, c)});
  }
  return out;
}

std::string LeadFeatures::to_json() const {
  json cols = json::array();
  for (const Binding& b : bindings_) {
    if (b.category) {
      cols.push_back({{"column", b.column},
                      {"kind", "category"},
                      {"categories", b.encoder.categories()},
                      {"missing_values", b.encoder.missing_values()}});
    } else {
      cols.push_back({{"column", b.column}, {"kind", "number"}, {"fill", b.fill}});
    }
  }
  return json{{"columns", cols}}.dump();
}

Result<LeadFeatures> LeadFeatures::from_json(std::string_view text) {
  json doc;
  try {
    doc = json::parse(text);
  } catch (const json::parse_error& e) {
    return invalid_argument(
        fmt::format("lead features: not JSON at byte {}: {}", e.byte, e.what()));
  }
  const auto cols = doc.is_object() ? doc.find("columns") : doc.end();
  if (cols == doc.end() || !cols->is_array() || cols->empty()) {
    return invalid_argument("lead features: expected an object with a non-empty \"columns\" array");
  }
  std::vector<Binding> bindings;
  for (std::size_t i = 0; i < cols->size(); ++i) {
    const json& c = (*cols)[i];
    const auto bad = [i](std::string_view what) {
      return invalid_argument(fmt::format("lead features: columns[{}]: {}", i, what));
    };
    if (!c.is_object() || !c.contains("column") || !c["column"].is_string() ||
        !c.contains("kind") || !c["kind"].is_string()) {
      return bad("expected an object with strings \"column\" and \"kind\"");
    }
    Binding b;
    b.column = c["column"].get<std::string>();
    const std::string kind = c["kind"].get<std::string>();
    if (kind == "number") {
      if (!c.contains("fill") || !c["fill"].is_number()) return bad("expected a number \"fill\"");
      b.fill = c["fill"].get<double>();
    } else if (kind == "category") {
      b.category = true;
      std::vector<std::string> categories, missing;
      for (const char* key : {"categories", "missing_values"}) {
        if (!c.contains(key) || !c[key].is_array()) {
          return bad(fmt::format("expected an array \"{}\"", key));
        }
        for (const json& v : c[key]) {
          if (!v.is_string()) return bad(fmt::format("\"{}\" holds a non-string", key));
          (std::string_view(key) == "categories" ? categories : missing)
              .push_back(v.get<std::string>());
        }
      }
      CONSENTRIC_ASSIGN_OR_RETURN(
          b.encoder, OneHotEncoder::restore(b.column, std::move(categories), std::move(missing)));
    } else {
      return bad(fmt::format("kind \"{}\": expected \"number\" or \"category\"", kind));
    }
    bindings.push_back(std::move(b));
  }
  return assemble(std::move(bindings));
}

}  // namespace consentric::score
