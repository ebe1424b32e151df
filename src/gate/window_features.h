#pragma once

// Engagement over time windows (issue 8, "predictive features"): per declared event type, how
// many events fell in the last 7, 30 and 90 days before the view's time (count_7d.<type>,
// count_30d.<type>, count_90d.<type>), and velocity_30d, the events of the last 30 days minus
// those of the 30 days before (positive: engagement is rising). Computed as of the view's time
// from each subject's events in the window (one keyed range read per subject), under the rule of
// the feature rows: only the purpose's declared types and, for a consent purpose with
// consent_at_event_time, only events while consent was valid. Internal to the gate.

#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "gate/purpose_view.h"
#include "store/store_dir.h"

namespace consentric::gate {

// The window columns a purpose with event types may ask for, in view order: velocity_30d, then
// count_7d, count_30d and count_90d of each declared type.
std::vector<std::string> window_feature_names(const PurposeSpec& purpose);
bool is_window_feature(std::string_view name);

// Appends one number column per name in `names` that is a window feature (others are left
// alone) for the subjects `subjects` (one per view row) at as_of. `type_ids`: stored event type
// ids by name.
Status fill_window_features(Store& store, const PurposeSpec& purpose,
                            const std::vector<std::string>& names,
                            const std::vector<SubjectId>& subjects, UnixSeconds as_of,
                            const std::unordered_map<std::string, std::int64_t>& type_ids,
                            std::vector<Column>* out);

}  // namespace consentric::gate
