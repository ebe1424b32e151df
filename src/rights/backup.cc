#include "rights/backup.h"

#include <algorithm>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "audit/audit_log.h"
#include "crypto/keys.h"
#include "rights/erasure.h"
#include "store/sqlite_store.h"
#include "store/transaction.h"

namespace consentric::rights {
namespace {

using nlohmann::json;

Result<BackupInfo> describe(const std::filesystem::path& file) {
  BackupInfo info{.file = file};
  CONSENTRIC_ASSIGN_OR_RETURN(BackupFacts facts, read_backup_facts(file));
  CONSENTRIC_ASSIGN_OR_RETURN(std::string hash, crypto::hash256_file(file));
  std::error_code ec;
  info.bytes = static_cast<std::int64_t>(std::filesystem::file_size(file, ec));
  info.hash_hex = crypto::to_hex(hash);
  info.store_id = facts.store_id;
  info.subjects = facts.subjects;
  info.audit_entries = facts.audit_entries;
  return info;
}

Status audit(Store& store, std::string_view action, const json& detail, std::string_view actor,
             UnixSeconds now) {
  return audit::append_committed(
      store, {.actor = std::string(actor), .action = std::string(action), .detail = detail.dump()},
      now);
}

}  // namespace

Result<BackupInfo> backup_store(StoreDir& sd, const std::filesystem::path& to,
                                std::string_view actor, UnixSeconds now) {
  CONSENTRIC_RETURN_IF_ERROR(sd.store->backup_to(to));
  CONSENTRIC_ASSIGN_OR_RETURN(BackupInfo info, describe(to));
  CONSENTRIC_RETURN_IF_ERROR(audit(*sd.store, "store.backup",
                                   {{"file", to.filename().string()},
                                    {"hash", info.hash_hex},
                                    {"bytes", info.bytes},
                                    {"subjects", info.subjects},
                                    {"audit_entries", info.audit_entries}},
                                   actor, now));
  return info;
}

Result<RestoreInfo> restore_store(StoreDir& sd, const std::filesystem::path& from,
                                  std::string_view actor, UnixSeconds now) {
  RestoreInfo out;
  CONSENTRIC_ASSIGN_OR_RETURN(out.backup, describe(from));
  CONSENTRIC_ASSIGN_OR_RETURN(std::optional<std::string> id, sd.store->meta("store_id"));
  // Another store's copy would meet a key ring that holds none of its keys, and an erasure
  // record about other people.
  if (!id || *id != out.backup.store_id) {
    return failed_precondition(fmt::format(
        "{} is a backup of another store (id {}); this store is {}: restore it into a store "
        "made with its own key ring",
        from.string(), out.backup.store_id, id.value_or("?")));
  }
  CONSENTRIC_ASSIGN_OR_RETURN(std::optional<AuditRecord> head, sd.store->last_audit());
  if (head) {
    out.replaced_audit_entries = head->seq;
    out.replaced_head_hex = crypto::to_hex(head->hash);
  }
  // Privacy budget spent since the backup stays spent: those releases are out in the world.
  std::vector<DpSpendRow> spends;
  for (const PurposeSpec& p : sd.config.purposes) {
    CONSENTRIC_ASSIGN_OR_RETURN(std::vector<DpSpendRow> rows, sd.store->dp_spends(p.id));
    spends.insert(spends.end(), rows.begin(), rows.end());
  }
  // So do revoked access tokens: a restore must not bring a revoked token back to life.
  CONSENTRIC_ASSIGN_OR_RETURN(std::vector<AccessTokenRow> tokens_before, sd.store->access_tokens());
  CONSENTRIC_RETURN_IF_ERROR(sd.store->restore_from(from));
  std::vector<AccessTokenRow> revoked;
  CONSENTRIC_ASSIGN_OR_RETURN(std::vector<AccessTokenRow> tokens_after, sd.store->access_tokens());
  for (const AccessTokenRow& after : tokens_after) {
    for (const AccessTokenRow& before : tokens_before) {
      if (before.token_hash == after.token_hash && before.revoked_at && !after.revoked_at) {
        revoked.push_back(before);
      }
    }
  }
  out.revocations_carried = static_cast<std::int64_t>(revoked.size());
  std::vector<DpSpendRow> carried;
  for (const PurposeSpec& p : sd.config.purposes) {
    CONSENTRIC_ASSIGN_OR_RETURN(std::vector<DpSpendRow> kept, sd.store->dp_spends(p.id));
    for (const DpSpendRow& row : spends) {
      const bool in_backup = std::any_of(kept.begin(), kept.end(), [&](const DpSpendRow& k) {
        return k.spend_id == row.spend_id;
      });
      if (row.purpose == p.id && !in_backup) carried.push_back(row);
    }
  }
  out.dp_spends_carried = static_cast<std::int64_t>(carried.size());
  CONSENTRIC_RETURN_IF_ERROR(audit(*sd.store, "store.restore",
                                   {{"file", from.filename().string()},
                                    {"hash", out.backup.hash_hex},
                                    {"backup_audit_entries", out.backup.audit_entries},
                                    {"replaced_audit_entries", out.replaced_audit_entries},
                                    {"replaced_head", out.replaced_head_hex},
                                    {"dp_spends_carried", out.dp_spends_carried},
                                    {"revocations_carried", out.revocations_carried}},
                                   actor, now));
  if (!revoked.empty()) {
    const auto revoke = [&]() -> Result<bool> {
      for (const AccessTokenRow& t : revoked) {
        CONSENTRIC_RETURN_IF_ERROR(
            sd.store->revoke_access_token(t.name, t.revoked_by, *t.revoked_at));
      }
      return true;
    };
    CONSENTRIC_RETURN_IF_ERROR(in_transaction(*sd.store, revoke).status());
  }
  if (!carried.empty()) {
    CONSENTRIC_ASSIGN_OR_RETURN(std::optional<AuditRecord> restore_entry, sd.store->last_audit());
    const auto carry = [&]() -> Result<bool> {
      for (DpSpendRow row : carried) {
        // Their dp.release entries went with the replaced chain; store.restore stands for them.
        row.audit_seq = restore_entry ? restore_entry->seq : 0;
        CONSENTRIC_RETURN_IF_ERROR(sd.store->add_dp_spend(row).status());
      }
      return true;
    };
    CONSENTRIC_RETURN_IF_ERROR(in_transaction(*sd.store, carry).status());
  }
  CONSENTRIC_ASSIGN_OR_RETURN(out.erasures_reapplied, apply_recorded_erasures(sd, actor, now));
  CONSENTRIC_RETURN_IF_ERROR(sd.store->checkpoint());
  return out;
}

}  // namespace consentric::rights
