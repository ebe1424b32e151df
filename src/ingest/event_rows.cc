#include "ingest/event_rows.h"

#include <fmt/format.h>

#include "core/text.h"

namespace consentric::ingest {
namespace {

constexpr std::string_view kEventType = "type";
constexpr std::string_view kEventTime = "time";
constexpr std::string_view kEventId = "event_id";

// 64-bit FNV-1a: the dedup key of an event within one subject and second; not a security hash.
std::int64_t content_hash(std::initializer_list<std::string_view> parts) {
  std::uint64_t h = 1469598103934665603ULL;
  for (std::string_view p : parts) {
    for (const char c : p) {
      h ^= static_cast<unsigned char>(c);
      h *= 1099511628211ULL;
    }
    h ^= 0xff;
    h *= 1099511628211ULL;
  }
  return static_cast<std::int64_t>(h);
}

}  // namespace

bool is_reserved_event_key(std::string_view name) {
  return name == kEventType || name == kEventTime || name == kEventId;
}

void EventPreparer::prepare(const RecordSource& source, PreparedEvent* out) {
  out->line = source.line();
  out->error = fill(source, out);
}

std::optional<RowError> EventPreparer::fill(const RecordSource& source, PreparedEvent* out) {
  const NamedValues& values = source.fields();
  const InputValue* type_value = find_value(values, kEventType);
  if (type_value == nullptr || type_value->missing() ||
      type_value->kind != InputValue::Kind::kText) {
    return RowError{std::string(kEventType), "expected the event type as a string"};
  }
  out->type = config_.event_type(type_value->text);
  if (out->type == nullptr) {
    return RowError{std::string(kEventType), fmt::format("{} is not a declared event type",
                                                         quote_for_message(type_value->text))};
  }
  const EventTypeSpec& type = *out->type;
  const InputValue* time_value = find_value(values, kEventTime);
  if (time_value == nullptr || time_value->missing() ||
      time_value->kind != InputValue::Kind::kText) {
    return RowError{std::string(kEventTime), "expected the event time as an ISO 8601 string"};
  }
  auto ts = parse_timestamp(trim(time_value->text));
  if (!ts.ok()) return RowError{std::string(kEventTime), ts.status().message()};
  if (Status s = check_not_future(*ts, now_); !s.ok())
    return RowError{std::string(kEventTime), s.message()};
  out->ts = *ts;
  std::string_view event_id;
  if (const InputValue* e = find_value(values, kEventId); e != nullptr && !e->missing()) {
    if (e->kind != InputValue::Kind::kText)
      return RowError{std::string(kEventId), "expected a string"};
    event_id = e->text;
  }

  // Properties: the "properties" object, and for CSV every column that is not a reserved key
  // or an identifier.
  props_.clear();
  for (const auto& [name, v] : source.properties()) props_.emplace_back(name, v);
  for (const auto& [name, v] : values) {
    if (is_reserved_event_key(name) || config_.identifier(name) != nullptr) continue;
    props_.emplace_back(name, v);
  }
  for (const auto& [name, v] : props_) {
    if (type.property(name) == nullptr && !(v.from_csv && v.missing())) {
      return RowError{std::string(name),
                      fmt::format("not a declared property of event type \"{}\"", type.name)};
    }
  }
  // Built in declaration order, so equal events hash equally.
  out->plain = "{";
  out->secret = "{";
  out->has_value = type.value_property.has_value();
  out->value = 0;
  for (const FieldSpec& p : type.properties) {
    const InputValue* v = find_value(props_, p.name);
    if (v == nullptr || v->missing()) {
      if (p.required) return RowError{p.name, "required, but missing"};
      continue;
    }
    auto t = coerce(p, *v);
    if (!t.ok()) return RowError{p.name, t.status().message()};
    std::string& json = p.pii ? out->secret : out->plain;
    if (json.size() > 1) json += ',';
    append_json_string(&json, p.name);
    json += ':';
    append_json(&json, *t);
    if (out->has_value && *type.value_property == p.name) {
      if (const auto* d = std::get_if<double>(&*t))
        out->value = *d;
      else if (const auto* i = std::get_if<std::int64_t>(&*t))
        out->value = static_cast<double>(*i);
    }
  }
  out->plain += '}';
  if (out->secret.size() == 1)
    out->secret.clear();  // no pii property: nothing to seal
  else
    out->secret += '}';
  out->dedup = content_hash({type.name, out->plain, out->secret, event_id});
  return identifiers_.index_all(values, &out->idents);
}

}  // namespace consentric::ingest
