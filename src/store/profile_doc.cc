#include "store/profile_doc.h"

#include <iterator>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace consentric {

void append_json_string(std::string* out, std::string_view s) {
  out->push_back('"');
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\t':
        out->append("\\t");
        break;
      default:
        if (c < 0x20)
          fmt::format_to(std::back_inserter(*out), "\\u{:04x}", c);
        else
          out->push_back(ch);
    }
  }
  out->push_back('"');
}

void append_json(std::string* out, const TypedValue& v) {
  if (const auto* s = std::get_if<std::string>(&v))
    append_json_string(out, *s);
  else if (const auto* i = std::get_if<std::int64_t>(&v))
    fmt::format_to(std::back_inserter(*out), "{}", *i);
  else
    fmt::format_to(std::back_inserter(*out), "{}", std::get<double>(v));
}

std::string canonical_text(const TypedValue& v) {
  if (const auto* s = std::get_if<std::string>(&v)) return *s;
  if (const auto* i = std::get_if<std::int64_t>(&v)) return std::to_string(*i);
  return fmt::format("{}", std::get<double>(v));
}

std::string encode_fields(const FieldValues& values) {
  std::string out = "{";
  for (const auto& [name, value] : values) {
    if (out.size() > 1) out += ',';
    append_json_string(&out, name);
    out += ':';
    append_json(&out, value);
  }
  return out + "}";
}

Result<FieldValues> decode_fields(std::string_view json) {
  const auto doc = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object())
    return data_loss("a stored profile is not a JSON object");
  FieldValues out;
  // nlohmann keeps objects sorted by key; the caller orders fields as the config declares.
  for (const auto& [name, value] : doc.items()) {
    if (value.is_string())
      out.emplace_back(name, value.get<std::string>());
    else if (value.is_number_integer())
      out.emplace_back(name, value.get<std::int64_t>());
    else if (value.is_number_float())
      out.emplace_back(name, value.get<double>());
    else
      return data_loss(
          fmt::format("stored profile field \"{}\" has an unexpected JSON type", name));
  }
  return out;
}

std::string profile_aad(std::int64_t subject_id) { return fmt::format("profile|{}", subject_id); }

std::string event_aad(std::int64_t subject_id, std::int64_t ts, std::int64_t dedup) {
  return fmt::format("ev|{}|{}|{}", subject_id, ts, dedup);
}

}  // namespace consentric
