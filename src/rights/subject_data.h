#pragma once

// Internal to the rights module: everything held about one person, read from the store and
// decrypted under their data key, for the answers to access (GDPR Art. 15) and portability
// (Art. 20). Values are rendered for people: dates as YYYY-MM-DD, timestamps in ISO 8601 UTC,
// booleans as true/false. Holds personal data in the clear: never log or audit it.

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "store/store_dir.h"

namespace consentric::rights::detail {

struct HeldField {
  const FieldSpec* spec = nullptr;  // the declaration; null for a field no longer declared
  std::string name;
  nlohmann::json value;  // as shown to the person
};

struct HeldEvent {
  UnixSeconds ts = 0;
  std::string type;
  nlohmann::json properties = nlohmann::json::object();  // plain and sealed together
};

struct SubjectData {
  SubjectRow subject;
  std::vector<HeldField> profile;      // declaration order, then fields no longer declared
  std::vector<HeldEvent> events;       // time order
  std::vector<ConsentEntry> consents;  // the ledger, by time then entry id
  std::vector<LimitEntry> limits;
};

// Reads and decrypts every profile field and event of `subject`, and their consent ledger and
// processing limits. NotFound when there is no such subject; DataLoss when a sealed part does
// not open under the subject's key.
Result<SubjectData> read_subject_data(StoreDir& sd, SubjectId subject);

// `value` as JSON text (indent < 0: compact). Text that is not valid UTF-8 (the importer
// refuses it, so only a damaged store holds any) is written with U+FFFD instead of throwing.
std::string json_text(const nlohmann::json& value, int indent = -1);

// The act of carrying out a right, recorded: the audit entry `action` about the person
// (detail: the evidence and the request id; counts and hashes only, never a value) and the
// request completed with the evidence. REQUIRES: a transaction open on the store.
Status record_carried_out(Store& store, DsarRow& row, std::string_view action,
                          std::string_view pseudonym, const nlohmann::json& evidence,
                          std::string_view actor, UnixSeconds now);

// `entry` as JSON for the person: action, times, source, method, notice, proof, expiry.
nlohmann::json consent_entry_json(const ConsentEntry& entry);

// Writes `bytes` to `path` readable by its owner only (mode 0600: it holds personal data),
// through a temporary file in the same folder renamed on success, so a failure leaves no
// partial file behind.
Status write_private_file(const std::filesystem::path& path, std::string_view bytes);

}  // namespace consentric::rights::detail
