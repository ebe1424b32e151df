#pragma once

// The privacy notice of each purpose (GDPR Art. 13 and 14, CCPA notice at collection),
// generated from the same declaration the engine enforces: what is collected, why, on which
// legal basis, for how long, who receives it, automated decisions, and the person's rights and
// how to use them. Notices are versioned in the store: publishing a text that differs from the
// purpose's latest version records version n + 1 with the text's BLAKE2b-256, and from then on
// that version and hash are what consent records name (store_dir.h overlays them on the
// declaration's notice_version).
//
//   CONSENTRIC_ASSIGN_OR_RETURN(auto published, publish_notices(sd, "", ctx));
//   for (const PublishedNotice& n : published) ...  // n.changed: a new version was recorded

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "report/document.h"
#include "report/dp_report.h"
#include "store/store_dir.h"

namespace consentric::report {

// The notice of `purpose` as the declaration describes it now. The version line (e.g.
// "Version 2, published 2026-12-03") opens it when given; the hashed text is the Markdown
// without it.
Document notice_document(const Config& config, const PurposeSpec& purpose,
                         std::string_view version_line = {});

struct PublishedNotice {
  std::string purpose;
  std::int64_t version = 0;
  std::string label;      // what consent records name
  std::string text_hash;  // hex
  bool changed = false;   // a new version was recorded now
  Document document;      // with its version line
};

// Renders the notice of `purpose` (empty: every purpose) and records a new version of each whose
// text differs from its latest, with one notice.publish audit entry per new version, all in one
// transaction. NotFound for an undeclared purpose.
Result<std::vector<PublishedNotice>> publish_notices(StoreDir& sd, std::string_view purpose,
                                                     const ReportContext& ctx);

// Writes each notice as DIR/notice-PURPOSE.md and .html (DIR is created); returns the files.
Result<std::vector<std::string>> write_notices(const std::vector<PublishedNotice>& notices,
                                               const std::filesystem::path& dir);

struct NoticeState {
  std::string purpose;
  std::optional<PrivacyNoticeRow> latest;  // none published yet
  bool current = false;  // the latest published text is what the declaration gives now
};
Result<std::vector<NoticeState>> notice_states(StoreDir& sd);

// "Version 2, published 2026-12-03T10:00:00Z, text BLAKE2b-256 3f1c…"
std::string notice_version_line(const PrivacyNoticeRow& row);

}  // namespace consentric::report
