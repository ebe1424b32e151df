#pragma once

// Finds a record's identifiers (the fields the config names under `identifiers:`) and computes
// their blind indexes. Pure: it touches no store, so it may run on the import's parsing thread.
// Each distinct raw value is normalized and indexed once, then served from a bounded cache.
// Not thread-safe: one instance per thread.

#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "config/config.h"
#include "crypto/blind_index.h"
#include "ingest/record_source.h"

namespace consentric::ingest {

struct RowError {
  std::string field;  // empty when the problem is the whole record
  std::string message;
};

struct IdentIndex {
  const IdentifierSpec* spec = nullptr;
  std::string index;  // 16-byte blind index
};

class IdentifierIndexer {
 public:
  IdentifierIndexer(const Config& config, const crypto::BlindIndexer& indexer)
      : config_(config), indexer_(indexer) {}

  // Fills `out` with every identifier present in `values`; a record with none, or with one that
  // does not normalize (a malformed email), is a RowError.
  std::optional<RowError> index_all(const NamedValues& values, std::vector<IdentIndex>* out);

 private:
  const Config& config_;
  const crypto::BlindIndexer& indexer_;
  std::unordered_map<std::string, std::string> cache_;  // "field\0raw value" -> blind index
  std::string key_;
};

}  // namespace consentric::ingest
