#include "rights/register.h"

#include <vector>

#include <fmt/format.h>

#include "audit/audit_log.h"
#include "crypto/blind_index.h"
#include "crypto/keys.h"

namespace consentric::rights::detail {
namespace {

using nlohmann::json;

Result<std::string> pseudonym_of(Store& store, const std::optional<SubjectId>& subject) {
  if (!subject) return std::string();
  CONSENTRIC_ASSIGN_OR_RETURN(std::optional<SubjectRow> row, store.subject(*subject));
  return row ? row->pseudonym : std::string();
}

}  // namespace

Result<Request> with_pseudonym(Store& store, DsarRow row) {
  CONSENTRIC_ASSIGN_OR_RETURN(std::string p, pseudonym_of(store, row.subject));
  return Request{std::move(row), std::move(p)};
}

Status audit_request(Store& store, std::string_view action, const Request& r,
                     std::string_view actor, UnixSeconds now, json extra) {
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

Result<DsarRow> request_to_carry_out(Store& store, RequestType type,
                                     std::optional<std::int64_t> request_id, Regime regime,
                                     const Resolved& who, std::string_view actor,
                                     UnixSeconds now) {
  if (!request_id) {
    CONSENTRIC_ASSIGN_OR_RETURN(Request opened,
                                record_open(store, type, regime, who, now, true, actor, now));
    return opened.row;
  }
  CONSENTRIC_ASSIGN_OR_RETURN(DsarRow row, open_row(store, *request_id));
  if (row.type != to_string(type)) {
    return failed_precondition(fmt::format("request {} is of type {}, not {}", row.request_id,
                                           row.type, to_string(type)));
  }
  if (row.subject != who.subject->id) {
    return failed_precondition(fmt::format(
        "request {} is about another person than this identifier names", row.request_id));
  }
  return row;
}

}  // namespace consentric::rights::detail
