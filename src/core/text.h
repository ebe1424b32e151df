#pragma once

// Small text helpers shared by the parsers: UTF-8 validation, trimming, number parsing.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "consentric/status.h"

namespace consentric {

// True when s is well-formed UTF-8 (no overlongs, no surrogates, nothing past U+10FFFF).
bool is_valid_utf8(std::string_view s);

std::string_view trim(std::string_view s);
std::string to_lower_ascii(std::string_view s);

// Whole-string parses; an empty string, trailing junk or overflow fails.
bool parse_int64(std::string_view s, std::int64_t* out);
bool parse_double(std::string_view s, double* out);

// The non-empty parts of a comma-separated list, as given ("a,,b" -> a, b).
std::vector<std::string> split_commas(std::string_view text);

// Quotes a value for an error message, cut to a readable length and with control bytes escaped.
std::string quote_for_message(std::string_view s);

// "1,234,567": counts as people read them.
std::string with_thousands(std::int64_t n);

// text with &, <, >, " and ' replaced by character references, for HTML text and attributes.
std::string html_escape(std::string_view text);

// s as one CSV field (RFC 4180): quoted, with quotes doubled, when it holds a comma, a quote
// or a line break; as is otherwise.
std::string csv_field(std::string_view s);

}  // namespace consentric
