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
#include "rights/register.h"
#include "store/transaction.h"

namespace consentric::rights {
namespace {

using nlohmann::json;
using namespace detail;

constexpr std::array<std::string_view, 6> kTypeNames = {"access",  "portability", "rectification",
                                                        "erasure", "restriction", "objection"};

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
    CONSENTRIC_ASSIGN_OR_RETURN(
        DsarRow row,
        request_to_carry_out(store, type, r.request_id, r.regime, who, r.actor, r.now));
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
  CONSENTRIC_RETURN_IF_ERROR(audit::append_committed(
      store, {.actor = std::string(actor), .action = "dsar.export", .detail = detail.dump()}, now));
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
