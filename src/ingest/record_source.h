#pragma once

// One interface over the CSV and NDJSON readers: each record as named input values, so the
// validation that follows is the same whatever the file format.

#include <filesystem>
#include <memory>
#include <string_view>
#include <utility>
#include <vector>

#include "ingest/field_value.h"

namespace consentric::ingest {

using NamedValues = std::vector<std::pair<std::string_view, InputValue>>;

// "line 12: unterminated quote" -> "unterminated quote": the line is reported separately.
std::string strip_line_prefix(const std::string& message);

// The value named `name`, or nullptr. Records have a handful of fields: a scan beats a map.
const InputValue* find_value(const NamedValues& values, std::string_view name);

class RecordSource {
 public:
  virtual ~RecordSource() = default;
  // Advances to the next record: false at the end. An error is about this record only (the
  // source goes on with the next one); its message starts with "line N: ".
  virtual Result<bool> next() = 0;
  virtual std::int64_t line() const = 0;
  virtual const NamedValues& fields() const = 0;      // top-level values (CSV: every column)
  virtual const NamedValues& properties() const = 0;  // NDJSON "properties" object
  virtual const NamedValues& proof() const = 0;       // NDJSON "proof" object
  virtual const std::vector<std::string>* header() const { return nullptr; }  // CSV column names
  virtual std::int64_t bytes_read() const = 0;
  virtual std::int64_t total_bytes() const = 0;
};

// Opens a CSV file (its header names the columns) or an NDJSON file. CSV header problems
// (empty or duplicate column names) are errors here.
Result<std::unique_ptr<RecordSource>> open_csv_source(const std::filesystem::path& path);
Result<std::unique_ptr<RecordSource>> open_ndjson_source(const std::filesystem::path& path);

}  // namespace consentric::ingest
