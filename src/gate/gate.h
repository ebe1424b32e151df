#pragma once

// The purpose gate: the only module that reads the store on behalf of analytics. It decides who
// may be processed for a purpose at a time (consent/lawful_basis.h), cuts the data down to what
// the purpose declares, and writes every read to the audit chain (DESIGN.md invariants 1, 2, 6).

#include <functional>
#include <span>
#include <string>
#include <vector>

#include "gate/purpose_view.h"
#include "store/store_dir.h"

namespace consentric::gate {

struct ViewRequest {
  std::string purpose;
  UnixSeconds as_of = 0;
  std::string actor;
  // Profile fields and features; empty: every non-pii field and every feature the purpose
  // declares.
  std::vector<std::string> columns;
};

// Every column a purpose may ask for: its declared fields (special categories never), then the
// features built from its declared event types.
std::vector<std::string> available_columns(const Config& config, const PurposeSpec& purpose);

// Builds the view and appends a gate.view audit entry (actor, purpose, as-of, subjects,
// columns). InvalidArgument for an undeclared purpose, a column the purpose does not declare
// (named), or a special-category field. Features at an as-of before now are recomputed from
// the events up to that time; at or after now they are read from the kept feature rows.
Result<PurposeView> build_view(StoreDir& sd, const ViewRequest& request, UnixSeconds now);

// Calls fn(row, events) for each row of `view` (built by build_view, for its purpose and as-of
// time) with that subject's events at or before view.as_of() of the requested types, in time
// order. Only events the purpose may count: of its declared types and, for a consent purpose
// with consent_at_event_time, only those that happened while the subject's consent was valid
// (the rule of the feature rows, consent/lawful_basis.h counts_event). Appends a gate.events
// audit entry (actor, purpose, as-of, subjects, events, what was read) once every row is done.
// InvalidArgument naming it for a type the purpose does not declare, or a property that is not
// declared, is pii or is a special category; fn's error stops the scan and is returned.
Status scan_purpose_events(
    StoreDir& sd, const PurposeView& view, const std::vector<EventTypeColumns>& types,
    std::string_view actor, UnixSeconds now,
    const std::function<Status(std::size_t row, std::span<const PurposeEvent>)>& fn);

struct GateCount {
  std::string purpose;
  LegalBasis basis = LegalBasis::kConsent;
  std::int64_t subjects = 0;  // every person in the store (anonymous remnants are not)
  std::int64_t lawful = 0;    // those the gate lets through at as_of
};

// How many subjects each purpose's gate lets through at as_of, with one gate.count audit entry.
Result<std::vector<GateCount>> count_lawful(StoreDir& sd, UnixSeconds as_of, std::string_view actor,
                                            UnixSeconds now);

}  // namespace consentric::gate
