// The points section: event rules, fit rules, grades and the MQL threshold (docs/config.md,
// "points"). Parsing checks shapes and numbers; validation checks every name against the
// declaration and the purpose the points are computed under.

#include "config/config_points.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <set>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "core/text.h"

namespace consentric::config_detail {
namespace {

constexpr std::array<std::string_view, 5> kPointsKeys{"purpose", "event_rules", "fit_rules",
                                                      "grades", "mql"};
constexpr std::array<std::string_view, 1> kPointsRequired{"purpose"};
constexpr std::array<std::string_view, 6> kEventRuleKeys{"name",   "event_type", "where",
                                                         "points", "cap",        "half_life"};
constexpr std::array<std::string_view, 3> kEventRuleRequired{"name", "event_type", "points"};
constexpr std::array<std::string_view, 7> kFitRuleKeys{"name", "field", "values", "contains",
                                                       "min",  "max",   "points"};
constexpr std::array<std::string_view, 3> kFitRuleRequired{"name", "field", "points"};
constexpr std::array<std::string_view, 3> kGradeKeys{"A", "B", "C"};
constexpr std::array<std::string_view, 7> kOpKeys{"eq", "ne", "lt", "lte", "gt", "gte", "in"};

// A million points is far beyond any sensible rule; the bound keeps sums of milli-points of
// millions of events far inside int64.
constexpr double kMaxPoints = 1e6;

PointsCondition::Op op_of(std::string_view key) {
  if (key == "ne") return PointsCondition::Op::kNe;
  if (key == "lt") return PointsCondition::Op::kLt;
  if (key == "lte") return PointsCondition::Op::kLe;
  if (key == "gt") return PointsCondition::Op::kGt;
  if (key == "gte") return PointsCondition::Op::kGe;
  if (key == "in") return PointsCondition::Op::kIn;
  return PointsCondition::Op::kEq;
}

// A number of points as milli-points: finite, within ±kMaxPoints, at most three decimals.
std::optional<std::int64_t> milli_points(Reader* r, const Value& v) {
  const auto x = r->number(v);
  if (!x) return std::nullopt;
  if (!std::isfinite(*x) || std::fabs(*x) > kMaxPoints) {
    r->problem(v, fmt::format("expected a number of points between -{0} and {0}, got {1}",
                              kMaxPoints, *x));
    return std::nullopt;
  }
  const double milli = *x * static_cast<double>(kMilliPerPoint);
  if (std::fabs(milli - std::round(milli)) > 1e-6) {
    r->problem(v, fmt::format("points are kept to a thousandth of a point; got {}", *x));
    return std::nullopt;
  }
  return std::llround(milli);
}

// A rule's points: not zero, which would log nothing but noise.
std::int64_t rule_points(Reader* r, const Value& v) {
  const auto milli = milli_points(r, v);
  if (!milli) return 0;
  if (*milli == 0) r->problem(v, "a rule of 0 points changes nothing; give points other than 0");
  return *milli;
}

std::vector<PointsCondition> conditions(Reader* r, const Value& v) {
  std::vector<PointsCondition> out;
  for (const auto& [property, value] :
       r->entries(v,
                  "a mapping of event properties to a value, a list of values, or "
                  "comparisons such as {gte: 60}")) {
    if (value.node.IsMap()) {
      const auto m = r->mapping(value, {kOpKeys, {}});
      if (!m) continue;
      bool any = false;
      for (std::string_view key : kOpKeys) {
        const auto x = m->get(key);
        if (!x) continue;
        any = true;
        PointsCondition c{.property = property, .op = op_of(key), .values = {}, .where = x->where};
        if (c.op == PointsCondition::Op::kIn) {
          c.values = r->string_list(*x);
        } else if (const auto text = r->string(*x)) {
          c.values.push_back(*text);
        }
        out.push_back(std::move(c));
      }
      if (!any && value.node.size() == 0) {
        r->problem(value, "expected at least one comparison: eq, ne, lt, lte, gt, gte, in");
      }
      continue;
    }
    PointsCondition c{.property = property, .values = {}, .where = value.where};
    if (value.node.IsSequence()) {
      c.op = PointsCondition::Op::kIn;
      c.values = r->string_list(value);
    } else if (const auto text = r->string(value)) {
      c.values.push_back(*text);
    }
    out.push_back(std::move(c));
  }
  return out;
}

EventPointsRule event_rule(Reader* r, const Value& v) {
  EventPointsRule rule;
  rule.where = v.where;
  const auto m = r->mapping(v, {kEventRuleKeys, kEventRuleRequired});
  if (!m) return rule;
  if (const auto x = m->get("name")) rule.name = r->string(*x).value_or("");
  if (const auto x = m->get("event_type")) rule.event_type = r->string(*x).value_or("");
  if (const auto x = m->get("where")) rule.conditions = conditions(r, *x);
  if (const auto x = m->get("points")) rule.points_milli = rule_points(r, *x);
  if (const auto x = m->get("cap")) {
    if (const auto cap = milli_points(r, *x)) {
      if (*cap <= 0) {
        r->problem(*x, fmt::format("expected a cap above 0 points (a rule's points are held "
                                   "within ±cap), got {}",
                                   static_cast<double>(*cap) / kMilliPerPoint));
      } else {
        rule.cap_milli = *cap;
      }
    }
  }
  if (const auto x = m->get("half_life")) rule.half_life_seconds = r->duration(*x);
  return rule;
}

FitPointsRule fit_rule(Reader* r, const Value& v) {
  FitPointsRule rule;
  rule.where = v.where;
  const auto m = r->mapping(v, {kFitRuleKeys, kFitRuleRequired});
  if (!m) return rule;
  if (const auto x = m->get("name")) rule.name = r->string(*x).value_or("");
  if (const auto x = m->get("field")) rule.field = r->string(*x).value_or("");
  if (const auto x = m->get("values")) rule.values = r->string_list(*x);
  if (const auto x = m->get("contains")) rule.contains = r->string_list(*x);
  if (const auto x = m->get("min")) rule.min = r->number(*x);
  if (const auto x = m->get("max")) rule.max = r->number(*x);
  if (const auto x = m->get("points")) rule.points_milli = rule_points(r, *x);
  const int forms = (m->get("values") ? 1 : 0) + (m->get("contains") ? 1 : 0) +
                    ((m->get("min") || m->get("max")) ? 1 : 0);
  if (forms != 1) {
    r->problem(v,
               fmt::format("expected exactly one of values, contains, or min/max, got {}", forms));
  }
  return rule;
}

class PointsRules {
 public:
  PointsRules(const Config& config, const SourceMap& map, std::vector<ConfigProblem>* out)
      : c_(config), p_(*config.points), map_(map), out_(out) {}

