// consentric segment create | list | show | members | export | refresh (docs/segments.md)

#include <cmath>
#include <memory>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/command_access.h"
#include "cli/commands.h"
#include "cli/output.h"
#include "core/text.h"
#include "runs/segment_runs.h"

namespace consentric::cli {
namespace {

using nlohmann::json;

struct CreateArgs {
  std::string name, purpose, rule, features, scaling = "zscore", k_range = "2-8";
  std::string recency_cuts, frequency_cuts, monetary_cuts;
  bool rfm = false, kmeans = false, log = false;
  int k = 0;
  int n_init = 4;
  std::uint64_t seed = 1;
};

Result<std::optional<segment::RfmCuts>> parse_cuts(const std::string& text, std::string_view opt) {
  if (text.empty()) return std::optional<segment::RfmCuts>();
  const std::vector<std::string> parts = split_commas(text);
  segment::RfmCuts cuts{};
  bool ok = parts.size() == 4;
  for (std::size_t i = 0; ok && i < 4; ++i) ok = parse_double(parts[i], &cuts[i]);
  if (!ok) {
    return invalid_argument(
        fmt::format("{} {}: expected four numbers separated by commas, such as 30,90,180,365", opt,
                    quote_for_message(text)));
  }
  return std::optional<segment::RfmCuts>(cuts);
}

Result<runs::SegmentDefinition> definition_of(const CreateArgs& a) {
  runs::SegmentDefinition d{.name = a.name, .purpose = a.purpose};
  const int kinds = (a.rule.empty() ? 0 : 1) + (a.rfm ? 1 : 0) + (a.kmeans ? 1 : 0);
  if (kinds != 1) return invalid_argument("give exactly one of --rule TEXT, --rfm, --kmeans");
  if (!a.rule.empty()) {
    d.kind = runs::SegmentKind::kRule;
    d.rule = a.rule;
  } else if (a.rfm) {
    d.kind = runs::SegmentKind::kRfm;
    CONSENTRIC_ASSIGN_OR_RETURN(d.rfm.recency_cuts, parse_cuts(a.recency_cuts, "--recency-cuts"));
    CONSENTRIC_ASSIGN_OR_RETURN(d.rfm.frequency_cuts,
                                parse_cuts(a.frequency_cuts, "--frequency-cuts"));
    CONSENTRIC_ASSIGN_OR_RETURN(d.rfm.monetary_cuts,
                                parse_cuts(a.monetary_cuts, "--monetary-cuts"));
  } else {
    d.kind = runs::SegmentKind::kKmeans;
    d.kmeans.features = split_commas(a.features);
    d.kmeans.k = a.k;
    d.kmeans.seed = a.seed;
    d.kmeans.n_init = a.n_init;
    d.kmeans.log_transform = a.log;
    const auto scaling = runs::parse_scaling(a.scaling);
    if (!scaling) {
      return invalid_argument(fmt::format("--scaling {}: expected zscore, robust or none",
                                          quote_for_message(a.scaling)));
    }
    d.kmeans.scaling = *scaling;
    const std::size_t dash = a.k_range.find('-');
    std::int64_t lo = 0, hi = 0;
    if (dash == std::string::npos || !parse_int64(a.k_range.substr(0, dash), &lo) ||
        !parse_int64(a.k_range.substr(dash + 1), &hi) || lo > 64 || hi > 64) {
      return invalid_argument(
          fmt::format("--k-range {}: expected two numbers like 2-8", quote_for_message(a.k_range)));
    }
    d.kmeans.k_min = static_cast<int>(lo);
    d.kmeans.k_max = static_cast<int>(hi);
  }
  return d;
}

std::string share(std::int64_t part, std::int64_t whole) {
  return whole <= 0 ? "-"
                    : fmt::format("{:.1f}%",
                                  100.0 * static_cast<double>(part) / static_cast<double>(whole));
}

std::string number(const json& v, std::string_view feature) {
  if (!v.is_number()) return "-";
  double x = v.get<double>();
  if (std::fabs(x) < 0.005) x = 0;  // no "-0.0"
  if (feature == "monetary") return fmt::format("{:.2f}", x);
  return std::fabs(x) >= 100 ? fmt::format("{:.0f}", x) : fmt::format("{:.1f}", x);
}

// The profile document of the run for `label`, or null.
const json* profile_of(const json& model, std::int32_t label) {
  if (!model.contains("profiles")) return nullptr;
  for (const json& p : model["profiles"]) {
    if (p.value("label", -1) == label) return &p;
  }
  return nullptr;
}

std::string headline(const runs::SegmentState& st) {
  const json& m = st.model;
  const std::string kind = st.segment.kind;
  if (kind == "rule") return fmt::format("rule: {}", m.value("rule", st.definition.rule));
  if (kind == "rfm") return "RFM: recency, frequency and monetary quintiles";
  std::string k_text = fmt::format("k = {}", m.value("k", 0));
  if (m.contains("k_choice") && m["k_choice"].is_object()) {
    const json& c = m["k_choice"];
    k_text +=
        fmt::format(" (best silhouette of {}..{}; the elbow is at {})", c["ks"].front().get<int>(),
                    c["ks"].back().get<int>(), c.value("elbow", 0));
  }
  if (m.value("n_init", 1) > 1) k_text += fmt::format(", best of {} starts", m.value("n_init", 1));
  const std::string scaling =
      fmt::format("{}{}", m.value("log", false) ? "log, then " : "", m.value("scaling", ""));
  return fmt::format("k-means, {}, {} scaling, silhouette {:.2f}, {} iterations{}", k_text, scaling,
                     m.value("silhouette", 0.0), m.value("iterations", 0),
                     m.value("converged", false) ? ", converged" : "");
}

void print_state(const runs::SegmentState& st) {
  fmt::print("Segment {} on purpose {}: {}\n", st.segment.name, st.segment.purpose, headline(st));
  if (!st.latest) {
    fmt::print("  not run yet\n");
    return;
  }
  std::int64_t released = 0;
  for (const auto& g : st.release.groups) released += g.size;
  fmt::print("Run {}, as of {}: {} subjects in the view, {} in released segments\n\n", st.runs,
             format_timestamp(st.latest->as_of), with_thousands(st.latest->view_rows),
             with_thousands(released));
  const json& m = st.model;
  const std::string kind = st.segment.kind;
  std::vector<std::string> features;
  if (kind == "kmeans") features = m.value("features", std::vector<std::string>{});
  if (kind == "rfm") features = {"days_since_purchase", "frequency", "monetary"};

  std::vector<std::string> header = {"segment", "members", "share"};
  if (kind == "rfm") header.insert(header.end(), {"days since purchase", "purchases", "spend"});
  Table sizes(header);
  for (const auto& g : st.release.groups) {
    std::vector<std::string> row = {g.name, with_thousands(g.size), share(g.size, released)};
    const json* p = g.merged ? nullptr : profile_of(m, g.labels.front());
    if (kind == "rfm") {
      for (const std::string& f : features) {
        row.push_back(p ? number((*p)["means"].value(f, json()), f) : "-");
      }
    }
    sizes.add_row(std::move(row));
  }
  fmt::print("{}", sizes.render());
  if (st.release.suppressed > 0) {
    fmt::print("({} segment{} with fewer than {} members not shown: k_anonymity)\n",
               st.release.suppressed, st.release.suppressed == 1 ? "" : "s", st.release.k);
  }
  if (kind == "kmeans") {
    std::vector<std::string> centroid_header = {"centroid (original units)"};
    std::vector<const json*> shown;
    for (const auto& g : st.release.groups) {
      if (g.merged) continue;
      centroid_header.push_back(g.name);
      shown.push_back(&m["centroids"][static_cast<std::size_t>(g.labels.front())]);
    }
    Table centroids(centroid_header);
    for (const std::string& f : features) {
      std::vector<std::string> row = {f};
      for (const json* c : shown) row.push_back(number(c->value(f, json()), f));
      centroids.add_row(std::move(row));
    }
    fmt::print("\n{}", centroids.render());
  }
  // RFM segments are defined by their scores, so what to do says more than what differs.
  const bool advice = kind == "rfm" && m.contains("advice");
  bool heading = false;
  for (const auto& g : st.release.groups) {
    const json* p = g.merged ? nullptr : profile_of(m, g.labels.front());
    if (p == nullptr) continue;
    std::vector<std::string> sentences;
    if (advice) {
      sentences.push_back(
          m["advice"][static_cast<std::size_t>(g.labels.front())].get<std::string>());
    } else {
      for (const json& d : (*p)["distinctions"]) sentences.push_back(d.value("sentence", ""));
    }
    if (sentences.empty()) continue;
    if (!heading) {
      fmt::print("\n{}:\n", advice ? "What to do" : "What sets each segment apart from the rest");
    }
    heading = true;
    fmt::print("  {}: {}\n", g.name, fmt::join(sentences, "; "));
  }
}

json state_json(const runs::SegmentState& st) {
  json groups = json::array();
  for (const auto& g : st.release.groups) {
    json entry = {{"name", g.name}, {"members", g.size}, {"merged", g.merged}};
    if (!g.merged) {
      if (const json* p = profile_of(st.model, g.labels.front())) {
        entry["means"] = (*p)["means"];
        entry["distinctions"] = (*p)["distinctions"];
      }
      if (st.model.contains("centroids")) {
        entry["centroid"] = st.model["centroids"][static_cast<std::size_t>(g.labels.front())];
      }
    }
    groups.push_back(entry);
  }
  json j = {{"name", st.segment.name},
            {"purpose", st.segment.purpose},
            {"kind", st.segment.kind},
            {"definition", json::parse(st.segment.definition, nullptr, false)},
            {"created_at", format_timestamp(st.segment.created_at)},
            {"runs", st.runs},
            {"k_anonymity", st.release.k},
            {"suppressed_segments", st.release.suppressed},
            {"segments", groups}};
  if (st.latest) {
    j["latest_run"] = {{"run", st.latest->run_id},
                       {"as_of", format_timestamp(st.latest->as_of)},
                       {"seconds", st.latest->seconds},
                       {"view_rows", st.latest->view_rows},
                       {"audit_seq", st.latest->audit_seq}};
    json model = st.model;
    model.erase("profiles");  // per segment above, after the small-group rule
    model.erase("centroids");
    j["model"] = model;
  }
  return j;
}

runs::RunContext context(const Globals& g, ProgressLine* progress) {
  runs::RunContext ctx{.actor = g.actor, .role = g.role, .now = make_system_clock()->now()};
  ctx.progress = [progress](std::string_view, std::int64_t done, std::int64_t total) {
    progress->update(done, total, done, "steps");
  };
  return ctx;
}

int show(const Globals& g, StoreDir& sd, const std::string& name) {
  auto st = runs::segment_state(sd, name);
  if (!st.ok()) return report_error(st.status());
  if (g.json) {
    fmt::print("{}\n", state_json(*st).dump());
  } else {
    print_state(*st);
  }
  return 0;
}

int create(const Globals& g, const CreateArgs& a) {
  auto d = definition_of(a);
  if (!d.ok()) return report_error(d.status());
  auto sd = g.open_store();
  if (!sd.ok()) return report_error(sd.status());
  return create_segment_and_show(g, *sd, *d);
}

}  // namespace

int create_segment_and_show(const Globals& g, StoreDir& sd, const runs::SegmentDefinition& d) {
  ProgressLine progress(fmt::format("segment {}", d.name), g.quiet);
  auto out = runs::create_segment(sd, d, context(g, &progress));
  progress.finish();
  if (!out.ok()) return report_error(out.status());
  return show(g, sd, d.name);
}

namespace {

int refresh(const Globals& g, const std::string& name, bool all) {
  auto sd = g.open_store();
  if (!sd.ok()) return report_error(sd.status());
  std::vector<std::string> names;
  if (all) {
    auto rows = sd->store->segments();
    if (!rows.ok()) return report_error(rows.status());
    for (const SegmentRow& r : *rows) names.push_back(r.name);
  } else if (!name.empty()) {
    names.push_back(name);
  } else {
    return report_error(invalid_argument("name a segment, or give --all"));
  }
  for (const std::string& n : names) {
    ProgressLine progress(fmt::format("segment {}", n), g.quiet);
    auto out = runs::refresh_segment(*sd, n, context(g, &progress));
    progress.finish();
    if (!out.ok()) return report_error(out.status());
    if (int rc = show(g, *sd, n); rc != 0) return rc;
    if (!g.json && n != names.back()) fmt::print("\n");
  }
  return 0;
}

int list(const Globals& g) {
  auto sd = g.open_store();
  if (!sd.ok()) return report_error(sd.status());
  auto states = runs::segment_states(*sd);
  if (!states.ok()) return report_error(states.status());
  if (g.json) {
    json j = json::array();
    for (const auto& st : *states) j.push_back(state_json(st));
    fmt::print("{}\n", j.dump());
    return 0;
  }
  if (states->empty()) {
    fmt::print(
        "No segments yet: consentric segment create NAME --purpose P --rule|--rfm|--kmeans\n");
    return 0;
  }
  Table t({"segment", "kind", "purpose", "runs", "last run", "view", "segments shown", "members"});
  for (const auto& st : *states) {
    std::int64_t members = 0;
    for (const auto& grp : st.release.groups) members += grp.size;
    t.add_row({st.segment.name, st.segment.kind, st.segment.purpose, std::to_string(st.runs),
               st.latest ? format_timestamp(st.latest->started_at) : "-",
               st.latest ? with_thousands(st.latest->view_rows) : "-",
               std::to_string(st.release.groups.size()), with_thousands(members)});
  }
  fmt::print("{}", t.render());
  return 0;
}

int members(const Globals& g, const std::string& name, const std::string& group,
            std::int64_t limit) {
  auto sd = g.open_store();
  if (!sd.ok()) return report_error(sd.status());
  auto st = runs::segment_state(*sd, name);
  if (!st.ok()) return report_error(st.status());
  std::vector<runs::Member> rows;
  std::int64_t total = 0;
  Status s = runs::for_each_member(*sd, *st, [&](const runs::Member& m) {
    if (!group.empty() && m.group != group) return;
    ++total;
    if (limit <= 0 || static_cast<std::int64_t>(rows.size()) < limit) rows.push_back(m);
  });
  if (!s.ok()) return report_error(s);
  if (g.json) {
    json j = json::array();
    for (const auto& m : rows) {
      json e = {{"subject", m.pseudonym}, {"segment", m.group}};
      if (m.distance) e["distance"] = *m.distance;
      if (m.rfm) e["rfm"] = std::to_string(*m.rfm);
      j.push_back(e);
    }
    fmt::print("{}\n", json{{"segment", name}, {"members", total}, {"shown", j}}.dump());
    return 0;
  }
  Table t({"subject (pseudonym)", "segment", st->segment.kind == "rfm" ? "RFM" : "distance"});
  for (const auto& m : rows) {
    t.add_row({m.pseudonym, m.group,
               m.distance ? fmt::format("{:.3f}", *m.distance)
                          : (m.rfm ? std::to_string(*m.rfm) : std::string("-"))});
  }
  fmt::print("{}", t.render());
  if (total > static_cast<std::int64_t>(rows.size())) {
    fmt::print("({} of {} members shown; --limit 0 shows all, segment export writes them)\n",
               with_thousands(static_cast<std::int64_t>(rows.size())), with_thousands(total));
  }
  return 0;
}

int export_members(const Globals& g, const std::string& name, const std::string& out,
                   bool contact) {
  auto sd = g.open_store();
  if (!sd.ok()) return report_error(sd.status());
  if (contact) {
    if (Status s = require_action(*sd, g, "segment export --contact", "pii.read"); !s.ok()) {
      return report_error(s);
    }
  }
  auto st = runs::segment_state(*sd, name);
  if (!st.ok()) return report_error(st.status());
  runs::RunContext ctx{.actor = g.actor, .role = g.role, .now = make_system_clock()->now()};
  auto r = runs::export_segment(*sd, *st, out, contact, ctx);
  if (!r.ok()) return report_error(r.status());
  if (g.json) {
    fmt::print(
        "{}\n",
        json{{"file", out}, {"rows", r->rows}, {"columns", r->columns}, {"hash", r->hash}}.dump());
  } else {
    fmt::print("{} members of segment {} written to {} ({}); recorded as segment.export\n",
               with_thousands(r->rows), name, out, fmt::join(r->columns, ", "));
  }
  return 0;
}

}  // namespace

void add_segment_commands(CLI::App& app, Globals& g) {
  auto* seg = app.add_subcommand(
      "segment", "Segments of the people a purpose may process: rules, RFM, k-means");
  seg->require_subcommand(1);

  auto a = std::make_shared<CreateArgs>();
  auto* create_cmd = seg->add_subcommand("create", "Define a segment and run it");
  create_cmd->add_option("name", a->name, "Segment name ([a-z][a-z0-9_-]*)")->required();
  create_cmd->add_option("--purpose", a->purpose, "The purpose it reads under")->required();
  create_cmd->add_option("--rule", a->rule, "A rule expression (docs/rules.md)");
  create_cmd->add_flag("--rfm", a->rfm, "Recency, frequency and monetary quintile segments");
  create_cmd->add_flag("--kmeans", a->kmeans, "k-means clusters of behavioural features");
  create_cmd->add_option("--k", a->k, "Number of clusters (default: best silhouette in --k-range)");
  create_cmd->add_option("--k-range", a->k_range, "k tried when --k is not given (default 2-8)");
  create_cmd->add_option("--features", a->features,
                         "Comma-separated numeric columns (default: behavioural features)");
  create_cmd->add_option("--scaling", a->scaling, "zscore (default), robust or none");
  create_cmd->add_option("--seed", a->seed, "Seed for k-means++ (default 1)");
  create_cmd->add_flag("--log", a->log,
                       "log(1 + x) of every feature before scaling, for skewed spend and counts");
  create_cmd->add_option("--n-init", a->n_init,
                         "k-means++ starts; the lowest inertia wins (default 4)");
  create_cmd->add_option("--recency-cuts", a->recency_cuts, "Four day counts (default: quintiles)");
  create_cmd->add_option("--frequency-cuts", a->frequency_cuts, "Four purchase counts");
  create_cmd->add_option("--monetary-cuts", a->monetary_cuts, "Four spend amounts");
  create_cmd->callback([&g, a] { g.run = [&g, a] { return create(g, *a); }; });

  seg->add_subcommand("list", "Every segment with its latest run")->callback([&g] {
    g.run = [&g] { return list(g); };
  });

  auto name = std::make_shared<std::string>();
  auto* show_cmd = seg->add_subcommand("show", "Sizes and profiles of a segment's latest run");
  show_cmd->add_option("name", *name, "Segment name")->required();
  show_cmd->callback([&g, name] {
    g.run = [&g, name] {
      auto sd = g.open_store();
      if (!sd.ok()) return report_error(sd.status());
      return show(g, *sd, *name);
    };
  });

  auto group = std::make_shared<std::string>();
  auto limit = std::make_shared<std::int64_t>(20);
  auto* members_cmd = seg->add_subcommand("members", "Members (pseudonymous ids) of a segment");
  members_cmd->add_option("name", *name, "Segment name")->required();
  members_cmd->add_option("--segment", *group, "Only this segment of the run, by name");
  members_cmd->add_option("--limit", *limit, "At most this many (default 20; 0: all)");
  members_cmd->callback([&g, name, group, limit] {
    g.run = [&g, name, group, limit] { return members(g, *name, *group, *limit); };
  });

  auto out = std::make_shared<std::string>();
  auto contact = std::make_shared<bool>(false);
  auto* export_cmd = seg->add_subcommand("export", "Write a segment's members as CSV (audited)");
  export_cmd->add_option("name", *name, "Segment name")->required();
  export_cmd->add_option("--out", *out, "CSV file to write")->required();
  export_cmd->add_flag("--contact", *contact,
                       "Add the contact fields the purpose declares (needs pii.read)");
  export_cmd->callback([&g, name, out, contact] {
    g.run = [&g, name, out, contact] { return export_members(g, *name, *out, *contact); };
  });

  auto all = std::make_shared<bool>(false);
  auto* refresh_cmd = seg->add_subcommand("refresh", "Run a segment again on today's data");
  refresh_cmd->add_option("name", *name, "Segment name");
  refresh_cmd->add_flag("--all", *all, "Every segment");
  refresh_cmd->callback(
      [&g, name, all] { g.run = [&g, name, all] { return refresh(g, *name, *all); }; });
}

}  // namespace consentric::cli
