#pragma once

// Turns one input value (a CSV cell or a JSON scalar) into a typed value, as the config
// declares it, with an error that says what was expected and what was found.

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include "config/config.h"
#include "store/store.h"

namespace consentric::ingest {

// One value as read from the input, before its declared type is applied.
struct InputValue {
  enum class Kind { kAbsent, kNull, kText, kBool, kInt, kDouble };
  Kind kind = Kind::kAbsent;
  std::string_view text;  // kText
  bool b = false;
  std::int64_t i = 0;
  double d = 0;
  bool from_csv = false;  // a CSV cell is always text; its type comes from parsing

  bool missing() const { return kind == Kind::kAbsent || kind == Kind::kNull || (from_csv && text.empty()); }
};

// A typed value: dates and timestamps as Unix seconds, booleans as 0/1.
using TypedValue = std::variant<std::int64_t, double, std::string>;

// Applies `spec` to `in`. REQUIRES: !in.missing().
// Errors read like: expected an integer between 16 and 100, got "x".
Result<TypedValue> coerce(const FieldSpec& spec, const InputValue& in);

// The canonical text of a typed value (what pii encryption seals and what comparisons use).
std::string canonical_text(const TypedValue& v);

// Appends `v` to `out` as JSON.
void append_json(std::string* out, const TypedValue& v);
// Appends s as a JSON string literal (quoted, escaped).
void append_json_string(std::string* out, std::string_view s);

StoredValue to_plain_stored(const TypedValue& v);

}  // namespace consentric::ingest
