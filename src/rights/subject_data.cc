#include "rights/subject_data.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <limits>
#include <unordered_map>

#include <fmt/format.h>

#include "audit/audit_log.h"
#include "crypto/keys.h"
#include "rights/register.h"
#include "store/profile_doc.h"

namespace consentric::rights::detail {
namespace {

using nlohmann::json;

// A stored value as a person reads it, by its declared type (profile_doc.h stores dates and
// timestamps as Unix seconds and booleans as 0/1).
json shown_value(const FieldSpec* spec, const json& stored) {
  if (spec == nullptr || !stored.is_number_integer()) return stored;
  const auto v = stored.get<std::int64_t>();
  switch (spec->type) {
    case FieldType::kDate:
      return format_date(v);
    case FieldType::kTimestamp:
      return format_timestamp(v);
    case FieldType::kBool:
      return v != 0;
    default:
      return stored;
  }
}

json typed_json(const TypedValue& v) {
  if (const auto* i = std::get_if<std::int64_t>(&v)) return *i;
  if (const auto* d = std::get_if<double>(&v)) return *d;
  return std::get<std::string>(v);
}

// Adds the members of a JSON object's text to `out`; DataLoss names what was unreadable.
Status merge_object(std::string_view text, std::string_view what, json* out) {
  if (text.empty()) return Status();
  json parsed = json::parse(text, nullptr, false);
  if (!parsed.is_object()) return data_loss(fmt::format("{} is not a JSON object", what));
  for (auto& [k, v] : parsed.items()) (*out)[k] = std::move(v);
  return Status();
}

}  // namespace

Result<SubjectData> read_subject_data(StoreDir& sd, SubjectId subject) {
  Store& store = *sd.store;
  SubjectData out;
  CONSENTRIC_ASSIGN_OR_RETURN(std::optional<SubjectRow> row, store.subject(subject));
  if (!row) return not_found(fmt::format("no subject {}", subject));
  out.subject = std::move(*row);

  std::optional<crypto::SecretKey> key;
  auto data_key = [&]() -> Result<crypto::SecretKey> {
    if (!key) {
      CONSENTRIC_ASSIGN_OR_RETURN(crypto::SecretKey k, sd.keyring->subject_key(subject));
      key = std::move(k);
    }
    return *key;
  };

  CONSENTRIC_ASSIGN_OR_RETURN(std::optional<ProfileRow> profile, store.profile(subject));
  if (profile) {
    CONSENTRIC_ASSIGN_OR_RETURN(FieldValues values, decode_fields(profile->plain));
    if (!profile->sealed.empty()) {
      CONSENTRIC_ASSIGN_OR_RETURN(crypto::SecretKey k, data_key());
      CONSENTRIC_ASSIGN_OR_RETURN(std::string opened,
                                  crypto::open(k, profile->sealed, profile_aad(subject)));
      CONSENTRIC_ASSIGN_OR_RETURN(FieldValues secret, decode_fields(opened));
      values.insert(values.end(), secret.begin(), secret.end());
    }
    std::unordered_map<std::string, json> by_name;
    for (const auto& [name, v] : values) by_name[name] = typed_json(v);
    for (const FieldSpec& f : sd.config.fields) {
      auto it = by_name.find(f.name);
      if (it == by_name.end()) continue;
      out.profile.push_back({&f, f.name, shown_value(&f, it->second)});
      by_name.erase(it);
    }
    // A field held but no longer declared is still held, so it is shown.
    for (const auto& held : values) {
      auto it = by_name.find(held.first);
      if (it != by_name.end()) out.profile.push_back({nullptr, held.first, it->second});
    }
  }

  CONSENTRIC_ASSIGN_OR_RETURN(std::vector<EventTypeRow> types, store.event_types());
  std::unordered_map<std::int64_t, std::string> type_names;
  for (const EventTypeRow& t : types) type_names.emplace(t.type_id, t.name);
  Status inner;
  CONSENTRIC_RETURN_IF_ERROR(store.scan_subject_events(
      subject, std::numeric_limits<UnixSeconds>::max(), [&](const EventRow& e) {
        if (!inner.ok()) return;
        HeldEvent held{.ts = e.ts, .type = type_names[e.type_id]};
        inner = merge_object(e.props, "an event's properties", &held.properties);
        if (inner.ok() && !e.sealed.empty()) {
          Result<crypto::SecretKey> k = data_key();
          if (!k.ok()) {
            inner = k.status();
            return;
          }
          Result<std::string> opened =
              crypto::open(*k, e.sealed, event_aad(subject, e.ts, e.dedup));
          inner = opened.ok()
                      ? merge_object(*opened, "an event's sealed properties", &held.properties)
                      : opened.status();
        }
        const EventTypeSpec* spec = sd.config.event_type(held.type);
        for (auto& [name, v] : held.properties.items()) {
          v = shown_value(spec ? spec->property(name) : nullptr, v);
        }
        out.events.push_back(std::move(held));
      }));
  CONSENTRIC_RETURN_IF_ERROR(inner);

  CONSENTRIC_ASSIGN_OR_RETURN(out.consents, store.consent_history(subject));
  CONSENTRIC_ASSIGN_OR_RETURN(out.limits, store.limit_history(subject));
  return out;
}

std::string json_text(const json& value, int indent) {
  return value.dump(indent, ' ', false, json::error_handler_t::replace);
}

json consent_entry_json(const ConsentEntry& e) {
  json proof = json::parse(e.proof, nullptr, false);
  if (proof.is_discarded()) proof = e.proof;
  return {{"entry", e.entry_id},
          {"purpose", e.purpose},
          {"action", to_string(e.action)},
          {"time", format_timestamp(e.ts)},
          {"recorded_at", format_timestamp(e.recorded_at)},
          {"source", e.source},
          {"method", e.method},
          {"notice_version", e.notice_version},
          {"notice_hash", e.notice_hash},
          {"proof", proof},
          {"expires_at", e.expires_at ? json(format_timestamp(*e.expires_at)) : json()}};
}

Status write_private_file(const std::filesystem::path& path, std::string_view bytes) {
  std::filesystem::path tmp = path;
  tmp += ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) {
    return failed_precondition(
        fmt::format("{}: cannot be written ({})", path.string(), std::strerror(errno)));
  }
  // O_CREAT's mode applies only to a new file; a leftover temporary file keeps its own.
  bool ok = ::fchmod(fd, 0600) == 0;
  std::size_t done = 0;
  while (ok && done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    ok = n > 0;
    if (ok) done += static_cast<std::size_t>(n);
  }
  ok = ok && ::fsync(fd) == 0;
  const int saved = errno;
  ok = ::close(fd) == 0 && ok;
  if (ok && ::rename(tmp.c_str(), path.c_str()) == 0) return Status();
  const std::string why = std::strerror(ok ? errno : saved);
  ::unlink(tmp.c_str());
  return internal_error(fmt::format("{}: write failed ({})", path.string(), why));
}

Status record_carried_out(Store& store, DsarRow& row, std::string_view action,
                          std::string_view pseudonym, const nlohmann::json& evidence,
                          std::string_view actor, UnixSeconds now) {
  nlohmann::json detail = evidence;
  detail["request"] = row.request_id;
  CONSENTRIC_RETURN_IF_ERROR(audit::append(store,
                                           {.actor = std::string(actor),
                                            .action = std::string(action),
                                            .subject = std::string(pseudonym),
                                            .detail = json_text(detail)},
                                           now)
                                 .status());
  return close_row(store, row, "completed", json_text(evidence), actor, now);
}

}  // namespace consentric::rights::detail
