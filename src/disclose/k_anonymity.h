#pragma once

// k-anonymity and distinct l-diversity of a released table by full-domain generalization and
// record suppression, and the prosecutor re-identification risk (DESIGN.md invariant 5:
// nothing small leaves; issue 6, "k-anonymity, l-diversity and risk"). After Samarati 2001 and
// Sweeney 2002 (k-anonymity), Machanavajjhala et al. 2007 (l-diversity), El Emam et al. 2009
// (OLA: the lattice of generalizations, monotonicity) and ARX (privacy-references.md §2).
//
// A pure library: values in, generalized values out. The caller picks the quasi-identifiers
// (the config's `quasi_identifier` fields) and releases only the records not suppressed.
// docs/algorithms/k-anonymity.md defines every figure and the search.
//
// Thread-safety: the functions keep no state; concurrent calls on distinct or const data are fine.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "consentric/status.h"
#include "disclose/generalization.h"

namespace consentric::disclose {

struct QuasiIdentifier {
  std::string name;
  Hierarchy hierarchy;
  std::vector<std::string> values;  // one per record; "" is a missing value
};

struct SensitiveColumn {
  std::string name;
  std::vector<std::string> values;  // one per record; "" counts as a value like any other
};

// Prosecutor model (El Emam; ARX risk/RiskModelSampleSummary): a released record's risk is
// 1 / |its equivalence class| (the records sharing its quasi-identifier values).
struct RiskSummary {
  std::int64_t records = 0;          // released records (suppressed ones are not counted)
  std::int64_t classes = 0;          // equivalence classes among them
  std::int64_t smallest_class = 0;   // 0 when no record is released
  double highest_risk = 0;           // 1 / smallest_class, 0 when no record is released
  double average_risk = 0;           // mean risk over records = classes / records
  std::int64_t records_at_risk = 0;  // records whose risk exceeds 1/k: in classes smaller than k
};

// The risk of the table as given (level 0 of every column), every record released. With no
// columns there are no records to count and the summary is empty. REQUIRES: all columns have
// the same length (the values of a longer column beyond the shortest are ignored).
RiskSummary measure_risk(std::span<const QuasiIdentifier> columns, int k);

struct AnonymizationRequest {
  std::vector<QuasiIdentifier> columns;
  int k = 10;
  std::optional<SensitiveColumn> sensitive;
  int l = 0;                      // distinct l-diversity of `sensitive`; 0: none
  double max_suppression = 0.05;  // fraction of records that may be suppressed, in [0, 1]
};

struct AnonymizationResult {
  // Whether the release below meets k (and l) with at most max_suppression suppressed. When
  // false, nothing may be released: levels are every column's top, every record is suppressed,
  // information_loss is 1, and `shortfall` says why.
  bool satisfied = false;
  std::vector<int> levels;                       // per column: the chosen generalization level
  std::vector<std::string> level_descriptions;   // per column: Hierarchy::describe(level)
  std::vector<std::vector<std::string>> values;  // per column, per record; "*" when suppressed
  std::vector<bool> suppressed;                  // per record
  std::int64_t suppressed_count = 0;
  RiskSummary before;  // the table as given
  RiskSummary after;   // the released records at the chosen levels
  int smallest_l = 0;  // fewest distinct sensitive values in a released class; 0: no sensitive
                       // column or nothing released
  double information_loss = 0;     // in [0, 1]: the mean cell loss (docs/algorithms/k-anonymity.md)
  std::string shortfall;           // when !satisfied: by how much it fails, in words
  std::int64_t lattice_nodes = 0;  // product of the columns' heights
  std::int64_t nodes_evaluated = 0;  // nodes whose classes were counted (the rest were pruned)
};

// Limits of the exhaustive search: at most this many nodes (product of the heights), and fewer
// than 2^31 records.
inline constexpr std::int64_t kMaxLatticeNodes = std::int64_t{1} << 20;

// The full-domain generalization (one level per column) plus suppression of the records in
// classes smaller than k or with fewer than l distinct sensitive values, with at most
// floor(max_suppression * records) records suppressed and at least one record released, that
// loses the least information; ties go to fewer suppressed records, then to the
// lexicographically smallest levels. Deterministic.
//
// InvalidArgument for k < 1, l < 0, l > 0 without a sensitive column, max_suppression outside
// [0, 1], columns (or the sensitive column) of different lengths, a value a hierarchy cannot
// read (naming the column, the record's 0-based index and the value), a lattice above
// kMaxLatticeNodes, 2^31 records or more. A table that cannot be made k-anonymous (fewer than k
// records) or l-diverse (fewer than l distinct sensitive values in all) is not an error: satisfied
// is false.
Result<AnonymizationResult> anonymize(const AnonymizationRequest& request);

}  // namespace consentric::disclose
