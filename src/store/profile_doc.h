#pragma once

// A subject's profile as stored: the non-pii fields as one JSON object (`plain`), and the pii
// fields as one JSON object sealed under the subject's data key (`sealed`). One row per
// subject keeps an import to one write per person, and erasing the key makes every pii value
// unreadable at once. Fields appear in the order the config declares them, so equal profiles
// encode to equal text.

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "consentric/status.h"

namespace consentric {

// A typed value: dates and timestamps as Unix seconds, booleans as 0/1.
using TypedValue = std::variant<std::int64_t, double, std::string>;
using FieldValues = std::vector<std::pair<std::string, TypedValue>>;

// Appends s as a JSON string literal (quoted, escaped).
void append_json_string(std::string* out, std::string_view s);
// Appends v as JSON (numbers in their shortest round-trip form).
void append_json(std::string* out, const TypedValue& v);
// The canonical text of a value (what comparisons and messages use).
std::string canonical_text(const TypedValue& v);

// {"name":value,...} in the given order.
std::string encode_fields(const FieldValues& values);
// Parses what encode_fields wrote; DataLoss when the text is not such an object.
Result<FieldValues> decode_fields(std::string_view json);

// The sealed part's associated data: binds the ciphertext to its subject.
std::string profile_aad(std::int64_t subject_id);
// An event's sealed properties' associated data: binds them to the subject and the event.
std::string event_aad(std::int64_t subject_id, std::int64_t ts, std::int64_t dedup);

}  // namespace consentric
