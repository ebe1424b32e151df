#include "ingest/profile_rows.h"

namespace consentric::ingest {

void ProfilePreparer::prepare(const RecordSource& source, PreparedProfile* out) {
  out->line = source.line();
  out->error = fill(source, out);
}

std::optional<RowError> ProfilePreparer::fill(const RecordSource& source, PreparedProfile* out) {
  const NamedValues& values = source.fields();
  out->values.clear();
  out->plain.clear();
  out->secret.clear();
  for (const auto& [name, v] : values) {
    const FieldSpec* spec = config_.field(name);
    if (spec == nullptr)
      return RowError{std::string(name), "not a declared field of consentric.yaml"};
    if (v.missing()) continue;
    auto t = coerce(*spec, v);
    if (!t.ok()) return RowError{spec->name, t.status().message()};
    out->values.emplace_back(spec, std::move(t).value());
  }
  for (const FieldSpec& f : config_.fields) {
    if (!f.required) continue;
    const InputValue* v = find_value(values, f.name);
    if (v == nullptr || v->missing()) return RowError{f.name, "required, but missing"};
  }
  // Declaration order, so equal profiles encode to equal text.
  for (const FieldSpec& f : config_.fields) {
    for (const auto& [spec, value] : out->values) {
      if (spec == &f) (f.pii ? out->secret : out->plain).emplace_back(f.name, value);
    }
  }
  return identifiers_.index_all(values, &out->idents);
}

}  // namespace consentric::ingest
