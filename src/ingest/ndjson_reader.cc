#include "ingest/ndjson_reader.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <functional>
#include <system_error>
#include <utility>

#include "core/text.h"
#include "ingest/block_source.h"

namespace consentric::ingest {
namespace {

namespace od = simdjson::ondemand;
using Scalars = std::vector<std::pair<std::string_view, JsonScalar>>;

// Detects a repeated key among the scalars collected from one object. Small objects (the usual
// case) are scanned linearly; past kLinearLimit keys an open-addressing table of indices keeps a
// line with a million keys from going quadratic. The table is reused from line to line.
class KeySet {
 public:
  void reset() {
    if (indexed_ > 0) std::fill(slots_.begin(), slots_.end(), 0U);
    indexed_ = 0;
  }

  // True when key is not among the keys of `seen`, which must be the scalars added since
  // reset(), in order.
  bool is_new(const Scalars& seen, std::string_view key) {
    if (seen.size() < kLinearLimit) {
      for (const auto& [k, v] : seen) {
        if (k == key) return false;
      }
      return true;
    }
    if (slots_.size() < 2 * (seen.size() + 1)) {
      // Grow and rebuild; the load factor stays at or under one half.
      std::size_t size = std::max<std::size_t>(64, slots_.size());
      while (size < 4 * (seen.size() + 1)) size *= 2;
      slots_.assign(size, 0U);
      indexed_ = 0;
    }
    for (; indexed_ < seen.size(); ++indexed_) {
      *find_slot(seen, seen[indexed_].first) = static_cast<std::uint32_t>(indexed_ + 1);
    }
    return *find_slot(seen, key) == 0;
  }

 private:
  static constexpr std::size_t kLinearLimit = 16;

  // The slot holding key, or the empty slot where it would go.
  std::uint32_t* find_slot(const Scalars& seen, std::string_view key) {
    const std::size_t mask = slots_.size() - 1;
    const std::size_t hash = std::hash<std::string_view>{}(key);
    std::size_t i = hash & mask;
    while (slots_[i] != 0 && seen[slots_[i] - 1].first != key) i = (i + 1) & mask;
    return &slots_[i];
  }

  std::vector<std::uint32_t> slots_;  // index + 1 into the scalars; 0 is empty
  std::size_t indexed_ = 0;           // scalars [0, indexed_) are in the table
};

std::string_view type_name(od::json_type t) {
  switch (t) {
    case od::json_type::array:
      return "an array";
    case od::json_type::object:
      return "an object";
    case od::json_type::number:
      return "a number";
    case od::json_type::string:
      return "a string";
    case od::json_type::boolean:
      return "a boolean";
    case od::json_type::null:
      return "null";
  }
  return "an unknown value";
}

// RFC 8259 number grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
bool is_json_number(std::string_view s) {
  std::size_t i = 0;
  auto digits = [&] {
    const std::size_t start = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    return i > start;
  };
  if (i < s.size() && s[i] == '-') ++i;
  if (i < s.size() && s[i] == '0') {
    ++i;
  } else if (!digits()) {
    return false;
  }
  if (i < s.size() && s[i] == '.') {
    ++i;
    if (!digits()) return false;
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    if (!digits()) return false;
  }
  return i == s.size();
}

std::string_view trim_json_space(std::string_view s) {
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\t' || s.back() == '\n' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

// For a valid JSON number that std::from_chars found out of range: true when it is too large
// for a double, false when it is too small (and so reads as zero). Out-of-range numbers are
// far from 10^0, so the power of ten of the leading nonzero digit decides.
bool overflows_double(std::string_view s) {
  std::size_t i = s.front() == '-' ? 1 : 0;
  std::int64_t power = 0;  // of the leading nonzero digit, before the exponent
  bool found = false;
  for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i) {
    if (found) {
      ++power;
    } else if (s[i] != '0') {
      found = true;
    }
  }
  if (i < s.size() && s[i] == '.') {
    ++i;
    std::int64_t position = 0;
    for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i) {
      --position;
      if (!found && s[i] != '0') {
        found = true;
        power = position;
      }
    }
  }
  std::int64_t exponent = 0;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    const bool negative = s[i] == '-';
    if (s[i] == '+' || s[i] == '-') ++i;
    for (; i < s.size(); ++i) {
      exponent = std::min<std::int64_t>(exponent * 10 + (s[i] - '0'), std::int64_t{1} << 40);
    }
    if (negative) exponent = -exponent;
  }
  return found && power + exponent > 0;
}

