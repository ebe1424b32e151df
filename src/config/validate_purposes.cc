// Purposes: what they may read, and the privacy rules on legal basis, consent notices,
// special category data and TCF mappings. Names and duplicate ids are config_validate.cc's.

#include <unordered_map>

#include <fmt/format.h>

#include "config/config_internal.h"
#include "core/text.h"

namespace consentric::config_detail {
namespace {

// IAB TCF v2.2 allows no legitimate interest for purpose 1 (storing or accessing information
// on a device, ePrivacy Directive Art. 5(3)) nor for purposes 3 to 6 (profiles for
// personalised ads and content).
bool tcf_needs_consent(int tcf_purpose) {
  return tcf_purpose == 1 || (tcf_purpose >= 3 && tcf_purpose <= 6);
}

class PurposeRules {
 public:
  PurposeRules(const Config& config, const SourceMap& map, std::vector<ConfigProblem>* out)
      : c_(config), map_(map), out_(out) {
    for (std::size_t i = 0; i < c_.fields.size(); ++i) {
      field_names_.push_back(c_.fields[i].name);
      field_index_.emplace(c_.fields[i].name, i);
    }
    for (std::size_t i = 0; i < c_.event_types.size(); ++i) {
      event_type_names_.push_back(c_.event_types[i].name);
      event_type_index_.emplace(c_.event_types[i].name, i);
      special_property_.push_back(first_special_property(i));
    }
  }

  void run() {
    for (std::size_t i = 0; i < c_.purposes.size(); ++i) purpose(i);
  }

 private:
  void problem(const std::string& path, std::string message) {
    out_->push_back({map_.at(path), path, std::move(message)});
  }

  // GDPR Art. 22(3): human review of scores beyond thresholds, for automated decisions only.
  void score_review(const PurposeSpec& p, const std::string& ppath) {
    const std::string at = ppath + ".score_review";
    if (!p.review_above && !p.review_below) return;
    if (!p.automated_decision) {
      problem(at, fmt::format("purpose {} makes no automated decisions; score_review applies "
                              "only with automated_decision: true",
                              quote_for_message(p.id)));
    }
    for (const auto& [key, v] : {std::pair{"above", p.review_above}, {"below", p.review_below}}) {
      if (v && !(*v >= 0 && *v <= 1) && map_.good(at + "." + key)) {
        problem(at + "." + key, fmt::format("expected a probability from 0 to 1, got {}", *v));
      }
    }
    if (p.review_above && p.review_below && *p.review_below >= *p.review_above &&
        map_.good(at + ".below")) {
      problem(at + ".below", fmt::format("below ({}) must be less than above ({})", *p.review_below,
                                         *p.review_above));
    }
  }

  // GDPR Art. 9 and 22(4), DESIGN invariant 2: what a purpose may do with special category
  // data. `what` names the field or the event property that carries it.
  void special_category(const PurposeSpec& p, const std::string& ppath, const std::string& at,
                        const std::string& what) {
    if (p.automated_decision && map_.good(ppath + ".automated_decision")) {
      problem(at, fmt::format("{} is special_category data and purpose {} makes automated "
                              "decisions (automated_decision: true); GDPR Art. 22(4) forbids "
                              "automated decisions based on special categories of data",
                              what, quote_for_message(p.id)));
    }
    if (map_.good(ppath + ".legal_basis") && (p.legal_basis == LegalBasis::kLegitimateInterest ||
                                              p.legal_basis == LegalBasis::kContract)) {
      problem(at, fmt::format("{} is special_category data, which GDPR Art. 9(1) forbids "
                              "processing on legal_basis {}; use consent (explicit consent, "
                              "Art. 9(2)(a)) or legal_obligation",
                              what, to_string(p.legal_basis)));
    }
  }

  bool is_special(const FieldSpec& f, const std::string& path) const {
    return f.category == DataCategory::kSpecialCategory && map_.good(path + ".category");
  }

  // The first special category property of event type i, or nullptr.
  const FieldSpec* first_special_property(std::size_t i) const {
    const EventTypeSpec& e = c_.event_types[i];
    for (std::size_t k = 0; k < e.properties.size(); ++k) {
      if (is_special(e.properties[k], indexed(indexed("event_types", i) + ".properties", k))) {
        return &e.properties[k];
      }
    }
    return nullptr;
  }

