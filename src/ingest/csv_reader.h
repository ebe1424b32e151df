#pragma once

// RFC 4180 CSV, streamed from a file in 1 MiB blocks, so memory is bounded by the longest record
// (at most 16 MiB) plus a block, not by the file. Handles quoted fields with commas, doubled
// quotes and embedded newlines, CRLF and LF line ends, a UTF-8 byte order mark at the start
// (skipped) and a missing final newline. A lone CR inside a line is data.
//
// Error messages give positions (line, column) but never the field text, which may be personal
// data.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "consentric/status.h"
#include "ingest/block_source.h"

namespace consentric::ingest {

class CsvReader {
 public:
  static constexpr std::size_t kMaxRecordBytes = std::size_t{16} << 20;

  // NotFound naming the path when the file does not exist.
  static Result<std::unique_ptr<CsvReader>> open(const std::filesystem::path& path);
  static std::unique_ptr<CsvReader> from_string(std::string data, std::string name = "<input>");

  // Reads the next record into *fields (cleared first). Returns false at the end of the input.
  // The string_views stay valid until the next call. Blank lines are skipped.
  //
  // Errors are InvalidArgument with a message "line N: ..." saying what was expected: an
  // unterminated quoted field, a quote inside an unquoted field, text after a closing quote,
  // invalid UTF-8 (naming the column), a record longer than kMaxRecordBytes. After an error the
  // reader resynchronizes at the start of a following physical line (the line after the error,
  // or for an unterminated quote the line after the opening quote), so a caller may skip the
  // bad record and call next() again. A failure to read the file is Internal.
  Result<bool> next(std::vector<std::string_view>* fields);

  // 1-based physical line where the last record (or the record in error) started.
  std::int64_t line() const { return line_; }
  // Bytes of the input consumed so far, for progress.
  std::int64_t bytes_read() const { return src_.consumed(); }
  // The file size, or 0 when unknown.
  std::int64_t total_bytes() const { return src_.total(); }
  // The path or the name given to from_string.
  const std::string& name() const { return name_; }

 private:
  // How the parse of the record at the front of the buffer ended.
  enum class Parse { kRecord, kNeedMore, kError };

  CsvReader(detail::BlockSource src, std::string name);

  Parse parse_record(std::vector<std::string_view>* fields, std::size_t* record_end,
                     std::size_t* consumed, std::int64_t* newlines, Status* error,
                     std::size_t* resync_from);
  void resync_after(std::size_t from);
  Status check_utf8(const std::vector<std::string_view>& fields, std::size_t record_end) const;

  detail::BlockSource src_;
  std::string name_;
  std::string scratch_;  // unescaped copies of fields with doubled quotes, reused across records
  struct ScratchField {
    std::size_t index;
    std::size_t offset;
    std::size_t size;
  };
  std::vector<ScratchField> scratch_fields_;
  std::int64_t line_ = 0;
  std::int64_t next_line_ = 1;
  bool at_start_ = true;   // the byte order mark is looked for only here
  bool skipping_ = false;  // discarding the rest of an over-long physical line after an error
};

}  // namespace consentric::ingest
