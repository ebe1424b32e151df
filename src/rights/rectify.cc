#include "rights/rectify.h"

#include <algorithm>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "audit/audit_log.h"
#include "core/text.h"
#include "crypto/keys.h"
#include "ingest/field_value.h"
#include "ingest/identifier_indexer.h"
#include "rights/register.h"
#include "store/profile_doc.h"
#include "store/transaction.h"

namespace consentric::rights {
namespace {

using nlohmann::json;
using namespace detail;

// One change, checked against the declaration before the store is touched.
struct Checked {
  const FieldSpec* spec = nullptr;
  std::optional<TypedValue> value;  // none: clear the field
  std::string index;                // an identifier field's new blind index; empty otherwise
};

std::string field_error(std::string_view field, std::string_view message) {
  return fmt::format("field \"{}\": {}", field, message);
}

// Checks every change as an import checks a cell (ingest::coerce, and the identifier indexer
// for the blind index), so a value rectification accepts is one an import would have accepted.
// Collects every problem so the operator fixes them in one go (DESIGN.md invariant 7).
Result<std::vector<Checked>> check_changes(const StoreDir& sd, const RectifyRequest& r) {
  if (r.changes.empty()) return invalid_argument("expected at least one FIELD=VALUE to rectify");
  std::vector<std::string> errors;
  std::vector<Checked> out;
  std::vector<std::string_view> seen;
  ingest::IdentifierIndexer identifiers(sd.config, *sd.indexer);
  for (const auto& [name, text] : r.changes) {
    const FieldSpec* spec = sd.config.field(name);
    if (spec == nullptr) {
      errors.push_back(field_error(name, "not a declared profile field of consentric.yaml"));
      continue;
    }
    if (std::find(seen.begin(), seen.end(), name) != seen.end()) {
      errors.push_back(field_error(name, "given twice; expected one new value per field"));
      continue;
    }
    seen.push_back(name);
    if (!is_valid_utf8(text)) {
      errors.push_back(field_error(name, "expected UTF-8 text"));
      continue;
    }
    const bool identifier = sd.config.identifier(name) != nullptr;
    if (trim(text).empty()) {
      if (spec->required) {
        errors.push_back(field_error(name,
                                     "required, so it cannot be cleared; give the correct "
                                     "value"));
      } else if (identifier) {
        // Clearing the value would leave its blind index finding the person by a value we
        // claim no longer to hold; erasure (Art. 17) is the way to drop an identifier.
        errors.push_back(field_error(
            name,
            "an identifier cannot be cleared (the person is found by it); give the correct "
            "value, or erase the person"));
      } else {
        out.push_back({spec, std::nullopt, ""});
      }
      continue;
    }
    // A command-line value is text to be parsed, like a CSV cell.
    const ingest::InputValue in{
        .kind = ingest::InputValue::Kind::kText, .text = text, .from_csv = true};
    Result<TypedValue> value = ingest::coerce(*spec, in);
    if (!value.ok()) {
      errors.push_back(field_error(name, value.status().message()));
      continue;
    }
    Checked c{spec, std::move(value).value(), ""};
    if (identifier) {
      std::vector<ingest::IdentIndex> idx;
      const ingest::NamedValues one = {{name, in}};
      if (std::optional<ingest::RowError> e = identifiers.index_all(one, &idx)) {
        errors.push_back(field_error(name, e->message));
        continue;
      }
      c.index = idx.front().index;
    }
    out.push_back(std::move(c));
  }
  if (!errors.empty()) {
    std::string joined;
    for (const std::string& e : errors) joined += (joined.empty() ? "" : "; ") + e;
    return invalid_argument(joined);
  }
  return out;
}

const TypedValue* find_field(const FieldValues& values, std::string_view name) {
  for (const auto& [n, v] : values) {
    if (n == name) return &v;
  }
  return nullptr;
}

void set_field(FieldValues& values, const std::string& name, const std::optional<TypedValue>& v) {
  auto it =
      std::find_if(values.begin(), values.end(), [&](const auto& p) { return p.first == name; });
  if (it != values.end()) values.erase(it);
  if (v) values.emplace_back(name, *v);
}

// Declared fields in the config's order, so equal profiles encode to equal text as an import
// writes them; a stored field the config no longer declares is kept after them, since a
// rectification changes only the fields it names.
FieldValues in_config_order(const Config& config, const FieldValues& values) {
  FieldValues out;
  for (const FieldSpec& f : config.fields) {
    if (const TypedValue* v = find_field(values, f.name)) out.emplace_back(f.name, *v);
  }
  for (const auto& [name, v] : values) {
    if (config.field(name) == nullptr) out.emplace_back(name, v);
  }
  return out;
}

// The hash the audit chain keeps of an old value. Keyed by the subject's own data key, not a
// plain hash: the chain is never erased, and a plain hash of an email or a birth date can be
// confirmed by hashing guesses (a dictionary attack) or linked across entries and stores. Under
// the data key only the holder of that key can test a guess, and once the person is erased
// (the key destroyed, DESIGN.md invariant 4) the hash can be neither tested nor linked to
// anything: it proves that a value was replaced without keeping a way back to it. The field
// name is part of the message, so equal values of two fields give unrelated hashes.
std::string old_value_hash(const crypto::SecretKey& data_key, std::string_view field,
                           const TypedValue& old) {
  std::string message(field);
  message.push_back('\0');
  message += canonical_text(old);
  return crypto::to_hex(crypto::keyed_hash(data_key, message, 32));
}

// The columns a segment's latest run read, from its model document (docs/segments.md): a rule
// run records "columns", a k-means run its "features"; RFM reads only purchase features.
Result<std::vector<std::string>> columns_read(Store& store, const SegmentRow& segment) {
  CONSENTRIC_ASSIGN_OR_RETURN(std::vector<SegmentRunRow> runs, store.segment_runs(segment.id));
  if (runs.empty()) return std::vector<std::string>{};
  const json model = json::parse(runs.back().model, nullptr, false);
  std::vector<std::string> out;
  if (!model.is_object()) return out;
  for (const char* key : {"columns", "features"}) {
    if (!model.contains(key) || !model[key].is_array()) continue;
    for (const json& c : model[key]) {
      if (c.is_string()) out.push_back(c.get<std::string>());
    }
  }
  return out;
}

// Segment memberships are computed on the values of their run: a rule or k-means segment that
// read a rectified field may now hold the person wrongly, or miss them. They are named, not
// recomputed: a run is a whole-population computation under its purpose's gate, which a
// rectification should not trigger implicitly, and dropping the membership would be as wrong
// as keeping it when the new value still qualifies. `segment refresh` settles them.
Result<std::vector<std::string>> segments_reading(Store& store,
                                                  const std::vector<std::string>& fields) {
  std::vector<std::string> out;
  if (fields.empty()) return out;
  CONSENTRIC_ASSIGN_OR_RETURN(std::vector<SegmentRow> segments, store.segments());
  for (const SegmentRow& s : segments) {
    CONSENTRIC_ASSIGN_OR_RETURN(std::vector<std::string> columns, columns_read(store, s));
    const bool reads = std::any_of(fields.begin(), fields.end(), [&](const std::string& f) {
      return std::find(columns.begin(), columns.end(), f) != columns.end();
    });
    if (reads) out.push_back(s.name);
  }
  return out;
}

}  // namespace

Result<std::pair<std::string, std::string>> parse_field_assignment(std::string_view text) {
  const std::size_t eq = text.find('=');
  if (eq == std::string_view::npos || trim(text.substr(0, eq)).empty()) {
    return invalid_argument(fmt::format(
        "{}: expected FIELD=VALUE (an empty VALUE clears the field)", quote_for_message(text)));
  }
  return std::pair<std::string, std::string>(std::string(trim(text.substr(0, eq))),
                                             std::string(text.substr(eq + 1)));
}

Result<RectifyResult> rectify(StoreDir& sd, const RectifyRequest& r) {
  CONSENTRIC_ASSIGN_OR_RETURN(std::vector<Checked> changes, check_changes(sd, r));
  CONSENTRIC_ASSIGN_OR_RETURN(Resolved who, resolve(sd, r.identifier));
  Store& store = *sd.store;
  return in_transaction(store, [&]() -> Result<RectifyResult> {
    RectifyResult out;
    if (!who.subject) {
      CONSENTRIC_ASSIGN_OR_RETURN(
          out.request, record_no_data(store, RequestType::kRectification, r.regime, who, r.now,
                                      true, r.actor, r.now));
      return out;
    }
    const SubjectId id = who.subject->id;
    CONSENTRIC_ASSIGN_OR_RETURN(
        DsarRow row, request_to_carry_out(store, RequestType::kRectification, r.request_id,
                                          r.regime, who, r.actor, r.now));
    CONSENTRIC_ASSIGN_OR_RETURN(crypto::SecretKey key, sd.keyring->subject_key(id));

    // A person known only from a consent record has no profile yet: rectification completes
    // it (Art. 16, "incomplete personal data completed").
    CONSENTRIC_ASSIGN_OR_RETURN(std::optional<ProfileRow> current, store.profile(id));
    FieldValues plain, secret;
    if (current) {
      CONSENTRIC_ASSIGN_OR_RETURN(plain, decode_fields(current->plain));
      if (!current->sealed.empty()) {
        CONSENTRIC_ASSIGN_OR_RETURN(std::string opened,
                                    crypto::open(key, current->sealed, profile_aad(id)));
        CONSENTRIC_ASSIGN_OR_RETURN(secret, decode_fields(opened));
      }
    }

    json audited_fields = json::array();
    for (const Checked& c : changes) {
      const std::string& name = c.spec->name;
      FieldValues& part = c.spec->pii ? secret : plain;
      FieldValues& other = c.spec->pii ? plain : secret;
      // A value written before the field's pii flag changed sits in the other part.
      const TypedValue* old = find_field(part, name);
      if (old == nullptr) old = find_field(other, name);
      // Compared as encoded text, as the import does: 3.0 stored reads back as 3.
      const bool same = (old == nullptr && !c.value) ||
                        (old != nullptr && c.value &&
                         encode_fields({{name, *old}}) == encode_fields({{name, *c.value}}));
      if (same) {
        out.unchanged.push_back(name);
        continue;
      }
      if (!c.index.empty()) {
        CONSENTRIC_ASSIGN_OR_RETURN(Store::IdentifierStatus st, store.identifier_status(c.index));
        if (st.suppressed) {
          // An erased person's identifier stays refused for everyone (DESIGN.md invariant 4).
          return failed_precondition(field_error(
              name,
              "this value is on the suppression list (an erased person's identifier) and "
              "cannot be used"));
        }
        if (st.subject && *st.subject != id) {
          // Who holds it is not said: the requester is not entitled to learn that.
          return already_exists(
              field_error(name, "this value already identifies another person; not changed"));
        }
        CONSENTRIC_RETURN_IF_ERROR(store.replace_identifier(id, c.index, name));
      }
      audited_fields.push_back(
          {{"field", name}, {"old_hash", old ? json(old_value_hash(key, name, *old)) : json()}});
      set_field(other, name, std::nullopt);
      set_field(part, name, c.value);
      out.changed.push_back(name);
    }

    if (!out.changed.empty()) {
      ProfileRow updated;
      updated.plain = encode_fields(in_config_order(sd.config, plain));
      const FieldValues sealed = in_config_order(sd.config, secret);
      if (!sealed.empty())
        updated.sealed = crypto::seal(key, encode_fields(sealed), profile_aad(id));
      updated.updated_at = r.now;
      CONSENTRIC_RETURN_IF_ERROR(store.put_profile(id, updated));
      CONSENTRIC_RETURN_IF_ERROR(store.touch_subject(id, r.now));
    }
    CONSENTRIC_ASSIGN_OR_RETURN(out.segments_to_refresh, segments_reading(store, out.changed));

    CONSENTRIC_RETURN_IF_ERROR(
        audit::append(store,
                      {.actor = r.actor,
                       .action = "subject.rectify",
                       .subject = who.subject->pseudonym,
                       .detail = json{{"request", row.request_id},
                                      {"fields", audited_fields},
                                      {"unchanged", out.unchanged},
                                      {"segments_to_refresh", out.segments_to_refresh}}
                                     .dump()},
                      r.now)
            .status());
    const json evidence = {{"fields", out.changed},
                           {"unchanged", out.unchanged},
                           {"segments_to_refresh", out.segments_to_refresh}};
    CONSENTRIC_RETURN_IF_ERROR(close_row(store, row, "completed", evidence.dump(), r.actor, r.now));
    CONSENTRIC_ASSIGN_OR_RETURN(out.request, with_pseudonym(store, row));
    return out;
  });
}

}  // namespace consentric::rights
