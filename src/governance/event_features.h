#pragma once

// A subject's all-events feature row (store: features, feature_counts) recomputed from the
// events stored now, the way the importer builds it event by event: every event widens first
// and last seen and counts under its type; an event of a type with a value property counts
// toward frequency and monetary value. Retention rebuilds the row after deleting events, so
// that what analytics reads follows what is held.

#include "config/config.h"
#include "store/store.h"

namespace consentric::governance {

// events == 0 when the subject has no events left. Types no longer declared still count, as the
// importer counted them, without a value.
Result<FeatureRow> all_events_features(Store& store, const Config& config, SubjectId subject);

}  // namespace consentric::governance
