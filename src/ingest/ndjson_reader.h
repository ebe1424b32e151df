#pragma once

// NDJSON: one JSON object per line, streamed from a file in 1 MiB blocks; each line is parsed
// with simdjson On-Demand from a reused padded buffer, so reading allocates nothing per line
// once the buffers have grown to the longest line.
//
// A record is flat: top-level scalars, plus at most one nested "properties" object (event
// properties) and one nested "proof" object (consent evidence), each holding scalars only.
// Error messages give the line and the key but never a value, which may be personal data.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "consentric/status.h"

namespace consentric::ingest {

struct JsonScalar {
  enum class Kind { kNull, kBool, kInt, kDouble, kString };
  Kind kind = Kind::kNull;
  bool b = false;
  std::int64_t i = 0;  // kInt: integers in int64 range; larger integers come as kDouble
  double d = 0;
  std::string_view s;  // kString, unescaped; valid until the reader's next next()
};

struct JsonRecord {
  // Keys are unescaped and, like string values, valid until the reader's next next().
  std::vector<std::pair<std::string_view, JsonScalar>> fields;      // top-level scalars, in order
  std::vector<std::pair<std::string_view, JsonScalar>> properties;  // scalars of "properties"
  bool has_properties = false;
  std::vector<std::pair<std::string_view, JsonScalar>> proof;  // scalars of "proof" (consent)
  bool has_proof = false;

  // The top-level scalar with this key, or nullptr when absent.
  const JsonScalar* field(std::string_view name) const;
};

class NdjsonReader {
 public:
  static constexpr std::size_t kMaxLineBytes = std::size_t{16} << 20;

  // NotFound naming the path when the file does not exist.
  static Result<std::unique_ptr<NdjsonReader>> open(const std::filesystem::path& path);
  static std::unique_ptr<NdjsonReader> from_string(std::string data, std::string name = "<input>");

  NdjsonReader(const NdjsonReader&) = delete;
  NdjsonReader& operator=(const NdjsonReader&) = delete;
  ~NdjsonReader();

  // Parses the next non-blank line into *record (cleared first, its vectors' capacity reused).
  // Returns false at the end of the input. A final line without a newline and CRLF line ends
  // are accepted.
  //
  // Errors are InvalidArgument "line N: ..." and the reader goes on with the next line when
  // called again: not valid JSON (with simdjson's reason), not an object, a nested object
  // other than "properties"/"proof" or an array ("field "x": expected a string, number,
  // boolean or null"), "properties"/"proof" not an object or holding a nested value, a
  // duplicate key, invalid UTF-8, a line over kMaxLineBytes, a number that fits neither int64
  // nor double. A failure to read the file is Internal.
  Result<bool> next(JsonRecord* record);

  // 1-based physical line of the last record (or of the line in error).
  std::int64_t line() const;
  // Bytes of the input consumed so far, for progress.
  std::int64_t bytes_read() const;
  // The file size, or 0 when unknown.
  std::int64_t total_bytes() const;
  // The path or the name given to from_string.
  const std::string& name() const;

 private:
  struct Impl;
  explicit NdjsonReader(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace consentric::ingest
