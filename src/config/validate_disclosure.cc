// Disclosure control settings: the differential-privacy defaults and budgets, l-diversity and
// suppression, recipients, and the generalization hierarchies of quasi-identifiers. Every rule
// appends a problem and carries on.

#include <cmath>
#include <unordered_set>

#include <fmt/format.h>

#include "config/config_internal.h"
#include "core/text.h"

namespace consentric::config_detail {
namespace {

// The epsilon range the mechanisms accept (disclose/dp_mechanisms.h).
constexpr double kMinEpsilon = 0x1p-20;
constexpr double kMaxEpsilon = 1024;
// A delta above this is no longer "cryptographically small" for any customer base we hold.
constexpr double kMaxDelta = 1e-4;
constexpr std::string_view kDateLevels[] = {"month", "year", "decade"};

class DisclosureRules {
 public:
  DisclosureRules(const Config& config, const SourceMap& map, std::vector<ConfigProblem>* out)
      : c_(config), map_(map), out_(out) {}

  void run() {
    top_level();
    for (std::size_t i = 0; i < c_.purposes.size(); ++i) budget(i);
    for (std::size_t i = 0; i < c_.fields.size(); ++i) field(i);
    for (std::size_t i = 0; i < c_.recipients.size(); ++i) recipient(i);
  }

 private:
  void problem(const std::string& path, std::string message) {
    out_->push_back({map_.at(path), path, std::move(message)});
  }

  void epsilon(const std::string& path, double e) {
    if (!map_.good(path) || (std::isfinite(e) && e >= kMinEpsilon && e <= kMaxEpsilon)) return;
    problem(path, fmt::format("expected an epsilon between 2^-20 and {}, got {}", kMaxEpsilon, e));
  }

  void delta(const std::string& path, double d, bool zero_allowed) {
    if (!map_.good(path)) return;
    if (std::isfinite(d) && d <= kMaxDelta && (d > 0 || (zero_allowed && d == 0))) return;
    problem(path, fmt::format("expected a delta {} and at most {}, got {}",
                              zero_allowed ? "of 0 or more" : "above 0", kMaxDelta, d));
  }

  void top_level() {
    epsilon("differential_privacy.epsilon_per_query", c_.dp_epsilon_per_query);
    delta("differential_privacy.delta_per_query", c_.dp_delta_per_query, false);
    const bool l_in_range = c_.l_diversity >= 0 && c_.l_diversity <= c_.k_anonymity;
    if (map_.good("l_diversity") && !l_in_range) {
      problem("l_diversity", fmt::format("expected l_diversity from 0 (off) to k_anonymity ({}): "
                                         "a class of k records holds at most k values, got {}",
                                         c_.k_anonymity, c_.l_diversity));
    }
    if (map_.good("max_suppression") && !(c_.max_suppression >= 0 && c_.max_suppression < 1)) {
      problem("max_suppression",
              fmt::format("expected a share of records from 0 up to (not including) 1, got {}",
                          c_.max_suppression));
    }
    if (c_.l_diversity > 0 && l_in_range && map_.good("l_diversity")) {
      bool any = false;
      for (const FieldSpec& f : c_.fields) any = any || f.sensitive;
      if (!any) {
        problem("l_diversity",
                "l_diversity needs a field declared sensitive: true (the "
                "attribute whose values each class must vary in)");
      }
    }
  }

  void budget(std::size_t i) {
    const PurposeSpec& p = c_.purposes[i];
    const std::string path = indexed("purposes", i) + ".dp_budget";
    epsilon(path + ".epsilon", p.dp_epsilon_budget);
    delta(path + ".delta", p.dp_delta_budget, true);
  }

  void field(std::size_t i) {
    const FieldSpec& f = c_.fields[i];
    const std::string path = indexed("fields", i);
    if (f.sensitive && map_.good(path + ".sensitive")) {
      if (f.quasi_identifier) {
        problem(path + ".sensitive", fmt::format("field {} is a quasi-identifier; the sensitive "
                                                 "attribute of l-diversity must be another field",
                                                 quote_for_message(f.name)));
      }
      if (f.pii) {
        problem(path + ".sensitive",
                fmt::format("field {} is pii, which audiences never carry; declare a non-pii "
                            "field sensitive",
                            quote_for_message(f.name)));
      }
    }
    if (!f.generalization || !map_.good(path + ".generalization")) return;
    const std::string gpath = path + ".generalization";
    if (!f.quasi_identifier) {
      problem(gpath, fmt::format("generalization applies to quasi-identifiers, and field {} is "
                                 "not one (add quasi_identifier: true)",
                                 quote_for_message(f.name)));
    }
    const GeneralizationSpec& g = *f.generalization;
    const bool typed = map_.good(path + ".type");
    const auto wrong_type = [&](std::string_view kind, std::string_view types) {
      if (!typed) return;
      problem(gpath, fmt::format("{} generalization applies to fields of type {}, and {} has "
                                 "type {}",
                                 kind, types, quote_for_message(f.name), to_string(f.type)));
    };
    switch (g.kind) {
      case GeneralizationSpec::Kind::kBands:
        if (f.type != FieldType::kInt && f.type != FieldType::kFloat)
          wrong_type("bands", "int or float");
        bands(gpath + ".bands", g.band_widths);
        break;
      case GeneralizationSpec::Kind::kPrefix:
        if (f.type != FieldType::kString && f.type != FieldType::kCategory) {
          wrong_type("prefix", "string or category");
        }
        prefix(gpath + ".prefix", g.prefix_lengths);
        break;
      case GeneralizationSpec::Kind::kDates:
        if (f.type != FieldType::kDate && f.type != FieldType::kTimestamp) {
          wrong_type("dates", "date or timestamp");
        }
        dates(gpath + ".dates", g.date_levels);
        break;
      case GeneralizationSpec::Kind::kCategories:
        if (f.type != FieldType::kString && f.type != FieldType::kCategory) {
          wrong_type("categories", "category or string");
        }
        categories(gpath + ".categories", f, g.category_parents);
        break;
    }
  }

