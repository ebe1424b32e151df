#pragma once

// JSON rendering of a TcString for reports and the CLI (nlohmann_json).

#include <nlohmann/json.hpp>

#include "tcf/tc_string.h"

namespace consentric::tcf {

// Every field under its TcString name; dates as ISO 8601 UTC ("2020-01-26T17:01:00Z", with
// ".d" when the string carries tenths); bit sets and vendor sets as arrays of 1-based ids;
// restriction types as numbers with a "restriction" name beside them; absent optional
// segments as null. Letters that are not printable ASCII become '?', so dump() cannot throw.
nlohmann::json to_json(const TcString& tc);

}  // namespace consentric::tcf
