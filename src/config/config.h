#pragma once

// The privacy-as-code declaration (consentric.yaml): what data is held, why, for how long,
// and who may do what. The engine enforces it; the compliance reports are generated from it.
// A Config is only ever built by parse_config, which validates it whole, so code holding a
// Config may rely on every invariant below.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "consentric/status.h"

namespace consentric {

enum class FieldType { kString, kInt, kFloat, kBool, kDate, kTimestamp, kCategory };

enum class DataCategory {
  kContact,
  kIdentity,
  kDemographic,
  kBehavioral,
  kFinancial,
  kLocation,
  kSpecialCategory,  // GDPR Art. 9: never a model or segment feature (DESIGN.md invariant 2)
};

// What happens to a group smaller than k_anonymity in anything that leaves the engine
// (DESIGN.md invariant 5): it is left out, or pooled with the other small groups into one
// "other" group (which is itself left out when still smaller than k).
enum class SmallGroups { kSuppress, kMerge };

// What erasing a person does with their events (docs/rights.md, "Anonymization instead of
// deletion"). kDelete (the default) deletes every row about them. kAnonymize deletes the same,
// except that their events are first re-homed, without their pii properties, under a fresh
// anonymous subject that nothing links back to, so aggregate statistics survive (GDPR Recital
// 26: anonymous information is outside the regulation). Chosen by the DPO, never per request.
enum class ErasureMethod { kDelete, kAnonymize };

enum class LegalBasis { kConsent, kLegitimateInterest, kContract, kLegalObligation };

// How an identifier value is normalized before its blind index is computed.
enum class IdentifierKind {
  kEmail,       // trimmed, lower-cased
  kPhone,       // digits only, a leading '+' kept
  kCustomerId,  // trimmed, case kept
  kOther,       // trimmed, case kept
};

std::string_view to_string(FieldType t);
std::string_view to_string(DataCategory c);
std::string_view to_string(LegalBasis b);
std::string_view to_string(IdentifierKind k);
std::string_view to_string(SmallGroups s);
std::string_view to_string(ErasureMethod m);

struct SourceLocation {
  int line = 0;    // 1-based; 0 when not from a file
  int column = 0;  // 1-based
};

// How a quasi-identifier may be coarsened so that an export reaches k-anonymity, finest level
// first (docs/config.md, "generalization"). Above the last level the column is withheld ("*").
struct GeneralizationSpec {
  enum class Kind { kBands, kPrefix, kDates, kCategories };
  Kind kind = Kind::kBands;
  std::vector<double> band_widths;       // kBands: each a multiple of the one before
  std::vector<int> prefix_lengths;       // kPrefix: characters kept, decreasing
  std::vector<std::string> date_levels;  // kDates: in order among month, year, decade
  // kCategories: one mapping per level, from the level below's values to their parents.
  std::vector<std::vector<std::pair<std::string, std::string>>> category_parents;
  SourceLocation where;
};

// A profile field or an event property.
struct FieldSpec {
  std::string name;
  FieldType type = FieldType::kString;
  DataCategory category = DataCategory::kBehavioral;
  bool pii = false;               // stored encrypted under the subject's data key
  bool quasi_identifier = false;  // counts toward k-anonymity checks
  bool required = false;          // an import row without it is refused
  std::optional<std::int64_t> retention_seconds;
  std::vector<std::string> values;  // kCategory: the allowed values (empty: any)
  std::optional<double> min;        // kInt / kFloat bounds, inclusive
  std::optional<double> max;
  std::string description;
  std::optional<GeneralizationSpec> generalization;  // quasi-identifiers only
  // The sensitive attribute of l-diversity: every released equivalence class must hold at
  // least l_diversity distinct values of it.
  bool sensitive = false;
  SourceLocation where;
};

struct EventTypeSpec {
  std::string name;
  std::vector<FieldSpec> properties;  // category defaults to kBehavioral
  // The numeric property that carries money (e.g. purchase.amount); events of a type with a
  // value property count toward frequency and monetary value in the feature rows.
  std::optional<std::string> value_property;
  std::optional<std::int64_t> retention_seconds;
  std::string description;
  SourceLocation where;

