#pragma once

// Synthetic B2B customers for demos, tests and benchmarks (`consentric generate`): contacts at
// made-up companies, a year of their behaviour on a made-up vendor's site and mailings, their
// consent records, and whether they bought. The files match the B2B SaaS example config
// (examples/b2b_saas/consentric.yaml) field for field. How the data is drawn, and what the
// outcome depends on: docs/algorithms/synthetic-customers.md.
//
// No real person, address or network appears: email domains are under the reserved .example
// and .test TLDs, proofs use the RFC 5737 documentation address blocks, and GB, US and CA phone
// numbers lie in the ranges reserved for drama.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string_view>
#include <vector>

#include "consentric/status.h"
#include "core/time.h"

namespace consentric::synth {

struct GenerateOptions {
  // 1 .. 99,999,999 (customer ids have eight digits).
  std::int64_t customers = 10'000;
  std::uint64_t seed = 42;
  // Created if missing; existing files of the output names are replaced.
  std::filesystem::path out_dir;
  // End of the twelve months of events (exclusive); the caller passes today's midnight UTC.
  // REQUIRES: later than 1971-01-01.
  UnixSeconds as_of = 0;
  // Worker threads that generate; the calling thread writes. 1 .. 64. The files do not depend
  // on it.
  int threads = 2;
  // Optional. Called on the calling thread after each written block, and once at the end with
  // done == total.
  std::function<void(std::int64_t done, std::int64_t total)> progress;
};

struct GenerateSummary {
  std::int64_t customers = 0;
  std::int64_t events = 0;
  std::int64_t consents = 0;                 // consent records (grants and withdrawals)
  std::int64_t converted = 0;                // customers with at least one purchase
  std::vector<std::filesystem::path> files;  // the files written, in out_dir
};

// Writes profiles.csv, events.ndjson, consents.ndjson, outcomes.csv and consentric.yaml into
// options.out_dir. The same (customers, seed, as_of) give byte-identical files, whatever
// `threads`. Each file is written under a temporary name and renamed when complete, so a
// failure leaves earlier files of the same name as they were.
// Errors: InvalidArgument for options out of range, NotFound/PermissionDenied/Internal for a
// folder or file that cannot be created or written (the message names the path).
Result<GenerateSummary> generate(const GenerateOptions& options);

// The B2B SaaS config (examples/b2b_saas/consentric.yaml), embedded at build time so that the
// quickstart works from the binary alone.
std::string_view quickstart_config_yaml();

}  // namespace consentric::synth
