#pragma once

// When may a purpose process a subject's data? The one place that decides (DESIGN.md
// invariant 1), used by the purpose gate for whole views and by the purpose-feature keeper for
// single events, so that the two can never disagree.
//
// At time t, for a purpose P and a subject S:
//   - a restriction (Art. 18) in force stops every purpose;
//   - an objection (Art. 21) in force, to P or to every purpose, stops P when P rests on
//     legitimate interest, and stops direct marketing whatever its basis (Art. 21(3));
//   - consent: the latest ledger entry at or before t (by time, then entry id) must be a grant,
//     not expired at t, and, when P has renew_consent, given under P's current notice version.
//     No entry means no consent (opt-in);
//   - legitimate interest: allowed unless the latest ledger entry is a withdrawal or refusal
//     (a GPC signal or an objection recorded through a consent channel) or an objection holds;
//   - contract and legal obligation: allowed (only restriction and, for direct marketing,
//     objection stop them).

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"
#include "store/store.h"

namespace consentric::consent {

// True when `a` takes effect after `b`: later time, or the same time and recorded later.
bool supersedes(UnixSeconds a_ts, std::int64_t a_id, UnixSeconds b_ts, std::int64_t b_id);

// Whether the latest consent decision (nullptr when none) makes consent valid at t.
bool consent_valid(const PurposeSpec& purpose, const ConsentEntry* latest, UnixSeconds t);

// The latest entry at or before t among `entries` for one subject and purpose, or nullptr.
const ConsentEntry* latest_at(const std::vector<ConsentEntry>& entries, UnixSeconds t);

struct Limits {
  bool restricted = false;
  bool objected = false;  // to this purpose or to every purpose
};

// Whether `purpose` may use the subject's data at t, given the latest consent decision and
// the limits in force at t.
bool is_lawful(const PurposeSpec& purpose, const ConsentEntry* latest, const Limits& limits,
               UnixSeconds t);

// Why `purpose` may not use the subject's data at t, in words for a person ("no consent
// record", "withdrawn on 2026-03-01", ...); empty exactly when is_lawful() is true.
std::string gate_reason(const PurposeSpec& purpose, const ConsentEntry* latest,
                        const Limits& limits, UnixSeconds t);

// The limits in force at t for `purpose`, from a subject's limit history (any order).
Limits limits_at(const std::vector<LimitEntry>& history, std::string_view purpose, UnixSeconds t);

// Half-open time intervals [from, to) during which consent was valid; to == kForever when open.
inline constexpr UnixSeconds kForever = INT64_MAX;
struct Interval {
  UnixSeconds from = 0;
  UnixSeconds to = kForever;
  bool contains(UnixSeconds t) const { return from <= t && t < to; }
};

// The intervals of valid consent for one subject and purpose from its ledger entries (any
// order, entries of other purposes ignored). Whether an event at t falls inside one is exactly
// consent_valid(purpose, latest_at(entries, t), t).
std::vector<Interval> consent_intervals(const PurposeSpec& purpose,
                                        const std::vector<ConsentEntry>& entries);

// Whether the purpose counts an event at t toward its features, given the intervals above.
// Purposes not resting on consent, or with consent_at_event_time off, count every event.
bool counts_event(const PurposeSpec& purpose, const std::vector<Interval>& intervals,
                  UnixSeconds t);

}  // namespace consentric::consent
