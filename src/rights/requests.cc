#include "rights/requests.h"

#include <array>
#include <chrono>
#include <fstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "audit/audit_log.h"
#include "consent/lawful_basis.h"
#include "consent/ledger.h"
#include "consent/subjects.h"
#include "core/text.h"
#include "crypto/blind_index.h"
#include "crypto/keys.h"
#include "store/transaction.h"

namespace consentric::rights {
namespace {

using nlohmann::json;

constexpr std::array<std::string_view, 6> kTypeNames = {"access",  "portability", "rectification",
                                                        "erasure", "restriction", "objection"};

Result<std::string> pseudonym_of(Store& store, const std::optional<SubjectId>& subject) {
  if (!subject) return std::string();
  CONSENTRIC_ASSIGN_OR_RETURN(std::optional<SubjectRow> row, store.subject(*subject));
  return row ? row->pseudonym : std::string();
}

Result<Request> with_pseudonym(Store& store, DsarRow row) {
  CONSENTRIC_ASSIGN_OR_RETURN(std::string p, pseudonym_of(store, row.subject));
  return Request{std::move(row), std::move(p)};
}

// The audit entry of a register change: never the identifier's value (DESIGN.md invariant 3).
Status audit_request(Store& store, std::string_view action, const Request& r,
                     std::string_view actor, UnixSeconds now, json extra = json::object()) {
  json detail = {{"request", r.row.request_id},
                 {"type", r.row.type},
                 {"regime", r.row.regime},
                 {"due", format_timestamp(r.row.due_at)},
                 {"status", r.row.status}};
  detail.update(extra);
  return audit::append(store,
                       {.actor = std::string(actor),
                        .action = std::string(action),
                        .subject = r.pseudonym,
                        .detail = detail.dump()},
                       now)
      .status();
}

// Who an identifier names: the subject, or none with the reason no data is held.
struct Resolved {
  std::optional<consent::SubjectRef> subject;
  std::string field;        // the declared identifier field that was given or matched
  std::string no_data_why;  // when !subject: "unknown" or "erased"
};

Result<Resolved> resolve(StoreDir& sd, std::string_view identifier) {
  CONSENTRIC_ASSIGN_OR_RETURN(consent::IdentifierArg arg,
                              consent::parse_identifier_arg(sd.config, identifier));
  Resolved out;
  // A bare value is tried field by field so the register can say which field matched; when none
  // does, the first field that accepts the value is recorded.
  std::vector<consent::IdentifierArg> tries;
  if (arg.spec != nullptr) {
    tries.push_back(arg);
  } else {
    for (const IdentifierSpec& s : sd.config.identifiers) {
      if (!crypto::normalize_identifier(s.kind, arg.value).ok()) continue;
      tries.push_back({&s, arg.value});
    }
  }
  for (const consent::IdentifierArg& t : tries) {
    if (out.field.empty()) out.field = t.spec->field;
    Result<std::optional<consent::SubjectRef>> found = consent::find_subject(sd, t);
    // find_subject refuses an identifier on the suppression list: the person was erased.
    if (found.status().code() == StatusCode::kFailedPrecondition) {
      out.field = t.spec->field;
      out.no_data_why = "erased";
      return out;
    }
    CONSENTRIC_RETURN_IF_ERROR(found.status());
    if (*found) {
      out.field = t.spec->field;
      out.subject = **found;
      return out;
    }
  }
  out.no_data_why = "unknown";
  return out;
}

// Records a request about a person of whom nothing is held, answered at once.
Result<Request> record_no_data(Store& store, RequestType type, Regime regime, const Resolved& who,
                               UnixSeconds received, bool verified, std::string_view actor,
                               UnixSeconds now) {
  json evidence = {{"answer", "no data held"}};
  if (who.no_data_why == "erased") evidence["reason"] = "the person's data was erased earlier";
  DsarRow row{.type = std::string(to_string(type)),
              .regime = std::string(to_string(regime)),
              .identifier_field = who.field,
              .received_at = received,
              .verified = verified,
              .due_at = due_date(regime, received, false),
              .status = "no_data",
              .completed_at = now,
              .evidence = evidence.dump()};
  CONSENTRIC_ASSIGN_OR_RETURN(row.request_id, store.add_dsar(row));
  Request r{row, ""};
  CONSENTRIC_RETURN_IF_ERROR(
      audit_request(store, "dsar.no_data", r, actor, now, {{"reason", who.no_data_why}}));
  return r;
}

Result<Request> record_open(Store& store, RequestType type, Regime regime, const Resolved& who,
                            UnixSeconds received, bool verified, std::string_view actor,
                            UnixSeconds now) {
  CONSENTRIC_ASSIGN_OR_RETURN(
      std::vector<DsarRow> open,
      store.dsars(
          {.status = "open", .subject = who.subject->id, .type = std::string(to_string(type))}));
  if (!open.empty()) {
    return already_exists(fmt::format(
        "request {} ({}) for this person is still open; carry it out with --request {}, or "
        "close it first",
        open.front().request_id, open.front().type, open.front().request_id));
  }
  DsarRow row{.type = std::string(to_string(type)),
              .regime = std::string(to_string(regime)),
              .identifier_field = who.field,
              .subject = who.subject->id,
              .received_at = received,
              .verified = verified,
              .due_at = due_date(regime, received, false)};
  CONSENTRIC_ASSIGN_OR_RETURN(row.request_id, store.add_dsar(row));
  Request r{row, who.subject->pseudonym};
  CONSENTRIC_RETURN_IF_ERROR(audit_request(store, "dsar.open", r, actor, now,
                                           {{"identifier_field", who.field},
                                            {"received", format_timestamp(received)},
                                            {"verified", verified}}));
  return r;
}

Result<DsarRow> open_row(Store& store, std::int64_t request_id) {
  CONSENTRIC_ASSIGN_OR_RETURN(std::optional<DsarRow> row, store.dsar(request_id));
  if (!row) return not_found(fmt::format("no request {} in the register", request_id));
  if (row->status != "open") {
    return failed_precondition(
        fmt::format("request {} is not open (status: {})", request_id, row->status));
  }
  return *row;
}

Status close_row(Store& store, DsarRow& row, std::string_view status, std::string evidence,
                 std::string_view actor, UnixSeconds now) {
  row.status = std::string(status);
  row.completed_at = now;
  row.evidence = std::move(evidence);
  CONSENTRIC_RETURN_IF_ERROR(store.update_dsar(row));
  CONSENTRIC_ASSIGN_OR_RETURN(Request r, with_pseudonym(store, row));
  // Evidence is the operator's free text and the chain is never erased, so the chain keeps
  // only its hash: the register row holds the text, and the hash proves it was not changed.
  return audit_request(store, "dsar.close", r, actor, now,
                       {{"evidence_hash", crypto::to_hex(crypto::hash256(row.evidence))}});
}

// Whether the limit of `kind` on exactly `purpose` is in force at t: lifting one that is not is
// a mistake worth saying, not an entry worth recording.
bool limit_in_force(const std::vector<LimitEntry>& history, LimitKind kind,
                    std::string_view purpose, UnixSeconds t) {
  const LimitEntry* latest = nullptr;
  for (const LimitEntry& e : history) {
    if (e.kind != kind || e.purpose != purpose || e.ts > t) continue;
    if (latest == nullptr || consent::supersedes(e.ts, e.entry_id, latest->ts, latest->entry_id))
      latest = &e;
  }
  return latest != nullptr && !latest->lifted;
}

Result<Request> carry_out_limit(StoreDir& sd, const LimitRequest& r, LimitKind kind) {
  const RequestType type =
      kind == LimitKind::kRestriction ? RequestType::kRestriction : RequestType::kObjection;
  const std::string_view what = kind == LimitKind::kRestriction ? "restriction" : "objection";
  if (kind == LimitKind::kObjection && !r.purpose.empty()) {
    const PurposeSpec* p = sd.config.purpose(r.purpose);
    if (p == nullptr) {
      return invalid_argument(
          fmt::format("purpose {}: not a declared purpose", quote_for_message(r.purpose)));
    }
    // Art. 21 reaches processing on legitimate interest (21(1)) and direct marketing (21(2),
    // 21(3)); consent is stopped by withdrawing it (Art. 7(3)).
    if (p->legal_basis != LegalBasis::kLegitimateInterest && !p->direct_marketing) {
      return invalid_argument(
          fmt::format("purpose {}: an objection applies to legitimate-interest purposes and direct "
                      "marketing; this one rests on another basis (withdraw consent instead)",
                      r.purpose));
    }
  }
  CONSENTRIC_ASSIGN_OR_RETURN(Resolved who, resolve(sd, r.identifier));
  Store& store = *sd.store;
  return in_transaction(store, [&]() -> Result<Request> {
    if (!who.subject) {
      return record_no_data(store, type, r.regime, who, r.now, true, r.actor, r.now);
    }
    CONSENTRIC_ASSIGN_OR_RETURN(std::vector<LimitEntry> history,
                                store.limit_history(who.subject->id));
    if (r.lift && !limit_in_force(history, kind, r.purpose, r.now)) {
      return failed_precondition(fmt::format("no {}{} is in force for this person; nothing to lift",
                                             what,
                                             r.purpose.empty() ? "" : " to purpose " + r.purpose));
    }
    DsarRow row;
    if (r.request_id) {
      CONSENTRIC_ASSIGN_OR_RETURN(row, open_row(store, *r.request_id));
      if (row.type != to_string(type)) {
        return failed_precondition(fmt::format("request {} is of type {}, not {}", row.request_id,
                                               row.type, to_string(type)));
      }
      if (row.subject != who.subject->id) {
        return failed_precondition(fmt::format(
            "request {} is about another person than this identifier names", row.request_id));
      }
    } else {
      // Carrying out a request at once is the operator's statement that the identity was
      // checked, so the request it records is verified.
      CONSENTRIC_ASSIGN_OR_RETURN(
          Request opened, record_open(store, type, r.regime, who, r.now, true, r.actor, r.now));
      row = opened.row;
    }
    LimitEntry entry{.subject = who.subject->id,
                     .kind = kind,
                     .purpose = r.purpose,
                     .lifted = r.lift,
                     .ts = r.now,
                     .source = "dsar",
                     .detail = json{{"request", row.request_id}}.dump()};
    CONSENTRIC_ASSIGN_OR_RETURN(std::int64_t entry_id,
                                consent::append_limit(store, sd.config, entry, r.actor, r.now));
    json evidence = {{"limit_entry", entry_id},
                     {"lifted", r.lift},
                     {"purpose", r.purpose.empty() ? json() : json(r.purpose)}};
    CONSENTRIC_RETURN_IF_ERROR(close_row(store, row, "completed", evidence.dump(), r.actor, r.now));
    return with_pseudonym(store, row);
  });
}

}  // namespace

std::string_view to_string(RequestType t) { return kTypeNames[static_cast<std::size_t>(t)]; }

std::optional<RequestType> parse_request_type(std::string_view text) {
  for (std::size_t i = 0; i < kTypeNames.size(); ++i) {
    if (kTypeNames[i] == text) return static_cast<RequestType>(i);
  }
  return std::nullopt;
}

std::string_view to_string(Regime r) { return r == Regime::kGdpr ? "gdpr" : "ccpa"; }

std::optional<Regime> parse_regime(std::string_view text) {
  if (text == "gdpr") return Regime::kGdpr;
  if (text == "ccpa") return Regime::kCcpa;
  return std::nullopt;
}

UnixSeconds add_calendar_months(UnixSeconds t, int months) {
  using namespace std::chrono;
  const sys_seconds tp{seconds{t}};
  const sys_days day = floor<days>(tp);
  const seconds time_of_day = tp - day;
  year_month_day ymd{day};
  ymd += std::chrono::months{months};
  if (!ymd.ok()) ymd = year_month_day{ymd.year() / ymd.month() / last};
  return (sys_days{ymd} + time_of_day).time_since_epoch().count();
}

UnixSeconds due_date(Regime regime, UnixSeconds received, bool extended) {
  if (regime == Regime::kGdpr) return add_calendar_months(received, extended ? 3 : 1);
  return received + (extended ? 90 : 45) * kSecondsPerDay;
}

Result<Request> open_request(StoreDir& sd, const OpenRequest& r) {
  const UnixSeconds received = r.received == 0 ? r.now : r.received;
  if (received > r.now) {
    return invalid_argument(
        fmt::format("received {}: expected a time not in the future", format_timestamp(received)));
  }
  CONSENTRIC_ASSIGN_OR_RETURN(Resolved who, resolve(sd, r.identifier));
  Store& store = *sd.store;
  return in_transaction(store, [&]() -> Result<Request> {
    if (!who.subject) {
      return record_no_data(store, r.type, r.regime, who, received, r.verified, r.actor, r.now);
    }
    return record_open(store, r.type, r.regime, who, received, r.verified, r.actor, r.now);
  });
}

Result<Request> get_request(StoreDir& sd, std::int64_t request_id) {
  CONSENTRIC_ASSIGN_OR_RETURN(std::optional<DsarRow> row, sd.store->dsar(request_id));
  if (!row) return not_found(fmt::format("no request {} in the register", request_id));
  return with_pseudonym(*sd.store, std::move(*row));
}

Result<Request> extend_request(StoreDir& sd, std::int64_t request_id, std::string_view reason,
                               std::string_view actor, UnixSeconds now) {
  if (trim(reason).empty()) {
    // GDPR Art. 12(3) and CCPA 1798.130(a)(2): the person must be told why it takes longer.
    return invalid_argument("reason: expected why the request needs more time");
  }
  Store& store = *sd.store;
  return in_transaction(store, [&]() -> Result<Request> {
    CONSENTRIC_ASSIGN_OR_RETURN(DsarRow row, open_row(store, request_id));
    if (row.extended) {
      return failed_precondition(
          fmt::format("request {} was already extended once (\"{}\"); a deadline extends only once",
                      request_id, row.extension_reason));
    }
    if (now > row.due_at) {
      return failed_precondition(
          fmt::format("request {} was due on {}: an extension must be made within the first period",
                      request_id, format_timestamp(row.due_at)));
    }
    const std::optional<Regime> regime = parse_regime(row.regime);
    row.extended = true;
    row.extension_reason = std::string(trim(reason));
    row.due_at = due_date(regime.value_or(Regime::kGdpr), row.received_at, true);
    CONSENTRIC_RETURN_IF_ERROR(store.update_dsar(row));
    CONSENTRIC_ASSIGN_OR_RETURN(Request r, with_pseudonym(store, row));
    CONSENTRIC_RETURN_IF_ERROR(
        audit_request(store, "dsar.extend", r, actor, now,
                      {{"reason_hash", crypto::to_hex(crypto::hash256(row.extension_reason))}}));
    return r;
  });
}

Result<Request> close_request(StoreDir& sd, std::int64_t request_id, std::string_view status,
                              std::string_view evidence_json, std::string_view actor,
                              UnixSeconds now) {
  if (status != "completed" && status != "refused") {
    return invalid_argument(
        fmt::format("status {}: expected completed or refused", quote_for_message(status)));
  }
  const std::string_view text = trim(evidence_json).empty() ? "{}" : evidence_json;
  json evidence = json::parse(text, nullptr, false);
  if (!evidence.is_object()) {
    return invalid_argument(
        fmt::format("evidence {}: expected a JSON object", quote_for_message(evidence_json)));
  }
  Store& store = *sd.store;
  return in_transaction(store, [&]() -> Result<Request> {
    CONSENTRIC_ASSIGN_OR_RETURN(DsarRow row, open_row(store, request_id));
    CONSENTRIC_RETURN_IF_ERROR(close_row(store, row, status, evidence.dump(), actor, now));
    return with_pseudonym(store, row);
  });
}

Result<std::vector<Request>> list_requests(StoreDir& sd, const ListFilter& filter) {
  if (!filter.status.empty() && filter.status != "open" && filter.status != "completed" &&
      filter.status != "refused" && filter.status != "no_data") {
    return invalid_argument(fmt::format("status {}: expected open, completed, refused or no_data",
                                        quote_for_message(filter.status)));
  }
  CONSENTRIC_ASSIGN_OR_RETURN(
      std::vector<DsarRow> rows,
      sd.store->dsars({.status = filter.status, .overdue_at = filter.overdue_at}));
  std::vector<Request> out;
  out.reserve(rows.size());
  for (DsarRow& row : rows) {
    CONSENTRIC_ASSIGN_OR_RETURN(Request r, with_pseudonym(*sd.store, std::move(row)));
    out.push_back(std::move(r));
  }
  return out;
}

Result<std::int64_t> export_register(StoreDir& sd, const std::filesystem::path& out,
                                     std::string_view actor, UnixSeconds now) {
  CONSENTRIC_ASSIGN_OR_RETURN(std::vector<Request> all, list_requests(sd, {}));
  {
    std::ofstream f(out, std::ios::binary | std::ios::trunc);
    if (!f) return invalid_argument(fmt::format("{}: cannot be written", out.string()));
    f << "request_id,type,regime,identifier_field,subject,received,verified,due,extended,"
         "extension_reason,status,completed,evidence\n";
    for (const Request& r : all) {
      const DsarRow& d = r.row;
      f << fmt::format("{},{},{},{},{},{},{},{},{},{},{},{},{}\n", d.request_id, d.type, d.regime,
                       csv_field(d.identifier_field), r.pseudonym, format_timestamp(d.received_at),
                       d.verified ? "yes" : "no", format_timestamp(d.due_at),
                       d.extended ? "yes" : "no", csv_field(d.extension_reason), d.status,
                       d.completed_at ? format_timestamp(*d.completed_at) : "",
                       csv_field(d.evidence));
    }
    f.flush();
    if (!f) return internal_error(fmt::format("{}: write failed", out.string()));
  }
  CONSENTRIC_ASSIGN_OR_RETURN(std::string hash, crypto::hash256_file(out));
  const auto count = static_cast<std::int64_t>(all.size());
  const json detail = {
      {"file", out.filename().string()}, {"rows", count}, {"hash", crypto::to_hex(hash)}};
  Store& store = *sd.store;
  // The register leaving the engine is a disclosure: it is audited (DESIGN.md invariant 6).
  auto audited = in_transaction(store, [&]() -> Result<AuditRecord> {
    return audit::append(
        store, {.actor = std::string(actor), .action = "dsar.export", .detail = detail.dump()},
        now);
  });
  CONSENTRIC_RETURN_IF_ERROR(audited.status());
  return count;
}

Result<Request> restrict(StoreDir& sd, const LimitRequest& r) {
  if (!r.purpose.empty())
    return invalid_argument("purpose: a restriction applies to every purpose; give none");
  return carry_out_limit(sd, r, LimitKind::kRestriction);
}

Result<Request> object(StoreDir& sd, const LimitRequest& r) {
  return carry_out_limit(sd, r, LimitKind::kObjection);
}

}  // namespace consentric::rights
