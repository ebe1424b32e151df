#include "gate/window_features.h"

#include <algorithm>
#include <array>

#include "consent/lawful_basis.h"

namespace consentric::gate {
namespace {

constexpr std::int64_t kDay = 86400;
// The windows, in days; velocity compares the last 30 days with the 30 before.
constexpr std::array<int, 3> kWindows = {7, 30, 90};
constexpr std::string_view kVelocity = "velocity_30d";
constexpr int kVelocityDays = 30;
// How far back one read must reach to serve every window.
constexpr std::int64_t kReach = std::max(90, 2 * kVelocityDays) * kDay;

std::string window_name(int days, std::string_view type) {
  return "count_" + std::to_string(days) + "d." + std::string(type);
}

}  // namespace

std::vector<std::string> window_feature_names(const PurposeSpec& purpose) {
  std::vector<std::string> out;
  if (purpose.event_types.empty()) return out;
  out.emplace_back(kVelocity);
  for (const std::string& t : purpose.event_types) {
    for (int days : kWindows) out.push_back(window_name(days, t));
  }
  return out;
}

bool is_window_feature(std::string_view name) {
  if (name == kVelocity) return true;
  for (int days : kWindows) {
    if (name.starts_with("count_" + std::to_string(days) + "d.")) return true;
  }
  return false;
}

Status fill_window_features(Store& store, const PurposeSpec& purpose,
                            const std::vector<std::string>& names,
                            const std::vector<SubjectId>& subjects, UnixSeconds as_of,
                            const std::unordered_map<std::string, std::int64_t>& type_ids,
                            std::vector<Column>* out) {
  // What each wanted column counts: a window and a type id (velocity: every declared type).
  struct Spec {
    std::size_t column = 0;
    bool velocity = false;
    std::int64_t window = 0;  // seconds
    std::int64_t type_id = -1;
  };
  std::vector<Spec> specs;
  for (const std::string& n : names) {
    if (!is_window_feature(n)) continue;
    Spec s{.column = out->size()};
    if (n == kVelocity) {
      s.velocity = true;
    } else {
      const std::size_t dot = n.find('.');
      s.window = std::stoll(n.substr(6, dot - 7)) * kDay;  // "count_" NN "d."
      const auto it = type_ids.find(n.substr(dot + 1));
      s.type_id = it == type_ids.end() ? -1 : it->second;
    }
    Column c;
    c.name = n;
    c.kind = ColumnKind::kNumber;
    c.numbers.assign(subjects.size(), 0.0);
    out->push_back(std::move(c));
    specs.push_back(s);
  }
  if (specs.empty()) return Status();
  std::vector<std::int64_t> declared;  // the purpose's type ids
  for (const std::string& t : purpose.event_types) {
    if (const auto it = type_ids.find(t); it != type_ids.end()) declared.push_back(it->second);
  }
  const bool at_event_time =
      purpose.legal_basis == LegalBasis::kConsent && purpose.consent_at_event_time;
  std::vector<consent::Interval> intervals;
  for (std::size_t row = 0; row < subjects.size(); ++row) {
    if (at_event_time) {
      CONSENTRIC_ASSIGN_OR_RETURN(std::vector<ConsentEntry> history,
                                  store.consent_history(subjects[row]));
      intervals = consent::consent_intervals(purpose, history);
    }
    CONSENTRIC_RETURN_IF_ERROR(store.scan_subject_event_times(
        subjects[row], as_of - kReach, as_of, [&](const EventRow& e) {
          if (std::find(declared.begin(), declared.end(), e.type_id) == declared.end()) return;
          if (!consent::counts_event(purpose, intervals, e.ts)) return;
          const std::int64_t age = as_of - e.ts;  // in [0, kReach)
          for (const Spec& s : specs) {
            double& cell = (*out)[s.column].numbers[row];
            if (s.velocity) {
              if (age < kVelocityDays * kDay) {
                cell += 1;
              } else if (age < 2 * kVelocityDays * kDay) {
                cell -= 1;
              }
            } else if (e.type_id == s.type_id && age < s.window) {
              cell += 1;
            }
          }
        }));
  }
  return Status();
}

}  // namespace consentric::gate
