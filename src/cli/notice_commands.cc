// consentric notice publish | list | show (docs/governance.md, "Privacy notices").

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/output.h"
#include "report/privacy_notice.h"

namespace consentric::cli {
namespace {

using json = nlohmann::json;

int publish(const Globals& g, const std::string& purpose, const std::string& out_dir) {
  auto sd = g.open_store();
  if (!sd.ok()) return report_error(sd.status());
  auto published =
      report::publish_notices(*sd, purpose, {.actor = g.actor, .now = make_system_clock()->now()});
  if (!published.ok()) return report_error(published.status());
  std::vector<std::string> files;
  if (!out_dir.empty()) {
    auto written = report::write_notices(*published, out_dir);
    if (!written.ok()) return report_error(written.status());
    files = std::move(*written);
  }
  if (g.json) {
    json out = json::array();
    for (const report::PublishedNotice& n : *published) {
      out.push_back({{"purpose", n.purpose},
                     {"version", n.label},
                     {"hash", n.text_hash},
                     {"new_version", n.changed}});
    }
    fmt::print("{}\n", json{{"notices", out}, {"files", files}}.dump());
    return 0;
  }
  Table table({"purpose", "version in force", "text BLAKE2b-256", ""});
  for (const report::PublishedNotice& n : *published) {
    table.add_row({n.purpose, n.label, n.text_hash.substr(0, 16) + "...",
                   n.changed ? "new version published" : "unchanged"});
  }
  fmt::print("{}", table.render());
  if (!files.empty()) {
    fmt::print("Notices written to {} (Markdown and HTML)\n", out_dir);
  }
  return 0;
}

int list(const Globals& g) {
  auto sd = g.open_store();
  if (!sd.ok()) return report_error(sd.status());
  auto states = report::notice_states(*sd);
  if (!states.ok()) return report_error(states.status());
  if (g.json) {
    json out = json::array();
    for (const report::NoticeState& s : *states) {
      out.push_back(
          {{"purpose", s.purpose},
           {"version", s.latest ? json(s.latest->label) : json()},
           {"published_at", s.latest ? json(format_timestamp(s.latest->published_at)) : json()},
           {"current", s.current}});
    }
    fmt::print("{}\n", out.dump());
    return 0;
  }
  Table table({"purpose", "version", "published", "matches the declaration"});
  for (const report::NoticeState& s : *states) {
    table.add_row({s.purpose, s.latest ? s.latest->label : "-",
                   s.latest ? format_timestamp(s.latest->published_at) : "never",
                   !s.latest   ? "no notice published"
                   : s.current ? "yes"
                               : "NO: the declaration changed; notice publish"});
  }
  fmt::print("{}", table.render());
  return 0;
}

int show(const Globals& g, const std::string& purpose, const std::string& version) {
  auto sd = g.open_store();
  if (!sd.ok()) return report_error(sd.status());
  const PurposeSpec* p = sd->config.purpose(purpose);
  if (p == nullptr) {
    return report_error(not_found(fmt::format("purpose \"{}\" is not declared", purpose)));
  }
  auto versions = sd->store->privacy_notices(purpose);
  if (!versions.ok()) return report_error(versions.status());
  if (version.empty() && versions->empty()) {
    // Nothing published yet: the draft the declaration gives now.
    fmt::print("{}",
               report::notice_document(sd->config, *p, "Draft, not yet published.").markdown());
    return 0;
  }
  for (auto it = versions->rbegin(); it != versions->rend(); ++it) {
    if (!version.empty() && it->label != version) continue;
    fmt::print("{}\n\n{}", report::notice_version_line(*it), it->text);
    return 0;
  }
  return report_error(
      not_found(fmt::format("purpose {} has no notice version \"{}\"", purpose, version)));
}

}  // namespace

void add_notice_commands(CLI::App& app, Globals& g) {
  auto* notice = app.add_subcommand(
      "notice", "Privacy notices per purpose, generated from the declaration and versioned");
  notice->require_subcommand(1);

  auto purpose = std::make_shared<std::string>();
  auto out = std::make_shared<std::string>();
  auto* publish_cmd =
      notice->add_subcommand("publish", "Record a new version of each notice whose text changed");
  publish_cmd->add_option("--purpose", *purpose, "Only this purpose");
  publish_cmd->add_option("--out", *out, "Also write notice-PURPOSE.md and .html here");
  publish_cmd->callback(
      [&g, purpose, out] { g.run = [&g, purpose, out] { return publish(g, *purpose, *out); }; });

  notice->add_subcommand("list", "Each purpose's notice in force")->callback([&g] {
    g.run = [&g] { return list(g); };
  });

  auto version = std::make_shared<std::string>();
  auto* show_cmd = notice->add_subcommand("show", "Print a notice (default: the one in force)");
  show_cmd->add_option("purpose", *purpose, "The purpose")->required();
  show_cmd->add_option("--version", *version, "A published version's label");
  show_cmd->callback([&g, purpose, version] {
    g.run = [&g, purpose, version] { return show(g, *purpose, *version); };
  });
}

}  // namespace consentric::cli
