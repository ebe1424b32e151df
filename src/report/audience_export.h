#pragma once

// Audience exports to a declared recipient (issue 6, "Pseudonymized exports and recipients"):
// the released members of a segment, each under a token of that recipient's own
// (crypto/recipient_tokens.h), with only the fields the segment's purpose allows, never pii.
// Quasi-identifiers among the fields are generalized along the declaration's hierarchies, and
// records suppressed within the declared share, until every equivalence class holds at least k
// records (and l distinct values of the sensitive field); when that cannot be reached the export
// is refused and says by how much. The file, its audit entry (export.audience) and one
// disclosure row per member (GDPR Art. 15(1)(c): who received their data) come together.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "disclose/k_anonymity.h"
#include "report/dp_report.h"
#include "store/store_dir.h"

namespace consentric::report {

struct AudienceRequest {
  std::string segment;
  std::string group;      // one released group of the segment; empty: all released members
  std::string recipient;  // declared under recipients, for the segment's purpose
  std::vector<std::string> fields;  // declared by the purpose, not pii
  std::optional<int> k;             // at least the declaration's k_anonymity
  std::optional<int> l;             // default: the declaration's l_diversity
  std::string out;                  // the CSV to write
  bool dry_run = false;             // report what would be released, write and record nothing
};

struct AudienceColumn {
  std::string name;
  bool quasi_identifier = false;
  std::string treatment;  // "as is", "5-year bands", "withheld (*)", ...
};

struct AudienceResult {
  std::string purpose;
  std::string recipient;
  std::int64_t rows = 0;  // records written
  std::int64_t suppressed = 0;
  int k = 0;
  int l = 0;
  std::vector<AudienceColumn> columns;
  disclose::RiskSummary before;  // the fields as held
  disclose::RiskSummary after;   // as released
  double information_loss = 0;
  std::string hash;  // hex BLAKE2b-256 of the file; empty on a dry run
  std::int64_t audit_seq = 0;
};

// FailedPrecondition when k (or l) cannot be reached, naming the shortfall; InvalidArgument for
// an undeclared recipient, a recipient not declared for the purpose, a field the purpose does
// not declare or a pii field, or k below the declaration's.
Result<AudienceResult> export_audience(StoreDir& sd, const AudienceRequest& request,
                                       const ReportContext& ctx);

}  // namespace consentric::report
