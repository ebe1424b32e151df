#include "rights/access_report.h"

#include <algorithm>
#include <map>
#include <set>
#include <unordered_map>

#include <fmt/format.h>

#include "consent/lawful_basis.h"
#include "crypto/keys.h"
#include "disclose/small_groups.h"
#include "rights/register.h"
#include "rights/subject_data.h"
#include "segment/rfm.h"
#include "store/transaction.h"

namespace consentric::rights {
namespace {

using nlohmann::json;
using namespace detail;

json retention_days(const std::optional<std::int64_t>& seconds) {
  if (!seconds) return json();
  return static_cast<double>(*seconds) / static_cast<double>(kSecondsPerDay);
}

json identifiers_section(const Config& config, const SubjectData& data) {
  json out = json::array();
  for (const IdentifierSpec& id : config.identifiers) {
    for (const HeldField& f : data.profile) {
      if (f.name == id.field) {
        out.push_back({{"field", id.field}, {"kind", to_string(id.kind)}, {"value", f.value}});
      }
    }
  }
  return out;
}

json profile_section(const Config& config, const SubjectData& data) {
  json out = json::array();
  for (const HeldField& f : data.profile) {
    json purposes = json::array();
    for (const PurposeSpec& p : config.purposes) {
      if (std::find(p.fields.begin(), p.fields.end(), f.name) != p.fields.end())
        purposes.push_back(p.id);
    }
    out.push_back({{"field", f.name},
                   {"value", f.value},
                   {"category", f.spec ? json(to_string(f.spec->category)) : json()},
                   {"pii", f.spec ? json(f.spec->pii) : json()},
                   {"description", f.spec ? f.spec->description : ""},
                   {"declared", f.spec != nullptr},
                   {"purposes", purposes}});
  }
  return out;
}

json events_section(const SubjectData& data) {
  json items = json::array();
  std::map<std::string, std::int64_t> per_type;
  for (const HeldEvent& e : data.events) {
    items.push_back(
        {{"time", format_timestamp(e.ts)}, {"type", e.type}, {"properties", e.properties}});
    ++per_type[e.type];
  }
  return {{"count", data.events.size()}, {"count_by_type", per_type}, {"items", items}};
}

std::vector<ConsentEntry> of_purpose(const std::vector<ConsentEntry>& all, std::string_view p) {
  std::vector<ConsentEntry> out;
  for (const ConsentEntry& e : all) {
    if (e.purpose == p) out.push_back(e);
  }
  return out;
}

json limit_json(const LimitEntry& e) {
  return {{"entry", e.entry_id},
          {"kind", e.kind == LimitKind::kRestriction ? "restriction" : "objection"},
          {"purpose", e.purpose.empty() ? json() : json(e.purpose)},
          {"lifted", e.lifted},
          {"time", format_timestamp(e.ts)},
          {"recorded_at", format_timestamp(e.recorded_at)},
          {"source", e.source}};
}

json consent_section(const Config& config, const SubjectData& data, UnixSeconds now) {
  json history = json::array();
  for (const ConsentEntry& e : data.consents) history.push_back(consent_entry_json(e));
  json current = json::array();
  std::set<std::string> purposes;
  for (const ConsentEntry& e : data.consents) purposes.insert(e.purpose);
  for (const std::string& p : purposes) {
    const std::vector<ConsentEntry> entries = of_purpose(data.consents, p);
    const ConsentEntry* latest = consent::latest_at(entries, now);
    if (latest == nullptr) continue;  // only decisions dated after now
    const PurposeSpec* spec = config.purpose(p);
    current.push_back(
        {{"purpose", p},
         {"decision", to_string(latest->action)},
         {"since", format_timestamp(latest->ts)},
         {"notice_version", latest->notice_version},
         {"expires_at", latest->expires_at ? json(format_timestamp(*latest->expires_at)) : json()},
         {"valid_now", spec ? json(consent::consent_valid(*spec, latest, now)) : json()}});
  }
  json limits = json::array();
  for (const LimitEntry& e : data.limits) limits.push_back(limit_json(e));
  return {{"current", current}, {"history", history}, {"limits", limits}};
}

json purposes_section(const Config& config, const SubjectData& data, UnixSeconds now) {
  json out = json::array();
  for (const PurposeSpec& p : config.purposes) {
    const std::vector<ConsentEntry> entries = of_purpose(data.consents, p.id);
    const ConsentEntry* latest = consent::latest_at(entries, now);
    const consent::Limits limits = consent::limits_at(data.limits, p.id, now);
    const std::string why_not = consent::gate_reason(p, latest, limits, now);
    out.push_back({{"purpose", p.id},
                   {"description", p.description},
                   {"legal_basis", to_string(p.legal_basis)},
                   {"applies", why_not.empty()},
                   {"why_not", why_not.empty() ? json() : json(why_not)},
                   {"fields", p.fields},
                   {"event_types", p.event_types},
                   {"automated_decision", p.automated_decision},
                   {"direct_marketing", p.direct_marketing}});
  }
  return out;
}

// Each lead score held about the person, with what moved it (GDPR Art. 15(1)(h) and 22:
// meaningful information about the logic of profiling and its significance for them). The
// reasons are the model inputs that moved this person's score most, in plain words.
Result<json> scores_section(StoreDir& sd, SubjectId subject) {
  CONSENTRIC_ASSIGN_OR_RETURN(std::vector<ScoreRow> rows, sd.store->subject_scores(subject));
  json items = json::array();
  for (const ScoreRow& row : rows) {
    CONSENTRIC_ASSIGN_OR_RETURN(std::optional<ScoreModelRow> model,
                                sd.store->score_model(row.model_id));
    if (!model) continue;
    const json e = json::parse(row.explanation, nullptr, false);
    json reasons = json::array();
    if (e.is_object() && e.contains("top") && e["top"].is_array()) {
      for (const json& c : e["top"]) reasons.push_back(c.value("text", ""));
    }
    const PurposeSpec* purpose = sd.config.purpose(model->purpose);
    items.push_back(
        {{"purpose", model->purpose},
         {"model", model->kind == "lr" ? "logistic regression" : "gradient-boosted trees"},
         {"version", model->version},
         {"trained", format_timestamp(model->created_at)},
         {"probability", row.score},
         {"reasons", reasons},
         {"starting_point", e.is_object() ? e.value("bias", 0.0) : 0.0},
         {"everything_else", e.is_object() ? e.value("rest", 0.0) : 0.0},
         {"automated_decision", purpose != nullptr && purpose->automated_decision}});
  }
  const char* note =
      items.empty()
          ? "No score about you is held."
          : "Each score estimates how likely you are to become a customer, from the data above "
            "that its purpose may use. The reasons are the details that moved your score most: "
            "a positive number raised it, a negative one lowered it (in log-odds, added to the "
            "model's starting point).";
  return json{{"items", items}, {"note", note}};
}

// The person's points under the declaration's points rules, with their grade and every change
// (GDPR Art. 15(1)(h): points are profiling, and the log is how they came about).
Result<json> points_section(StoreDir& sd, SubjectId subject) {
  CONSENTRIC_ASSIGN_OR_RETURN(std::vector<PointsTotalRow> totals,
                              sd.store->subject_points(subject));
  const auto points = [](std::int64_t milli) {
    return static_cast<double>(milli) / kMilliPerPoint;
  };
  json items = json::array();
  for (const PointsTotalRow& t : totals) {
    CONSENTRIC_ASSIGN_OR_RETURN(std::vector<PointsLogRow> log,
                                sd.store->points_log(subject, t.purpose));
    json changes = json::array();
    for (const PointsLogRow& e : log) {
      changes.push_back({{"at", format_timestamp(e.at)},
                         {"rule", e.rule},
                         {"kind", e.kind},
                         {"reason", e.reason},
                         {"event_time", e.event_ts ? json(format_timestamp(*e.event_ts)) : json()},
                         {"points", points(e.delta_milli)}});
    }
    items.push_back({{"purpose", t.purpose},
                     {"points", points(t.total_milli)},
                     {"grade", t.grade},
                     {"marketing_qualified", t.mql},
                     {"as_of", format_timestamp(t.as_of)},
                     {"log", changes}});
  }
  const char* note =
      items.empty()
          ? "No points about you are held."
          : "Points add up what you did (each activity a rule counts, fading over time) and how "
            "well your company fits; the grade (A best, D lowest) and the marketing-qualified "
            "flag follow from the total. The log lists every change, and sums to the total.";
  return json{{"items", items}, {"note", note}};
}

// Each segment the person is in, and why: the group, and what describes it. A group's profile
// describes other people too, so it is shown only when the group is large enough to be
// released (DESIGN.md invariant 5); the person's own place in it (distance, scores) always is.
Result<json> segments_section(StoreDir& sd, SubjectId subject) {
  Store& store = *sd.store;
  CONSENTRIC_ASSIGN_OR_RETURN(std::vector<SubjectMembership> memberships,
                              store.subject_memberships(subject));
  CONSENTRIC_ASSIGN_OR_RETURN(std::vector<SegmentRow> segments, store.segments());
  std::unordered_map<std::int64_t, const SegmentRow*> by_id;
  for (const SegmentRow& s : segments) by_id.emplace(s.id, &s);
  json out = json::array();
  for (const SubjectMembership& m : memberships) {
    const auto seg = by_id.find(m.segment_id);
    if (seg == by_id.end()) continue;
    const SegmentRow& segment = *seg->second;
    CONSENTRIC_ASSIGN_OR_RETURN(std::vector<SegmentRunRow> runs, store.segment_runs(segment.id));
    const auto run = std::find_if(runs.begin(), runs.end(),
                                  [&](const SegmentRunRow& r) { return r.run_id == m.run_id; });
    if (run == runs.end()) continue;
    const json model = json::parse(run->model, nullptr, false);
    const auto label = static_cast<std::size_t>(m.row.label);
    std::string group = fmt::format("segment {}", m.row.label + 1);
    if (model.is_object() && model.contains("groups") && label < model["groups"].size() &&
        model["groups"][label].is_string())
      group = model["groups"][label].get<std::string>();

    CONSENTRIC_ASSIGN_OR_RETURN(auto counts, store.membership_counts(run->run_id));
    std::vector<disclose::Group> groups;
    for (const auto& [l, size] : counts) groups.push_back({l, "", size});
    const disclose::Release release =
        disclose::release_groups(groups, sd.config.k_anonymity, sd.config.small_groups);
    const bool describable = release.group_of(m.row.label) != nullptr;

    json j = {{"segment", segment.name},
              {"purpose", segment.purpose},
              {"kind", segment.kind},
              {"run", run->run_id},
              {"run_at", format_timestamp(run->started_at)},
              {"data_as_of", format_timestamp(run->as_of)},
              {"group", group}};
    const json definition = json::parse(segment.definition, nullptr, false);
    if (segment.kind == "rule" && definition.is_object() && definition.contains("rule"))
      j["rule"] = definition["rule"];
    if (segment.kind == "kmeans" && m.row.distance) j["distance"] = *m.row.distance;
    if (segment.kind == "rfm" && !m.row.rfm) {
      j["rfm"] = json();
      j["rfm_note"] =
          "no purchase of yours is in the data this purpose may use, so you have no "
          "RFM scores";
    }
    if (segment.kind == "rfm" && m.row.rfm) {
      const int r = *m.row.rfm / 100, f = *m.row.rfm / 10 % 10, mon = *m.row.rfm % 10;
      const auto named = segment::rfm_segment_of(r, segment::rfm_fm_score(f, mon));
      j["rfm"] = {{"recency", r},
                  {"frequency", f},
                  {"monetary", mon},
                  {"segment", segment::rfm_segment_name(named)},
                  {"advice", segment::rfm_segment_advice(named)}};
    }
    if (!describable) {
      j["description"] = json();
      j["description_note"] = "this group is too small to describe without revealing other people";
    } else if (model.is_object() && model.contains("profiles")) {
      for (const json& p : model["profiles"]) {
        if (p.value("label", -1) != m.row.label) continue;
        json sentences = json::array();
        for (const json& d : p.value("distinctions", json::array()))
          sentences.push_back(d.value("sentence", ""));
        j["description"] = {{"size", p.value("size", 0)},
                            {"means", p.value("means", json::object())},
                            {"distinctions", sentences}};
      }
    }
    out.push_back(std::move(j));
  }
  return out;
}

json retention_section(const Config& config) {
  json fields = json::array();
  for (const FieldSpec& f : config.fields) {
    fields.push_back({{"field", f.name},
                      {"category", to_string(f.category)},
                      {"days", retention_days(f.retention_seconds)}});
  }
  json events = json::array();
  for (const EventTypeSpec& e : config.event_types) {
    events.push_back({{"event_type", e.name}, {"days", retention_days(e.retention_seconds)}});
  }
  json purposes = json::array();
  for (const PurposeSpec& p : config.purposes) {
    purposes.push_back({{"purpose", p.id}, {"days", retention_days(p.retention_seconds)}});
  }
  return {{"fields", fields}, {"event_types", events}, {"purposes", purposes}};
}

Result<json> recipients_section(Store& store, const Config& config, SubjectId subject) {
  CONSENTRIC_ASSIGN_OR_RETURN(std::vector<DisclosureRow> rows, store.disclosures(subject));
  json out = json::array();
  for (const DisclosureRow& d : rows) {
    json detail = json::parse(d.detail, nullptr, false);
    json j = {{"recipient", d.recipient},
              {"purpose", d.purpose},
              {"time", format_timestamp(d.ts)},
              {"action", d.action},
              {"audit_entry", d.audit_seq}};
    // A declared recipient (an audience export) is named as the declaration describes it, with
    // its country: outside the EEA the disclosure was a transfer (Art. 15(2)).
    if (const RecipientSpec* declared = config.recipient(d.recipient)) {
      if (!declared->description.empty()) j["recipient_description"] = declared->description;
      if (!declared->country.empty()) j["recipient_country"] = declared->country;
    }
    if (detail.is_object()) {
      // What the export carried: its columns say which kinds of data went.
      if (detail.contains("segment")) j["segment"] = detail["segment"];
      if (detail.contains("columns")) j["columns"] = detail["columns"];
    }
    out.push_back(std::move(j));
  }
  return out;
}

// Where the data came from (GDPR Art. 15(1)(g)): the channels of their consent decisions, and
// each import file that inserted or changed something of theirs.
Result<json> sources_section(Store& store, const SubjectData& data) {
  struct Seen {
    std::int64_t entries = 0;
    UnixSeconds first = 0, last = 0;
  };
  std::map<std::pair<std::string, std::string>, Seen> by_source;
  for (const ConsentEntry& e : data.consents) {
    Seen& s = by_source[{e.source, e.method}];
    s.first = s.entries == 0 ? e.recorded_at : std::min(s.first, e.recorded_at);
    s.last = std::max(s.last, e.recorded_at);
    ++s.entries;
  }
  json consent = json::array();
  for (const auto& [key, s] : by_source) {
    consent.push_back({{"source", key.first},
                       {"method", key.second},
                       {"entries", s.entries},
                       {"first", format_timestamp(s.first)},
                       {"last", format_timestamp(s.last)}});
  }
  CONSENTRIC_ASSIGN_OR_RETURN(std::vector<ImportRecord> imports,
                              store.subject_imports(data.subject.id));
  json files = json::array();
  for (const ImportRecord& i : imports) {
    files.push_back({{"kind", i.kind},
                     {"file", i.file},
                     {"file_hash", i.sha256},
                     {"time", format_timestamp(i.started_at)}});
  }
  return json{{"consent", consent}, {"imports", files}};
}

}  // namespace

Result<json> build_access_report(StoreDir& sd, SubjectId subject, UnixSeconds now,
                                 std::int64_t request_id) {
  CONSENTRIC_ASSIGN_OR_RETURN(SubjectData data, read_subject_data(sd, subject));
  const Config& config = sd.config;
  json report = {{"format", "consentric-access-report"},
                 {"format_version", kAccessReportVersion},
                 {"request",
                  {{"id", request_id == 0 ? json() : json(request_id)},
                   {"type", "access"},
                   {"generated", format_timestamp(now)}}},
                 {"controller",
                  {{"name", config.controller.name},
                   {"contact", config.controller.contact},
                   {"country", config.controller.country}}},
                 {"subject",
                  {{"pseudonym", data.subject.pseudonym},
                   {"created", format_timestamp(data.subject.created_at)},
                   {"updated", format_timestamp(data.subject.updated_at)}}},
                 {"identifiers", identifiers_section(config, data)},
                 {"profile", profile_section(config, data)},
                 {"events", events_section(data)},
                 {"consent", consent_section(config, data, now)},
                 {"purposes", purposes_section(config, data, now)},
                 {"retention", retention_section(config)}};
  CONSENTRIC_ASSIGN_OR_RETURN(report["segments"], segments_section(sd, subject));
  CONSENTRIC_ASSIGN_OR_RETURN(report["scores"], scores_section(sd, subject));
  CONSENTRIC_ASSIGN_OR_RETURN(report["points"], points_section(sd, subject));
  CONSENTRIC_ASSIGN_OR_RETURN(report["recipients"],
                              recipients_section(*sd.store, sd.config, subject));
  CONSENTRIC_ASSIGN_OR_RETURN(report["sources"], sources_section(*sd.store, data));
  return report;
}

json access_report_counts(const json& report) {
  auto size_of = [&](const json& j) -> std::int64_t {
    return j.is_array() ? static_cast<std::int64_t>(j.size()) : 0;
  };
  const json& consent = report.value("consent", json::object());
  const json& retention = report.value("retention", json::object());
  const json& sources = report.value("sources", json::object());
  return {{"identifiers", size_of(report.value("identifiers", json()))},
          {"profile_fields", size_of(report.value("profile", json()))},
          {"events", size_of(report.value("events", json::object()).value("items", json()))},
          {"consent_entries", size_of(consent.value("history", json()))},
          {"processing_limits", size_of(consent.value("limits", json()))},
          {"purposes", size_of(report.value("purposes", json()))},
          {"segments", size_of(report.value("segments", json()))},
          {"scores", size_of(report.value("scores", json::object()).value("items", json()))},
          {"points", size_of(report.value("points", json::object()).value("items", json()))},
          {"retention_rules", size_of(retention.value("fields", json())) +
                                  size_of(retention.value("event_types", json())) +
                                  size_of(retention.value("purposes", json()))},
          {"recipients", size_of(report.value("recipients", json()))},
          {"sources",
           size_of(sources.value("consent", json())) + size_of(sources.value("imports", json()))}};
}

Result<AccessOutcome> access(StoreDir& sd, const AccessRequest& r) {
  if (!r.json_out && !r.html_out) {
    return invalid_argument(
        "an access report needs a file to go to: give --json FILE, --html FILE "
        "or both");
  }
  if (r.json_out && r.html_out && *r.json_out == *r.html_out) {
    return invalid_argument(
        fmt::format("--json and --html name the same file {}", r.json_out->string()));
  }
  CONSENTRIC_ASSIGN_OR_RETURN(Resolved who, resolve(sd, r.identifier));
  Store& store = *sd.store;
  std::vector<std::filesystem::path> written;
  auto result = in_transaction(store, [&]() -> Result<AccessOutcome> {
    AccessOutcome out;
    if (!who.subject) {
      CONSENTRIC_ASSIGN_OR_RETURN(out.request, record_no_data(store, RequestType::kAccess, r.regime,
                                                              who, r.now, true, r.actor, r.now));
      return out;
    }
    CONSENTRIC_ASSIGN_OR_RETURN(
        DsarRow row, request_to_carry_out(store, RequestType::kAccess, r.request_id, r.regime, who,
                                          r.actor, r.now));
    CONSENTRIC_ASSIGN_OR_RETURN(json report,
                                build_access_report(sd, who.subject->id, r.now, row.request_id));
    out.counts = access_report_counts(report);
    auto write = [&](const std::filesystem::path& path, const std::string& bytes) -> Status {
      CONSENTRIC_RETURN_IF_ERROR(write_private_file(path, bytes));
      written.push_back(path);
      CONSENTRIC_ASSIGN_OR_RETURN(std::string hash, crypto::hash256_file(path));
      out.files.push_back({path, crypto::to_hex(hash), static_cast<std::int64_t>(bytes.size())});
      return Status();
    };
    if (r.json_out) CONSENTRIC_RETURN_IF_ERROR(write(*r.json_out, json_text(report, 2) + "\n"));
    if (r.html_out) CONSENTRIC_RETURN_IF_ERROR(write(*r.html_out, render_access_html(report)));

    json files = json::array();
    for (const WrittenFile& f : out.files) {
      files.push_back(
          {{"name", f.path.filename().string()}, {"blake2b_256", f.hash}, {"bytes", f.bytes}});
    }
    const json evidence = {{"files", files}, {"counts", out.counts}};
    CONSENTRIC_RETURN_IF_ERROR(record_carried_out(
        store, row, "subject.access", who.subject->pseudonym, evidence, r.actor, r.now));
    CONSENTRIC_ASSIGN_OR_RETURN(out.request, with_pseudonym(store, row));
    return out;
  });
  // Nothing recorded means nothing sent: a report written before a failure is removed.
  if (!result.ok()) {
    std::error_code ignored;
    for (const auto& p : written) std::filesystem::remove(p, ignored);
  }
  return result;
}

}  // namespace consentric::rights
