// From the yaml-cpp node tree to a Config: shapes, keys and scalar types. What the values
// mean (references, duplicates, privacy rules) is config_validate.cc's job.

#include <array>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "config/config_enums.h"
#include "config/config_internal.h"
#include "config/config_points.h"
#include "config/yaml_reader.h"

namespace consentric::config_detail {
namespace {

using Keys = std::span<const std::string_view>;

constexpr std::array<std::string_view, 17> kTopKeys{"version",
                                                    "controller",
                                                    "k_anonymity",
                                                    "l_diversity",
                                                    "max_suppression",
                                                    "small_groups",
                                                    "differential_privacy",
                                                    "erasure",
                                                    "identifiers",
                                                    "fields",
                                                    "event_types",
                                                    "purposes",
                                                    "recipients",
                                                    "roles",
                                                    "tcf",
                                                    "points",
                                                    "quality"};
constexpr std::array<std::string_view, 4> kTopRequired{"version", "controller", "identifiers",
                                                       "fields"};

// GDPR Art. 30(1)(a): the records of processing name the controller and its contact.
constexpr std::array<std::string_view, 3> kControllerKeys{"name", "contact", "country"};
constexpr std::array<std::string_view, 2> kControllerRequired{"name", "contact"};

constexpr std::array<std::string_view, 2> kIdentifierKeys{"field", "kind"};

constexpr std::array<std::string_view, 13> kFieldKeys{
    "name",   "type", "category", "pii",         "quasi_identifier", "required", "retention",
    "values", "min",  "max",      "description", "generalization",   "sensitive"};

// One key: how the quasi-identifier coarsens (docs/config.md, "generalization").
constexpr std::array<std::string_view, 4> kGeneralizationKeys{"bands", "prefix", "dates",
                                                              "categories"};

constexpr std::array<std::string_view, 2> kDpKeys{"epsilon_per_query", "delta_per_query"};
constexpr std::array<std::string_view, 2> kDpBudgetKeys{"epsilon", "delta"};
constexpr std::array<std::string_view, 2> kScoreReviewKeys{"above", "below"};
constexpr std::array<std::string_view, 4> kRecipientKeys{"name", "description", "country",
                                                         "purposes"};
constexpr std::array<std::string_view, 2> kRecipientRequired{"name", "purposes"};
constexpr std::array<std::string_view, 3> kFieldRequired{"name", "type", "category"};

// Event properties live and die with their event, so they have no retention of their own,
// and k-anonymity is computed over profiles, so they are never quasi-identifiers.
constexpr std::array<std::string_view, 9> kPropertyKeys{
    "name", "type", "category", "pii", "required", "values", "min", "max", "description"};
constexpr std::array<std::string_view, 2> kPropertyRequired{"name", "type"};

constexpr std::array<std::string_view, 5> kEventTypeKeys{"name", "description", "retention",
                                                         "value_property", "properties"};
constexpr std::array<std::string_view, 1> kEventTypeRequired{"name"};

constexpr std::array<std::string_view, 15> kPurposeKeys{"id",
                                                        "description",
                                                        "legal_basis",
                                                        "fields",
                                                        "event_types",
                                                        "retention",
                                                        "automated_decision",
                                                        "direct_marketing",
                                                        "tcf_purposes",
                                                        "notice_version",
                                                        "renew_consent",
                                                        "sale_or_share",
                                                        "consent_at_event_time",
                                                        "dp_budget",
                                                        "score_review"};

// IAB TCF: the vendor id this controller is registered under in the Global Vendor List.
constexpr std::array<std::string_view, 1> kTcfKeys{"vendor_id"};
constexpr std::array<std::string_view, 2> kPurposeRequired{"id", "legal_basis"};

constexpr std::array<std::string_view, 2> kRoleKeys{"name", "actions"};

// Sets *out from the key when it is present and reads well; otherwise leaves the default.
template <typename T, typename Read>
void read_into(const Mapping& m, std::string_view key, T* out, Read read) {
  if (const auto v = m.get(key)) {
    if (auto value = read(*v)) *out = std::move(*value);
  }
}

class Parser {
 public:
  Parser(Config* config, Reader* r) : config_(config), r_(r) {}