  const FieldSpec* property(std::string_view name) const;
};

struct PurposeSpec {
  std::string id;
  std::string description;
  LegalBasis legal_basis = LegalBasis::kConsent;
  std::vector<std::string> fields;       // profile fields the purpose may read
  std::vector<std::string> event_types;  // event types the purpose may read
  std::optional<std::int64_t> retention_seconds;
  bool automated_decision = false;  // GDPR Art. 22
  bool direct_marketing = false;    // GDPR Art. 21(3): an objection stops it absolutely
  std::vector<int> tcf_purposes;    // IAB TCF purpose ids (1..11) mapped onto this purpose
  std::string notice_version;       // version of the notice shown when consent is asked
  // The notice in force once one has been published (report/privacy_notice.h): its version
  // label and the hex BLAKE2b-256 of its text. Not declared: set from the store when it is
  // opened (store_dir.h overlay_published_notices); empty until a notice is published.
  std::string published_notice_version;
  std::string notice_hash;
  bool renew_consent = false;       // consent under an older notice counts as absent
  bool sale_or_share = false;       // CCPA "sale or sharing": a Global Privacy Control opts out
  // Consent purposes: features count only events that happened while the subject's consent
  // was valid (privacy by default, Art. 25). Off: every event of the declared types counts.
  bool consent_at_event_time = true;
  // What differentially private reports on this purpose's data may spend in all (sequential
  // composition): each release is charged against it, and once spent, queries are refused.
  double dp_epsilon_budget = 10;
  double dp_delta_budget = 1e-5;
  // Lead scores at or above `above`, or at or below `below`, are queued for human review before
  // they decide anything (GDPR Art. 22(3): the right to obtain human intervention). Only for
  // purposes with automated_decision: true.
  std::optional<double> review_above;
  std::optional<double> review_below;
  SourceLocation where;

  // The version consent is asked under now: the published notice's, else the declared one.
  const std::string& current_notice_version() const {
    return published_notice_version.empty() ? notice_version : published_notice_version;
  }
};

// Someone who receives personal data from us (GDPR Art. 13(1)(e), 30(1)(d)): audiences are
// exported only to declared recipients, for the purposes declared for them.
struct RecipientSpec {
  std::string name;
  std::string description;
  std::string country;  // ISO 3166-1 alpha-2; a country outside the EEA is a transfer
  std::vector<std::string> purposes;
  SourceLocation where;
};

// A record names its subject by at most this many identifiers (the importer tracks them in a
// 32-bit mask).
inline constexpr std::size_t kMaxIdentifiers = 32;

struct IdentifierSpec {
  std::string field;  // a declared profile field
  IdentifierKind kind = IdentifierKind::kOther;
  SourceLocation where;
};

struct RoleSpec {
  std::string name;
  // "*" means every action; "prefix.*" every known action that starts with "prefix.".
  std::vector<std::string> actions;
  SourceLocation where;