// Converts a valid JSON number: an integer in int64 range is kInt, anything else a finite
// double (underflow reads as zero). False when it overflows a double.
bool read_number(std::string_view raw, JsonScalar* out) {
  const char* first = raw.data();
  const char* last = raw.data() + raw.size();
  if (raw.find_first_of(".eE") == std::string_view::npos) {
    std::int64_t i = 0;
    if (std::from_chars(first, last, i).ec == std::errc()) {
      out->kind = JsonScalar::Kind::kInt;
      out->i = i;
      return true;
    }
  }
  double d = 0;
  const auto [ptr, ec] = std::from_chars(first, last, d);
  if (ec == std::errc() && ptr == last) {
    out->kind = JsonScalar::Kind::kDouble;
    out->d = d;
    return true;
  }
  if (ec == std::errc::result_out_of_range && !overflows_double(raw)) {
    out->kind = JsonScalar::Kind::kDouble;
    out->d = raw.front() == '-' ? -0.0 : 0.0;
    return true;
  }
  return false;
}

bool is_blank(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c == ' ' || c == '\t' || c == '\r'; });
}

}  // namespace

const JsonScalar* JsonRecord::field(std::string_view name) const {
  for (const auto& [key, value] : fields) {
    if (key == name) return &value;
  }
  return nullptr;
}

struct NdjsonReader::Impl {
  Impl(detail::BlockSource s, std::string n) : src(std::move(s)), name(std::move(n)) {}

  Result<bool> next(JsonRecord* record);
  Status parse_line(std::string_view text, JsonRecord* record);
  Status parse_nested(od::value& value, std::string_view object_name, Scalars* out);
  Status read_scalar(od::value& value, od::json_type type, std::string_view prefix,
                     std::string_view key, JsonScalar* out);

  Status fail(std::string_view what) const {
    return invalid_argument(fmt::format("line {}: {}", line, what));
  }
  Status json_error(simdjson::error_code e) const {
    if (e == simdjson::UTF8_ERROR) return fail("invalid UTF-8; expected UTF-8 text");
    return fail(fmt::format("not valid JSON: {}", simdjson::error_message(e)));
  }
  // "field "properties.amount""
  static std::string field_name(std::string_view prefix, std::string_view key) {
    if (prefix.empty()) return "field " + quote_for_message(key);
    return "field " + quote_for_message(fmt::format("{}.{}", prefix, key));
  }

  detail::BlockSource src;
  std::string name;
  od::parser parser;
  std::unique_ptr<char[]> padded;  // the current line plus SIMDJSON_PADDING zero bytes
  std::size_t padded_capacity = 0;
  KeySet top_keys;
  KeySet nested_keys;
  std::int64_t line = 0;
  std::int64_t next_line = 1;
  std::size_t scanned = 0;  // unconsumed bytes already searched for a line end
  bool skipping = false;    // discarding the rest of an over-long line
};