  void purpose(std::size_t i) {
    const PurposeSpec& p = c_.purposes[i];
    const std::string path = indexed("purposes", i);
    score_review(p, path);
    std::unordered_map<std::string, std::size_t> listed;
    for (std::size_t j = 0; j < p.fields.size(); ++j) {
      const std::string fpath = indexed(path + ".fields", j);
      const std::string& field = p.fields[j];
      if (!map_.good(fpath)) continue;
      if (!listed.emplace("f:" + field, j).second) {
        problem(fpath, fmt::format("field {} is listed twice", quote_for_message(field)));
        continue;
      }
      const auto f = field_index_.find(field);
      if (f == field_index_.end()) {
        problem(fpath,
                fmt::format("field {} is not declared under fields{}", quote_for_message(field),
                            suggester_.did_you_mean(field, field_names_)));
        continue;
      }
      if (is_special(c_.fields[f->second], indexed("fields", f->second))) {
        special_category(p, path, fpath, fmt::format("field {}", quote_for_message(field)));
      }
    }
    for (std::size_t j = 0; j < p.event_types.size(); ++j) {
      const std::string epath = indexed(path + ".event_types", j);
      const std::string& type = p.event_types[j];
      if (!map_.good(epath)) continue;
      if (!listed.emplace("e:" + type, j).second) {
        problem(epath, fmt::format("event type {} is listed twice", quote_for_message(type)));
        continue;
      }
      const auto e = event_type_index_.find(type);
      if (e == event_type_index_.end()) {
        problem(epath, fmt::format("event type {} is not declared under event_types{}",
                                   quote_for_message(type),
                                   suggester_.did_you_mean(type, event_type_names_)));
        continue;
      }
      // One problem per listed event type is enough to make the point.
      if (const FieldSpec* prop = special_property_[e->second]) {
        special_category(p, path, epath,
                         fmt::format("property {} of event type {}", quote_for_message(prop->name),
                                     quote_for_message(type)));
      }
    }
    const bool basis_known = map_.good(path + ".legal_basis");
    for (std::size_t j = 0; j < p.tcf_purposes.size(); ++j) {
      const std::string tpath = indexed(path + ".tcf_purposes", j);
      if (!basis_known || p.legal_basis == LegalBasis::kConsent || !map_.good(tpath) ||
          !tcf_needs_consent(p.tcf_purposes[j])) {
        continue;
      }
      problem(tpath,
              fmt::format("TCF purpose {} may only be based on consent (IAB TCF v2.2 "
                          "Policies), and purpose {} is based on {}",
                          p.tcf_purposes[j], quote_for_message(p.id), to_string(p.legal_basis)));
    }
    // GDPR Art. 7(1): the controller must be able to show what the subject agreed to, so
    // every consent is recorded against the version of the notice that was shown.
    if (basis_known && p.legal_basis == LegalBasis::kConsent && trim(p.notice_version).empty() &&
        !map_.bad(path + ".notice_version")) {
      problem(path + ".notice_version",
              fmt::format("purpose {} is based on consent but names no notice_version; consent "
                          "must be tied to the notice shown when it was given (GDPR Art. 7(1))",
                          quote_for_message(p.id)));
    }
    if (basis_known && p.renew_consent && p.legal_basis != LegalBasis::kConsent &&
        map_.good(path + ".renew_consent")) {
      problem(path + ".renew_consent",
              fmt::format("renew_consent applies only to legal_basis consent, and purpose {} is "
                          "based on {}",
                          quote_for_message(p.id), to_string(p.legal_basis)));
    }
  }

  const Config& c_;
  const SourceMap& map_;
  std::vector<ConfigProblem>* out_;
  std::vector<std::string> field_names_;
  std::vector<std::string> event_type_names_;
  // Name -> index of the first declaration; purposes may list thousands of names.
  std::unordered_map<std::string, std::size_t> field_index_;
  std::unordered_map<std::string, std::size_t> event_type_index_;
  std::vector<const FieldSpec*> special_property_;  // per event type, see first_special_property
  Suggester suggester_;
};

}  // namespace

void validate_purposes(const Config& config, const SourceMap& map,
                       std::vector<ConfigProblem>* problems) {
  PurposeRules(config, map, problems).run();
}

}  // namespace consentric::config_detail
