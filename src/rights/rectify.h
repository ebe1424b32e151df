#pragma once

// Rectification (GDPR Art. 16; CCPA, Cal. Civ. Code 1798.106): a person has inaccurate data
// about them corrected, or incomplete data completed. The new values are checked exactly as an
// import checks them (ingest/field_value.h), the profile is re-sealed under the subject's data
// key, a changed identifier moves the person's blind index, and the register, the audit chain
// and the profile change in one transaction (docs/rights.md "Rectification").

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "rights/requests.h"

namespace consentric::rights {

struct RectifyRequest {
  std::string identifier;  // FIELD=VALUE or a bare value (consent/subjects.h)
  // (declared profile field, new value as text); an empty or blank value clears the field.
  std::vector<std::pair<std::string, std::string>> changes;
  std::optional<std::int64_t> request_id;  // complete this open request; none: record a new one
  Regime regime = Regime::kGdpr;           // for a new request
  std::string actor = "local-operator";
  UnixSeconds now = 0;
};

struct RectifyResult {
  Request request;
  std::vector<std::string> changed;    // fields whose value changed, in the order given
  std::vector<std::string> unchanged;  // fields that already held the value given
  // Segments whose latest run read a changed field: the person's memberships in them were
  // computed on the old value and stay as they are until the segment is refreshed.
  std::vector<std::string> segments_to_refresh;
};

// "FIELD=VALUE" split at the first '='; InvalidArgument naming the text when there is none or
// the field name is empty. The value may be empty (clear the field).
Result<std::pair<std::string, std::string>> parse_field_assignment(std::string_view text);

// Carries out a rectification. Every value is checked before anything is written: an undeclared
// field, a value of the wrong type or outside the declared values or bounds, clearing a required
// field or an identifier field, or naming a field twice is InvalidArgument, one message naming
// each field and what was expected. A new identifier value that already names another person is
// AlreadyExists (without saying who); one on the suppression list (an erased person's) is
// FailedPrecondition. On any error nothing changes. An unknown or erased person gives a no_data
// request. Evidence of the completed request: {"fields": [...], "unchanged": [...],
// "segments_to_refresh": [...]}, names only, never values. Audited as subject.rectify with, per
// changed field, a hash of the old value keyed by the subject's data key (rectify.cc says why).
Result<RectifyResult> rectify(StoreDir& sd, const RectifyRequest& r);

}  // namespace consentric::rights
