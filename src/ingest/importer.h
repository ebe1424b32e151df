#pragma once

// Validated, atomic import of profiles, events and consent records from CSV or NDJSON
// (DESIGN.md invariant 7). The file is streamed, so memory does not grow with its size. Every
// row is checked against the declaration (consentric.yaml). By default one bad row fails the
// whole import and the store is left exactly as it was; with skip_invalid the valid rows are
// committed and each rejected row is written to a reject file with its reason.
//
// Importing the same file twice changes nothing: profiles upsert by identifier, events and
// consent records are recognized by their content. Rows about erased people (their identifier
// is on the suppression list) are refused and counted, never stored.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/time.h"
#include "store/store_dir.h"

namespace consentric::ingest {

enum class ImportKind { kProfiles, kEvents, kConsents };
enum class FileFormat { kAuto, kCsv, kNdjson };

std::string_view to_string(ImportKind kind);

struct ImportProgress {
  std::int64_t bytes_done = 0;
  std::int64_t bytes_total = 0;  // 0 when unknown
  std::int64_t rows = 0;
};

struct ImportOptions {
  ImportKind kind = ImportKind::kProfiles;
  std::filesystem::path file;
  FileFormat format = FileFormat::kAuto;  // by extension: .csv, .ndjson/.jsonl
  bool skip_invalid = false;
  std::optional<std::filesystem::path> reject_file;  // default: FILE.rejects.csv
  std::string actor = "local-operator";
  UnixSeconds now = 0;
  std::int64_t max_errors_shown = 20;
  std::function<void(const ImportProgress&)> progress;  // called every few thousand rows
};

struct ImportReport {
  ImportKind kind = ImportKind::kProfiles;
  std::string file;
  std::int64_t rows = 0;
  std::int64_t inserted = 0;    // new subjects (profiles), new events, new ledger entries
  std::int64_t updated = 0;     // profiles whose values changed
  std::int64_t unchanged = 0;   // rows already stored as they are
  std::int64_t rejected = 0;    // invalid rows (skip_invalid only)
  std::int64_t suppressed = 0;  // rows about erased people
  std::int64_t subjects_created = 0;
  std::optional<std::filesystem::path> reject_file;
  double seconds = 0;
};

// Imports one file into the open store. On a validation failure without skip_invalid, returns
// InvalidArgument whose message lists the first max_errors_shown problems as
// "file:line: field "x": expected ..., got ..." and how many more there were.
Result<ImportReport> import_file(StoreDir& store_dir, const ImportOptions& options);

}  // namespace consentric::ingest
