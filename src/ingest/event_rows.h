#pragma once

// The half of an event import that needs no store: check the record against its declared
// event type, build its property JSON in declaration order, hash its content for dedup, and
// index its identifiers. Runs on the import's parsing thread; the importer's thread applies the
// prepared event to the store. Not thread-safe: one EventPreparer per thread.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/time.h"
#include "ingest/identifier_indexer.h"

namespace consentric::ingest {

struct PreparedEvent {
  std::int64_t line = 0;
  std::optional<RowError> error;  // set when the record is invalid; nothing else is then
  const EventTypeSpec* type = nullptr;
  UnixSeconds ts = 0;
  std::int64_t dedup = 0;  // content hash: the same event imported twice is stored once
  std::string plain;       // non-pii properties, JSON
  std::string secret;      // pii properties, JSON; empty when there are none
  bool has_value = false;  // the type has a value property (a purchase): counts toward monetary
  double value = 0;
  std::vector<IdentIndex> idents;
};

class EventPreparer {
 public:
  EventPreparer(const Config& config, const crypto::BlindIndexer& indexer, UnixSeconds now)
      : config_(config), identifiers_(config, indexer), now_(now) {}

  // Validates the source's current record into `out`, reusing its buffers.
  void prepare(const RecordSource& source, PreparedEvent* out);

 private:
  std::optional<RowError> fill(const RecordSource& source, PreparedEvent* out);

  const Config& config_;
  IdentifierIndexer identifiers_;
  UnixSeconds now_;
  NamedValues props_;
};

// Keys an event record may carry beside its properties and identifiers.
bool is_reserved_event_key(std::string_view name);

}  // namespace consentric::ingest
