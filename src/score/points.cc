#include "score/points.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "core/text.h"

namespace consentric::score {
namespace {

bool is_number_type(FieldType t) { return t == FieldType::kInt || t == FieldType::kFloat; }

std::string lower(std::string_view s) { return to_lower_ascii(s); }

}  // namespace

std::string_view to_string(PointsKind k) {
  switch (k) {
    case PointsKind::kEvent:
      return "event";
    case PointsKind::kFit:
      return "fit";
    case PointsKind::kDecay:
      return "decay";
    case PointsKind::kCap:
      return "cap";
  }
  return "event";
}

std::int64_t decayed_points(std::int64_t points_milli, double age_seconds, double half_life) {
  if (half_life <= 0 || age_seconds <= 0) return points_milli;
  return std::llround(static_cast<double>(points_milli) * std::exp2(-age_seconds / half_life));
}

Result<PointsRules> PointsRules::bind(const PointsSpec& spec, const Config& config) {
  PointsRules out;
  out.spec_ = spec;
  for (const EventPointsRule& r : spec.event_rules) {
    const EventTypeSpec* type = config.event_type(r.event_type);
    if (type == nullptr) {
      return invalid_argument(fmt::format("points rule {}: event type {} is not declared",
                                          quote_for_message(r.name),
                                          quote_for_message(r.event_type)));
    }
    auto col =
        std::find_if(out.columns_.begin(), out.columns_.end(),
                     [&](const gate::EventTypeColumns& c) { return c.type == r.event_type; });
    if (col == out.columns_.end()) {
      out.columns_.push_back({r.event_type, {}});
      col = out.columns_.end() - 1;
    }
    EventRule rule{.type = static_cast<std::size_t>(col - out.columns_.begin()),
                   .conditions = {},
                   .points = r.points_milli,
                   .cap = r.cap_milli.value_or(0),
                   .half_life = static_cast<double>(r.half_life_seconds.value_or(0))};
    for (const PointsCondition& c : r.conditions) {
      const FieldSpec* prop = type->property(c.property);
      if (prop == nullptr) {
        return invalid_argument(fmt::format(
            "points rule {}: event type {} has no property {}", quote_for_message(r.name),
            quote_for_message(r.event_type), quote_for_message(c.property)));
      }
      if (c.values.empty()) {
        return invalid_argument(fmt::format("points rule {}: the condition on {} has no value",
                                            quote_for_message(r.name),
                                            quote_for_message(c.property)));
      }
      auto& props = col->properties;
      auto at = std::find(props.begin(), props.end(), c.property);
      if (at == props.end()) {
        props.push_back(c.property);
        at = props.end() - 1;
      }
      Condition cond{.op = c.op,
                     .value = static_cast<std::size_t>(at - props.begin()),
                     .numeric = is_number_type(prop->type) || prop->type == FieldType::kBool,
                     .numbers = {},
                     .texts = {}};
      for (const std::string& v : c.values) {
        if (prop->type == FieldType::kBool) {
          cond.numbers.push_back(v == "true" ? 1 : 0);
        } else if (cond.numeric) {
          double x = 0;
          if (!parse_double(v, &x)) {
            return invalid_argument(fmt::format("points rule {}: {} is not a number",
                                                quote_for_message(r.name), quote_for_message(v)));
          }
          cond.numbers.push_back(x);
        } else {
          cond.texts.push_back(v);
        }
      }
      rule.conditions.push_back(std::move(cond));
    }
    out.event_rules_.push_back(std::move(rule));
    out.names_.push_back(r.name);
  }
  for (const FitPointsRule& r : spec.fit_rules) {
    const FieldSpec* field = config.field(r.field);
    if (field == nullptr) {
      return invalid_argument(fmt::format("points rule {}: field {} is not declared",
                                          quote_for_message(r.name), quote_for_message(r.field)));
    }
    FitRule rule{.field = r.field, .min = r.min, .max = r.max, .points = r.points_milli};
    for (const std::string& v : r.values) {
      double x = 0;
      if (is_number_type(field->type) && parse_double(v, &x)) {
        rule.numbers.push_back(x);
      } else {
        rule.values.push_back(lower(v));
      }
    }
    for (const std::string& v : r.contains) rule.contains.push_back(lower(v));
    out.fit_rules_.push_back(std::move(rule));
    out.names_.push_back(r.name);
  }
  return out;
}

std::vector<std::string> PointsRules::fit_fields() const {
  std::vector<std::string> out;
  for (const FitRule& r : fit_rules_) {
    if (std::find(out.begin(), out.end(), r.field) == out.end()) out.push_back(r.field);
  }
  return out;
}

// A condition on a property the event does not carry is not met: a rule on page "/pricing"
// gives nothing to a page view without a page, and neither does "page ne /pricing".
bool PointsRules::matches(const EventRule& rule, const gate::PurposeEvent& e) const {
  for (const Condition& c : rule.conditions) {
    if (c.value >= e.values.size() || !e.values[c.value].present) return false;
    const gate::EventValue& v = e.values[c.value];
    if (c.numeric != v.is_number) return false;
    bool met = false;
    if (c.numeric) {
      const double x = v.number;
      switch (c.op) {
        case PointsCondition::Op::kEq:
        case PointsCondition::Op::kIn:
          met = std::find(c.numbers.begin(), c.numbers.end(), x) != c.numbers.end();
          break;
        case PointsCondition::Op::kNe:
          met = std::find(c.numbers.begin(), c.numbers.end(), x) == c.numbers.end();
          break;
        case PointsCondition::Op::kLt:
          met = x < c.numbers.front();
          break;
        case PointsCondition::Op::kLe:
          met = x <= c.numbers.front();
          break;
        case PointsCondition::Op::kGt:
          met = x > c.numbers.front();
          break;
        case PointsCondition::Op::kGe:
          met = x >= c.numbers.front();
          break;
      }
    } else {
      const bool found = std::find(c.texts.begin(), c.texts.end(), v.text) != c.texts.end();
      met = c.op == PointsCondition::Op::kNe ? !found : found;
    }
    if (!met) return false;
  }
  return true;
}

bool PointsRules::fits(const FitRule& rule, const gate::PurposeView& view, std::size_t row) const {
  const gate::Column* col = view.column(rule.field);
  if (col == nullptr || col->missing(row)) return false;
  if (col->kind == gate::ColumnKind::kNumber) {
    const double x = col->numbers[row];
    if (!rule.numbers.empty()) {
      return std::find(rule.numbers.begin(), rule.numbers.end(), x) != rule.numbers.end();
    }
    if (rule.min || rule.max) return (!rule.min || x >= *rule.min) && (!rule.max || x <= *rule.max);
    return false;
  }
  const std::string text = lower(col->dictionary[static_cast<std::size_t>(col->codes[row])]);
  if (!rule.values.empty()) {
    return std::find(rule.values.begin(), rule.values.end(), text) != rule.values.end();
  }
  return std::any_of(rule.contains.begin(), rule.contains.end(),
                     [&](const std::string& part) { return text.find(part) != std::string::npos; });
}

std::vector<PointsPart> PointsRules::parts(const gate::PurposeView& view, std::size_t row,
                                           std::span<const gate::PurposeEvent> events) const {
  std::vector<PointsPart> out;
  const UnixSeconds now = view.as_of();
  for (std::size_t i = 0; i < event_rules_.size(); ++i) {
    const EventRule& rule = event_rules_[i];
    std::int64_t full = 0, decayed = 0;
    for (const gate::PurposeEvent& e : events) {
      if (e.type != rule.type || !matches(rule, e)) continue;
      out.push_back({.rule = i,
                     .kind = PointsKind::kEvent,
                     .event_id = e.id,
                     .event_ts = e.ts,
                     .milli = rule.points});
      full += rule.points;
      decayed += decayed_points(rule.points, static_cast<double>(now - e.ts), rule.half_life);
    }
    if (decayed != full)
      out.push_back({.rule = i, .kind = PointsKind::kDecay, .milli = decayed - full});
    if (rule.cap > 0) {
      const std::int64_t held = std::clamp(decayed, -rule.cap, rule.cap);
      if (held != decayed)
        out.push_back({.rule = i, .kind = PointsKind::kCap, .milli = held - decayed});
    }
  }
  for (std::size_t j = 0; j < fit_rules_.size(); ++j) {
    if (!fits(fit_rules_[j], view, row)) continue;
    out.push_back(
        {.rule = event_rules_.size() + j, .kind = PointsKind::kFit, .milli = fit_rules_[j].points});
  }
  return out;
}

std::int64_t PointsRules::total(std::span<const PointsPart> parts) {
  std::int64_t sum = 0;
  for (const PointsPart& p : parts) sum += p.milli;
  return sum;
}

std::string_view PointsRules::grade(std::int64_t total_milli) const {
  if (total_milli >= spec_.grade_a_milli) return "A";
  if (total_milli >= spec_.grade_b_milli) return "B";
  if (total_milli >= spec_.grade_c_milli) return "C";
  return "D";
}

}  // namespace consentric::score