  void run() {
    purpose_ = nullptr;
    if (map_.good("points.purpose")) {
      purpose_ = c_.purpose(p_.purpose);
      if (purpose_ == nullptr) {
        std::vector<std::string> ids;
        for (const PurposeSpec& p : c_.purposes) ids.push_back(p.id);
        problem(
            "points.purpose",
            fmt::format("purpose {} is not declared (declared: {})", quote_for_message(p_.purpose),
                        ids.empty() ? "none" : fmt::format("{}", fmt::join(ids, ", "))));
      }
    }
    for (std::size_t i = 0; i < p_.event_rules.size(); ++i) event_rule(i);
    for (std::size_t i = 0; i < p_.fit_rules.size(); ++i) fit_rule(i);
    grades();
  }

 private:
  void problem(const std::string& path, std::string message) {
    out_->push_back({map_.at(path), path, std::move(message)});
  }

  void name(const std::string& path, const std::string& value) {
    if (!map_.good(path)) return;
    if (!is_config_name(value)) {
      problem(path, fmt::format("expected a rule name of lower-case letters, digits and _ "
                                "(starting with a letter, at most {} characters), got {}",
                                kMaxNameLength, quote_for_message(value)));
      return;
    }
    if (!names_.insert(value).second) {
      problem(path, fmt::format("rule name {} is given twice; the points log names rules, so "
                                "each needs its own",
                                quote_for_message(value)));
    }
  }

