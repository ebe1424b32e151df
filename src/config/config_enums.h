#pragma once

// The YAML spellings of the config enums, in one table per enum, so that to_string, the
// parser and its "expected one of ..." messages can never disagree.

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "config/config.h"

namespace consentric::config_detail {

template <typename E>
struct EnumName {
  std::string_view name;
  E value;
};

std::span<const EnumName<FieldType>> field_type_names();
std::span<const EnumName<DataCategory>> data_category_names();
std::span<const EnumName<LegalBasis>> legal_basis_names();
std::span<const EnumName<IdentifierKind>> identifier_kind_names();
std::span<const EnumName<SmallGroups>> small_groups_names();
std::span<const EnumName<ErasureMethod>> erasure_method_names();

template <typename E>
std::optional<E> enum_from_name(std::span<const EnumName<E>> names, std::string_view name) {
  for (const auto& n : names) {
    if (n.name == name) return n.value;
  }
  return std::nullopt;
}

template <typename E>
std::string_view enum_to_name(std::span<const EnumName<E>> names, E value) {
  for (const auto& n : names) {
    if (n.value == value) return n.name;
  }
  return "unknown";
}

// "a, b, c": the spellings, for messages.
template <typename E>
std::string enum_name_list(std::span<const EnumName<E>> names) {
  std::string out;
  for (const auto& n : names) {
    if (!out.empty()) out += ", ";
    out += n.name;
  }
  return out;
}

}  // namespace consentric::config_detail
