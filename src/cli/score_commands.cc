// consentric score train | list | show | activate | run | explain | review | retrain
// (score points: points_commands.cc)
// (docs/algorithms/lead-scoring-models.md; issue 8)

#include <filesystem>
#include <fstream>
#include <memory>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/output.h"
#include "core/text.h"
#include "scoring/lead_scoring.h"

namespace consentric::cli {
namespace {

using nlohmann::json;

scoring::ScoringContext context(const Globals& g) {
  return {.actor = g.actor, .now = make_system_clock()->now()};
}

// The card as it may leave (DESIGN.md invariant 5): every count of people through the
// small-group rule, and a calibration bin of fewer than k people without its rates.
json released_card(json card, int k) {
  const auto release = [k](json& obj, const char* key) {
    if (obj.contains(key) && obj[key].is_number()) {
      obj[key] = released_count(obj[key].get<std::int64_t>(), k);
    }
  };
  for (const char* key : {"in_view", "labelled", "train", "validation"}) {
    release(card["subjects"], key);
  }
  for (const char* key : {"rows", "erased", "not_in_view"}) release(card["labels"], key);
  release(card["metrics"]["top_decile"], "rows");
  for (json& bin : card["metrics"]["calibration"]) {
    if (bin.value("count", std::int64_t{0}) < k) {
      bin["mean_predicted"] = nullptr;
      bin["observed_rate"] = nullptr;
    }
    release(bin, "count");
  }
  return card;
}

json parse_card(const ScoreModelRow& m) {
  json card = json::parse(m.card, nullptr, false);
  if (!card.is_object()) card = json::object();
  card["model"]["id"] = m.model_id;
  return card;
}

void print_card(const Globals& g, const StoreDir& sd, const ScoreModelRow& m) {
  const int k = sd.config.k_anonymity;
  json card = parse_card(m);
  if (g.json) {
    json out = released_card(std::move(card), k);
    out["active"] = m.active;
    out["stale"] = m.stale;
    if (m.stale) out["stale_reason"] = m.stale_reason;
    fmt::print("{}\n", out.dump());
    return;
  }
  fmt::print("{}",
             scoring::card_markdown(card, k, [k](std::int64_t n) { return people_count(n, k); }));
  fmt::print("\nModel {}: {}{}\n", m.model_id, m.active ? "active" : "not active",
             m.stale ? fmt::format(", STALE ({}): score retrain --stale", m.stale_reason) : "");
}

struct TrainArgs {
  std::string purpose, kind = "lr", labels, label_column = "converted", id_column, features;
  std::string split = "random";
  double validation = 0.25;
  std::uint64_t seed = 1;
  int review_days = 180;
  bool activate = false;
};

int train(const Globals& g, const TrainArgs& a) {
  auto kind = scoring::parse_model_kind(a.kind);
  if (!kind.ok()) return report_error(kind.status());
  auto split = scoring::parse_split(a.split);
  if (!split.ok()) return report_error(split.status());
  auto sd = g.open_store();
  if (!sd.ok()) return report_error(sd.status());
  ProgressLine progress("training", g.quiet || g.json);
  auto t = scoring::train(
      *sd,
      {.purpose = a.purpose,
       .kind = *kind,
       .labels = {.file = a.labels, .label_column = a.label_column, .id_column = a.id_column},
       .features = split_commas(a.features),
       .validation_share = a.validation,
       .split = *split,
       .seed = a.seed,
       .review_days = a.review_days,
       .activate = a.activate},
      context(g));
  progress.finish();
  if (!t.ok()) return report_error(t.status());
  print_card(g, *sd, t->model);
  return 0;
}

int list(const Globals& g, const std::string& purpose) {
  auto sd = g.open_store();
  if (!sd.ok()) return report_error(sd.status());
  auto rows = scoring::models(*sd, purpose);
  if (!rows.ok()) return report_error(rows.status());
  const auto auc_of = [](const ScoreModelRow& m) -> json {
    const json card = json::parse(m.card, nullptr, false);
    if (!card.is_object() || !card.contains("metrics")) return nullptr;
    return card["metrics"].value("auc", json());
  };
  if (g.json) {
    json out = json::array();
    for (const auto& m : *rows) {
      out.push_back({{"id", m.model_id},
                     {"purpose", m.purpose},
                     {"kind", m.kind},
                     {"version", m.version},
                     {"active", m.active},
                     {"stale", m.stale},
                     {"stale_reason", m.stale_reason},
                     {"auc", auc_of(m)},
                     {"trained_at", format_timestamp(m.created_at)},
                     {"review_due", format_date(m.review_due)}});
    }
    fmt::print("{}\n", out.dump());
    return 0;
  }
  if (rows->empty()) {
    fmt::print("No models yet: consentric score train --purpose P --labels FILE\n");
    return 0;
  }
  Table t({"id", "purpose", "kind", "version", "active", "stale", "AUC", "trained", "review due"});
  for (const auto& m : *rows) {
    const json auc = auc_of(m);
    t.add_row({std::to_string(m.model_id), m.purpose, m.kind, std::to_string(m.version),
               m.active ? "yes" : "", m.stale ? "STALE" : "",
               auc.is_number() ? fmt::format("{:.4f}", auc.get<double>()) : "-",
               format_date(m.created_at), format_date(m.review_due)});
  }
  fmt::print("{}", t.render());
  return 0;
}

// Writes the card as it may leave: FILE.json as JSON, any other name as Markdown.
Status write_card(const StoreDir& sd, const ScoreModelRow& m, const std::string& out) {
  const int k = sd.config.k_anonymity;
  const json card = parse_card(m);
  const std::string text =
      std::filesystem::path(out).extension() == ".json"
          ? released_card(card, k).dump(2) + "\n"
          : scoring::card_markdown(card, k, [k](std::int64_t n) { return people_count(n, k); });
  std::ofstream f(out, std::ios::binary | std::ios::trunc);
  f << text;
  if (!f.flush()) return failed_precondition(fmt::format("cannot write {}", out));
  return Status();
}

int show(const Globals& g, std::int64_t id, const std::string& out) {
  auto sd = g.open_store();
  if (!sd.ok()) return report_error(sd.status());
  auto m = scoring::model(*sd, id);
  if (!m.ok()) return report_error(m.status());
  if (!out.empty()) {
    if (Status s = write_card(*sd, *m, out); !s.ok()) return report_error(s);
    if (!g.json) fmt::print("The card of model {} is in {}\n", id, out);
    return 0;
  }
  print_card(g, *sd, *m);
  return 0;
}

int activate(const Globals& g, std::int64_t id) {
  auto sd = g.open_store();
  if (!sd.ok()) return report_error(sd.status());
  Status s = scoring::activate(*sd, id, context(g));
  if (!s.ok()) return report_error(s);
  auto m = scoring::model(*sd, id);
  if (!m.ok()) return report_error(m.status());
  if (g.json) {
    fmt::print("{}\n", json{{"id", id}, {"purpose", m->purpose}, {"active", true}}.dump());
  } else {
    fmt::print(
        "Model {} ({} v{}) is now the active model of {}; score run --purpose {} scores "
        "with it\n",
        id, m->kind, m->version, m->purpose, m->purpose);
  }
  return 0;
}

}  // namespace

int run_scores(const Globals& g, const std::string& purpose, std::int64_t top) {
  auto sd = g.open_store();
  if (!sd.ok()) return report_error(sd.status());
  auto r = scoring::run(*sd, purpose, context(g));
  if (!r.ok()) return report_error(r.status());
  const int k = sd->config.k_anonymity;
  // The highest scores under pseudonyms, with what raised them.
  json leads = json::array();
  Table t({"subject (pseudonym)", "score", "why"});
  std::int64_t seen = 0;
  Status s = sd->store->scan_scores(
      r->model.model_id, [&](const ScoreRow& row, std::string_view pseudonym) {
        if (seen++ >= top) return;
        auto e = scoring::parse_explanation(row);
        std::vector<std::string> why;
        if (e.ok()) {
          for (const auto& c : e->top) {
            if (why.size() < 3) why.push_back(c.text);
          }
        }
        leads.push_back({{"subject", pseudonym}, {"score", row.score}, {"why", why}});
        t.add_row({std::string(pseudonym), fmt::format("{:.3f}", row.score),
                   fmt::format("{}", fmt::join(why, "; "))});
      });
  if (!s.ok()) return report_error(s);
  if (g.json) {
    fmt::print("{}\n", json{{"purpose", purpose},
                            {"model", r->model.model_id},
                            {"scored", released_count(r->scored, k)},
                            {"review_overdue", r->review_overdue},
                            {"top", leads}}
                           .dump());
    return 0;
  }
  fmt::print("Scored {} people {} may process with model {} ({} v{}); recorded as score.run\n",
             people_count(r->scored, k), purpose, r->model.model_id, r->model.kind,
             r->model.version);
  if (r->review_overdue) {
    fmt::print("The model's review was due {}: review its card (score show {})\n",
               format_date(r->model.review_due), r->model.model_id);
  }
  if (r->queued_for_review > 0) {
    fmt::print(
        "{} scores beyond the purpose's score_review thresholds wait for a person: score "
        "review list --purpose {}\n",
        people_count(r->queued_for_review, k), purpose);
  }
  if (top > 0 && !leads.empty()) fmt::print("\n{}", t.render());
  return 0;
}

namespace {

int review_list(const Globals& g, const std::string& purpose, const std::string& status) {
  auto sd = g.open_store();
  if (!sd.ok()) return report_error(sd.status());
  auto rows = scoring::reviews(*sd, purpose, status);
  if (!rows.ok()) return report_error(rows.status());
  if (g.json) {
    json out = json::array();
    for (const auto& v : *rows) {
      out.push_back({{"id", v.review_id},
                     {"subject", v.pseudonym},
                     {"purpose", v.purpose},
                     {"model", v.model_id},
                     {"score", v.score},
                     {"direction", v.direction},
                     {"queued_at", format_timestamp(v.queued_at)},
                     {"status", v.status},
                     {"decided_by", v.decided_by}});
    }
    fmt::print("{}\n", out.dump());
    return 0;
  }
  if (rows->empty()) {
    fmt::print("No reviews{}\n", status.empty() ? "" : " " + status);
    return 0;
  }
  Table t(
      {"id", "subject (pseudonym)", "purpose", "model", "score", "threshold", "queued", "status"});
  for (const auto& v : *rows) {
    t.add_row({std::to_string(v.review_id), v.pseudonym, v.purpose, std::to_string(v.model_id),
               fmt::format("{:.3f}", v.score), v.direction, format_date(v.queued_at), v.status});
  }
  fmt::print("{}", t.render());
  return 0;
}

int review_decide(const Globals& g, std::int64_t id, bool confirm, bool override_,
                  const std::string& note) {
  if (confirm == override_) {
    return report_error(invalid_argument("give exactly one of --confirm and --override"));
  }
  auto sd = g.open_store();
  if (!sd.ok()) return report_error(sd.status());
  auto d = scoring::decide_review(*sd, id, confirm, note, context(g));
  if (!d.ok()) return report_error(d.status());
  if (g.json) {
    fmt::print("{}\n", json{{"id", id}, {"subject", d->pseudonym}, {"status", d->status}}.dump());
  } else {
    fmt::print("Review {} of {}: {}; recorded as score.review\n", id, d->pseudonym, d->status);
  }
  return 0;
}

int explain(const Globals& g, const std::string& purpose, const std::string& identifier) {
  auto sd = g.open_store();
  if (!sd.ok()) return report_error(sd.status());
  auto e = scoring::explain(*sd, purpose, identifier);
  if (!e.ok()) return report_error(e.status());
  if (g.json) {
    json top = json::array();
    for (const auto& c : e->top) {
      top.push_back({{"feature", c.feature}, {"value", c.value}, {"text", c.text}});
    }
    fmt::print("{}\n", json{{"subject", e->pseudonym},
                            {"purpose", purpose},
                            {"model", e->model.model_id},
                            {"score", e->score},
                            {"margin", e->margin},
                            {"bias", e->bias},
                            {"top", top},
                            {"rest", e->rest}}
                           .dump());
    return 0;
  }
  fmt::print("{} for {}: score {:.3f} (model {}, {} v{})\n", e->pseudonym, purpose, e->score,
             e->model.model_id, e->model.kind, e->model.version);
  fmt::print("  starting point (the model's base log-odds): {:+.2f}\n", e->bias);
  for (const auto& c : e->top) fmt::print("  {}\n", c.text);
  fmt::print("  everything else together: {:+.2f}\n", e->rest);
  fmt::print("  = log-odds {:+.2f}, probability {:.3f}\n", e->margin, e->score);
  return 0;
}

int retrain(const Globals& g, const std::string& purpose, const scoring::LabelSource& labels,
            bool stale) {
  if (!stale) {
    return report_error(invalid_argument(
        "give --stale: retrain rebuilds the active models a withdrawal, objection or erasure "
        "made stale (score train makes a new model otherwise)"));
  }
  auto sd = g.open_store();
  if (!sd.ok()) return report_error(sd.status());
  auto done = scoring::retrain_stale(*sd, purpose, labels, context(g));
  if (!done.ok()) return report_error(done.status());
  if (g.json) {
    json out = json::array();
    for (const auto& t : *done) {
      json card = released_card(t.card, sd->config.k_anonymity);
      card["model"]["id"] = t.model.model_id;
      out.push_back(card);
    }
    fmt::print("{}\n", out.dump());
    return 0;
  }
  if (done->empty()) {
    fmt::print("No active model is stale{}\n", purpose.empty() ? "" : " for " + purpose);
    return 0;
  }
  for (const auto& t : *done) {
    fmt::print(
        "Retrained model {} as {} ({} v{}), now active, without the people it may no "
        "longer process\n\n",
        t.card.value("retrained_from", std::int64_t{0}), t.model.model_id, t.model.kind,
        t.model.version);
    print_card(g, *sd, t.model);
  }
  return 0;
}

}  // namespace

void add_score_commands(CLI::App& app, Globals& g) {
  auto* score = app.add_subcommand(
      "score", "Lead scoring: train, explain and keep models of the people a purpose may process");
  score->require_subcommand(1);

  auto a = std::make_shared<TrainArgs>();
  auto* train_cmd = score->add_subcommand("train", "Train a model and print its card");
  train_cmd->add_option("--purpose", a->purpose, "The purpose it reads under")->required();
  train_cmd->add_option("--kind", a->kind, "lr (logistic regression, default) or trees");
  train_cmd
      ->add_option("--labels", a->labels,
                   "CSV of outcomes keyed by an identifier field (e.g. outcomes.csv)")
      ->required();
  train_cmd->add_option("--label-column", a->label_column, "The 0/1 column (default converted)");
  train_cmd->add_option("--id-column", a->id_column,
                        "The identifier column (default: the first declared identifier field)");
  train_cmd->add_option("--features", a->features,
                        "Comma-separated view columns (default: all the purpose gives)");
  train_cmd->add_option("--validation", a->validation, "Share held out (default 0.25)");
  train_cmd->add_option("--split", a->split,
                        "random (default) or time (the most recently seen are held out)");
  train_cmd->add_option("--seed", a->seed, "Seed of the random split (default 1)");
  train_cmd->add_option("--review-days", a->review_days,
                        "Days until the model's review falls due (default 180)");
  train_cmd->add_flag("--activate", a->activate, "Make it the purpose's active model");
  train_cmd->callback([&g, a] { g.run = [&g, a] { return train(g, *a); }; });

  auto purpose = std::make_shared<std::string>();
  auto* list_cmd = score->add_subcommand("list", "Every model: version, active, stale, AUC");
  list_cmd->add_option("--purpose", *purpose, "Only this purpose's");
  list_cmd->callback([&g, purpose] { g.run = [&g, purpose] { return list(g, *purpose); }; });

  auto id = std::make_shared<std::int64_t>(0);
  auto card_out = std::make_shared<std::string>();
  auto* show_cmd = score->add_subcommand("show", "A model's card");
  show_cmd->add_option("id", *id, "Model id (score list)")->required();
  show_cmd->add_option("--out", *card_out, "Write the card to FILE (.json: JSON; else Markdown)");
  show_cmd->callback(
      [&g, id, card_out] { g.run = [&g, id, card_out] { return show(g, *id, *card_out); }; });

  auto* activate_cmd = score->add_subcommand("activate", "Make a model its purpose's active one");
  activate_cmd->add_option("id", *id, "Model id (score list)")->required();
  activate_cmd->callback([&g, id] { g.run = [&g, id] { return activate(g, *id); }; });

  auto top = std::make_shared<std::int64_t>(5);
  auto* run_cmd =
      score->add_subcommand("run", "Score everyone the purpose may process with its active model");
  run_cmd->add_option("--purpose", *purpose, "The purpose")->required();
  run_cmd->add_option("--top", *top, "Show this many highest scores (default 5)");
  run_cmd->callback(
      [&g, purpose, top] { g.run = [&g, purpose, top] { return run_scores(g, *purpose, *top); }; });

  auto identifier = std::make_shared<std::string>();
  auto* explain_cmd = score->add_subcommand("explain", "One person's score in plain words");
  explain_cmd->add_option("--purpose", *purpose, "The purpose")->required();
  explain_cmd->add_option("identifier", *identifier, "email=... or customer_id=...")->required();
  explain_cmd->callback([&g, purpose, identifier] {
    g.run = [&g, purpose, identifier] { return explain(g, *purpose, *identifier); };
  });

  auto* review = score->add_subcommand(
      "review", "Human review of scores beyond a purpose's score_review thresholds (Art. 22)");
  review->require_subcommand(1);
  auto status = std::make_shared<std::string>("open");
  auto* review_list_cmd = review->add_subcommand("list", "Reviews, open ones by default");
  review_list_cmd->add_option("--purpose", *purpose, "Only this purpose's");
  review_list_cmd->add_option("--status", *status, "open (default), confirmed, overridden or all");
  review_list_cmd->callback([&g, purpose, status] {
    g.run = [&g, purpose, status] {
      return review_list(g, *purpose, *status == "all" ? std::string() : *status);
    };
  });
  auto confirm = std::make_shared<bool>(false);
  auto override_ = std::make_shared<bool>(false);
  auto note = std::make_shared<std::string>();
  auto* decide_cmd = review->add_subcommand("decide", "Record a reviewer's decision on one score");
  decide_cmd->add_option("id", *id, "Review id (score review list)")->required();
  decide_cmd->add_flag("--confirm", *confirm, "The automated outcome stands");
  decide_cmd->add_flag("--override", *override_, "The reviewer decides otherwise");
  decide_cmd->add_option("--note", *note, "Why (kept with the review, not in the audit chain)");
  decide_cmd->callback([&g, id, confirm, override_, note] {
    g.run = [&g, id, confirm, override_, note] {
      return review_decide(g, *id, *confirm, *override_, *note);
    };
  });

  auto labels = std::make_shared<scoring::LabelSource>();
  auto label_file = std::make_shared<std::string>();
  auto stale = std::make_shared<bool>(false);
  auto* retrain_cmd =
      score->add_subcommand("retrain", "Retrain the stale active models without those who left");
  retrain_cmd->add_flag("--stale", *stale, "Every active model marked stale");
  retrain_cmd->add_option("--purpose", *purpose, "Only this purpose's");
  retrain_cmd->add_option("--labels", *label_file, "CSV of outcomes, as for train")->required();
  retrain_cmd->add_option("--label-column", labels->label_column,
                          "The 0/1 column (default: the one the model was trained with)");
  retrain_cmd->add_option("--id-column", labels->id_column, "The identifier column");
  retrain_cmd->callback([&g, purpose, labels, label_file, stale] {
    g.run = [&g, purpose, labels, label_file, stale] {
      scoring::LabelSource src = *labels;
      src.file = *label_file;
      return retrain(g, *purpose, src, *stale);
    };
  });
  add_points_commands(score, g);
}

}  // namespace consentric::cli