  void event_rule(std::size_t i) {
    const EventPointsRule& rule = p_.event_rules[i];
    const std::string path = indexed("points.event_rules", i);
    name(path + ".name", rule.name);
    if (!map_.good(path + ".event_type")) return;
    const EventTypeSpec* type = c_.event_type(rule.event_type);
    if (type == nullptr) {
      std::vector<std::string> names;
      for (const EventTypeSpec& t : c_.event_types) names.push_back(t.name);
      problem(path + ".event_type",
              fmt::format("event type {} is not declared{}", quote_for_message(rule.event_type),
                          Suggester().did_you_mean(rule.event_type, names)));
      return;
    }
    if (purpose_ != nullptr && std::find(purpose_->event_types.begin(), purpose_->event_types.end(),
                                         rule.event_type) == purpose_->event_types.end()) {
      problem(path + ".event_type",
              fmt::format("purpose {} does not declare event type {}; points read only what its "
                          "gate lets through (it declares: {})",
                          quote_for_message(purpose_->id), quote_for_message(rule.event_type),
                          purpose_->event_types.empty()
                              ? "none"
                              : fmt::format("{}", fmt::join(purpose_->event_types, ", "))));
    }
    for (const PointsCondition& c : rule.conditions) {
      condition(path + ".where." + c.property, *type, c);
    }
  }

  void condition(const std::string& path, const EventTypeSpec& type, const PointsCondition& c) {
    if (!map_.good(path)) return;
    const FieldSpec* prop = type.property(c.property);
    if (prop == nullptr) {
      std::vector<std::string> names;
      for (const FieldSpec& f : type.properties) names.push_back(f.name);
      problem(path,
              fmt::format("event type {} has no property {} (its properties: {})",
                          quote_for_message(type.name), quote_for_message(c.property),
                          names.empty() ? "none" : fmt::format("{}", fmt::join(names, ", "))));
      return;
    }
    if (prop->category == DataCategory::kSpecialCategory) {
      problem(path, fmt::format("property {} of {} is a special category of personal data (GDPR "
                                "Art. 9) and never a points rule's input",
                                quote_for_message(c.property), quote_for_message(type.name)));
      return;
    }
    if (prop->pii) {
      problem(path, fmt::format("property {} of {} is pii: it is stored sealed and never read by "
                                "points rules",
                                quote_for_message(c.property), quote_for_message(type.name)));
      return;
    }
    const bool ordered = c.op == PointsCondition::Op::kLt || c.op == PointsCondition::Op::kLe ||
                         c.op == PointsCondition::Op::kGt || c.op == PointsCondition::Op::kGe;
    const bool numeric = prop->type == FieldType::kInt || prop->type == FieldType::kFloat;
    if (ordered && !numeric) {
      problem(path, fmt::format("lt, lte, gt and gte compare numbers, and property {} has type {}",
                                quote_for_message(c.property), to_string(prop->type)));
      return;
    }
    if (c.op == PointsCondition::Op::kIn && c.values.empty()) {
      problem(path, "expected a list of at least one value");
      return;
    }
    for (const std::string& value : c.values) {
      if (const std::string why = value_problem(*prop, value); !why.empty()) {
        problem(path, why);
        return;
      }
    }
  }

  // Why `value` can never equal a value of `field`, or empty.
  static std::string value_problem(const FieldSpec& field, const std::string& value) {
    double x = 0;
    switch (field.type) {
      case FieldType::kInt:
      case FieldType::kFloat:
        if (!parse_double(value, &x)) {
          return fmt::format("{} has type {}: expected a number, got {}",
                             quote_for_message(field.name), to_string(field.type),
                             quote_for_message(value));
        }
        return "";
      case FieldType::kBool:
        if (value != "true" && value != "false") {
          return fmt::format("{} has type bool: expected true or false, got {}",
                             quote_for_message(field.name), quote_for_message(value));
        }
        return "";
      case FieldType::kCategory:
        if (!field.values.empty() &&
            std::find(field.values.begin(), field.values.end(), value) == field.values.end()) {
          return fmt::format("{} is not a value of {} (its values: {})", quote_for_message(value),
                             quote_for_message(field.name), fmt::join(field.values, ", "));
        }
        return "";
      default:
        return "";
    }
  }

