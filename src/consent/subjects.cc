#include "consent/subjects.h"

#include <fmt/format.h>

#include "core/text.h"

namespace consentric::consent {
namespace {

struct Indexed {
  const IdentifierSpec* spec;
  std::string index;
};

// The candidate (field, blind index) pairs for an identifier argument.
std::vector<Indexed> candidates(const StoreDir& sd, const IdentifierArg& id) {
  std::vector<Indexed> out;
  for (const IdentifierSpec& s : sd.config.identifiers) {
    if (id.spec != nullptr && id.spec != &s) continue;
    auto normalized = crypto::normalize_identifier(s.kind, id.value);
    if (!normalized.ok()) continue;
    out.push_back({&s, sd.indexer->index(s.field, *normalized)});
  }
  return out;
}

}  // namespace

Result<IdentifierArg> parse_identifier_arg(const Config& config, std::string_view text) {
  IdentifierArg out;
  const auto eq = text.find('=');
  if (eq != std::string_view::npos) {
    const std::string_view field = trim(text.substr(0, eq));
    out.spec = config.identifier(field);
    if (out.spec == nullptr) {
      std::string names;
      for (const IdentifierSpec& s : config.identifiers)
        names += (names.empty() ? "" : ", ") + s.field;
      return invalid_argument(fmt::format("{} is not an identifier field (expected one of: {})",
                                          quote_for_message(field), names));
    }
    text.remove_prefix(eq + 1);
  }
  out.value = std::string(trim(text));
  if (out.value.empty()) return invalid_argument("expected an identifier value");
  if (out.spec != nullptr) {
    if (auto n = crypto::normalize_identifier(out.spec->kind, out.value); !n.ok())
      return invalid_argument(fmt::format("{}: {}", out.spec->field, n.status().message()));
  }
  return out;
}

Result<std::optional<SubjectRef>> find_subject(StoreDir& sd, const IdentifierArg& id) {
  for (const Indexed& c : candidates(sd, id)) {
    CONSENTRIC_ASSIGN_OR_RETURN(Store::IdentifierStatus st, sd.store->identifier_status(c.index));
    if (st.suppressed) {
      return failed_precondition(fmt::format(
          "this {} belongs to a person whose data was erased; nothing is recorded for it",
          c.spec->field));
    }
    if (st.subject) {
      CONSENTRIC_ASSIGN_OR_RETURN(std::optional<SubjectRow> row, sd.store->subject(*st.subject));
      if (row) return std::optional<SubjectRef>(SubjectRef{row->id, row->pseudonym, false});
    }
  }
  return std::optional<SubjectRef>();
}

Result<SubjectRef> find_or_create_subject(StoreDir& sd, const IdentifierArg& id, UnixSeconds now) {
  CONSENTRIC_ASSIGN_OR_RETURN(std::optional<SubjectRef> found, find_subject(sd, id));
  if (found) return *found;
  const IdentifierSpec* spec = id.spec;
  if (spec == nullptr) {
    const bool looks_like_email = id.value.find('@') != std::string::npos;
    for (const IdentifierSpec& s : sd.config.identifiers) {
      if ((s.kind == IdentifierKind::kEmail) == looks_like_email) {
        spec = &s;
        break;
      }
    }
  }
  if (spec == nullptr) {
    return invalid_argument(
        fmt::format("cannot tell which identifier field {} is; write it as FIELD=VALUE",
                    quote_for_message(id.value)));
  }
  CONSENTRIC_ASSIGN_OR_RETURN(std::string normalized,
                              crypto::normalize_identifier(spec->kind, id.value));
  CONSENTRIC_ASSIGN_OR_RETURN(SubjectRow row, sd.store->create_subject(now));
  CONSENTRIC_RETURN_IF_ERROR(sd.keyring->create_subject_key(row.id).status());
  CONSENTRIC_RETURN_IF_ERROR(
      sd.store->add_identifier(row.id, sd.indexer->index(spec->field, normalized), spec->field));
  return SubjectRef{row.id, row.pseudonym, true};
}

}  // namespace consentric::consent
