#include "ingest/csv_reader.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <utility>

namespace consentric::ingest {
namespace {

// Bytes that end a run of plain field text: the separator, the line ends and the quote (which
// is an error inside an unquoted field).
constexpr std::array<bool, 256> make_stop_table() {
  std::array<bool, 256> t{};
  t[static_cast<unsigned char>(',')] = true;
  t[static_cast<unsigned char>('\n')] = true;
  t[static_cast<unsigned char>('\r')] = true;
  t[static_cast<unsigned char>('"')] = true;
  return t;
}
constexpr std::array<bool, 256> kStop = make_stop_table();

std::int64_t count_newlines(const char* first, const char* last) {
  return static_cast<std::int64_t>(std::count(first, last, '\n'));
}

}  // namespace

CsvReader::CsvReader(detail::BlockSource src, std::string name)
    : src_(std::move(src)), name_(std::move(name)) {}

Result<std::unique_ptr<CsvReader>> CsvReader::open(const std::filesystem::path& path) {
  CONSENTRIC_ASSIGN_OR_RETURN(detail::BlockSource src, detail::BlockSource::open(path));
  return std::unique_ptr<CsvReader>(new CsvReader(std::move(src), path.string()));
}

std::unique_ptr<CsvReader> CsvReader::from_string(std::string data, std::string name) {
  return std::unique_ptr<CsvReader>(
      new CsvReader(detail::BlockSource::from_string(std::move(data)), std::move(name)));
}

Result<bool> CsvReader::next(std::vector<std::string_view>* fields) {
  fields->clear();
  for (;;) {
    if (skipping_) {
      const char* d = src_.data();
      const void* nl = std::memchr(d, '\n', src_.size());
      if (nl == nullptr) {
        src_.consume(src_.size());
        if (src_.eof()) {
          skipping_ = false;
          return false;
        }
        CONSENTRIC_RETURN_IF_ERROR(src_.read_more());
        continue;
      }
      src_.consume(static_cast<std::size_t>(static_cast<const char*>(nl) - d) + 1);
      skipping_ = false;
    }
    if (at_start_) {
      if (src_.size() < 3 && !src_.eof()) {
        CONSENTRIC_RETURN_IF_ERROR(src_.read_more());
        continue;
      }
      if (src_.size() >= 3 && std::memcmp(src_.data(), "\xEF\xBB\xBF", 3) == 0) src_.consume(3);
      at_start_ = false;
    }

    // Blank lines.
    const char* d = src_.data();
    const std::size_t n = src_.size();
    if (n == 0) {
      if (src_.eof()) return false;
      CONSENTRIC_RETURN_IF_ERROR(src_.read_more());
      continue;
    }
    if (d[0] == '\n') {
      src_.consume(1);
      ++next_line_;
      continue;
    }
    if (d[0] == '\r' && (n == 1 || d[1] == '\n')) {
      if (n == 1 && !src_.eof()) {
        CONSENTRIC_RETURN_IF_ERROR(src_.read_more());
        continue;
      }
      src_.consume(n == 1 ? 1 : 2);
      ++next_line_;
      continue;
    }

    std::size_t record_end = 0;
    std::size_t consumed = 0;
    std::int64_t newlines = 0;
    std::size_t resync_from = 0;
    Status error;
    const Parse parse =
        parse_record(fields, &record_end, &consumed, &newlines, &error, &resync_from);
    if (parse == Parse::kNeedMore) {
      fields->clear();
      if (n > kMaxRecordBytes + 2) {
        line_ = next_line_;
        Status too_long = invalid_argument(
            fmt::format("line {}: record longer than {} MiB; expected a line end (an unclosed "
                        "quoted field can cause this)",
                        line_, kMaxRecordBytes >> 20));
        resync_after(0);
        return too_long;
      }
      CONSENTRIC_RETURN_IF_ERROR(src_.read_more());
      continue;
    }
    line_ = next_line_;
    if (parse == Parse::kError) {
      fields->clear();
      resync_after(resync_from);
      return error;
    }
    if (record_end > kMaxRecordBytes) {
      fields->clear();
      src_.consume(consumed);
      next_line_ += newlines + 1;
      return invalid_argument(
          fmt::format("line {}: record longer than {} MiB", line_, kMaxRecordBytes >> 20));
    }
    for (const ScratchField& f : scratch_fields_) {
      (*fields)[f.index] = std::string_view(scratch_.data() + f.offset, f.size);
    }
    Status utf8 = check_utf8(*fields, record_end);
    src_.consume(consumed);
    next_line_ += newlines + 1;
    if (!utf8.ok()) {
      fields->clear();
      return utf8;
    }
    return true;
  }
}

// Parses the record at the front of the unconsumed bytes. On kRecord, *fields holds the fields
// (those listed in scratch_fields_ still to be pointed into scratch_), *record_end is the
// offset of the line end that closed it, *consumed the bytes including that line end and
// *newlines the line ends inside quoted fields. On kError, *error says what is wrong and
// *resync_from is an offset on the physical line to skip. kNeedMore means the record may go on
// past the bytes read so far.
CsvReader::Parse CsvReader::parse_record(std::vector<std::string_view>* fields,
                                         std::size_t* record_end, std::size_t* consumed,
                                         std::int64_t* newlines, Status* error,
                                         std::size_t* resync_from) {
  fields->clear();
  scratch_.clear();
  scratch_fields_.clear();
  const char* d = src_.data();
  const std::size_t n = src_.size();
  const bool eof = src_.eof();
  std::size_t i = 0;    // start of the current field
  std::int64_t nl = 0;  // line ends seen inside quoted fields so far

  auto finish = [&](std::size_t end, std::size_t used) {
    *record_end = end;
    *consumed = used;
    *newlines = nl;
    return Parse::kRecord;
  };

  for (;;) {
    const std::size_t column = fields->size() + 1;
    if (i < n && d[i] == '"') {
      const std::size_t open = i;
      const std::int64_t open_line = next_line_ + nl;
      std::size_t j = i + 1;  // where the next search for a quote starts
      std::size_t q = 0;      // the closing quote
      bool escaped = false;
      std::size_t scratch_offset = 0;
      for (;;) {
        const void* found = std::memchr(d + j, '"', n - j);
        if (found == nullptr) {
          if (!eof) return Parse::kNeedMore;
          *error = invalid_argument(fmt::format(
              "line {}: column {}: unterminated quoted field; expected a closing '\"' before "
              "the end of the input",
              open_line, column));
          *resync_from = open;
          return Parse::kError;
        }
        q = static_cast<std::size_t>(static_cast<const char*>(found) - d);
        nl += count_newlines(d + j, d + q);
        if (q + 1 == n && !eof) return Parse::kNeedMore;  // might be the first of a pair
        if (q + 1 < n && d[q + 1] == '"') {
          if (!escaped) {
            escaped = true;
            scratch_offset = scratch_.size();
          }
          scratch_.append(d + j, q + 1 - j);  // the text so far and one quote
          j = q + 2;
          continue;
        }
        break;
      }
      if (escaped) {
        scratch_.append(d + j, q - j);
        scratch_fields_.push_back(
            {fields->size(), scratch_offset, scratch_.size() - scratch_offset});
        fields->emplace_back();
      } else {
        fields->emplace_back(d + open + 1, q - open - 1);
      }
      const std::size_t k = q + 1;
      if (k == n) return finish(k, k);  // eof: a kNeedMore was returned above otherwise
      if (d[k] == ',') {
        i = k + 1;
        continue;
      }
      if (d[k] == '\n') return finish(k, k + 1);
      if (d[k] == '\r') {
        if (k + 1 == n) {
          if (!eof) return Parse::kNeedMore;
          return finish(k, k + 1);
        }
        if (d[k + 1] == '\n') return finish(k, k + 2);
      }
      *error = invalid_argument(fmt::format(
          "line {}: column {}: unexpected text after the closing quote of a quoted field; "
          "expected ',' or the end of the line (double a quote to put it inside the field)",
          next_line_ + nl, column));
      *resync_from = k;
      return Parse::kError;
    }

    // An unquoted field: plain text up to ',' or the line end. A CR not followed by LF is data.
    std::size_t k = i;
    for (;;) {
      while (k < n && !kStop[static_cast<unsigned char>(d[k])]) ++k;
      if (k + 1 < n && d[k] == '\r' && d[k + 1] != '\n') {
        ++k;
        continue;
      }
      break;
    }
    if (k == n) {
      if (!eof) return Parse::kNeedMore;
      fields->emplace_back(d + i, k - i);
      return finish(k, k);
    }
    switch (d[k]) {
      case ',':
        fields->emplace_back(d + i, k - i);
        i = k + 1;
        continue;
      case '\n':
        fields->emplace_back(d + i, k - i);
        return finish(k, k + 1);
      case '\r':
        // k + 1 == n here, or d[k + 1] is LF.
        if (k + 1 == n && !eof) return Parse::kNeedMore;
        fields->emplace_back(d + i, k - i);
        return finish(k, k + 1 == n ? k + 1 : k + 2);
      default:  // '"'
        *error = invalid_argument(fmt::format(
            "line {}: column {}: unexpected '\"' inside an unquoted field; a field containing "
            "quotes must be enclosed in quotes, with each inner quote doubled",
            next_line_ + nl, column));
        *resync_from = k;
        return Parse::kError;
    }
  }
}

// Skips the unconsumed bytes through the end of the physical line holding offset `from`, so
// that the next record starts on the following line.
void CsvReader::resync_after(std::size_t from) {
  const char* d = src_.data();
  const std::size_t n = src_.size();
  const std::int64_t from_line = next_line_ + count_newlines(d, d + from);
  next_line_ = from_line + 1;
  const void* nl = std::memchr(d + from, '\n', n - from);
  if (nl != nullptr) {
    src_.consume(static_cast<std::size_t>(static_cast<const char*>(nl) - d) + 1);
    return;
  }
  // The line goes on past the buffer: discard it block by block in later calls.
  src_.consume(n);
  skipping_ = true;
}

Status CsvReader::check_utf8(const std::vector<std::string_view>& fields,
                             std::size_t record_end) const {
  // The separators and quotes are ASCII, so the raw record is valid UTF-8 exactly when every
  // field is; one fast pass covers the common case.
  if (simdjson::validate_utf8(src_.data(), record_end)) return Status();
  for (std::size_t c = 0; c < fields.size(); ++c) {
    if (!simdjson::validate_utf8(fields[c].data(), fields[c].size())) {
      return invalid_argument(fmt::format(
          "line {}: column {}: invalid UTF-8; expected UTF-8 text (convert the file, e.g. "
          "from Latin-1, before importing)",
          line_, c + 1));
    }
  }
  return invalid_argument(fmt::format("line {}: invalid UTF-8; expected UTF-8 text", line_));
}

}  // namespace consentric::ingest