  void fit_rule(std::size_t i) {
    const FitPointsRule& rule = p_.fit_rules[i];
    const std::string path = indexed("points.fit_rules", i);
    name(path + ".name", rule.name);
    if (!map_.good(path) || !map_.good(path + ".field")) return;
    const FieldSpec* field = c_.field(rule.field);
    if (field == nullptr) {
      std::vector<std::string> names;
      for (const FieldSpec& f : c_.fields) names.push_back(f.name);
      problem(path + ".field",
              fmt::format("field {} is not declared{}", quote_for_message(rule.field),
                          Suggester().did_you_mean(rule.field, names)));
      return;
    }
    if (field->category == DataCategory::kSpecialCategory) {
      problem(path + ".field",
              fmt::format("field {} is a special category of personal data (GDPR Art. 9) and "
                          "never a points rule's input",
                          quote_for_message(rule.field)));
      return;
    }
    if (field->pii) {
      problem(path + ".field",
              fmt::format("field {} is pii: identifiers never decide a lead's grade",
                          quote_for_message(rule.field)));
      return;
    }
    if (purpose_ != nullptr && std::find(purpose_->fields.begin(), purpose_->fields.end(),
                                         rule.field) == purpose_->fields.end()) {
      problem(path + ".field",
              fmt::format("purpose {} does not declare field {}; points read only what its gate "
                          "lets through (it declares: {})",
                          quote_for_message(purpose_->id), quote_for_message(rule.field),
                          purpose_->fields.empty()
                              ? "none"
                              : fmt::format("{}", fmt::join(purpose_->fields, ", "))));
      return;
    }
    const bool numeric = field->type == FieldType::kInt || field->type == FieldType::kFloat;
    const bool text = field->type == FieldType::kString || field->type == FieldType::kCategory;
    if ((rule.min || rule.max) && !numeric) {
      problem(path, fmt::format("min and max compare numbers, and field {} has type {}",
                                quote_for_message(rule.field), to_string(field->type)));
    }
    if (rule.min && rule.max && *rule.min > *rule.max) {
      problem(path + ".min",
              fmt::format("expected min at most max ({}), got {}", *rule.max, *rule.min));
    }
    if (!rule.contains.empty() && !text) {
      problem(path + ".contains",
              fmt::format("contains matches text, and field {} has type {}",
                          quote_for_message(rule.field), to_string(field->type)));
    }
    for (std::size_t k = 0; k < rule.values.size(); ++k) {
      if (const std::string why = value_problem(*field, rule.values[k]); !why.empty()) {
        problem(indexed(path + ".values", k), why);
      }
    }
  }

  void grades() {
    for (std::string_view g : kGradeKeys) {
      if (!map_.good(fmt::format("points.grades.{}", g))) return;
    }
    if (p_.grade_a_milli > p_.grade_b_milli && p_.grade_b_milli > p_.grade_c_milli) return;
    const auto pts = [](std::int64_t m) { return static_cast<double>(m) / kMilliPerPoint; };
    problem("points.grades",
            fmt::format("expected thresholds that decrease from A to C (A > B > C; D is below "
                        "C), got A {}, B {}, C {}",
                        pts(p_.grade_a_milli), pts(p_.grade_b_milli), pts(p_.grade_c_milli)));
  }

  const Config& c_;
  const PointsSpec& p_;
  const SourceMap& map_;
  std::vector<ConfigProblem>* out_;
  const PurposeSpec* purpose_ = nullptr;
  std::set<std::string> names_;
};

}  // namespace

std::optional<PointsSpec> parse_points(Reader* r, const Value& v) {
  const auto m = r->mapping(v, {kPointsKeys, kPointsRequired});
  if (!m) return std::nullopt;
  PointsSpec p;
  p.where = v.where;
  if (const auto x = m->get("purpose")) p.purpose = r->string(*x).value_or("");
  if (const auto x = m->get("event_rules")) {
    for (const Value& item : r->items(*x)) p.event_rules.push_back(event_rule(r, item));
  }
  if (const auto x = m->get("fit_rules")) {
    for (const Value& item : r->items(*x)) p.fit_rules.push_back(fit_rule(r, item));
  }
  if (const auto x = m->get("grades")) {
    if (const auto g = r->mapping(*x, {kGradeKeys, kGradeKeys})) {
      std::int64_t* into[] = {&p.grade_a_milli, &p.grade_b_milli, &p.grade_c_milli};
      for (std::size_t i = 0; i < kGradeKeys.size(); ++i) {
        if (const auto y = g->get(kGradeKeys[i])) {
          if (const auto milli = milli_points(r, *y)) *into[i] = *milli;
        }
      }
    }
  }
  if (const auto x = m->get("mql")) {
    if (const auto milli = milli_points(r, *x)) p.mql_milli = *milli;
  }
  return p;
}

void validate_points(const Config& config, const SourceMap& map,
                     std::vector<ConfigProblem>* problems) {
  if (!config.points) return;
  PointsRules(config, map, problems).run();
}

}  // namespace consentric::config_detail
