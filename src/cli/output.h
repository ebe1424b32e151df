#pragma once

// What people read: aligned tables, a progress line on a terminal, errors on stderr, and the
// mapping from Status codes to exit codes (0 ok, 1 bad input or refused, 2 internal error).

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "consentric/status.h"
#include "core/text.h"  // with_thousands

namespace consentric::cli {

int exit_code(const Status& status);
// Prints "consentric: <message>" to stderr and returns the exit code for it.
int report_error(const Status& status);

// A table printed with columns aligned; cells that look like numbers are right-aligned.
class Table {
 public:
  explicit Table(std::vector<std::string> header) : header_(std::move(header)) {}
  void add_row(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  std::string render() const;

 private:
  std::vector<std::string> header_;
  std::vector<std::vector<std::string>> rows_;
};

// A count of people on its way out (DESIGN.md invariant 5): "1,234", or "< 10" when it is 1 to
// k - 1 (disclose::releasable_count); released_count is the JSON form, null when suppressed.
std::string people_count(std::int64_t n, int k);
nlohmann::json released_count(std::int64_t n, int k);

// One line on stderr redrawn at most ten times a second, only when stderr is a terminal (and
// TERM is not "dumb" and --quiet was not given); otherwise silent.
class ProgressLine {
 public:
  ProgressLine(std::string label, bool quiet);
  ~ProgressLine();
  ProgressLine(const ProgressLine&) = delete;
  ProgressLine& operator=(const ProgressLine&) = delete;

  // done/total in `unit` (total 0 when unknown); rate is per second of `rate_unit` items.
  void update(std::int64_t done, std::int64_t total, std::int64_t items, std::string_view unit);
  void finish();

 private:
  std::string label_;
  bool enabled_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_;
};

}  // namespace consentric::cli
