#pragma once

// Internal to the rights module: the register steps every right shares. Finding the person an
// identifier names, recording a request (open, or answered at once with "no data held"), and
// closing it with evidence, each with its audit entry. Each right (restriction, access, erasure,
// ...) runs these inside its own transaction so the register and the act change together.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "consent/subjects.h"
#include "rights/requests.h"

namespace consentric::rights::detail {

Result<Request> with_pseudonym(Store& store, DsarRow row);

// The audit entry of a register change: never the identifier's value (DESIGN.md invariant 3).
Status audit_request(Store& store, std::string_view action, const Request& r,
                     std::string_view actor, UnixSeconds now,
                     nlohmann::json extra = nlohmann::json::object());

// Who an identifier names: the subject, or none with the reason no data is held.
struct Resolved {
  std::optional<consent::SubjectRef> subject;
  std::string field;        // the declared identifier field that was given or matched
  std::string no_data_why;  // when !subject: "unknown" or "erased"
};
Result<Resolved> resolve(StoreDir& sd, std::string_view identifier);

// Records a request about a person of whom nothing is held, answered at once (dsar.no_data).
Result<Request> record_no_data(Store& store, RequestType type, Regime regime, const Resolved& who,
                               UnixSeconds received, bool verified, std::string_view actor,
                               UnixSeconds now);

// Records an open request (dsar.open); AlreadyExists when one of the type is open for the person.
Result<Request> record_open(Store& store, RequestType type, Regime regime, const Resolved& who,
                            UnixSeconds received, bool verified, std::string_view actor,
                            UnixSeconds now);

// The open request `request_id`; NotFound, or FailedPrecondition when it is not open.
Result<DsarRow> open_row(Store& store, std::int64_t request_id);

// The request a right is carried out under: the open request `request_id` (checked to be of
// `type` and about this person), or, with none, a new verified request recorded now. Carrying
// out a request at once is the operator's statement that the identity was checked.
// REQUIRES: who.subject; a transaction open on the store.
Result<DsarRow> request_to_carry_out(Store& store, RequestType type,
                                     std::optional<std::int64_t> request_id, Regime regime,
                                     const Resolved& who, std::string_view actor,
                                     UnixSeconds now);

// Completes or refuses `row` with evidence (a JSON object's text), audited as dsar.close.
Status close_row(Store& store, DsarRow& row, std::string_view status, std::string evidence,
                 std::string_view actor, UnixSeconds now);

}  // namespace consentric::rights::detail
