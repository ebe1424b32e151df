#include "audit/audit_log.h"

#include <fmt/format.h>

#include "audit/merkle.h"
#include "crypto/keys.h"
#include "store/transaction.h"

namespace consentric::audit {
namespace {

constexpr std::size_t kHashBytes = 32;

void put_u64(std::string* out, std::uint64_t v) {
  for (int i = 7; i >= 0; --i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

void put_field(std::string* out, std::string_view s) {
  put_u64(out, s.size());
  out->append(s);
}

}  // namespace

std::string entry_encoding(const AuditRecord& r) {
  // Length-prefixed fields, so no two different entries encode to the same bytes.
  std::string msg = "consentric-audit-v2";
  put_u64(&msg, static_cast<std::uint64_t>(r.seq));
  put_u64(&msg, static_cast<std::uint64_t>(r.ts));
  put_field(&msg, r.actor);
  put_field(&msg, r.action);
  put_field(&msg, r.purpose);
  put_field(&msg, r.subject);
  put_field(&msg, r.detail);
  put_field(&msg, r.prev_hash);
  return msg;
}

std::string entry_hash(const AuditRecord& r) { return crypto::hash256(entry_encoding(r)); }

std::string entry_leaf_hash(const AuditRecord& r) { return leaf_hash(entry_encoding(r)); }

Result<AuditRecord> append(Store& store, const Entry& entry, UnixSeconds now) {
  CONSENTRIC_ASSIGN_OR_RETURN(std::optional<AuditRecord> last, store.last_audit());
  AuditRecord r;
  r.seq = last ? last->seq + 1 : 1;
  r.ts = now;
  r.actor = entry.actor;
  r.action = entry.action;
  r.purpose = entry.purpose;
  r.subject = entry.subject;
  r.detail = entry.detail.empty() ? "{}" : entry.detail;
  r.prev_hash = last ? last->hash : std::string(kHashBytes, '\0');
  r.hash = entry_hash(r);
  CONSENTRIC_RETURN_IF_ERROR(store.append_audit(r));
  return r;
}

Result<VerifyReport> verify(Store& store) {
  VerifyReport report;
  std::string prev(kHashBytes, '\0');
  CONSENTRIC_RETURN_IF_ERROR(store.scan_audit([&](const AuditRecord& r) -> Status {
    ++report.entries;
    std::string problem;
    if (r.seq != report.entries) {
      problem =
          fmt::format("expected entry {} here, found entry {} (an entry was removed or reordered)",
                      report.entries, r.seq);
    } else if (r.prev_hash != prev) {
      problem =
          "its link to the previous entry is broken (an earlier entry was altered or removed)";
    } else if (r.hash != entry_hash(r)) {
      problem = "its content does not match its hash (the entry was altered)";
    }
    if (!problem.empty() && report.intact) {
      report.intact = false;
      report.first_bad_seq = r.seq;
      report.problem = std::move(problem);
    }
    prev = r.hash;
    return Status();
  }));
  report.head_hash_hex = crypto::to_hex(prev);
  return report;
}

Status append_committed(Store& store, const Entry& entry, UnixSeconds now) {
  return in_transaction(store, [&] { return append(store, entry, now); }).status();
}

}  // namespace consentric::audit