  void document(const Value& root) {
    const auto m = r_->mapping(root, {kTopKeys, kTopRequired});
    if (!m) return;
    read_into(*m, "version", &config_->version, [&](const Value& v) { return int_value(v); });
    read_into(*m, "k_anonymity", &config_->k_anonymity,
              [&](const Value& v) { return int_value(v); });
    read_into(*m, "l_diversity", &config_->l_diversity,
              [&](const Value& v) { return int_value(v); });
    read_into(*m, "max_suppression", &config_->max_suppression,
              [&](const Value& v) { return r_->number(v); });
    if (const auto v = m->get("differential_privacy")) {
      if (const auto d = r_->mapping(*v, {kDpKeys, {}})) {
        read_into(*d, "epsilon_per_query", &config_->dp_epsilon_per_query,
                  [&](const Value& x) { return r_->number(x); });
        read_into(*d, "delta_per_query", &config_->dp_delta_per_query,
                  [&](const Value& x) { return r_->number(x); });
      }
    }
    read_into(*m, "small_groups", &config_->small_groups, [&](const Value& v) {
      return r_->choice(v, "small-group policy", small_groups_names());
    });
    read_into(*m, "erasure", &config_->erasure, [&](const Value& v) {
      return r_->choice(v, "erasure method", erasure_method_names());
    });
    if (const auto v = m->get("controller")) controller(*v);
    if (const auto v = m->get("tcf")) {
      if (const auto t = r_->mapping(*v, {kTcfKeys, kTcfKeys})) {
        read_into(*t, "vendor_id", &config_->tcf_vendor_id,
                  [&](const Value& x) -> std::optional<std::optional<int>> {
                    auto id = int_value(x);
                    if (!id) return std::nullopt;
                    return std::optional<int>(*id);
                  });
      }
    }
    if (const auto v = m->get("quality")) parse_quality(*v, r_, &config_->quality);
    if (const auto v = m->get("identifiers")) {
      for (const Value& item : r_->items(*v)) config_->identifiers.push_back(identifier(item));
    }
    if (const auto v = m->get("fields")) {
      for (const Value& item : r_->items(*v)) {
        config_->fields.push_back(field(item, {kFieldKeys, kFieldRequired}));
      }
    }
    if (const auto v = m->get("event_types")) {
      for (const Value& item : r_->items(*v)) config_->event_types.push_back(event_type(item));
    }
    if (const auto v = m->get("purposes")) {
      for (const Value& item : r_->items(*v)) config_->purposes.push_back(purpose(item));
    }
    if (const auto v = m->get("recipients")) {
      for (const Value& item : r_->items(*v)) config_->recipients.push_back(recipient(item));
    }
    if (const auto v = m->get("roles")) {
      for (const Value& item : r_->items(*v)) config_->roles.push_back(role(item));
    }
    if (const auto v = m->get("points")) config_->points = parse_points(r_, *v);
  }

 private:
  std::optional<int> int_value(const Value& v) {
    constexpr std::int64_t kLimit = 1'000'000;  // far beyond any sane version or k
    const auto n = r_->integer(v);
    if (!n) return std::nullopt;
    if (*n < -kLimit || *n > kLimit) {
      r_->problem(
          v, fmt::format("expected an integer between {} and {}, got {}", -kLimit, kLimit, *n));
      return std::nullopt;
    }
    return static_cast<int>(*n);
  }

  // IAB TCF v2.2 defines purposes 1 to 11; 0 stands in for an unusable item.
  int tcf_purpose(const Value& v) {
    constexpr std::int64_t kFirst = 1, kLast = 11;
    const auto id = r_->integer(v);
    if (!id) return 0;
    if (*id < kFirst || *id > kLast) {
      r_->problem(v, fmt::format("TCF purpose id {} is out of range (expected {}..{}, the "
                                 "purposes of IAB TCF v2.2)",
                                 *id, kFirst, kLast));
      return 0;
    }
    return static_cast<int>(*id);
  }

