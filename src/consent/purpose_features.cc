#include "consent/purpose_features.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "store/feature_row.h"

namespace consentric::consent {
namespace {

bool declares(const PurposeSpec& p, std::string_view type) {
  return std::find(p.event_types.begin(), p.event_types.end(), type) != p.event_types.end();
}

// The value property of a stored event (non-pii properties are kept as JSON).
double event_value(const EventRow& e, const EventTypeSpec& type) {
  if (!type.value_property) return 0;
  auto doc = nlohmann::json::parse(e.props, nullptr, /*allow_exceptions=*/false);
  if (!doc.is_object()) return 0;
  auto it = doc.find(*type.value_property);
  return it != doc.end() && it->is_number() ? it->get<double>() : 0;
}

}  // namespace

PurposeFeatureKeeper::PurposeFeatureKeeper(Store& store, const Config& config)
    : store_(store), config_(config) {
  for (const PurposeSpec& p : config.purposes) purposes_.push_back(&p);
}

Result<const std::vector<Interval>*> PurposeFeatureKeeper::intervals(SubjectId subject,
                                                                     std::size_t purpose_index) {
  auto it = interval_cache_.find(subject);
  if (it == interval_cache_.end()) {
    CONSENTRIC_ASSIGN_OR_RETURN(std::vector<ConsentEntry> history, store_.consent_history(subject));
    std::vector<std::vector<Interval>> per_purpose;
    per_purpose.reserve(purposes_.size());
    for (const PurposeSpec* p : purposes_) per_purpose.push_back(consent_intervals(*p, history));
    it = interval_cache_.emplace(subject, std::move(per_purpose)).first;
  }
  return &it->second[purpose_index];
}

Status PurposeFeatureKeeper::add_event(SubjectId subject, UnixSeconds ts, const EventTypeSpec& type,
                                       std::int64_t type_id, double value) {
  for (std::size_t i = 0; i < purposes_.size(); ++i) {
    const PurposeSpec& p = *purposes_[i];
    if (!declares(p, type.name)) continue;
    if (p.legal_basis == LegalBasis::kConsent && p.consent_at_event_time) {
      CONSENTRIC_ASSIGN_OR_RETURN(const std::vector<Interval>* iv, intervals(subject, i));
      if (!counts_event(p, *iv, ts)) continue;
    }
    auto [it, fresh] =
        deltas_.try_emplace(static_cast<std::uint64_t>(subject) * purposes_.size() + i);
    if (fresh) it->second.subject = subject;
    consentric::add_event(&it->second, ts, type_id, type.value_property.has_value(), value);
  }
  return Status();
}

Status PurposeFeatureKeeper::flush() {
  for (const auto& [key, delta] : deltas_) {
    CONSENTRIC_RETURN_IF_ERROR(
        store_.add_purpose_features(purposes_[key % purposes_.size()]->id, delta));
  }
  deltas_.clear();
  interval_cache_.clear();
  return Status();
}

Result<const EventTypeSpec*> PurposeFeatureKeeper::type_of(std::int64_t type_id) {
  auto it = types_.find(type_id);
  if (it == types_.end()) {
    // A type first seen since the last look: reload the (short) list of stored types.
    CONSENTRIC_ASSIGN_OR_RETURN(std::vector<EventTypeRow> rows, store_.event_types());
    types_.clear();
    for (const EventTypeRow& r : rows) types_.emplace(r.type_id, config_.event_type(r.name));
    it = types_.find(type_id);
    if (it == types_.end()) return nullptr;
  }
  return it->second;
}

Result<FeatureRow> PurposeFeatureKeeper::compute(SubjectId subject, const PurposeSpec& purpose,
                                                 UnixSeconds until) {
  CONSENTRIC_ASSIGN_OR_RETURN(std::vector<ConsentEntry> history, store_.consent_history(subject));
  const std::vector<Interval> iv = consent_intervals(purpose, history);
  std::vector<EventRow> events;
  CONSENTRIC_RETURN_IF_ERROR(
      store_.scan_subject_events(subject, until, [&](const EventRow& e) { events.push_back(e); }));
  FeatureRow row;
  row.subject = subject;
  for (const EventRow& e : events) {
    CONSENTRIC_ASSIGN_OR_RETURN(const EventTypeSpec* type, type_of(e.type_id));
    if (type == nullptr || !declares(purpose, type->name) || !counts_event(purpose, iv, e.ts))
      continue;
    consentric::add_event(&row, e.ts, e.type_id, type->value_property.has_value(),
                          event_value(e, *type));
  }
  return row;
}

Status PurposeFeatureKeeper::rebuild(SubjectId subject, const PurposeSpec& purpose) {
  CONSENTRIC_ASSIGN_OR_RETURN(FeatureRow row, compute(subject, purpose, kForever));
  interval_cache_.erase(subject);
  return store_.replace_purpose_features(purpose.id, subject, row);
}

}  // namespace consentric::consent
