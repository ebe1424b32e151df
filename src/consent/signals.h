#pragma once

// Consent signals that arrive as machine-readable strings rather than as single decisions:
// IAB TCF v2.2/2.3 TC strings and Global Privacy Control. Each becomes ordinary ledger entries
// (ledger.h) with the signal as proof, so the gate needs no special case for either.

#include <string>
#include <string_view>
#include <vector>

#include "consent/ledger.h"
#include "tcf/tc_string.h"

namespace consentric::consent {

struct SignalEntry {
  std::string purpose;
  Appended appended;  // entry_id 0: the same decision was already in the ledger
};

struct TcfResult {
  tcf::TcString tc;
  std::vector<SignalEntry> entries;
};

// Decodes a TC string and records what it says for every purpose that maps TCF purposes
// (config `tcf_purposes`), for our vendor (config `tcf.vendor_id`):
//   - consent purposes: a grant when our vendor has consent, every mapped TCF purpose has
//     consent and no publisher restriction forbids the purpose to us; otherwise a withdrawal;
//   - legitimate-interest purposes: a withdrawal (the person objected in the CMP) when our
//     vendor's or a mapped purpose's legitimate-interest bit is off; otherwise nothing.
// The decision time is the string's last_updated unless `at` is given. A malformed string or a
// policy problem (tcf::check_policy) is InvalidArgument and writes nothing; a config without a
// vendor id is FailedPrecondition. REQUIRES: a transaction is open.
Result<TcfResult> record_tc_string(Store& store, const Config& config, PurposeFeatureKeeper& keeper,
                                   SubjectId subject, std::string_view tc_string,
                                   std::optional<UnixSeconds> at, std::string_view actor,
                                   UnixSeconds now);

// A Global Privacy Control signal (`Sec-GPC: 1`): a withdrawal, with source gpc, of every
// purpose marked sale_or_share (CCPA: a binding opt-out of sale and sharing). `proof` is a JSON
// object (user agent, IP — cut to its prefix). REQUIRES: a transaction is open.
Result<std::vector<SignalEntry>> record_gpc(Store& store, const Config& config,
                                            PurposeFeatureKeeper& keeper, SubjectId subject,
                                            UnixSeconds at, std::string_view proof,
                                            std::string_view actor, UnixSeconds now);

}  // namespace consentric::consent
