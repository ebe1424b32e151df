// libFuzzer harness for the CSV reader: reads every record of arbitrary bytes, going on after
// errors, and checks the reader's contract on the way:
//  - errors are InvalidArgument "line N: ..."; every next() consumes input, so the loop ends;
//  - line() and bytes_read() never go back, and bytes_read() ends at total_bytes();
//  - returned fields are valid UTF-8 (and ASan checks every byte of every view is readable);
//  - a record written back out as CSV (every field quoted) reads back as the same fields.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/text.h"
#include "ingest/csv_reader.h"

namespace {

using consentric::ingest::CsvReader;

[[noreturn]] void fail() { __builtin_trap(); }

void check(bool ok) {
  if (!ok) fail();
}

std::string quote_record(const std::vector<std::string_view>& fields) {
  std::string out;
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) out += ',';
    out += '"';
    for (char c : fields[i]) {
      if (c == '"') out += '"';
      out += c;
    }
    out += '"';
  }
  out += "\r\n";
  return out;
}

void check_round_trip(const std::vector<std::string_view>& fields) {
  auto again = CsvReader::from_string(quote_record(fields));
  std::vector<std::string_view> reread;
  auto r = again->next(&reread);
  check(r.ok() && *r);
  check(reread == fields);
  r = again->next(&reread);
  check(r.ok() && !*r);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto reader =
      CsvReader::from_string(std::string(reinterpret_cast<const char*>(data), size), "fuzz.csv");
  check(reader->total_bytes() == static_cast<std::int64_t>(size));
  std::vector<std::string_view> fields;
  std::int64_t last_line = 0;
  std::int64_t last_bytes = 0;
  // Each call that does not report the end consumes at least one byte.
  for (std::size_t calls = 0;; ++calls) {
    check(calls <= size + 1);
    auto r = reader->next(&fields);
    check(reader->bytes_read() >= last_bytes);
    check(reader->bytes_read() <= reader->total_bytes());
    last_bytes = reader->bytes_read();
    if (!r.ok()) {
      check(r.status().code() == consentric::StatusCode::kInvalidArgument);
      check(r.status().message().starts_with("line "));
      check(fields.empty());
    } else if (!*r) {
      break;
    } else {
      check(!fields.empty());
      for (std::string_view f : fields) check(consentric::is_valid_utf8(f));
      check_round_trip(fields);
    }
    check(reader->line() >= last_line && reader->line() >= 1);
    last_line = reader->line();
  }
  check(reader->bytes_read() == reader->total_bytes());
  return 0;
}