  bool allows(std::string_view action) const;
};

// Every action a role may be granted, in one place: the config validates role lists against
// it and the governance layer checks requests against it.
std::span<const std::string_view> known_actions();

// True when the granted pattern ("*", "prefix.*" or an exact action) covers action.
bool action_matches(std::string_view pattern, std::string_view action);

// True when pattern is "*", a known action, or "prefix.*" covering at least one known action.
bool is_valid_action_pattern(std::string_view pattern);

// The roles a config without a roles section gets: admin may do everything, the others only
// what their job needs (least privilege, GDPR Art. 25(2) and 32(4)).
std::vector<RoleSpec> default_roles();

// Points scoring (docs/scoring.md, "Points"): rules as marketing-automation users know them.
// Points are kept in milli-points (int64) so that a subject's total is exactly the sum of its
// points log; the YAML gives points as numbers with at most three decimals.
inline constexpr std::int64_t kMilliPerPoint = 1000;

// One condition on an event property: `property OP value`. Values are kept as written; the
// validator has checked them against the property's type (numbers for int/float/date
// comparisons, true/false for bools, a declared value for categories).
struct PointsCondition {
  enum class Op { kEq, kNe, kLt, kLe, kGt, kGe, kIn };
  std::string property;
  Op op = Op::kEq;
  std::vector<std::string> values;  // one value, or the list of kIn
  SourceLocation where;
};

// Each event of `event_type` that meets every condition gives `points`, halved every
// `half_life` since the event (none: no decay); a subject's points from the rule are held
// within ±cap (none: no cap).
struct EventPointsRule {
  std::string name;
  std::string event_type;
  std::vector<PointsCondition> conditions;
  std::int64_t points_milli = 0;
  std::optional<std::int64_t> cap_milli;
  std::optional<std::int64_t> half_life_seconds;
  SourceLocation where;
};

// A profile field that fits the ideal customer gives `points`: its value is one of `values`,
// contains one of `contains` (case-insensitive, for text fields such as a job title), or lies
// in [min, max] (numbers). Exactly one of the three forms.
struct FitPointsRule {
  std::string name;
  std::string field;
  std::vector<std::string> values;
  std::vector<std::string> contains;
  std::optional<double> min;
  std::optional<double> max;
  std::int64_t points_milli = 0;
  SourceLocation where;
};

struct PointsSpec {
  std::string purpose;  // a declared purpose: points read only what its gate lets through
  std::vector<EventPointsRule> event_rules;
  std::vector<FitPointsRule> fit_rules;
  // Grade A at or above grade_a_milli, B at or above grade_b_milli, C at or above grade_c_milli,
  // D below; strictly decreasing.
  std::int64_t grade_a_milli = 80 * kMilliPerPoint;
  std::int64_t grade_b_milli = 50 * kMilliPerPoint;
  std::int64_t grade_c_milli = 20 * kMilliPerPoint;
  // A marketing-qualified lead at or above this many points.
  std::int64_t mql_milli = 60 * kMilliPerPoint;
  SourceLocation where;
};

// The data-quality audit (docs/governance.md, "Data quality"): what counts as a defect where
// the answer is a policy, not a fact.
struct QualitySpec {
  // A profile not written for this long is stale: GDPR Art. 5(1)(d) asks for data kept up to
  // date. Two years unless the declaration says otherwise.
  std::int64_t stale_after_seconds = 730 * 86400;
};

struct ControllerSpec {
  std::string name;
  std::string contact;  // the DPO's or privacy contact
  std::string country;  // ISO 3166-1 alpha-2
};

struct Config {
  int version = 1;
  ControllerSpec controller;
  std::vector<IdentifierSpec> identifiers;  // non-empty; each names a declared field
  std::vector<FieldSpec> fields;
  std::vector<EventTypeSpec> event_types;
  std::vector<PurposeSpec> purposes;
  std::vector<RoleSpec> roles;
  int k_anonymity = 10;  // DESIGN.md invariant 5
  SmallGroups small_groups = SmallGroups::kSuppress;
  ErasureMethod erasure = ErasureMethod::kDelete;
  std::optional<int> tcf_vendor_id;  // our id in the IAB Global Vendor List (1..65535)
  // Differential privacy per query when a report does not say: ln 3 (Google's default) and a
  // delta far below 1 / (number of subjects).
  double dp_epsilon_per_query = 1.0986122886681098;
  double dp_delta_per_query = 1e-6;
  int l_diversity = 0;            // 0: off; else distinct values of the sensitive field per class
  double max_suppression = 0.05;  // share of an export's records that may be withheld to reach k
  std::vector<RecipientSpec> recipients;
  std::optional<PointsSpec> points;  // points scoring; none when the section is absent
  QualitySpec quality;
  std::string source_name;  // the file it came from, for messages
  std::string source_text;  // the YAML as given, stored with the store

  const FieldSpec* field(std::string_view name) const;
  const EventTypeSpec* event_type(std::string_view name) const;
  const PurposeSpec* purpose(std::string_view id) const;
  const IdentifierSpec* identifier(std::string_view field) const;
  const RoleSpec* role(std::string_view name) const;
  const RecipientSpec* recipient(std::string_view name) const;
};

// One problem found in a config file.
struct ConfigProblem {
  SourceLocation where;
  std::string path;     // where in the document, e.g. "purposes[2].fields[0]"
  std::string message;  // what is wrong and what was expected

  // "consentric.yaml:41:9: purposes[2].fields[0]: unknown field "salary" ..."
  std::string to_string(std::string_view file_name) const;
};

struct ConfigCheck {
  std::optional<Config> config;         // set only when problems is empty
  std::vector<ConfigProblem> problems;  // every problem found, in file order
};

// Parses and validates the whole document, collecting every problem rather than stopping at
// the first. Never throws.
ConfigCheck check_config(std::string_view yaml_text, std::string_view file_name);

// check_config, with all problems joined into one InvalidArgument message.
Result<Config> parse_config(std::string_view yaml_text, std::string_view file_name);

// Reads and parses a file; NotFound when it cannot be read.
Result<Config> load_config_file(const std::filesystem::path& path);

}  // namespace consentric
