// consentric dsar erase | receipt verify | backup | restore (docs/rights.md, "Erasure" and
// "Backup and restore"): forgetting a person for good, proving it, and keeping it so when a
// backup comes back.

#include <fstream>
#include <memory>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "audit/audit_ops.h"
#include "cli/commands.h"
#include "cli/output.h"
#include "core/text.h"
#include "rights/backup.h"
#include "rights/erasure.h"

namespace consentric::cli {
namespace {

using nlohmann::json;

UnixSeconds now_utc() { return make_system_clock()->now(); }

struct EraseArgs {
  std::vector<std::string> identifiers;
  std::string from, receipt, receipts, regime = "gdpr";
  std::int64_t request = 0;
};

// One identifier per line; blank lines and lines starting with '#' are skipped.
Result<std::vector<std::string>> read_identifier_file(const std::string& file) {
  std::ifstream in(file);
  if (!in) return invalid_argument(fmt::format("--from {}: cannot be read", file));
  std::vector<std::string> out;
  std::string line;
  while (std::getline(in, line)) {
    const std::string_view v = trim(line);
    if (v.empty() || v.front() == '#') continue;
    out.emplace_back(v);
  }
  return out;
}

Status write_text_file(const std::filesystem::path& path, std::string_view text) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  if (!f) return invalid_argument(fmt::format("{}: cannot be written", path.string()));
  f << text;
  f.flush();
  if (!f) return internal_error(fmt::format("{}: write failed", path.string()));
  return Status();
}

std::string removed_summary(const RemovedCounts& removed) {
  std::string out;
  for (const auto& [kind, count] : removed) {
    if (count == 0 || kind == "subjects") continue;
    if (!out.empty()) out += ", ";
    out += fmt::format("{}: {}", kind, with_thousands(count));
  }
  return out.empty() ? "the subject record" : out;
}

int erase_cmd(const Globals& g, const EraseArgs& a) {
  const auto regime = rights::parse_regime(a.regime);
  if (!regime) {
    return report_error(invalid_argument(
        fmt::format("--regime {}: expected gdpr or ccpa", quote_for_message(a.regime))));
  }
  std::vector<std::string> identifiers = a.identifiers;
  if (!a.from.empty()) {
    auto more = read_identifier_file(a.from);
    if (!more.ok()) return report_error(more.status());
    identifiers.insert(identifiers.end(), more->begin(), more->end());
  }
  if (!a.receipt.empty() && identifiers.size() != 1) {
    return report_error(invalid_argument(
        "--receipt: one file holds one receipt; for several people use --receipts DIR"));
  }
  auto sd = g.open_store();
  if (!sd.ok()) return report_error(sd.status());
  rights::EraseRequest req{
      .identifiers = identifiers, .regime = *regime, .actor = g.actor, .now = now_utc()};
  if (a.request > 0) req.request_id = a.request;
  ProgressLine progress("erasing", g.quiet);
  auto outcome = rights::erase(*sd, req);
  progress.finish();
  if (!outcome.ok()) return report_error(outcome.status());
  // Receipts go out after the commit: a receipt for an erasure that did not happen must not
  // exist.
  std::vector<std::string> receipt_files;
  for (const rights::Erased& e : outcome->erased) {
    std::filesystem::path file;
    if (!a.receipt.empty()) file = a.receipt;
    if (!a.receipts.empty()) {
      std::error_code ec;
      std::filesystem::create_directories(a.receipts, ec);
      file = std::filesystem::path(a.receipts) /
             fmt::format("erasure-receipt-{}.json", e.request.row.request_id);
    }
    if (file.empty()) {
      receipt_files.emplace_back();
      continue;
    }
    if (Status s = write_text_file(file, e.receipt); !s.ok()) return report_error(s);
    receipt_files.push_back(file.string());
  }
  if (g.json) {
    json out = {{"erased", json::array()}, {"no_data", json::array()}};
    for (std::size_t i = 0; i < outcome->erased.size(); ++i) {
      const rights::Erased& e = outcome->erased[i];
      json removed = json::object();
      for (const auto& [kind, count] : e.removed) removed[kind] = count;
      json kept = json::object();
      for (const auto& [kind, count] : e.kept_anonymously) kept[kind] = count;
      out["erased"].push_back(
          {{"request", e.request.row.request_id},
           {"method", to_string(e.method)},
           {"removed", removed},
           {"kept_anonymously", kept},
           {"identifiers_suppressed", e.identifiers_suppressed},
           {"recipients_to_notify", e.recipients.size()},
           {"receipt_file", receipt_files[i].empty() ? json() : json(receipt_files[i])},
           {"receipt", json::parse(e.receipt)}});
    }
    for (const rights::Request& r : outcome->no_data) {
      out["no_data"].push_back({{"request", r.row.request_id}});
    }
    fmt::print("{}\n", out.dump());
    return 0;
  }
  for (std::size_t i = 0; i < outcome->erased.size(); ++i) {
    const rights::Erased& e = outcome->erased[i];
    fmt::print("Request {} (erasure) completed: data key destroyed; removed {}; {} identifier{} "
               "suppressed\n",
               e.request.row.request_id, removed_summary(e.removed), e.identifiers_suppressed,
               e.identifiers_suppressed == 1 ? "" : "s");
    if (e.method == ErasureMethod::kAnonymize) {
      std::string kept;
      for (const auto& [kind, count] : e.kept_anonymously) {
        if (!kept.empty()) kept += ", ";
        kept += fmt::format("{}: {}", kind, with_thousands(count));
      }
      fmt::print(
          "  anonymized (erasure: anonymize): kept without pii under a new anonymous id "
          "that nothing links back to: {}\n",
          kept);
    }
    if (!receipt_files[i].empty()) {
      fmt::print("  signed receipt written to {} (check it: consentric receipt verify {})\n",
                 receipt_files[i], receipt_files[i]);
    }
    if (!e.recipients.empty()) {
      fmt::print("  their data went to {} recipient{} who must be told (GDPR Art. 19):\n",
                 e.recipients.size(), e.recipients.size() == 1 ? "" : "s");
      for (const DisclosureRow& d : e.recipients) {
        fmt::print("    {} ({} on {}, audit entry {})\n", d.recipient, d.action,
                   format_timestamp(d.ts), d.audit_seq);
      }
    }
  }
  for (const rights::Request& r : outcome->no_data) {
    fmt::print("Request {} (erasure): no data held about this person; answered and recorded\n",
               r.row.request_id);
  }
  if (outcome->erased.size() > 1) {
    fmt::print("{} people erased, {} without data held; write-ahead log checkpointed\n",
               with_thousands(static_cast<std::int64_t>(outcome->erased.size())),
               with_thousands(static_cast<std::int64_t>(outcome->no_data.size())));
  }
  return 0;
}

int verify_receipt_cmd(const Globals& g, const std::string& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return report_error(invalid_argument(fmt::format("{}: cannot be read", file)));
  std::stringstream text;
  text << in.rdbuf();
  auto receipt = rights::verify_receipt(text.str());
  if (!receipt.ok()) return report_error(receipt.status().with_context(file));
  // The signature holds for the key the receipt names; the store says whether that key is
  // this installation's, and whether its audit chain recorded the erasure.
  std::string installation_check;
  if (auto sd = g.open_store(); sd.ok()) {
    if (Status s = rights::check_receipt_against_store(*sd, *receipt); !s.ok()) {
      return report_error(s.with_context(file));
    }
    installation_check = "this store's key; its audit chain records the erasure";
  } else {
    installation_check = fmt::format("not checked: {}", sd.status().message());
  }
  if (g.json) {
    fmt::print("{}\n", json{{"valid", true},
                            {"installation_check", installation_check},
                            {"request", receipt->request_id},
                            {"installation", receipt->installation},
                            {"key_fingerprint", rights::key_fingerprint(receipt->public_key)},
                            {"erased", format_timestamp(receipt->erased)},
                            {"method", to_string(receipt->method)},
                            {"audit_seq", receipt->audit_seq}}
                           .dump());
    return 0;
  }
  Table t({"receipt", file});
  t.add_row({"signature", "valid (Ed25519)"});
  t.add_row({"audit entry", fmt::format("#{}", receipt->audit_seq)});
  t.add_row({"signed by", fmt::format("{} (key {})", receipt->installation,
                                      rights::key_fingerprint(receipt->public_key))});
  t.add_row({"installation", installation_check});
  t.add_row({"request", fmt::format("#{}", receipt->request_id)});
  t.add_row({"regime", receipt->regime});
  t.add_row({"received", format_timestamp(receipt->received)});
  t.add_row({"erased", format_timestamp(receipt->erased)});
  t.add_row({"method", std::string(to_string(receipt->method))});
  t.add_row({"data key", receipt->data_key_destroyed ? "destroyed" : "kept"});
  t.add_row({"identifiers suppressed",
             fmt::format("{} (a re-import of them is refused)", receipt->identifiers_suppressed)});
  fmt::print("{}", t.render());
  Table removed({"removed", "rows"});
  for (const auto& [kind, count] : receipt->removed) removed.add_row({kind, with_thousands(count)});
  fmt::print("\n{}", removed.render());
  if (receipt->method == ErasureMethod::kAnonymize) {
    Table kept({"kept anonymously", "rows"});
    for (const auto& [kind, count] : receipt->kept_anonymously) {
      kept.add_row({kind, with_thousands(count)});
    }
    fmt::print("\n{}", kept.render());
  }
  return 0;
}

int backup_cmd(const Globals& g, const std::string& file) {
  auto sd = g.open_store();
  if (!sd.ok()) return report_error(sd.status());
  auto info = rights::backup_store(*sd, file, g.actor, now_utc());
  if (!info.ok()) return report_error(info.status());
  if (g.json) {
    fmt::print("{}\n", json{{"file", info->file.string()},
                            {"bytes", info->bytes},
                            {"hash", info->hash_hex},
                            {"subjects", info->subjects},
                            {"audit_entries", info->audit_entries}}
                           .dump());
    return 0;
  }
  fmt::print("Backup written to {} ({} bytes, {} subjects, audit chain to entry {}); no keys in "
             "it: keep the key ring and the master key apart. Recorded as store.backup\n",
             info->file.string(), with_thousands(info->bytes), with_thousands(info->subjects),
             info->audit_entries);
  return 0;
}

int restore_cmd(const Globals& g, const std::string& file) {
  auto sd = g.open_store();
  if (!sd.ok()) return report_error(sd.status());
  auto info = rights::restore_store(*sd, file, g.actor, now_utc());
  if (!info.ok()) return report_error(info.status());
  if (g.json) {
    fmt::print("{}\n", json{{"file", file},
                            {"subjects", info->backup.subjects},
                            {"backup_audit_entries", info->backup.audit_entries},
                            {"replaced_audit_entries", info->replaced_audit_entries},
                            {"erasures_reapplied", info->erasures_reapplied}}
                           .dump());
    return 0;
  }
  fmt::print("Restored {} ({} subjects); the audit chain goes back from entry {} to entry {} of "
             "the backup, recorded as store.restore\n",
             file, with_thousands(info->backup.subjects), info->replaced_audit_entries,
             info->backup.audit_entries);
  fmt::print("{} erasure{} recorded since the backup re-applied before use\n",
             info->erasures_reapplied, info->erasures_reapplied == 1 ? "" : "s");
  return 0;
}

}  // namespace

