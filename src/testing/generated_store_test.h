#pragma once

// A store of generated B2B customers under the quickstart declaration, for tests of the layers
// above import: generate, init, import profiles, events and consents. Header-only, so that only
// the test targets that link synth and ingest pay for it.

#include <cstdint>
#include <filesystem>

#include "ingest/importer.h"
#include "store/store_dir.h"
#include "synth/generator.h"

namespace consentric::testing {

// The store goes to dir/template (created 400 days before now, not durable), the generated
// files to dir/data; data is generated as of now's midnight and imported at now.
inline Result<StoreDir> make_generated_store(const std::filesystem::path& dir,
                                             std::int64_t customers, std::uint64_t seed,
                                             UnixSeconds now) {
  const auto data = dir / "data";
  CONSENTRIC_RETURN_IF_ERROR(
      synth::generate(
          {.customers = customers, .seed = seed, .out_dir = data, .as_of = now - now % 86400})
          .status());
  CONSENTRIC_ASSIGN_OR_RETURN(
      StoreDir sd, init_store_dir(dir / "template", synth::quickstart_config_yaml(), "q.yaml",
                                  now - 400 * 86400, {.durable = false}));
  for (auto [kind, file] : {std::pair{ingest::ImportKind::kProfiles, "profiles.csv"},
                            {ingest::ImportKind::kEvents, "events.ndjson"},
                            {ingest::ImportKind::kConsents, "consents.ndjson"}}) {
    CONSENTRIC_RETURN_IF_ERROR(
        ingest::import_file(sd, {.kind = kind, .file = data / file, .now = now}).status());
  }
  return sd;
}

// A working copy of a store made by make_generated_store (its `template` folder), so that each
// test starts from the same data without importing it again.
inline Result<StoreDir> open_store_copy(const std::filesystem::path& template_dir,
                                        const std::filesystem::path& to) {
  std::error_code ec;
  std::filesystem::copy(template_dir, to, std::filesystem::copy_options::recursive, ec);
  if (ec) return internal_error("cannot copy " + template_dir.string() + ": " + ec.message());
  return open_store_dir(to, {.durable = false});
}

}  // namespace consentric::testing
