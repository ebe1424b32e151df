#pragma once

// The record of processing activities (GDPR Art. 30(1)), generated from the declaration in force
// and the store's live figures: per purpose, the controller, the purpose, its legal basis, the
// categories of data and of data subjects, recipients and transfers, retention, and the security
// measures consentric enforces, stated from the actual configuration rather than from a policy
// text. Counts of people follow the small-group rule.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "report/document.h"
#include "report/dp_report.h"
#include "store/store_dir.h"

namespace consentric::report {

struct ComplianceReport {
  Document document;
  nlohmann::json json;
};

// Reads the lawful counts through the gate (audited as gate.count).
Result<ComplianceReport> build_ropa(StoreDir& sd, const ReportContext& ctx);

// Writes the report as Markdown and/or HTML (empty path: not written) and records it as one
// audit entry `action` (e.g. report.ropa) holding each file's name and BLAKE2b-256; returns the
// entry's sequence number. A file that cannot be written is an error and nothing is recorded.
Result<std::int64_t> write_report(StoreDir& sd, const ComplianceReport& report,
                                  std::string_view action, const std::string& markdown_path,
                                  const std::string& html_path, const ReportContext& ctx);

// Shared by the compliance reports: a count of people as it may be printed ("fewer than 10" when
// it is 1 to k - 1), and a list in words ("a, b", or `none` when empty).
std::string people_text(std::int64_t n, int k);
std::string joined(const std::vector<std::string>& items, std::string_view none = "none");
// "consent, Art. 6(1)(a)", ...
std::string legal_basis_text(LegalBasis basis);
// A declared retention period in days, or "not declared".
std::string retention_text(std::optional<std::int64_t> seconds);

// ISO 3166-1 alpha-2 codes of the European Economic Area: a recipient elsewhere receives a
// transfer to a third country (GDPR Chapter V).
bool in_eea(std::string_view country);

}  // namespace consentric::report
