#pragma once

// Feature-row arithmetic shared by the store and by whoever builds deltas (the importer, the
// purpose-feature keeper): adding a delta to a row, and the compact encoding of per-type
// counts that purpose_features keeps in one column.

#include <string>
#include <string_view>
#include <vector>

#include "store/store.h"

namespace consentric {

// Adds one event to a delta: widens first/last seen, counts it under its type, and for a type
// with a value property (a purchase) counts it toward frequency and monetary value.
void add_event(FeatureDelta* delta, UnixSeconds ts, std::int64_t type_id, bool is_purchase,
               double value);

// Adds `delta` to `row` (first/last seen widen, counts and sums add, per-type counts merge by
// type id). Either may be empty (events == 0).
void merge_features(FeatureRow* row, const FeatureDelta& delta);

// (type_id, count, last_ts) triples as little-endian int64s, sorted by type id.
std::string encode_type_counts(const std::vector<FeatureDelta::TypeCount>& counts);
// Decodes what encode_type_counts wrote; a malformed blob yields the triples that fit.
std::vector<FeatureDelta::TypeCount> decode_type_counts(std::string_view blob);

}  // namespace consentric
