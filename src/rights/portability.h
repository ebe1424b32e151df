#pragma once

// The right to data portability (GDPR Art. 20; CCPA, Cal. Civ. Code 1798.100(d) and
// 1798.130(a)(2)(B)): the data a person provided, and what we observed of their activity, in a
// structured, commonly used and machine-readable format, as one zip (docs/rights.md
// "Portability"):
//
//   manifest.json             format, version, time, request, controller, and per file: name,
//                             description, media type, rows, SHA-256
//   provided/profile.json     the profile fields, {field: value}
//   provided/profile.csv      the same as one header row and one value row
//   provided/consent.json     every consent decision with its proof
//   provided/consent.csv      the same, one row per decision
//   observed/events.json      every event: time, type, properties
//   observed/events.csv       one row per event, a column per property
//
// Inferred data (segments, scores) is not "provided by" the person, so it is left out here;
// the access report shows it.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "rights/access_report.h"

namespace consentric::rights {

inline constexpr int kPortabilityFormatVersion = 1;

struct PortabilityArchive {
  std::string zip;          // the archive's bytes
  nlohmann::json manifest;  // as written to manifest.json
};

// The archive about `subject` at `now`, answering request `request_id` (0: none). Reads only.
Result<PortabilityArchive> build_portability_archive(StoreDir& sd, SubjectId subject,
                                                     UnixSeconds now, std::int64_t request_id = 0);

struct PortabilityRequest {
  std::string identifier;                  // FIELD=VALUE or a bare value
  std::optional<std::int64_t> request_id;  // complete this open request; none: record a new one
  Regime regime = Regime::kGdpr;           // for a new request
  std::string actor = "local-operator";
  UnixSeconds now = 0;
  std::filesystem::path out;  // the zip to write
};

struct PortabilityOutcome {
  Request request;
  std::optional<WrittenFile> archive;  // none when no data was held
  nlohmann::json manifest;             // null when no data was held
};

// Carries out a portability request under the register, in one transaction, like access():
// unknown or erased person gives no_data and no file; otherwise the zip is written (through a
// temporary file renamed on success, mode 0600), audited as subject.portability (file name,
// hash and row counts only) and the request completed with evidence {file, blake2b_256, bytes,
// files: [{name, rows, sha256}]}.
Result<PortabilityOutcome> portability(StoreDir& sd, const PortabilityRequest& r);

}  // namespace consentric::rights