Result<bool> NdjsonReader::Impl::next(JsonRecord* record) {
  for (;;) {
    if (skipping) {
      const char* d = src.data();
      const void* nl = std::memchr(d, '\n', src.size());
      if (nl == nullptr) {
        src.consume(src.size());
        if (src.eof()) {
          skipping = false;
          return false;
        }
        CONSENTRIC_RETURN_IF_ERROR(src.read_more());
        continue;
      }
      src.consume(static_cast<std::size_t>(static_cast<const char*>(nl) - d) + 1);
      skipping = false;
    }

    const char* d = src.data();
    const std::size_t n = src.size();
    const void* nl = scanned < n ? std::memchr(d + scanned, '\n', n - scanned) : nullptr;
    std::size_t length = 0;
    std::size_t used = 0;
    if (nl == nullptr) {
      if (n > kMaxLineBytes) {
        line = next_line++;
        src.consume(n);
        scanned = 0;
        skipping = !src.eof();
        return fail(fmt::format("line longer than {} MiB", kMaxLineBytes >> 20));
      }
      if (!src.eof()) {
        scanned = n;
        CONSENTRIC_RETURN_IF_ERROR(src.read_more());
        continue;
      }
      if (n == 0) return false;
      length = n;  // the last line has no newline
      used = n;
    } else {
      length = static_cast<std::size_t>(static_cast<const char*>(nl) - d);
      used = length + 1;
    }
    scanned = 0;
    line = next_line++;
    src.consume(used);  // d stays valid: only read_more() moves the buffer
    if (length > kMaxLineBytes) {
      return fail(fmt::format("line longer than {} MiB", kMaxLineBytes >> 20));
    }
    std::string_view text(d, length);
    if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
    if (is_blank(text)) continue;
    Status status = parse_line(text, record);
    if (!status.ok()) return status;
    return true;
  }
}

Status NdjsonReader::Impl::parse_line(std::string_view text, JsonRecord* record) {
  // simdjson reads up to SIMDJSON_PADDING bytes past the end; the line is copied into a buffer
  // that has them (and that only grows, so a steady stream of lines allocates nothing).
  const std::size_t needed = text.size() + simdjson::SIMDJSON_PADDING;
  if (padded_capacity < needed) {
    padded_capacity = std::max({needed, 2 * padded_capacity, std::size_t{4096}});
    padded = std::make_unique_for_overwrite<char[]>(padded_capacity);
  }
  std::memcpy(padded.get(), text.data(), text.size());
  std::memset(padded.get() + text.size(), 0, simdjson::SIMDJSON_PADDING);

  od::document doc;
  if (auto e =
          parser.iterate(simdjson::padded_string_view(padded.get(), text.size(), padded_capacity))
              .get(doc)) {
    return json_error(e);
  }
  od::json_type type{};
  if (auto e = doc.type().get(type)) return json_error(e);
  if (type != od::json_type::object) {
    return fail(fmt::format("expected a JSON object, got {}", type_name(type)));
  }
  od::object object;
  if (auto e = doc.get_object().get(object)) return json_error(e);
  top_keys.reset();
  for (auto field : object) {
    std::string_view key;
    if (auto e = field.unescaped_key().get(key)) return json_error(e);
    od::value value;
    if (auto e = field.value().get(value)) return json_error(e);
    od::json_type value_type{};
    if (auto e = value.type().get(value_type)) return json_error(e);
    const bool is_properties = key == "properties";
    if (is_properties || key == "proof") {
      bool& has = is_properties ? record->has_properties : record->has_proof;
      if (has) return fail(fmt::format("duplicate key {}", quote_for_message(key)));
      if (value_type != od::json_type::object) {
        return fail(fmt::format("{}: expected an object, got {}", field_name({}, key),
                                type_name(value_type)));
      }
      has = true;
      CONSENTRIC_RETURN_IF_ERROR(
          parse_nested(value, is_properties ? "properties" : "proof",
                       is_properties ? &record->properties : &record->proof));
      continue;
    }
    if (!top_keys.is_new(record->fields, key)) {
      return fail(fmt::format("duplicate key {}", quote_for_message(key)));
    }
    JsonScalar scalar;
    CONSENTRIC_RETURN_IF_ERROR(read_scalar(value, value_type, {}, key, &scalar));
    record->fields.emplace_back(key, scalar);
  }
  // On-Demand stops at the object's closing brace; anything after it must be caught here.
  if (doc.current_location().error() != simdjson::OUT_OF_BOUNDS) {
    return fail("not valid JSON: unexpected text after the closing '}'");
  }
  return Status();
}

