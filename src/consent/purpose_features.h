#pragma once

// Keeps the per-purpose feature rows (store: purpose_features) in step with events and consent.
// A purpose's row for a subject counts only the event types the purpose declares and, for a
// consent purpose with consent_at_event_time (the default), only the events that happened while
// the subject's consent was valid (lawful_basis.h). Events add to the rows as they are imported;
// a consent change for a subject rebuilds that subject's row from its events, which are keyed
// by subject and so cost one range read.

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "config/config.h"
#include "consent/lawful_basis.h"
#include "store/store.h"

namespace consentric::consent {

class PurposeFeatureKeeper {
 public:
  PurposeFeatureKeeper(Store& store, const Config& config);

  // One newly stored event. `value` counts only when the type has a value property.
  Status add_event(SubjectId subject, UnixSeconds ts, const EventTypeSpec& type,
                   std::int64_t type_id, double value);
  // Writes what add_event buffered. REQUIRES: inside the caller's transaction.
  Status flush();
  std::size_t pending() const { return deltas_.size(); }

  // The subject's row for `purpose` computed from its stored events up to `until` and its
  // ledger; events == 0 when none counts.
  Result<FeatureRow> compute(SubjectId subject, const PurposeSpec& purpose, UnixSeconds until);
  // Recomputes the subject's stored row for `purpose` (after a consent change).
  Status rebuild(SubjectId subject, const PurposeSpec& purpose);

 private:
  Result<const std::vector<Interval>*> intervals(SubjectId subject, std::size_t purpose_index);
  // The declared event type of a stored type id, or nullptr (a type no longer declared).
  Result<const EventTypeSpec*> type_of(std::int64_t type_id);

  Store& store_;
  const Config& config_;
  std::vector<const PurposeSpec*> purposes_;  // the config's, in order
  // subject * purposes + purpose index -> pending delta
  std::unordered_map<std::uint64_t, FeatureDelta> deltas_;
  // subject -> its consent intervals per purpose index, for the events of one flush window
  std::unordered_map<SubjectId, std::vector<std::vector<Interval>>> interval_cache_;
  std::unordered_map<std::int64_t, const EventTypeSpec*> types_;  // by stored type id
};

}  // namespace consentric::consent
