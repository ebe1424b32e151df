#pragma once

// A draft data protection impact assessment (GDPR Art. 35) from the declaration and the store's
// facts: a systematic description of the processing, necessity and proportionality (the fields
// each purpose uses against the fields held), the risks the facts give rise to (profiling and
// automated decisions, special categories, scale, disclosures and transfers) each with the
// measures in place, and the figures that show them working (consent coverage, k, the
// differential-privacy budget spent, erasure turnaround). It records the hash of the declaration
// it was made for: a changed declaration makes it out of date until it is generated again.

#include <optional>
#include <string>

#include "report/ropa.h"

namespace consentric::report {

// Fields held that no purpose reads (data minimisation, Art. 5(1)(c)), in declaration order.
std::vector<std::string> fields_used_by_no_purpose(const Config& config);

Result<ComplianceReport> build_dpia(StoreDir& sd, const ReportContext& ctx);

// Remembers in the store that a DPIA was made now for the declaration in force.
Status record_dpia(StoreDir& sd, const ReportContext& ctx);

// write_report (report.dpia) and then record_dpia: the DPIA is current once it is on file.
Result<std::int64_t> write_dpia(StoreDir& sd, const ComplianceReport& dpia,
                                const std::string& markdown_path, const std::string& html_path,
                                const ReportContext& ctx);

struct DpiaStatus {
  std::optional<UnixSeconds> made_at;  // none: no DPIA was ever generated
  std::string made_for;                // hex BLAKE2b-256 of the declaration it was made for
  std::string declaration;             // ... and of the declaration in force
  bool current() const { return made_at.has_value() && made_for == declaration; }
};
Result<DpiaStatus> dpia_status(StoreDir& sd);

}  // namespace consentric::report
