#pragma once

// The store summary printed by `status` and at the end of the quickstart.

#include <string>
#include <vector>

#include "store/store_dir.h"

namespace consentric::cli {

struct PurposeLine {
  std::string id;
  std::string legal_basis;
  std::int64_t granted = 0;
  std::int64_t withdrawn = 0;
};

struct Summary {
  StoreCounts counts;
  std::int64_t keys = 0;
  std::vector<PurposeLine> purposes;
  std::int64_t audit_entries = 0;
  bool audit_intact = true;
  int k = 10;  // counts of people below it are not shown (DESIGN.md invariant 5)
};

Result<Summary> collect_summary(StoreDir& sd);
std::string render_summary(const Summary& s);
std::string summary_json(const Summary& s);

}  // namespace consentric::cli
