#include "rights/portability.h"

#include <zip.h>

#include <memory>
#include <set>

#include <fmt/format.h>

#include "core/text.h"
#include "crypto/keys.h"
#include "crypto/signing.h"
#include "rights/register.h"
#include "rights/subject_data.h"
#include "store/transaction.h"

namespace consentric::rights {
namespace {

using nlohmann::json;
using namespace detail;

struct ArchiveFile {
  std::string name;
  std::string description;
  std::string media_type;
  std::int64_t rows = 0;
  std::string bytes;
};

// A value as one CSV cell: text as is, numbers and booleans as JSON writes them, nothing empty.
std::string csv_cell(const json& v) {
  if (v.is_null()) return "";
  if (v.is_string()) return csv_field(v.get<std::string>());
  if (v.is_structured()) return csv_field(json_text(v));
  return json_text(v);
}

std::string csv_line(const std::vector<std::string>& cells) {
  std::string line;
  for (std::size_t i = 0; i < cells.size(); ++i) line += (i == 0 ? "" : ",") + cells[i];
  return line + "\n";
}

std::vector<ArchiveFile> profile_files(const SubjectData& data) {
  json fields = json::object();
  std::vector<std::string> header, values;
  for (const HeldField& f : data.profile) {
    fields[f.name] = f.value;
    header.push_back(csv_field(f.name));
    values.push_back(csv_cell(f.value));
  }
  const json doc = {{"subject", data.subject.pseudonym}, {"fields", fields}};
  const bool any = !data.profile.empty();
  return {{"provided/profile.json", "The details you gave us: one value per field.",
           "application/json", any ? 1 : 0, json_text(doc, 2) + "\n"},
          {"provided/profile.csv",
           "The same details as CSV (RFC 4180): a header row of field names, one row of values.",
           "text/csv", any ? 1 : 0, any ? csv_line(header) + csv_line(values) : ""}};
}

std::vector<ArchiveFile> consent_files(const SubjectData& data) {
  json decisions = json::array();
  std::string csv = csv_line({"purpose", "action", "time", "recorded_at", "source", "method",
                              "notice_version", "notice_hash", "expires_at", "proof"});
  for (const ConsentEntry& e : data.consents) {
    json j = consent_entry_json(e);
    j.erase("entry");  // our internal row number means nothing elsewhere
    csv += csv_line({csv_cell(j["purpose"]), csv_cell(j["action"]), csv_cell(j["time"]),
                     csv_cell(j["recorded_at"]), csv_cell(j["source"]), csv_cell(j["method"]),
                     csv_cell(j["notice_version"]), csv_cell(j["notice_hash"]),
                     csv_cell(j["expires_at"]), csv_cell(j["proof"])});
    decisions.push_back(std::move(j));
  }
  const auto n = static_cast<std::int64_t>(data.consents.size());
  return {{"provided/consent.json",
           "Every consent decision you made, with when, how and the proof we keep.",
           "application/json", n, json_text({{"decisions", decisions}}, 2) + "\n"},
          {"provided/consent.csv", "The same decisions as CSV, one row per decision.", "text/csv",
           n, csv}};
}

std::vector<ArchiveFile> event_files(const Config& config, const SubjectData& data) {
  // Property columns in declaration order, then any property held but no longer declared.
  std::vector<std::string> columns;
  std::set<std::string> seen;
  for (const EventTypeSpec& t : config.event_types) {
    for (const FieldSpec& p : t.properties) {
      if (seen.insert(p.name).second) columns.push_back(p.name);
    }
  }
  for (const HeldEvent& e : data.events) {
    for (const auto& [k, v] : e.properties.items()) {
      if (seen.insert(k).second) columns.push_back(k);
    }
  }
  std::vector<std::string> header = {"time", "type"};
  for (const std::string& c : columns) header.push_back(csv_field(c));
  std::string csv = csv_line(header);
  json events = json::array();
  for (const HeldEvent& e : data.events) {
    std::vector<std::string> cells = {format_timestamp(e.ts), csv_field(e.type)};
    for (const std::string& c : columns) {
      cells.push_back(e.properties.contains(c) ? csv_cell(e.properties[c]) : "");
    }
    csv += csv_line(cells);
    events.push_back(
        {{"time", format_timestamp(e.ts)}, {"type", e.type}, {"properties", e.properties}});
  }
  const auto n = static_cast<std::int64_t>(data.events.size());
  return {{"observed/events.json", "Your activities as we recorded them: time, type, details.",
           "application/json", n, json_text({{"events", events}}, 2) + "\n"},
          {"observed/events.csv",
           "The same activities as CSV, one row per activity, a column per detail.", "text/csv", n,
           csv}};
}

std::string zip_message(zip_error_t* e) { return zip_error_strerror(e); }

// The files as a zip in memory (libzip), each deflated and dated `now`.
Result<std::string> zip_files(const std::vector<ArchiveFile>& files, UnixSeconds now) {
  zip_error_t error;
  zip_error_init(&error);
  zip_source_t* buffer = zip_source_buffer_create(nullptr, 0, 0, &error);
  if (buffer == nullptr) {
    std::string m = zip_message(&error);
    zip_error_fini(&error);
    return internal_error("zip: " + m);
  }
  std::unique_ptr<zip_source_t, decltype(&zip_source_free)> owned(buffer, &zip_source_free);
  zip_t* archive = zip_open_from_source(buffer, ZIP_TRUNCATE, &error);
  if (archive == nullptr) {
    std::string m = zip_message(&error);
    zip_error_fini(&error);
    return internal_error("zip: " + m);
  }
  zip_error_fini(&error);
  // The archive now holds a reference to the buffer; ours keeps it alive after zip_close, when
  // its bytes are read.
  zip_source_keep(buffer);
  for (const ArchiveFile& f : files) {
    zip_source_t* s = zip_source_buffer(archive, f.bytes.data(), f.bytes.size(), 0);
    const zip_int64_t index =
        s == nullptr ? -1 : zip_file_add(archive, f.name.c_str(), s, ZIP_FL_ENC_UTF_8);
    if (index < 0) {
      if (s != nullptr) zip_source_free(s);
      const std::string m = zip_strerror(archive);
      zip_discard(archive);
      return internal_error(fmt::format("zip: {}: {}", f.name, m));
    }
    const auto i = static_cast<zip_uint64_t>(index);
    if (zip_set_file_compression(archive, i, ZIP_CM_DEFLATE, 0) != 0 ||
        zip_file_set_mtime(archive, i, static_cast<time_t>(now), 0) != 0) {
      const std::string m = zip_strerror(archive);
      zip_discard(archive);
      return internal_error(fmt::format("zip: {}: {}", f.name, m));
    }
  }
  if (zip_close(archive) != 0) {
    const std::string m = zip_strerror(archive);
    zip_discard(archive);
    return internal_error("zip: " + m);
  }
  zip_stat_t st;
  zip_stat_init(&st);
  if (zip_source_stat(buffer, &st) != 0 || (st.valid & ZIP_STAT_SIZE) == 0 ||
      zip_source_open(buffer) != 0) {
    return internal_error("zip: the archive written cannot be read back");
  }
  std::string bytes(st.size, '\0');
  const zip_int64_t n = zip_source_read(buffer, bytes.data(), bytes.size());
  zip_source_close(buffer);
  if (n < 0 || static_cast<zip_uint64_t>(n) != st.size) {
    return internal_error("zip: the archive written cannot be read back");
  }
  return bytes;
}

}  // namespace

Result<PortabilityArchive> build_portability_archive(StoreDir& sd, SubjectId subject,
                                                     UnixSeconds now, std::int64_t request_id) {
  CONSENTRIC_ASSIGN_OR_RETURN(SubjectData data, read_subject_data(sd, subject));
  std::vector<ArchiveFile> files = profile_files(data);
  for (auto&& part : {consent_files(data), event_files(sd.config, data)}) {
    files.insert(files.end(), part.begin(), part.end());
  }
  json listed = json::array();
  for (const ArchiveFile& f : files) {
    listed.push_back({{"name", f.name},
                      {"description", f.description},
                      {"media_type", f.media_type},
                      {"rows", f.rows},
                      {"bytes", f.bytes.size()},
                      {"sha256", crypto::to_hex(crypto::sha256(f.bytes))}});
  }
  const Config& config = sd.config;
  PortabilityArchive out;
  out.manifest = {{"format", "consentric-portability"},
                  {"format_version", kPortabilityFormatVersion},
                  {"generated", format_timestamp(now)},
                  {"request", request_id == 0 ? json() : json(request_id)},
                  {"controller",
                   {{"name", config.controller.name},
                    {"contact", config.controller.contact},
                    {"country", config.controller.country}}},
                  {"subject", data.subject.pseudonym},
                  {"encoding", "UTF-8; times in ISO 8601 UTC; CSV per RFC 4180"},
                  {"files", listed}};
  files.insert(files.begin(), ArchiveFile{"manifest.json", "", "application/json", 0,
                                          json_text(out.manifest, 2) + "\n"});
  CONSENTRIC_ASSIGN_OR_RETURN(out.zip, zip_files(files, now));
  return out;
}

Result<PortabilityOutcome> portability(StoreDir& sd, const PortabilityRequest& r) {
  if (r.out.empty()) return invalid_argument("--out: expected the zip file to write");
  CONSENTRIC_ASSIGN_OR_RETURN(Resolved who, resolve(sd, r.identifier));
  Store& store = *sd.store;
  bool written = false;
  auto result = in_transaction(store, [&]() -> Result<PortabilityOutcome> {
    PortabilityOutcome out;
    if (!who.subject) {
      CONSENTRIC_ASSIGN_OR_RETURN(
          out.request, record_no_data(store, RequestType::kPortability, r.regime, who, r.now, true,
                                      r.actor, r.now));
      return out;
    }
    CONSENTRIC_ASSIGN_OR_RETURN(
        DsarRow row, request_to_carry_out(store, RequestType::kPortability, r.request_id, r.regime,
                                          who, r.actor, r.now));
    CONSENTRIC_ASSIGN_OR_RETURN(
        PortabilityArchive archive,
        build_portability_archive(sd, who.subject->id, r.now, row.request_id));
    CONSENTRIC_RETURN_IF_ERROR(write_private_file(r.out, archive.zip));
    written = true;
    CONSENTRIC_ASSIGN_OR_RETURN(std::string hash, crypto::hash256_file(r.out));
    out.archive =
        WrittenFile{r.out, crypto::to_hex(hash), static_cast<std::int64_t>(archive.zip.size())};
    json files = json::array();
    for (const json& f : archive.manifest["files"]) {
      files.push_back({{"name", f["name"]}, {"rows", f["rows"]}, {"sha256", f["sha256"]}});
    }
    const json evidence = {{"file", r.out.filename().string()},
                           {"blake2b_256", out.archive->hash},
                           {"bytes", out.archive->bytes},
                           {"files", files}};
    CONSENTRIC_RETURN_IF_ERROR(record_carried_out(store, row, "subject.portability", who.subject->pseudonym,
                                                  evidence, r.actor, r.now));
    CONSENTRIC_ASSIGN_OR_RETURN(out.request, with_pseudonym(store, row));
    out.manifest = std::move(archive.manifest);
    return out;
  });
  // Nothing recorded means nothing sent: an archive written before a failure is removed.
  if (!result.ok() && written) {
    std::error_code ignored;
    std::filesystem::remove(r.out, ignored);
  }
  return result;
}

}  // namespace consentric::rights
