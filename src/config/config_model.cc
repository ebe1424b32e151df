// The Config data model: enum spellings, look-ups and problem formatting.

#include <array>

#include <fmt/format.h>

#include "config/config.h"
#include "config/config_enums.h"

namespace consentric {
namespace config_detail {
namespace {

constexpr std::array<EnumName<FieldType>, 7> kFieldTypes{{
    {"string", FieldType::kString},
    {"int", FieldType::kInt},
    {"float", FieldType::kFloat},
    {"bool", FieldType::kBool},
    {"date", FieldType::kDate},
    {"timestamp", FieldType::kTimestamp},
    {"category", FieldType::kCategory},
}};

constexpr std::array<EnumName<DataCategory>, 7> kDataCategories{{
    {"contact", DataCategory::kContact},
    {"identity", DataCategory::kIdentity},
    {"demographic", DataCategory::kDemographic},
    {"behavioral", DataCategory::kBehavioral},
    {"financial", DataCategory::kFinancial},
    {"location", DataCategory::kLocation},
    {"special_category", DataCategory::kSpecialCategory},
}};

// GDPR Art. 6(1)(a), (f), (b), (c). Vital and public interest are left out on purpose: a
// customer analytics engine has no business relying on them.
constexpr std::array<EnumName<LegalBasis>, 4> kLegalBases{{
    {"consent", LegalBasis::kConsent},
    {"legitimate_interest", LegalBasis::kLegitimateInterest},
    {"contract", LegalBasis::kContract},
    {"legal_obligation", LegalBasis::kLegalObligation},
}};

constexpr std::array<EnumName<IdentifierKind>, 4> kIdentifierKinds{{
    {"email", IdentifierKind::kEmail},
    {"phone", IdentifierKind::kPhone},
    {"customer_id", IdentifierKind::kCustomerId},
    {"other", IdentifierKind::kOther},
}};

constexpr std::array<EnumName<SmallGroups>, 2> kSmallGroups{{
    {"suppress", SmallGroups::kSuppress},
    {"merge", SmallGroups::kMerge},
}};

constexpr std::array<EnumName<ErasureMethod>, 2> kErasureMethods{{
    {"delete", ErasureMethod::kDelete},
    {"anonymize", ErasureMethod::kAnonymize},
}};

}  // namespace

std::span<const EnumName<SmallGroups>> small_groups_names() { return kSmallGroups; }
std::span<const EnumName<ErasureMethod>> erasure_method_names() { return kErasureMethods; }
std::span<const EnumName<FieldType>> field_type_names() { return kFieldTypes; }
std::span<const EnumName<DataCategory>> data_category_names() { return kDataCategories; }
std::span<const EnumName<LegalBasis>> legal_basis_names() { return kLegalBases; }
std::span<const EnumName<IdentifierKind>> identifier_kind_names() { return kIdentifierKinds; }

}  // namespace config_detail

std::string_view to_string(FieldType t) {
  return config_detail::enum_to_name(config_detail::field_type_names(), t);
}
std::string_view to_string(DataCategory c) {
  return config_detail::enum_to_name(config_detail::data_category_names(), c);
}
std::string_view to_string(LegalBasis b) {
  return config_detail::enum_to_name(config_detail::legal_basis_names(), b);
}
std::string_view to_string(SmallGroups s) {
  return config_detail::enum_to_name(config_detail::small_groups_names(), s);
}
std::string_view to_string(ErasureMethod m) {
  return config_detail::enum_to_name(config_detail::erasure_method_names(), m);
}
std::string_view to_string(IdentifierKind k) {
  return config_detail::enum_to_name(config_detail::identifier_kind_names(), k);
}

namespace {

template <typename T, typename Key>
const T* find_by(const std::vector<T>& items, std::string_view wanted, Key key) {
  for (const T& item : items) {
    if (item.*key == wanted) return &item;
  }
  return nullptr;
}

}  // namespace

const FieldSpec* EventTypeSpec::property(std::string_view wanted) const {
  return find_by(properties, wanted, &FieldSpec::name);
}

const FieldSpec* Config::field(std::string_view name) const {
  return find_by(fields, name, &FieldSpec::name);
}
const EventTypeSpec* Config::event_type(std::string_view name) const {
  return find_by(event_types, name, &EventTypeSpec::name);
}
const PurposeSpec* Config::purpose(std::string_view id) const {
  return find_by(purposes, id, &PurposeSpec::id);
}
const IdentifierSpec* Config::identifier(std::string_view field) const {
  return find_by(identifiers, field, &IdentifierSpec::field);
}
const RoleSpec* Config::role(std::string_view name) const {
  return find_by(roles, name, &RoleSpec::name);
}

const RecipientSpec* Config::recipient(std::string_view name) const {
  return find_by(recipients, name, &RecipientSpec::name);
}

std::string ConfigProblem::to_string(std::string_view file_name) const {
  std::string out(file_name);
  if (where.line > 0) out += fmt::format(":{}:{}", where.line, where.column);
  out += ": ";
  if (!path.empty()) {
    out += path;
    out += ": ";
  }
  out += message;
  return out;
}

}  // namespace consentric
