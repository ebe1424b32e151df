// libFuzzer harness for the NDJSON reader: reads every line of arbitrary bytes, going on after
// errors, and checks the reader's contract on the way:
//  - errors are InvalidArgument "line N: ..."; every next() consumes input, so the loop ends;
//  - line() and bytes_read() never go back, and bytes_read() ends at total_bytes();
//  - a line the reader accepts is a JSON object to an independent parser (nlohmann), with the
//    same number of members and the same strings, numbers, booleans and nulls.

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "core/text.h"
#include "ingest/ndjson_reader.h"

namespace {

using consentric::ingest::JsonRecord;
using consentric::ingest::JsonScalar;
using consentric::ingest::NdjsonReader;
using Scalars = std::vector<std::pair<std::string_view, JsonScalar>>;

[[noreturn]] void fail() { __builtin_trap(); }

void check(bool ok) {
  if (!ok) fail();
}

// Physical line `line` (1-based) of the input, without its line end.
std::string_view physical_line(std::string_view input, std::int64_t line) {
  std::size_t start = 0;
  for (std::int64_t l = 1; l < line; ++l) {
    const std::size_t nl = input.find('\n', start);
    check(nl != std::string_view::npos);
    start = nl + 1;
  }
  std::string_view rest = input.substr(start);
  std::string_view text = rest.substr(0, rest.find('\n'));
  if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
  return text;
}

void check_same(const nlohmann::json& j, const JsonScalar& s) {
  switch (s.kind) {
    case JsonScalar::Kind::kNull:
      check(j.is_null());
      break;
    case JsonScalar::Kind::kBool:
      check(j.is_boolean() && j.get<bool>() == s.b);
      break;
    case JsonScalar::Kind::kInt:
      check(j.is_number_integer());
      check(j.is_number_unsigned() ? j.get<std::uint64_t>() == static_cast<std::uint64_t>(s.i)
                                   : j.get<std::int64_t>() == s.i);
      break;
    case JsonScalar::Kind::kDouble: {
      check(j.is_number() && std::isfinite(s.d));
      // The two parsers may round differently in the last place.
      const double other = j.get<double>();
      check(std::fabs(other - s.d) <= 1e-12 * std::fabs(s.d) || other == s.d);
      break;
    }
    case JsonScalar::Kind::kString:
      check(j.is_string() && j.get<std::string>() == s.s);
      check(consentric::is_valid_utf8(s.s));
      break;
  }
}

void check_object(const nlohmann::json& j, const Scalars& scalars, std::size_t extra_members) {
  check(j.is_object());
  check(j.size() == scalars.size() + extra_members);
  for (const auto& [key, value] : scalars) {
    check(consentric::is_valid_utf8(key));
    const auto it = j.find(std::string(key));
    check(it != j.end());
    check_same(*it, value);
  }
}

void check_against_reference(std::string_view text, const JsonRecord& record) {
  const nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  check(!j.is_discarded());
  check_object(j, record.fields, (record.has_properties ? 1 : 0) + (record.has_proof ? 1 : 0));
  if (record.has_properties) check_object(j["properties"], record.properties, 0);
  if (record.has_proof) check_object(j["proof"], record.proof, 0);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  auto reader = NdjsonReader::from_string(std::string(input), "fuzz.ndjson");
  JsonRecord record;
  std::int64_t last_line = 0;
  std::int64_t last_bytes = 0;
  // Each call that does not report the end consumes at least one byte.
  for (std::size_t calls = 0;; ++calls) {
    check(calls <= size + 1);
    auto r = reader->next(&record);
    check(reader->bytes_read() >= last_bytes);
    check(reader->bytes_read() <= reader->total_bytes());
    last_bytes = reader->bytes_read();
    if (!r.ok()) {
      check(r.status().code() == consentric::StatusCode::kInvalidArgument);
      check(r.status().message().starts_with("line "));
    } else if (!*r) {
      break;
    } else {
      check_against_reference(physical_line(input, reader->line()), record);
    }
    check(reader->line() > last_line);
    last_line = reader->line();
  }
  check(reader->bytes_read() == reader->total_bytes());
  return 0;
}
