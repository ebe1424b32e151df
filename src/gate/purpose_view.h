#pragma once

// PurposeView: what analytics may see (DESIGN.md invariant 1). Built only by the gate (gate.h)
// for one declared purpose at one time: the subjects with a valid legal basis for it then, under
// pseudonymous row ids, and only the columns the purpose declares. This header carries no store
// type: analytics modules include it and nothing below the gate.

#include <cmath>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/time.h"

namespace consentric::gate {

enum class ColumnKind {
  kNumber,    // ints, floats, bools (0/1), dates (days since 1970-01-01), features
  kCategory,  // strings and categories: codes into a dictionary
};

struct Column {
  std::string name;  // a profile field, or a feature such as "recency_days" or "count.page_view"
  ColumnKind kind = ColumnKind::kNumber;
  std::vector<double> numbers;          // kNumber: one per row; NaN when missing
  std::vector<std::int32_t> codes;      // kCategory: one per row; -1 when missing
  std::vector<std::string> dictionary;  // kCategory: code -> value

  bool missing(std::size_t row) const {
    return kind == ColumnKind::kNumber ? std::isnan(numbers[row]) : codes[row] < 0;
  }
};

class PurposeView {
 public:
  PurposeView() = default;
  PurposeView(std::string purpose, UnixSeconds as_of, std::vector<std::string> row_ids,
              std::vector<Column> columns)
      : purpose_(std::move(purpose)),
        as_of_(as_of),
        row_ids_(std::move(row_ids)),
        columns_(std::move(columns)) {}

  const std::string& purpose() const { return purpose_; }
  UnixSeconds as_of() const { return as_of_; }
  std::size_t rows() const { return row_ids_.size(); }
  // Pseudonymous subject ids, one per row, ascending by the store's subject order.
  const std::vector<std::string>& row_ids() const { return row_ids_; }
  const std::vector<Column>& columns() const { return columns_; }
  // nullptr when the view has no such column.
  const Column* column(std::string_view name) const {
    for (const Column& c : columns_) {
      if (c.name == name) return &c;
    }
    return nullptr;
  }

 private:
  std::string purpose_;
  UnixSeconds as_of_ = 0;
  std::vector<std::string> row_ids_;
  std::vector<Column> columns_;
};

// Which events analytics asks the gate for (gate::scan_purpose_events): event types the
// purpose declares, each with the properties it needs (never pii or special categories).
struct EventTypeColumns {
  std::string type;
  std::vector<std::string> properties;
};

// One property value of an event as the gate hands it out.
struct EventValue {
  bool present = false;
  bool is_number = false;  // numbers, and bools as 1 and 0
  double number = 0;
  std::string text;  // strings and categories; "true" or "false" for bools
};

// One event of a view's subject: only of a requested type, only what was asked of it.
struct PurposeEvent {
  std::int64_t id = 0;  // stable for the subject's event (its content hash), opaque
  UnixSeconds ts = 0;
  std::size_t type = 0;            // index into the request's types
  std::vector<EventValue> values;  // parallel to that type's requested properties
};

}  // namespace consentric::gate
