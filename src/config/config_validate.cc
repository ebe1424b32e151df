// What a parsed config means, section by section: names, duplicates, types and references.
// The purposes' references and privacy rules live in validate_purposes.cc. Every rule appends
// a problem and carries on.

#include <cmath>
#include <unordered_map>

#include <fmt/format.h>

#include "config/config_enums.h"
#include "config/config_internal.h"
#include "config/config_points.h"
#include "core/text.h"

namespace consentric::config_detail {
namespace {

bool is_numeric(FieldType t) { return t == FieldType::kInt || t == FieldType::kFloat; }

class Validator {
 public:
  Validator(const Config& config, const SourceMap& map, std::vector<ConfigProblem>* out)
      : c_(config), map_(map), out_(out) {
    for (std::size_t i = 0; i < c_.fields.size(); ++i) {
      field_names_.push_back(c_.fields[i].name);
      field_index_.emplace(c_.fields[i].name, i);
    }
  }

  void run() {
    top_level();
    controller();
    identifiers();
    for (std::size_t i = 0; i < c_.fields.size(); ++i) {
      field_spec(c_.fields[i], indexed("fields", i), "field");
    }
    unique(c_.fields, "fields", "name", "field name", [](const FieldSpec& f) { return f.name; });
    for (std::size_t i = 0; i < c_.event_types.size(); ++i) event_type(i);
    unique(c_.event_types, "event_types", "name", "event type name",
           [](const EventTypeSpec& e) { return e.name; });
    for (std::size_t i = 0; i < c_.purposes.size(); ++i) {
      check_name(indexed("purposes", i) + ".id", c_.purposes[i].id);
    }
    unique(c_.purposes, "purposes", "id", "purpose id", [](const PurposeSpec& p) { return p.id; });
    for (std::size_t i = 0; i < c_.roles.size(); ++i) role(i);
    unique(c_.roles, "roles", "name", "role name", [](const RoleSpec& r) { return r.name; });
  }

 private:
  void problem(const std::string& path, std::string message) {
    out_->push_back({map_.at(path), path, std::move(message)});
  }

  void check_name(const std::string& path, const std::string& value) {
    if (!map_.good(path) || is_config_name(value)) return;
    problem(path, fmt::format("expected a name of lower-case letters, digits and underscores "
                              "that starts with a letter ([a-z][a-z0-9_]*, at most {} "
                              "characters), got {}",
                              kMaxNameLength, quote_for_message(value)));
  }

  // Reports every item whose key repeats an earlier item's, pointing back at the first.
  template <typename T, typename Key>
  void unique(const std::vector<T>& items, const std::string& list, std::string_view key_name,
              std::string_view what, Key key) {
    std::unordered_map<std::string, std::size_t> first;
    for (std::size_t i = 0; i < items.size(); ++i) {
      const std::string k = key(items[i]);
      const std::string path = fmt::format("{}.{}", indexed(list, i), key_name);
      if (k.empty() || !map_.good(path)) continue;
      const auto [it, inserted] = first.emplace(k, i);
      if (inserted) continue;
      const int line = map_.at(fmt::format("{}.{}", indexed(list, it->second), key_name)).line;
      problem(path, fmt::format("duplicate {} {} (first declared at line {})", what,
                                quote_for_message(k), line));
    }
  }

  void top_level() {
    if (map_.good("version") && c_.version != 1) {
      problem("version", fmt::format("unsupported version {} (expected 1)", c_.version));
    }
    // DESIGN invariant 5: an aggregate over fewer than 2 subjects describes one person.
    if (map_.good("k_anonymity") && c_.k_anonymity < 2) {
      problem("k_anonymity", fmt::format("expected k_anonymity of at least 2, got {} (a group "
                                         "smaller than 2 singles out one person)",
                                         c_.k_anonymity));
    }
    if (c_.tcf_vendor_id && (*c_.tcf_vendor_id < 1 || *c_.tcf_vendor_id > 65535)) {
      problem("tcf.vendor_id",
              fmt::format("expected a Global Vendor List id from 1 to 65535, got {}",
                          *c_.tcf_vendor_id));
    }
  }

  void controller() {
    const ControllerSpec& ctl = c_.controller;
    if (map_.good("controller.name") && trim(ctl.name).empty()) {
      problem("controller.name", "expected the controller's name, got an empty string");
    }
    if (map_.good("controller.contact") && trim(ctl.contact).empty()) {
      problem("controller.contact",
              "expected the controller's privacy contact (GDPR Art. 13(1)(a)), got an empty "
              "string");
    }
    if (map_.good("controller.country") && !is_country_code(ctl.country)) {
      problem("controller.country",
              fmt::format("expected an ISO 3166-1 alpha-2 country code such as DE, got {}",
                          quote_for_message(ctl.country)));
    }
  }

  void identifiers() {
    if (map_.good("identifiers") && c_.identifiers.empty()) {
      problem("identifiers",
              "expected at least one identifier: consent, access and erasure requests find a "
              "subject by one");
    }
    if (c_.identifiers.size() > kMaxIdentifiers) {
      problem("identifiers", fmt::format("expected at most {} identifiers, found {}",
                                         kMaxIdentifiers, c_.identifiers.size()));
    }
    for (std::size_t i = 0; i < c_.identifiers.size(); ++i) {
      const IdentifierSpec& id = c_.identifiers[i];
      const std::string path = indexed("identifiers", i) + ".field";
      if (!map_.good(path)) continue;
      const auto f = field_index_.find(id.field);
      if (f == field_index_.end()) {
        problem(path, fmt::format("identifier field {} is not declared under fields{}",
                                  quote_for_message(id.field),
                                  suggester_.did_you_mean(id.field, field_names_)));
        continue;
      }
      // DESIGN invariant 3: identifiers are stored encrypted, and only pii fields are.
      if (!c_.fields[f->second].pii && !map_.bad(indexed("fields", f->second) + ".pii")) {
        problem(path, fmt::format("identifier field {} must be declared pii: true (identifiers "
                                  "are stored encrypted)",
                                  quote_for_message(id.field)));
      }
    }
    unique(c_.identifiers, "identifiers", "field", "identifier",
           [](const IdentifierSpec& id) { return id.field; });
  }

