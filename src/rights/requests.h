#pragma once

// The register of data-subject requests (docs/rights.md): each request a person makes (access,
// portability, rectification, erasure, restriction, objection) is recorded with its regime's
// deadline, answered, and audited. Carrying out restriction (GDPR Art. 18) and objection
// (Art. 21) lives here too, because it is one transaction with the register.
//
// Every function that writes opens and commits its own transaction on the store; on failure the
// store is left as it was. Not thread-safe, like the Store.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/store_dir.h"

namespace consentric::rights {

enum class RequestType {
  kAccess,
  kPortability,
  kRectification,
  kErasure,
  kRestriction,
  kObjection
};
std::string_view to_string(RequestType t);
std::optional<RequestType> parse_request_type(std::string_view text);  // the names above

enum class Regime { kGdpr, kCcpa };
std::string_view to_string(Regime r);                       // "gdpr", "ccpa"
std::optional<Regime> parse_regime(std::string_view text);  // "gdpr", "ccpa"

// `t` moved by `months` calendar months in UTC, same time of day; when the day does not exist
// in the target month it becomes that month's last day (Jan 31 + 1 month = Feb 28 or 29).
UnixSeconds add_calendar_months(UnixSeconds t, int months);

// When a request received at `received` must be answered:
//   GDPR Art. 12(3): one month, extendable once by two further months (received + 3 months);
//   CCPA, Cal. Civ. Code 1798.130(a)(2): 45 days, extendable once by 45 more (90 days).
UnixSeconds due_date(Regime regime, UnixSeconds received, bool extended);

// A request as shown: the stored row and the subject's pseudonym (empty when none).
struct Request {
  DsarRow row;
  std::string pseudonym;
};

struct OpenRequest {
  RequestType type = RequestType::kAccess;
  std::string identifier;  // FIELD=VALUE or a bare value (consent/subjects.h)
  Regime regime = Regime::kGdpr;
  UnixSeconds received = 0;  // 0: now
  bool verified = false;
  std::string actor = "local-operator";
  UnixSeconds now = 0;
};

// Records a request. A person nobody holds data about, or one who was erased, gets a request
// answered at once with status no_data (audited as dsar.no_data); otherwise the request is open
// (dsar.open). AlreadyExists when the same person has an open request of the same type.
Result<Request> open_request(StoreDir& sd, const OpenRequest& r);

Result<Request> get_request(StoreDir& sd, std::int64_t request_id);  // NotFound

// Extends an open request's deadline once, for a reason that is recorded (dsar.extend).
Result<Request> extend_request(StoreDir& sd, std::int64_t request_id, std::string_view reason,
                               std::string_view actor, UnixSeconds now);

// Closes an open request as "completed" or "refused" with evidence, a JSON object (dsar.close).
Result<Request> close_request(StoreDir& sd, std::int64_t request_id, std::string_view status,
                              std::string_view evidence_json, std::string_view actor,
                              UnixSeconds now);

struct ListFilter {
  std::string status;                     // empty: any
  std::optional<UnixSeconds> overdue_at;  // only open requests due before this time
};
Result<std::vector<Request>> list_requests(StoreDir& sd, const ListFilter& filter);

// Writes the whole register as CSV for record keeping (GDPR Art. 5(2), CCPA regulations
// § 7101: records of requests kept for 24 months), with a dsar.export audit entry. Returns the
// number of requests written.
Result<std::int64_t> export_register(StoreDir& sd, const std::filesystem::path& out,
                                     std::string_view actor, UnixSeconds now);

// Carrying out a restriction or an objection, or lifting one.
struct LimitRequest {
  std::string identifier;
  bool lift = false;
  std::optional<std::int64_t> request_id;  // complete this open request; none: record a new one
  std::string purpose;  // objection only: one purpose; empty: every purpose it can apply to
  Regime regime = Regime::kGdpr;  // for a new request
  std::string actor = "local-operator";
  UnixSeconds now = 0;
};

// Appends the restriction (Art. 18) to the subject's processing limits and completes the
// request, in one transaction. Evidence: {"limit_entry": id, "lifted": bool, "purpose": null}.
// An unknown or erased person gives a no_data request.
Result<Request> restrict(StoreDir& sd, const LimitRequest& r);

// The same for an objection (Art. 21): it stops legitimate-interest purposes and, absolutely,
// direct marketing (Art. 21(3)). A purpose that rests on consent and is not direct marketing is
// refused: withdrawing consent is the way to stop it.
Result<Request> object(StoreDir& sd, const LimitRequest& r);

}  // namespace consentric::rights
