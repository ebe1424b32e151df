#pragma once

// Turns one input value (a CSV cell or a JSON scalar) into a typed value, as the config
// declares it, with an error that says what was expected and what was found.

#include <cstdint>
#include <string>
#include <string_view>

#include "config/config.h"
#include "core/time.h"
#include "store/profile_doc.h"

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

  bool missing() const {
    return kind == Kind::kAbsent || kind == Kind::kNull || (from_csv && text.empty());
  }
};

// Applies `spec` to `in`. REQUIRES: !in.missing().
// Errors read like: expected an integer between 16 and 100, got "x".
Result<TypedValue> coerce(const FieldSpec& spec, const InputValue& in);

// InvalidArgument "2030-01-01T00:00:00Z is in the future" when t is later than now plus a
// few minutes of clock skew: records describe what already happened.
Status check_not_future(UnixSeconds t, UnixSeconds now);

}  // namespace consentric::ingest
