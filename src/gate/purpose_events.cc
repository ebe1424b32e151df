// The purpose gate's event read: a view's subjects' events, cut down to the types and properties
// the purpose declares and analytics asks for (DESIGN.md invariants 1 and 2). Points scoring is
// its first user: its rules look at single events (a pricing page view, a webinar attended),
// which the per-subject feature rows do not keep.

#include <algorithm>
#include <unordered_map>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "audit/audit_log.h"
#include "consent/lawful_basis.h"
#include "core/text.h"
#include "gate/gate.h"
#include "store/transaction.h"

namespace consentric::gate {
namespace {

// The request bound to the declaration and the store: per stored type id, the request's type
// index and the properties to read.
struct BoundType {
  std::size_t index = 0;
  std::vector<std::string> properties;
  bool any_property = false;
};

Result<std::unordered_map<std::int64_t, BoundType>> bind_types(
    Store& store, const Config& config, const PurposeSpec& purpose,
    const std::vector<EventTypeColumns>& types) {
  std::unordered_map<std::string, std::int64_t> ids;
  CONSENTRIC_ASSIGN_OR_RETURN(std::vector<EventTypeRow> stored, store.event_types());
  for (const EventTypeRow& t : stored) ids.emplace(t.name, t.type_id);
  std::unordered_map<std::int64_t, BoundType> out;
  for (std::size_t i = 0; i < types.size(); ++i) {
    const EventTypeColumns& want = types[i];
    if (std::find(purpose.event_types.begin(), purpose.event_types.end(), want.type) ==
        purpose.event_types.end()) {
      return invalid_argument(fmt::format("purpose {} does not declare event type {}",
                                          quote_for_message(purpose.id),
                                          quote_for_message(want.type)));
    }
    const EventTypeSpec* spec = config.event_type(want.type);
    if (spec == nullptr) {
      return invalid_argument(
          fmt::format("event type {} is not declared", quote_for_message(want.type)));
    }
    for (const std::string& p : want.properties) {
      const FieldSpec* prop = spec->property(p);
      if (prop == nullptr) {
        return invalid_argument(fmt::format("event type {} has no property {}",
                                            quote_for_message(want.type), quote_for_message(p)));
      }
      if (prop->category == DataCategory::kSpecialCategory) {
        return invalid_argument(fmt::format(
            "property {} of {} is a special category of personal data (GDPR Art. 9) and never "
            "passes the gate",
            quote_for_message(p), quote_for_message(want.type)));
      }
      if (prop->pii) {
        return invalid_argument(fmt::format("property {} of {} is pii and stays sealed",
                                            quote_for_message(p), quote_for_message(want.type)));
      }
    }
    const auto id = ids.find(want.type);
    if (id == ids.end()) continue;  // no event of this type stored yet
    out[id->second] = {i, want.properties, !want.properties.empty()};
  }
  return out;
}

EventValue value_of(const nlohmann::json& v) {
  EventValue out;
  if (v.is_boolean()) {
    out.present = out.is_number = true;
    out.number = v.get<bool>() ? 1 : 0;
    out.text = v.get<bool>() ? "true" : "false";
  } else if (v.is_number()) {
    out.present = out.is_number = true;
    out.number = v.get<double>();
  } else if (v.is_string()) {
    out.present = true;
    out.text = v.get<std::string>();
  }
  return out;
}

Status scan_in_transaction(
    StoreDir& sd, const PurposeView& view, const std::vector<EventTypeColumns>& types,
    std::string_view actor, UnixSeconds now,
    const std::function<Status(std::size_t, std::span<const PurposeEvent>)>& fn) {
  const PurposeSpec* purpose = sd.config.purpose(view.purpose());
  if (purpose == nullptr) {
    return invalid_argument(
        fmt::format("{} is not a declared purpose", quote_for_message(view.purpose())));
  }
  Store& store = *sd.store;
  CONSENTRIC_ASSIGN_OR_RETURN(auto bound, bind_types(store, sd.config, *purpose, types));
  std::unordered_map<std::string, SubjectId> ids;
  ids.reserve(view.rows());
  CONSENTRIC_RETURN_IF_ERROR(store.scan_subjects([&](const SubjectRow& r) {
    if (!r.anonymous) ids.emplace(r.pseudonym, r.id);
  }));
  const bool at_event_time =
      purpose->legal_basis == LegalBasis::kConsent && purpose->consent_at_event_time;
  std::int64_t events = 0;
  std::vector<PurposeEvent> mine;
  for (std::size_t row = 0; row < view.rows(); ++row) {
    const auto id = ids.find(view.row_ids()[row]);
    if (id == ids.end()) {
      return failed_precondition(
          fmt::format("the view's subject {} is no longer in the store; build the view again",
                      view.row_ids()[row]));
    }
    std::vector<consent::Interval> intervals;
    if (at_event_time) {
      CONSENTRIC_ASSIGN_OR_RETURN(std::vector<ConsentEntry> history,
                                  store.consent_history(id->second));
      intervals = consent::consent_intervals(*purpose, history);
    }
    mine.clear();
    Status bad;
    CONSENTRIC_RETURN_IF_ERROR(
        store.scan_subject_events(id->second, view.as_of(), [&](const EventRow& e) {
          const auto t = bound.find(e.type_id);
          if (t == bound.end() || !bad.ok()) return;
          if (!consent::counts_event(*purpose, intervals, e.ts)) return;
          PurposeEvent out{.id = e.dedup, .ts = e.ts, .type = t->second.index, .values = {}};
          if (t->second.any_property) {
            out.values.resize(t->second.properties.size());
            const auto doc = nlohmann::json::parse(e.props, nullptr, /*allow_exceptions=*/false);
            if (!doc.is_object()) {
              bad = data_loss(fmt::format("an event of subject {} has unreadable properties",
                                          view.row_ids()[row]));
              return;
            }
            for (std::size_t k = 0; k < t->second.properties.size(); ++k) {
              if (const auto it = doc.find(t->second.properties[k]); it != doc.end()) {
                out.values[k] = value_of(*it);
              }
            }
          }
          mine.push_back(std::move(out));
        }));
    CONSENTRIC_RETURN_IF_ERROR(bad);
    events += static_cast<std::int64_t>(mine.size());
    CONSENTRIC_RETURN_IF_ERROR(fn(row, mine));
  }
  nlohmann::json read = nlohmann::json::object();
  for (const EventTypeColumns& t : types) read[t.type] = t.properties;
  const nlohmann::json detail = {{"as_of", format_timestamp(view.as_of())},
                                 {"subjects", view.rows()},
                                 {"events", events},
                                 {"read", read}};
  return audit::append(store,
                       {.actor = std::string(actor),
                        .action = "gate.events",
                        .purpose = purpose->id,
                        .subject = {},
                        .detail = detail.dump()},
                       now)
      .status();
}

}  // namespace

Status scan_purpose_events(
    StoreDir& sd, const PurposeView& view, const std::vector<EventTypeColumns>& types,
    std::string_view actor, UnixSeconds now,
    const std::function<Status(std::size_t row, std::span<const PurposeEvent>)>& fn) {
  return in_transaction(
             *sd.store,
             [&]() -> Result<bool> {
               CONSENTRIC_RETURN_IF_ERROR(scan_in_transaction(sd, view, types, actor, now, fn));
               return true;
             })
      .status();
}

}  // namespace consentric::gate
