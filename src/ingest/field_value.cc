#include "ingest/field_value.h"

#include <cmath>

#include <fmt/format.h>

#include "core/text.h"
#include "core/time.h"

namespace consentric::ingest {
namespace {

std::string describe(const InputValue& in) {
  switch (in.kind) {
    case InputValue::Kind::kText:
      return quote_for_message(in.text);
    case InputValue::Kind::kBool:
      return in.b ? "true" : "false";
    case InputValue::Kind::kInt:
      return std::to_string(in.i);
    case InputValue::Kind::kDouble:
      return fmt::format("{}", in.d);
    default:
      return "nothing";
  }
}

std::string range_words(const FieldSpec& spec) {
  if (spec.min && spec.max) return fmt::format(" between {} and {}", *spec.min, *spec.max);
  if (spec.min) return fmt::format(" of at least {}", *spec.min);
  if (spec.max) return fmt::format(" of at most {}", *spec.max);
  return "";
}

Status expected(std::string_view what, const FieldSpec& spec, const InputValue& in) {
  return invalid_argument(
      fmt::format("expected {}{}, got {}", what, range_words(spec), describe(in)));
}

bool in_range(const FieldSpec& spec, double v) {
  return (!spec.min || v >= *spec.min) && (!spec.max || v <= *spec.max);
}

}  // namespace

Result<TypedValue> coerce(const FieldSpec& spec, const InputValue& in) {
  using K = InputValue::Kind;
  const bool text = in.kind == K::kText;
  switch (spec.type) {
    case FieldType::kString: {
      if (!text) return expected("a string", spec, in);
      // Surrounding blanks are an artefact of exports, not part of a value.
      return TypedValue(std::string(trim(in.text)));
    }
    case FieldType::kCategory: {
      if (!text) return expected("a string", spec, in);
      if (!spec.values.empty()) {
        for (const auto& v : spec.values) {
          if (v == trim(in.text)) return TypedValue(v);
        }
        std::string allowed;
        for (const auto& v : spec.values) allowed += (allowed.empty() ? "" : ", ") + v;
        return invalid_argument(fmt::format("expected one of {}, got {}", allowed, describe(in)));
      }
      return TypedValue(std::string(trim(in.text)));
    }
    case FieldType::kInt: {
      std::int64_t v = 0;
      if (in.kind == K::kInt)
        v = in.i;
      else if (!(text && in.from_csv && parse_int64(trim(in.text), &v)))
        return expected("an integer", spec, in);
      if (!in_range(spec, static_cast<double>(v))) return expected("an integer", spec, in);
      return TypedValue(v);
    }
    case FieldType::kFloat: {
      double v = 0;
      if (in.kind == K::kInt)
        v = static_cast<double>(in.i);
      else if (in.kind == K::kDouble)
        v = in.d;
      else if (!(text && in.from_csv && parse_double(trim(in.text), &v)))
        return expected("a number", spec, in);
      if (!in_range(spec, v)) return expected("a number", spec, in);
      return TypedValue(v);
    }
    case FieldType::kBool: {
      if (in.kind == K::kBool) return TypedValue(std::int64_t{in.b ? 1 : 0});
      if (text && in.from_csv) {
        const std::string t = to_lower_ascii(trim(in.text));
        if (t == "true" || t == "1" || t == "yes") return TypedValue(std::int64_t{1});
        if (t == "false" || t == "0" || t == "no") return TypedValue(std::int64_t{0});
      }
      return expected("true or false", spec, in);
    }
    case FieldType::kDate:
    case FieldType::kTimestamp: {
      if (!text) return expected(spec.type == FieldType::kDate ? "a date" : "a time", spec, in);
      auto t = spec.type == FieldType::kDate ? parse_date(trim(in.text))
                                             : parse_timestamp(trim(in.text));
      if (!t.ok()) return t.status();
      return TypedValue(static_cast<std::int64_t>(*t));
    }
  }
  return internal_error("unhandled field type");
}

Status check_not_future(UnixSeconds t, UnixSeconds now) {
  constexpr std::int64_t kClockSkewSeconds = 300;
  if (t <= now + kClockSkewSeconds) return Status();
  return invalid_argument(fmt::format("{} is in the future", format_timestamp(t)));
}

}  // namespace consentric::ingest