  void controller(const Value& v) {
    const auto m = r_->mapping(v, {kControllerKeys, kControllerRequired});
    if (!m) return;
    ControllerSpec& c = config_->controller;
    read_into(*m, "name", &c.name, [&](const Value& x) { return r_->string(x); });
    read_into(*m, "contact", &c.contact, [&](const Value& x) { return r_->string(x); });
    read_into(*m, "country", &c.country, [&](const Value& x) { return r_->string(x); });
  }

  IdentifierSpec identifier(const Value& v) {
    IdentifierSpec id;
    id.where = v.where;
    const auto m = r_->mapping(v, {kIdentifierKeys, kIdentifierKeys});
    if (!m) return id;
    read_into(*m, "field", &id.field, [&](const Value& x) { return r_->string(x); });
    read_into(*m, "kind", &id.kind, [&](const Value& x) {
      return r_->choice(x, "identifier kind", identifier_kind_names());
    });
    return id;
  }

  FieldSpec field(const Value& v, const KeySpec& keys) {
    FieldSpec f;
    f.where = v.where;
    const auto m = r_->mapping(v, keys);
    if (!m) return f;
    read_into(*m, "name", &f.name, [&](const Value& x) { return r_->string(x); });
    read_into(*m, "type", &f.type,
              [&](const Value& x) { return r_->choice(x, "field type", field_type_names()); });
    read_into(*m, "category", &f.category, [&](const Value& x) {
      return r_->choice(x, "data category", data_category_names());
    });
    read_into(*m, "pii", &f.pii, [&](const Value& x) { return r_->boolean(x); });
    read_into(*m, "quasi_identifier", &f.quasi_identifier,
              [&](const Value& x) { return r_->boolean(x); });
    read_into(*m, "required", &f.required, [&](const Value& x) { return r_->boolean(x); });
    read_into(*m, "retention", &f.retention_seconds,
              [&](const Value& x) { return r_->duration(x); });
    if (const auto x = m->get("values")) f.values = r_->string_list(*x);
    read_into(*m, "min", &f.min, [&](const Value& x) { return r_->number(x); });
    read_into(*m, "max", &f.max, [&](const Value& x) { return r_->number(x); });
    read_into(*m, "description", &f.description, [&](const Value& x) { return r_->string(x); });
    if (const auto x = m->get("generalization")) f.generalization = generalization(*x);
    read_into(*m, "sensitive", &f.sensitive, [&](const Value& x) { return r_->boolean(x); });
    return f;
  }

  std::optional<GeneralizationSpec> generalization(const Value& v) {
    const auto m = r_->mapping(v, {kGeneralizationKeys, {}});
    if (!m) return std::nullopt;
    GeneralizationSpec g;
    g.where = v.where;
    int given = 0;
    if (const auto x = m->get("bands")) {
      g.kind = GeneralizationSpec::Kind::kBands;
      for (const Value& item : r_->items(*x)) g.band_widths.push_back(r_->number(item).value_or(0));
      ++given;
    }
    if (const auto x = m->get("prefix")) {
      g.kind = GeneralizationSpec::Kind::kPrefix;
      for (const Value& item : r_->items(*x))
        g.prefix_lengths.push_back(int_value(item).value_or(-1));
      ++given;
    }
    if (const auto x = m->get("dates")) {
      g.kind = GeneralizationSpec::Kind::kDates;
      g.date_levels = r_->string_list(*x);
      ++given;
    }
    if (const auto x = m->get("categories")) {
      g.kind = GeneralizationSpec::Kind::kCategories;
      for (const Value& item : r_->items(*x)) g.category_parents.push_back(r_->string_map(item));
      ++given;
    }
    if (given != 1) {
      r_->problem(v, fmt::format("expected exactly one of bands, prefix, dates or categories, "
                                 "got {}",
                                 given));
      return std::nullopt;
    }
    return g;
  }

  RecipientSpec recipient(const Value& v) {
    RecipientSpec r;
    r.where = v.where;
    const auto m = r_->mapping(v, {kRecipientKeys, kRecipientRequired});
    if (!m) return r;
    read_into(*m, "name", &r.name, [&](const Value& x) { return r_->string(x); });
    read_into(*m, "description", &r.description, [&](const Value& x) { return r_->string(x); });
    read_into(*m, "country", &r.country, [&](const Value& x) { return r_->string(x); });
    if (const auto x = m->get("purposes")) r.purposes = r_->string_list(*x);
    return r;
  }

