#include "ingest/record_source.h"

#include <set>

#include <fmt/format.h>

#include "core/text.h"
#include "ingest/csv_reader.h"
#include "ingest/ndjson_reader.h"

namespace consentric::ingest {
namespace {

class CsvSource final : public RecordSource {
 public:
  explicit CsvSource(std::unique_ptr<CsvReader> reader) : reader_(std::move(reader)) {}

  Status read_header() {
    CONSENTRIC_ASSIGN_OR_RETURN(bool any, reader_->next(&cells_));
    if (!any)
      return invalid_argument(
          "line 1: expected a header row naming the columns, found an empty file");
    std::set<std::string, std::less<>> seen;
    for (std::size_t i = 0; i < cells_.size(); ++i) {
      std::string name(trim(cells_[i]));
      if (name.empty())
        return invalid_argument(fmt::format("line 1: column {} has no name", i + 1));
      if (!seen.insert(name).second) {
        return invalid_argument(fmt::format("line 1: column \"{}\" appears twice", name));
      }
      header_.push_back(std::move(name));
    }
    return Status();
  }

  Result<bool> next() override {
    fields_.clear();
    CONSENTRIC_ASSIGN_OR_RETURN(bool any, reader_->next(&cells_));
    if (!any) return false;
    if (cells_.size() != header_.size()) {
      return invalid_argument(fmt::format("line {}: expected {} columns as in the header, found {}",
                                          reader_->line(), header_.size(), cells_.size()));
    }
    for (std::size_t i = 0; i < cells_.size(); ++i) {
      InputValue v;
      v.kind = InputValue::Kind::kText;
      v.text = cells_[i];
      v.from_csv = true;
      fields_.emplace_back(header_[i], v);
    }
    return true;
  }

  std::int64_t line() const override { return reader_->line(); }
  const NamedValues& fields() const override { return fields_; }
  const NamedValues& properties() const override { return empty_; }
  const NamedValues& proof() const override { return empty_; }
  const std::vector<std::string>* header() const override { return &header_; }
  std::int64_t bytes_read() const override { return reader_->bytes_read(); }
  std::int64_t total_bytes() const override { return reader_->total_bytes(); }

 private:
  std::unique_ptr<CsvReader> reader_;
  std::vector<std::string> header_;
  std::vector<std::string_view> cells_;
  NamedValues fields_;
  NamedValues empty_;
};

InputValue from_json(const JsonScalar& s) {
  InputValue v;
  switch (s.kind) {
    case JsonScalar::Kind::kNull:
      v.kind = InputValue::Kind::kNull;
      break;
    case JsonScalar::Kind::kBool:
      v.kind = InputValue::Kind::kBool;
      v.b = s.b;
      break;
    case JsonScalar::Kind::kInt:
      v.kind = InputValue::Kind::kInt;
      v.i = s.i;
      break;
    case JsonScalar::Kind::kDouble:
      v.kind = InputValue::Kind::kDouble;
      v.d = s.d;
      break;
    case JsonScalar::Kind::kString:
      v.kind = InputValue::Kind::kText;
      v.text = s.s;
      break;
  }
  return v;
}

void convert(const std::vector<std::pair<std::string_view, JsonScalar>>& in, NamedValues* out) {
  out->clear();
  for (const auto& [name, value] : in) out->emplace_back(name, from_json(value));
}

class NdjsonSource final : public RecordSource {
 public:
  explicit NdjsonSource(std::unique_ptr<NdjsonReader> reader) : reader_(std::move(reader)) {}

  Result<bool> next() override {
    fields_.clear();
    properties_.clear();
    proof_.clear();
    CONSENTRIC_ASSIGN_OR_RETURN(bool any, reader_->next(&record_));
    if (!any) return false;
    convert(record_.fields, &fields_);
    convert(record_.properties, &properties_);
    convert(record_.proof, &proof_);
    return true;
  }

  std::int64_t line() const override { return reader_->line(); }
  const NamedValues& fields() const override { return fields_; }
  const NamedValues& properties() const override { return properties_; }
  const NamedValues& proof() const override { return proof_; }
  std::int64_t bytes_read() const override { return reader_->bytes_read(); }
  std::int64_t total_bytes() const override { return reader_->total_bytes(); }

 private:
  std::unique_ptr<NdjsonReader> reader_;
  JsonRecord record_;
  NamedValues fields_, properties_, proof_;
};

}  // namespace

std::string strip_line_prefix(const std::string& m) {
  if (m.rfind("line ", 0) == 0) {
    const auto colon = m.find(": ");
    if (colon != std::string::npos) return m.substr(colon + 2);
  }
  return m;
}

const InputValue* find_value(const NamedValues& values, std::string_view name) {
  for (const auto& [n, v] : values) {
    if (n == name) return &v;
  }
  return nullptr;
}

Result<std::unique_ptr<RecordSource>> open_csv_source(const std::filesystem::path& path) {
  CONSENTRIC_ASSIGN_OR_RETURN(std::unique_ptr<CsvReader> reader, CsvReader::open(path));
  auto source = std::make_unique<CsvSource>(std::move(reader));
  CONSENTRIC_RETURN_IF_ERROR(source->read_header());
  return std::unique_ptr<RecordSource>(std::move(source));
}

Result<std::unique_ptr<RecordSource>> open_ndjson_source(const std::filesystem::path& path) {
  CONSENTRIC_ASSIGN_OR_RETURN(std::unique_ptr<NdjsonReader> reader, NdjsonReader::open(path));
  return std::unique_ptr<RecordSource>(std::make_unique<NdjsonSource>(std::move(reader)));
}

}  // namespace consentric::ingest