Status NdjsonReader::Impl::parse_nested(od::value& value, std::string_view object_name,
                                        Scalars* out) {
  od::object object;
  if (auto e = value.get_object().get(object)) return json_error(e);
  nested_keys.reset();
  for (auto field : object) {
    std::string_view key;
    if (auto e = field.unescaped_key().get(key)) return json_error(e);
    od::value v;
    if (auto e = field.value().get(v)) return json_error(e);
    od::json_type type{};
    if (auto e = v.type().get(type)) return json_error(e);
    if (!nested_keys.is_new(*out, key)) {
      return fail(fmt::format("duplicate key {}",
                              quote_for_message(fmt::format("{}.{}", object_name, key))));
    }
    JsonScalar scalar;
    CONSENTRIC_RETURN_IF_ERROR(read_scalar(v, type, object_name, key, &scalar));
    out->emplace_back(key, scalar);
  }
  return Status();
}

Status NdjsonReader::Impl::read_scalar(od::value& value, od::json_type type,
                                       std::string_view prefix, std::string_view key,
                                       JsonScalar* out) {
  switch (type) {
    case od::json_type::string: {
      std::string_view s;
      if (auto e = value.get_string().get(s)) {
        return fail(fmt::format("not valid JSON: {}: {}", field_name(prefix, key),
                                simdjson::error_message(e)));
      }
      out->kind = JsonScalar::Kind::kString;
      out->s = s;
      return Status();
    }
    case od::json_type::number: {
      // Numbers are converted here from the token's text rather than by simdjson: 3.0.1's
      // On-Demand get_double() returns wrong values for some decimals with more than 19
      // significant digits (0.99999999999999999999 reads as 0.0777; simdjson issue #2093) and
      // get_number() returns 0 for others (issue #2099). std::from_chars is correctly rounded.
      const std::string_view raw = trim_json_space(value.raw_json_token());
      if (!is_json_number(raw)) {
        return fail(fmt::format("not valid JSON: {}: malformed number", field_name(prefix, key)));
      }
      if (read_number(raw, out)) return Status();
      return fail(fmt::format("{}: number fits neither a 64-bit integer nor a double",
                              field_name(prefix, key)));
    }
    case od::json_type::boolean: {
      bool b = false;
      if (value.get_bool().get(b) != simdjson::SUCCESS) {
        return fail(
            fmt::format("not valid JSON: {}: expected true or false", field_name(prefix, key)));
      }
      out->kind = JsonScalar::Kind::kBool;
      out->b = b;
      return Status();
    }
    case od::json_type::null: {
      bool is_null = false;
      if (value.is_null().get(is_null) != simdjson::SUCCESS || !is_null) {
        return fail(fmt::format("not valid JSON: {}: expected null", field_name(prefix, key)));
      }
      out->kind = JsonScalar::Kind::kNull;
      return Status();
    }
    case od::json_type::object:
    case od::json_type::array:
      break;
  }
  return fail(fmt::format("{}: expected a string, number, boolean or null, got {}",
                          field_name(prefix, key), type_name(type)));
}

NdjsonReader::NdjsonReader(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
NdjsonReader::~NdjsonReader() = default;

Result<std::unique_ptr<NdjsonReader>> NdjsonReader::open(const std::filesystem::path& path) {
  CONSENTRIC_ASSIGN_OR_RETURN(detail::BlockSource src, detail::BlockSource::open(path));
  return std::unique_ptr<NdjsonReader>(
      new NdjsonReader(std::make_unique<Impl>(std::move(src), path.string())));
}

std::unique_ptr<NdjsonReader> NdjsonReader::from_string(std::string data, std::string name) {
  return std::unique_ptr<NdjsonReader>(new NdjsonReader(
      std::make_unique<Impl>(detail::BlockSource::from_string(std::move(data)), std::move(name))));
}

Result<bool> NdjsonReader::next(JsonRecord* record) {
  record->fields.clear();
  record->properties.clear();
  record->has_properties = false;
  record->proof.clear();
  record->has_proof = false;
  Result<bool> r = impl_->next(record);
  if (!r.ok()) {
    record->fields.clear();
    record->properties.clear();
    record->has_properties = false;
    record->proof.clear();
    record->has_proof = false;
  }
  return r;
}

std::int64_t NdjsonReader::line() const { return impl_->line; }
std::int64_t NdjsonReader::bytes_read() const { return impl_->src.consumed(); }
std::int64_t NdjsonReader::total_bytes() const { return impl_->src.total(); }
const std::string& NdjsonReader::name() const { return impl_->name; }

}  // namespace consentric::ingest
