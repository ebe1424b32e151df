#pragma once

// consentric doctor (docs/governance.md, "Compliance doctor"): checks the store against what
// GDPR asks to be shown at any time (Art. 5(2)), each as pass, warn or fail with its figure:
// the audit chain and its checkpoints, the key file's permissions, consent coverage per purpose,
// legal bases and published notices, overdue and soon-due requests, data past retention, stale
// models and models past their review, the DPIA against the declaration, fields no purpose
// uses, special categories held. Reading only, apart from the gate.count entry the coverage
// check leaves in the audit chain.

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "consentric/status.h"
#include "core/time.h"
#include "store/store_dir.h"

namespace consentric::doctor {

enum class Verdict { kPass, kWarn, kFail };
std::string_view to_string(Verdict v);

struct Check {
  std::string name;  // "audit chain", "consent coverage: segmentation", ...
  Verdict verdict = Verdict::kPass;
  std::string figure;  // what was found, in numbers: "12,345 entries intact, 2 checkpoints"
  std::string advice;  // for a warn or fail: what to do
};

struct DoctorReport {
  std::vector<Check> checks;

  int count(Verdict v) const;
  bool failed() const { return count(Verdict::kFail) > 0; }
  // {"checks": [{"name", "verdict", "figure", "advice"}], "pass", "warn", "fail"}
  nlohmann::json to_json() const;
};

struct DoctorContext {
  std::string actor = "local-operator";
  UnixSeconds now = 0;
  // A request due within this time is a warning.
  std::int64_t due_soon_seconds = 7 * kSecondsPerDay;
};

Result<DoctorReport> run_doctor(StoreDir& sd, const DoctorContext& ctx);

}  // namespace consentric::doctor