  void bands(const std::string& path, const std::vector<double>& widths) {
    if (!map_.good(path)) return;
    if (widths.empty()) problem(path, "expected at least one band width");
    for (std::size_t j = 0; j < widths.size(); ++j) {
      const std::string at = indexed(path, j);
      if (!map_.good(at)) continue;
      const double w = widths[j];
      if (!(std::isfinite(w) && w > 0)) {
        problem(at, fmt::format("expected a band width above 0, got {}", w));
      } else if (j > 0 && widths[j - 1] > 0) {
        const double ratio = w / widths[j - 1];
        if (ratio <= 1 || std::fabs(ratio - std::round(ratio)) > 1e-9) {
          problem(at, fmt::format("expected a multiple of the band width before it ({}), larger "
                                  "than it, so that each band holds whole bands of the level "
                                  "below; got {}",
                                  widths[j - 1], w));
        }
      }
    }
  }

  void prefix(const std::string& path, const std::vector<int>& lengths) {
    if (!map_.good(path)) return;
    if (lengths.empty()) problem(path, "expected at least one prefix length");
    for (std::size_t j = 0; j < lengths.size(); ++j) {
      const std::string at = indexed(path, j);
      if (!map_.good(at)) continue;
      if (lengths[j] < 0 || (j > 0 && lengths[j] >= lengths[j - 1])) {
        problem(at, fmt::format("expected prefix lengths of 0 or more, each shorter than the one "
                                "before, got {}",
                                lengths[j]));
      }
    }
  }

  void dates(const std::string& path, const std::vector<std::string>& levels) {
    if (!map_.good(path)) return;
    if (levels.empty()) problem(path, "expected at least one of month, year, decade");
    int last = -1;
    for (std::size_t j = 0; j < levels.size(); ++j) {
      const std::string at = indexed(path, j);
      if (!map_.good(at)) continue;
      int rank = -1;
      for (int r = 0; r < 3; ++r) {
        if (levels[j] == kDateLevels[r]) rank = r;
      }
      if (rank <= last) {
        problem(at, fmt::format("expected month, year or decade, each coarser than the one "
                                "before, got {}",
                                quote_for_message(levels[j])));
      } else {
        last = rank;
      }
    }
  }

  // Level 1 maps the field's values (its declared values, when it has them) to parents; each
  // next level maps every parent of the level before.
  void categories(const std::string& path, const FieldSpec& f,
                  const std::vector<std::vector<std::pair<std::string, std::string>>>& levels) {
    if (!map_.good(path)) return;
    if (levels.empty()) problem(path, "expected at least one level of value: parent pairs");
    std::vector<std::string> below = f.values;
    for (std::size_t j = 0; j < levels.size(); ++j) {
      const std::string at = indexed(path, j);
      if (!map_.good(at)) return;
      std::unordered_set<std::string> keys;
      for (const auto& [value, parent] : levels[j]) keys.insert(value);
      for (const std::string& v : below) {
        if (keys.contains(v)) continue;
        problem(at, fmt::format("level {} gives no parent for {}, a value of the level below",
                                j + 1, quote_for_message(v)));
        return;
      }
      std::unordered_set<std::string> parents;
      below.clear();
      for (const auto& [value, parent] : levels[j]) {
        if (parents.insert(parent).second) below.push_back(parent);
      }
    }
  }

  void recipient(std::size_t i) {
    const RecipientSpec& r = c_.recipients[i];
    const std::string path = indexed("recipients", i);
    if (map_.good(path + ".name") && !is_config_name(r.name)) {
      problem(path + ".name",
              fmt::format("expected a name of lower-case letters, digits and underscores that "
                          "starts with a letter, got {}",
                          quote_for_message(r.name)));
    }
    if (map_.good(path + ".country") && !is_country_code(r.country)) {
      problem(path + ".country",
              fmt::format("expected an ISO 3166-1 alpha-2 country code such as DE, got {}",
                          quote_for_message(r.country)));
    }
    if (map_.good(path + ".purposes") && r.purposes.empty()) {
      problem(path + ".purposes", "expected at least one purpose the recipient receives data for");
    }
    for (std::size_t j = 0; j < r.purposes.size(); ++j) {
      const std::string at = indexed(path + ".purposes", j);
      if (map_.good(at) && c_.purpose(r.purposes[j]) == nullptr) {
        problem(at, fmt::format("purpose {} is not declared under purposes",
                                quote_for_message(r.purposes[j])));
      }
    }
    for (std::size_t j = 0; j < i; ++j) {
      if (c_.recipients[j].name == r.name && !r.name.empty() && map_.good(path + ".name")) {
        problem(path + ".name",
                fmt::format("duplicate recipient {} (first declared at line {})",
                            quote_for_message(r.name), c_.recipients[j].where.line));
        break;
      }
    }
  }

  const Config& c_;
  const SourceMap& map_;
  std::vector<ConfigProblem>* out_;
};

}  // namespace

void validate_disclosure(const Config& config, const SourceMap& map,
                         std::vector<ConfigProblem>* problems) {
  DisclosureRules(config, map, problems).run();
}

}  // namespace consentric::config_detail
