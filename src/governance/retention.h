#pragma once

// Retention (GDPR Art. 5(1)(e), storage limitation): what the declaration says may be kept for
// how long, enforced. docs/governance.md has the rules in words for DPOs; in short, at `now`:
//   - consent: a consent purpose's grant whose expires_at has passed, still the latest ledger
//     entry, gets a lapse entry (consent::append_lapse) and the person's memberships and scores
//     for it go as for a withdrawal;
//   - events: an event older than its type's retention is deleted; the person's all-events
//     feature row, and the feature rows of every purpose that reads the type, are rebuilt from
//     the events that stay;
//   - fields: a profile value older than its field's retention is removed (a pii value with the
//     ciphertext that held it). The store records when a profile was last written, not each
//     field, so a value's age is its profile's updated_at; removing a value leaves updated_at
//     as it was, so nothing else in the profile looks younger for it;
//   - purposes: what was derived for a purpose goes once older than the purpose's retention:
//     the memberships of a segment whose latest run was made before then, the scores computed
//     before then, and the purpose feature rows whose newest event is older than that.
// Rules run in that order, so each counts only what the rules before it left.
//
// Usage (the compliance doctor counts; `consentric retention run` acts):
//
//   auto plan = governance::plan_retention(sd, sd.config, now);  // changes nothing
//   if (!plan.ok()) return plan.status();
//   if (plan->total() > 0) { /* report plan->rules: what is past retention, per rule */ }
//
//   auto done = governance::run_retention(sd, sd.config, "dpo@example", now, now);
//   // one transaction; done->audit_seq is the retention.run entry holding the counts

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"
#include "store/store_dir.h"

namespace consentric::governance {

enum class RetentionKind {
  kConsentLapse,     // name: the purpose
  kEvents,           // name: the event type
  kField,            // name: the profile field
  kMemberships,      // name: the purpose
  kScores,           // name: the purpose
  kPurposeFeatures,  // name: the purpose
};

std::string_view to_string(RetentionKind k);  // consent_lapse, events, field, memberships, ...

// One declared rule and what it finds past retention.
struct RetentionRule {
  RetentionKind kind = RetentionKind::kEvents;
  std::string name;
  std::optional<std::int64_t> retention_seconds;  // none for consent lapse (the grant's own)
  UnixSeconds cutoff = 0;     // data from before this is past retention (now for lapses)
  std::int64_t items = 0;     // rows that go: entries lapsed, events, values, memberships, ...
  std::int64_t subjects = 0;  // distinct people concerned
  // Consent lapse only: memberships the lapses dropped (scores go with them, audited as
  // score.forget), as a withdrawal would.
  std::int64_t memberships_dropped = 0;
};

struct RetentionPlan {
  UnixSeconds as_of = 0;
  // Every declared rule, in the order they run, also those that find nothing; a consent-lapse
  // rule for every consent purpose.
  std::vector<RetentionRule> rules;

  // Everything past retention, all rules together (items).
  std::int64_t total() const;
};

// Counts what is past retention at `as_of` (any time, later ones too: what will be due then)
// without changing anything: the run is carried out in a transaction that is rolled back, so
// the counts are exactly those a run would report. REQUIRES: no transaction open on sd.store.
// Takes the store's write lock while it runs.
Result<RetentionPlan> plan_retention(StoreDir& sd, const Config& config, UnixSeconds as_of);

struct RetentionOutcome {
  RetentionPlan done;
  std::int64_t audit_seq = 0;  // the retention.run entry
};

// Removes what is past retention at `as_of`, all in one transaction with one retention.run
// audit entry holding the counts (and the per-person consent.lapse, segment.forget and
// score.forget entries of the lapses), everything it writes dated `now`. A second run at the
// same time removes nothing. InvalidArgument when as_of is after now: acting on cutoffs that
// have not come would remove what may still be kept. REQUIRES: no transaction open on sd.store.
Result<RetentionOutcome> run_retention(StoreDir& sd, const Config& config, std::string_view actor,
                                       UnixSeconds as_of, UnixSeconds now);

}  // namespace consentric::governance
