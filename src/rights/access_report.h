#pragma once

// The right of access (GDPR Art. 15; CCPA, Cal. Civ. Code 1798.110): everything held about a
// person, why, for how long, who received it and where it came from, as JSON for machines and
// as one self-contained HTML page for the person (docs/rights.md "Access").
//
// The report holds personal data in the clear: its files are written readable by their owner
// only, and the audit chain records only counts and file hashes, never a value.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "rights/requests.h"

namespace consentric::rights {

inline constexpr int kAccessReportVersion = 1;

// The report on `subject` at `now`, answering request `request_id` (0: none). Sections:
// request, subject, identifiers, profile, events, consent, purposes, segments, scores, points,
// retention, recipients, sources (docs/rights.md lists what each holds). NotFound when there is
// no such subject. Reads only; the caller decides what is written and audited.
Result<nlohmann::json> build_access_report(StoreDir& sd, SubjectId subject, UnixSeconds now,
                                           std::int64_t request_id = 0);

// How many entries each section of a report holds (no values): the register's evidence and
// the audit entry carry these.
nlohmann::json access_report_counts(const nlohmann::json& report);

// The report as one HTML page a person can read: inline CSS, no script, every value escaped.
std::string render_access_html(const nlohmann::json& report);

struct AccessRequest {
  std::string identifier;                  // FIELD=VALUE or a bare value (consent/subjects.h)
  std::optional<std::int64_t> request_id;  // complete this open request; none: record a new one
  Regime regime = Regime::kGdpr;           // for a new request
  std::string actor = "local-operator";
  UnixSeconds now = 0;
  std::optional<std::filesystem::path> json_out;
  std::optional<std::filesystem::path> html_out;
};

struct WrittenFile {
  std::filesystem::path path;
  std::string hash;  // hex BLAKE2b-256 of the file
  std::int64_t bytes = 0;
};

struct AccessOutcome {
  Request request;
  std::vector<WrittenFile> files;  // empty when no data was held
  nlohmann::json counts;           // access_report_counts(); null when no data was held
};

// Carries out an access request under the register, in one transaction: finds the person
// (unknown or erased: a no_data request, "no data held", and no file), takes the open request
// or records a new one, writes the report to json_out and/or html_out (mode 0600), audits
// subject.access (counts and file hashes only) and completes the request with evidence
// {files: [{name, blake2b_256, bytes}], counts}. InvalidArgument when neither file is asked for.
// On failure nothing is recorded and no file is left behind.
Result<AccessOutcome> access(StoreDir& sd, const AccessRequest& r);

}  // namespace consentric::rights