void add_erasure_commands(CLI::App& app, Globals& g) {
  CLI::App* dsar = app.get_subcommand("dsar");
  auto ea = std::make_shared<EraseArgs>();
  auto* erase = dsar->add_subcommand(
      "erase", "Erase people (GDPR Art. 17): destroy their key, delete their rows, sign a receipt");
  erase->add_option("identifiers", ea->identifiers, "FIELD=VALUE or bare values, one per person");
  erase->add_option("--from", ea->from, "A file of identifiers, one per line (bulk erasure)");
  erase->add_option("--request", ea->request, "Carry out this open request (one identifier)");
  erase->add_option("--receipt", ea->receipt, "Write the signed erasure receipt to this file");
  erase->add_option("--receipts", ea->receipts, "Write one receipt per request into this folder");
  erase->add_option("--regime", ea->regime, "For new requests: gdpr (default) or ccpa");
  erase->callback([&g, ea] {
    if (ea->identifiers.empty() && ea->from.empty()) {
      throw CLI::ValidationError("identifiers", "give at least one identifier, or --from FILE");
    }
    g.run = [&g, ea] { return erase_cmd(g, *ea); };
  });

  auto file = std::make_shared<std::string>();
  auto* receipt = app.add_subcommand("receipt", "Erasure receipts");
  receipt->require_subcommand(1);
  auto* verify = receipt->add_subcommand(
      "verify", "Check an erasure receipt's signature (and, with a store, that it is this one's)");
  verify->add_option("file", *file, "The receipt (JSON)")->required();
  verify->callback([&g, file] { g.run = [&g, file] { return verify_receipt_cmd(g, *file); }; });

  auto* backup = app.add_subcommand(
      "backup", "Write a consistent copy of the data (never the keys) to a new file");
  backup->add_option("file", *file, "The backup file to create")->required();
  backup->callback([&g, file] { g.run = [&g, file] { return backup_cmd(g, *file); }; });

  auto* restore = app.add_subcommand(
      "restore", "Replace the data with a backup, re-applying every erasure recorded since");
  restore->add_option("file", *file, "A backup made by consentric backup")->required();
  restore->callback([&g, file] { g.run = [&g, file] { return restore_cmd(g, *file); }; });
}

}  // namespace consentric::cli