  // Checks shared by profile fields and event properties.
  void field_spec(const FieldSpec& f, const std::string& path, std::string_view what) {
    check_name(path + ".name", f.name);
    const bool type_known = map_.good(path + ".type");
    const std::string type_name(to_string(f.type));
    if (map_.good(path + ".values")) {
      if (type_known && f.type != FieldType::kCategory) {
        problem(path + ".values",
                fmt::format("values apply only to type category, and {} {} has type {}", what,
                            quote_for_message(f.name), type_name));
      } else if (f.values.empty()) {
        problem(path + ".values",
                "expected at least one value (leave values out to allow any value)");
      }
      std::unordered_map<std::string, std::size_t> seen;
      for (std::size_t k = 0; k < f.values.size(); ++k) {
        const std::string vpath = indexed(path + ".values", k);
        if (!map_.good(vpath) || seen.emplace(f.values[k], k).second) continue;
        problem(vpath, fmt::format("duplicate value {}", quote_for_message(f.values[k])));
      }
    }
    bool bounds_apply = true;
    for (const auto& [key, bound] : {std::pair{"min", f.min}, std::pair{"max", f.max}}) {
      const std::string bpath = fmt::format("{}.{}", path, key);
      if (!map_.good(bpath) || !bound || !type_known) continue;
      if (!is_numeric(f.type)) {
        bounds_apply = false;
        problem(bpath, fmt::format("{} applies only to types int and float, and {} {} has type {}",
                                   key, what, quote_for_message(f.name), type_name));
      } else if (f.type == FieldType::kInt && std::trunc(*bound) != *bound) {
        bounds_apply = false;
        problem(bpath, fmt::format("expected a whole number for an int {}, got {}", what, *bound));
      }
    }
    if (bounds_apply && map_.good(path + ".min") && map_.good(path + ".max") && *f.min > *f.max) {
      problem(path + ".max", fmt::format("max {} is below min {}", *f.max, *f.min));
    }
  }

  void event_type(std::size_t i) {
    const EventTypeSpec& e = c_.event_types[i];
    const std::string path = indexed("event_types", i);
    check_name(path + ".name", e.name);
    const std::string props = path + ".properties";
    for (std::size_t j = 0; j < e.properties.size(); ++j) {
      field_spec(e.properties[j], indexed(props, j), "property");
    }
    unique(e.properties, props, "name", "property name", [](const FieldSpec& p) { return p.name; });
    const std::string vpath = path + ".value_property";
    if (!e.value_property || !map_.good(vpath)) return;
    const std::string& vp = *e.value_property;
    const FieldSpec* prop = e.property(vp);
    if (prop == nullptr) {
      std::vector<std::string> names;
      for (const FieldSpec& p : e.properties) names.push_back(p.name);
      std::string list;
      for (const std::string& n : names) list += (list.empty() ? "" : ", ") + n;
      const std::string expected =
          list.empty() ? "it has no properties" : "expected one of its properties: " + list;
      problem(vpath, fmt::format("value_property {} names no property of event type {} ({}){}",
                                 quote_for_message(vp), quote_for_message(e.name), expected,
                                 suggester_.did_you_mean(vp, names)));
      return;
    }
    const std::size_t j = static_cast<std::size_t>(prop - e.properties.data());
    if (map_.good(indexed(props, j) + ".type") && !is_numeric(prop->type)) {
      problem(vpath, fmt::format("value_property {} must name an int or float property, and it "
                                 "has type {}",
                                 quote_for_message(vp), to_string(prop->type)));
    }
  }

  void role(std::size_t i) {
    const RoleSpec& r = c_.roles[i];
    const std::string path = indexed("roles", i);
    check_name(path + ".name", r.name);
    std::vector<std::string> known(known_actions().begin(), known_actions().end());
    for (std::size_t j = 0; j < r.actions.size(); ++j) {
      const std::string apath = indexed(path + ".actions", j);
      const std::string& action = r.actions[j];
      if (!map_.good(apath) || is_valid_action_pattern(action)) continue;
      std::string list;
      for (const std::string& k : known) list += (list.empty() ? "" : ", ") + k;
      problem(apath,
              fmt::format("unknown action {} (expected \"*\", a prefix such as "
                          "\"segment.*\", or one of {}){}",
                          quote_for_message(action), list, suggester_.did_you_mean(action, known)));
    }
  }

  const Config& c_;
  const SourceMap& map_;
  std::vector<ConfigProblem>* out_;
  std::vector<std::string> field_names_;
  std::unordered_map<std::string, std::size_t> field_index_;  // the first field of each name
  Suggester suggester_;
};

}  // namespace

// One plain alphabet keeps names safe in SQL identifiers, file names and URLs without quoting.
bool is_config_name(std::string_view s) {
  if (s.empty() || s.size() > kMaxNameLength || s[0] < 'a' || s[0] > 'z') return false;
  for (char c : s) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  return true;
}

bool is_country_code(std::string_view s) {
  return s.size() == 2 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z';
}

void validate_config(const Config& config, const SourceMap& map,
                     std::vector<ConfigProblem>* problems) {
  Validator(config, map, problems).run();
  validate_purposes(config, map, problems);
  validate_disclosure(config, map, problems);
  validate_points(config, map, problems);
}

}  // namespace consentric::config_detail
