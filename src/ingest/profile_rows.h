#pragma once

// The half of a profile import that needs no store: check every value against its declared
// field, check required fields, index the identifiers, and encode the non-pii and pii fields
// as JSON in declaration order. Runs on the import's worker thread. Not thread-safe.

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "ingest/field_value.h"
#include "ingest/identifier_indexer.h"

namespace consentric::ingest {

struct PreparedProfile {
  std::int64_t line = 0;
  std::optional<RowError> error;  // set when the record is invalid; nothing else is then
  std::vector<std::pair<const FieldSpec*, TypedValue>> values;  // the cells that hold a value
  std::vector<IdentIndex> idents;
  FieldValues plain;   // non-pii values, declaration order
  FieldValues secret;  // pii values, declaration order
};

class ProfilePreparer {
 public:
  ProfilePreparer(const Config& config, const crypto::BlindIndexer& indexer)
      : config_(config), identifiers_(config, indexer) {}

  void prepare(const RecordSource& source, PreparedProfile* out);

 private:
  std::optional<RowError> fill(const RecordSource& source, PreparedProfile* out);

  const Config& config_;
  IdentifierIndexer identifiers_;
};

}  // namespace consentric::ingest