  EventTypeSpec event_type(const Value& v) {
    EventTypeSpec e;
    e.where = v.where;
    const auto m = r_->mapping(v, {kEventTypeKeys, kEventTypeRequired});
    if (!m) return e;
    read_into(*m, "name", &e.name, [&](const Value& x) { return r_->string(x); });
    read_into(*m, "description", &e.description, [&](const Value& x) { return r_->string(x); });
    read_into(*m, "retention", &e.retention_seconds,
              [&](const Value& x) { return r_->duration(x); });
    read_into(*m, "value_property", &e.value_property,
              [&](const Value& x) { return r_->string(x); });
    if (const auto x = m->get("properties")) {
      for (const Value& item : r_->items(*x)) {
        e.properties.push_back(field(item, {kPropertyKeys, kPropertyRequired}));
      }
    }
    return e;
  }

  PurposeSpec purpose(const Value& v) {
    PurposeSpec p;
    p.where = v.where;
    const auto m = r_->mapping(v, {kPurposeKeys, kPurposeRequired});
    if (!m) return p;
    read_into(*m, "id", &p.id, [&](const Value& x) { return r_->string(x); });
    read_into(*m, "description", &p.description, [&](const Value& x) { return r_->string(x); });
    read_into(*m, "legal_basis", &p.legal_basis,
              [&](const Value& x) { return r_->choice(x, "legal basis", legal_basis_names()); });
    if (const auto x = m->get("fields")) p.fields = r_->string_list(*x);
    if (const auto x = m->get("event_types")) p.event_types = r_->string_list(*x);
    read_into(*m, "retention", &p.retention_seconds,
              [&](const Value& x) { return r_->duration(x); });
    read_into(*m, "automated_decision", &p.automated_decision,
              [&](const Value& x) { return r_->boolean(x); });
    read_into(*m, "direct_marketing", &p.direct_marketing,
              [&](const Value& x) { return r_->boolean(x); });
    if (const auto x = m->get("tcf_purposes")) {
      for (const Value& item : r_->items(*x)) p.tcf_purposes.push_back(tcf_purpose(item));
    }
    read_into(*m, "notice_version", &p.notice_version,
              [&](const Value& x) { return r_->string(x); });
    read_into(*m, "renew_consent", &p.renew_consent,
              [&](const Value& x) { return r_->boolean(x); });
    read_into(*m, "sale_or_share", &p.sale_or_share,
              [&](const Value& x) { return r_->boolean(x); });
    read_into(*m, "consent_at_event_time", &p.consent_at_event_time,
              [&](const Value& x) { return r_->boolean(x); });
    if (const auto x = m->get("dp_budget")) {
      if (const auto b = r_->mapping(*x, {kDpBudgetKeys, {}})) {
        read_into(*b, "epsilon", &p.dp_epsilon_budget,
                  [&](const Value& y) { return r_->number(y); });
        read_into(*b, "delta", &p.dp_delta_budget, [&](const Value& y) { return r_->number(y); });
      }
    }
    if (const auto x = m->get("score_review")) {
      if (const auto b = r_->mapping(*x, {kScoreReviewKeys, {}})) {
        if (const auto y = b->get("above")) p.review_above = r_->number(*y);
        if (const auto y = b->get("below")) p.review_below = r_->number(*y);
      }
    }
    return p;
  }

  RoleSpec role(const Value& v) {
    RoleSpec role;
    role.where = v.where;
    const auto m = r_->mapping(v, {kRoleKeys, kRoleKeys});
    if (!m) return role;
    read_into(*m, "name", &role.name, [&](const Value& x) { return r_->string(x); });
    if (const auto x = m->get("actions")) role.actions = r_->string_list(*x);
    return role;
  }

  Config* config_;
  Reader* r_;
};

}  // namespace

void parse_document(const YAML::Node& root, Config* config, SourceMap* map,
                    std::vector<ConfigProblem>* problems) {
  Reader reader(map, problems);
  Parser(config, &reader).document(Reader::root(root));
}

}  // namespace consentric::config_detail
