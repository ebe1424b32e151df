#pragma once

// A small JSON reader for what this module reads back: XGBoost's saved models, our scaler, and
// the benchmark peer's one-line report. It builds a tree of values; numbers keep their text, so
// a float32 written by XGBoost reads back bit for bit (as_float) and a double likewise
// (as_double). Strings are decoded (\uXXXX to UTF-8; an unpaired surrogate becomes U+FFFD).
// Nesting deeper than kMaxDepth is refused, so hostile input cannot exhaust the stack.

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "consentric/status.h"

namespace consentric::score {

class JsonValue {
 public:
  enum class Kind { kNull, kBool, kNumber, kString, kArray, kObject };

  Kind kind() const { return kind_; }
  bool is_number() const { return kind_ == Kind::kNumber; }
  bool is_string() const { return kind_ == Kind::kString; }
  bool is_array() const { return kind_ == Kind::kArray; }
  bool is_object() const { return kind_ == Kind::kObject; }

  bool as_bool() const { return bool_; }
  // The number's value (or a string holding a number, as XGBoost writes its parameters), by
  // strtod/strtof on the text; 0 when it is neither.
  double as_double() const;
  float as_float() const;
  long long as_int() const;
  // A string's decoded text, a number's text; empty otherwise.
  const std::string& text() const { return text_; }

  const std::vector<JsonValue>& items() const { return items_; }
  const std::vector<std::pair<std::string, JsonValue>>& members() const { return members_; }
  // The member named `key` of an object (the first, when repeated), or nullptr.
  const JsonValue* find(std::string_view key) const;

 private:
  friend class JsonParser;
  Kind kind_ = Kind::kNull;
  bool bool_ = false;
  std::string text_;
  std::vector<JsonValue> items_;
  std::vector<std::pair<std::string, JsonValue>> members_;
};

inline constexpr int kMaxJsonDepth = 200;

// Parses one JSON document (surrounding white space allowed). Errors name the byte offset.
Result<JsonValue> parse_json(std::string_view text);

// `s` as a JSON string literal, quotes included.
std::string json_quote(std::string_view s);

}  // namespace consentric::score
