#include "governance/event_features.h"

#include <unordered_map>

#include <nlohmann/json.hpp>

#include "consent/lawful_basis.h"
#include "store/feature_row.h"

namespace consentric::governance {

Result<FeatureRow> all_events_features(Store& store, const Config& config, SubjectId subject) {
  CONSENTRIC_ASSIGN_OR_RETURN(std::vector<EventTypeRow> types, store.event_types());
  std::unordered_map<std::int64_t, const EventTypeSpec*> spec_of;
  for (const EventTypeRow& t : types) spec_of.emplace(t.type_id, config.event_type(t.name));
  FeatureRow row;
  row.subject = subject;
  CONSENTRIC_RETURN_IF_ERROR(
      store.scan_subject_events(subject, consent::kForever, [&](const EventRow& e) {
        const auto it = spec_of.find(e.type_id);
        const EventTypeSpec* type = it == spec_of.end() ? nullptr : it->second;
        const bool purchase = type != nullptr && type->value_property.has_value();
        double value = 0;
        if (purchase) {
          // The importer takes the value from the same (non-pii) property as stored here.
          const auto doc = nlohmann::json::parse(e.props, nullptr, /*allow_exceptions=*/false);
          if (doc.is_object()) {
            const auto v = doc.find(*type->value_property);
            if (v != doc.end() && v->is_number()) value = v->get<double>();
          }
        }
        add_event(&row, e.ts, e.type_id, purchase, value);
      }));
  return row;
}

}  // namespace consentric::governance
