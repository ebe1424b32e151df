#pragma once

// The data-quality audit (GDPR Art. 5(1)(d): personal data accurate and, where necessary, kept
// up to date). docs/governance.md, "Data quality", has the checks in words for DPOs. Reads
// only; decrypts the pii part of each profile (for e-mail addresses and pii fields with
// declared ranges) under the subject's data key, in memory, and never writes a value out:
// findings name the field and the reason, not the value.
//
// Usage (the compliance doctor and `consentric quality`):
//
//   auto report = governance::check_quality(sd, sd.config, now, {});
//   if (!report.ok()) return report.status();
//   for (const auto& c : report->checks) { /* c.name, c.count, c.population, c.share() */ }

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"
#include "store/store_dir.h"

namespace consentric::governance {

// One subject a check found, with why (field and reason; never the value).
struct QualityFinding {
  SubjectId subject = 0;
  std::string pseudonym;
  std::string reason;      // e.g. `email: two dots in a row before the @`
  std::string identifier;  // decrypted, "field=value"; only with QualityOptions::identify
};

struct QualityCheckResult {
  std::string name;                      // stale_profiles, email_invalid, email_undeliverable, ...
  std::string description;               // one line for people
  std::int64_t count = 0;                // subjects concerned
  std::int64_t population = 0;           // subjects the check looked at
  std::vector<QualityFinding> findings;  // one per subject concerned, by pseudonym

  double share() const { return population == 0 ? 0 : static_cast<double>(count) / population; }
};

struct QualityReport {
  UnixSeconds as_of = 0;
  std::int64_t people = 0;  // subjects that are persons (not anonymous remnants)
  // In this order: stale_profiles, email_invalid, email_undeliverable, duplicates,
  // out_of_range, consent_without_proof.
  std::vector<QualityCheckResult> checks;
};

struct QualityOptions {
  // Fill QualityFinding::identifier with the subject's first declared identifier, decrypted:
  // for the DPO who has to fix the record (`consentric quality --subjects`).
  bool identify = false;
};

// Runs every check at `now` (staleness counts from then). Changes nothing. DataLoss when a
// profile's sealed part does not open under its subject's key.
Result<QualityReport> check_quality(StoreDir& sd, const Config& config, UnixSeconds now,
                                    const QualityOptions& options);

}  // namespace consentric::governance
