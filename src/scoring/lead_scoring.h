#pragma once

// Lead scoring as a product feature (issue 8; docs/algorithms/lead-scoring-models.md): train a
// model for a purpose on the view the gate gives for it and on outcome labels, keep it in the
// model registry with its card and the exact set of subjects it learned from, score every
// subject the purpose may process with the active model, and explain each score in plain words.
// A use case like runs/segment_runs.h: the analytics (score/) never sees the store; this module
// reads through gate::build_view, audits each step, and writes in one transaction.
//
// Lineage (DESIGN.md invariant 4 and "Analytics"): a withdrawal, refusal, restriction,
// objection or erasure of a training subject marks the model stale
// (consent::forget_unlawful_memberships, rights erasure); a stale model scores nobody until it
// is retrained, and retraining reads a fresh view, which no longer holds them.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "store/store_dir.h"

namespace consentric::scoring {

struct ScoringContext {
  std::string actor = "local-operator";
  UnixSeconds now = 0;
  int threads = 2;
};

enum class ModelKind { kLogistic, kTrees };
std::string_view to_string(ModelKind k);  // "lr", "trees"
// InvalidArgument naming the value unless "lr" or "trees".
Result<ModelKind> parse_model_kind(std::string_view text);

// How the labelled people are split into training and validation shares.
enum class Split {
  kRandom,  // at random with the seed
  kTime,    // the people first seen most recently (lowest tenure_days) are held out
};
std::string_view to_string(Split s);  // "random", "time"
Result<Split> parse_split(std::string_view text);

// Where the outcome comes from: a CSV file with a header, one row per person, keyed by one of
// the declaration's identifier fields (looked up through the blind index, never stored), with a
// 0/1 column (also true/false, yes/no). The generated data's outcomes.csv is such a file
// (customer_id, converted).
struct LabelSource {
  std::filesystem::path file;
  std::string label_column;
  std::string id_column;  // empty: the first header column that is a declared identifier field
};

struct TrainRequest {
  std::string purpose;
  ModelKind kind = ModelKind::kLogistic;
  LabelSource labels;
  // View columns to learn from; empty: every column the gate gives the purpose (no pii).
  std::vector<std::string> features;
  double validation_share = 0.25;  // held out, in (0, 0.9]
  Split split = Split::kRandom;
  std::uint64_t seed = 1;  // of a random split
  int review_days = 180;   // the card's review falls due this many days after training
  // Make it the purpose's active model; a purpose without an active model, or whose active model
  // is stale, gets it anyway.
  bool activate = false;
};

struct LabelCounts {
  std::int64_t rows = 0;         // data rows in the file
  std::int64_t matched = 0;      // rows whose person is in the view
  std::int64_t not_in_view = 0;  // a known person the purpose may not process, or unknown
  std::int64_t erased = 0;       // the identifier is on the suppression list
};

struct TrainOutcome {
  ScoreModelRow model;
  nlohmann::json card;
  LabelCounts labels;
  bool activated = false;
};

// Trains, evaluates on the held-out share and records the model (audited as score.train, after
// the gate.view entry of its read). InvalidArgument naming the field for a special-category
// feature, an unknown column or label value (file:line); FailedPrecondition when fewer than
// k labelled people of either class (positives, negatives), or of the train or validation
// share, remain.
Result<TrainOutcome> train(StoreDir& sd, const TrainRequest& request, const ScoringContext& ctx);

// Registry.
Result<std::vector<ScoreModelRow>> models(StoreDir& sd, std::string_view purpose);
// NotFound naming the id.
Result<ScoreModelRow> model(StoreDir& sd, std::int64_t model_id);
// Makes the model its purpose's active one (audited as score.activate). FailedPrecondition for
// a stale model.
Status activate(StoreDir& sd, std::int64_t model_id, const ScoringContext& ctx);

struct RunOutcome {
  ScoreModelRow model;
  std::int64_t scored = 0;  // every subject of the view
  bool review_overdue = false;
  std::int64_t queued_for_review = 0;  // newly queued (automated_decision purposes)
};
// Scores every subject the purpose may process now with its active model and replaces the
// purpose's stored scores (audited as score.run, with the gate.view of the read). For a purpose
// with automated_decision and score_review thresholds, each score at or above `above` or at or
// below `below` is queued for human review in the same transaction (GDPR Art. 22(3)).
// NotFound when the purpose has no active model; FailedPrecondition when it is stale.
Result<RunOutcome> run(StoreDir& sd, std::string_view purpose, const ScoringContext& ctx);

struct Contribution {
  std::string feature;  // the model input
  double value = 0;     // to the margin
  std::string text;     // "count.email_open 12: +0.80"
};
struct Explanation {
  ScoreModelRow model;
  std::string pseudonym;
  double score = 0;   // the probability
  double margin = 0;  // log-odds
  double bias = 0;    // LR: the intercept; trees: the SHAP base value
  std::vector<Contribution> top;
  double rest = 0;  // the other inputs' contributions, summed: bias + top + rest = margin
};
// The stored score of the person an identifier names for the purpose's active model.
// NotFound when they have none (not scored, or no longer processable for the purpose).
Result<Explanation> explain(StoreDir& sd, std::string_view purpose, std::string_view identifier);
// The explanation stored with a score, parsed.
Result<Explanation> parse_explanation(const ScoreRow& row);

// Human review (GDPR Art. 22(3)): the queue, and a reviewer's decision on one score —
// confirmed (the automated outcome stands) or overridden — audited as score.review.
Result<std::vector<ScoreReviewRow>> reviews(StoreDir& sd, std::string_view purpose,
                                            std::string_view status);
// NotFound for no such review; FailedPrecondition when it was decided already.
Result<ScoreReviewRow> decide_review(StoreDir& sd, std::int64_t review_id, bool confirm,
                                     std::string_view note, const ScoringContext& ctx);

// Retrains, with the stored training settings and `labels`, each purpose whose active model
// is stale (or only `purpose` when not empty); each new model becomes active.
Result<std::vector<TrainOutcome>> retrain_stale(StoreDir& sd, std::string_view purpose,
                                                const LabelSource& labels,
                                                const ScoringContext& ctx);

// The model card as Markdown. `people` renders a count of people for output (the CLI passes
// its small-group rule, which shows 1..k-1 as "< k"); a calibration bin of fewer than k people
// shows no rates either, which would tell their outcomes.
std::string card_markdown(const nlohmann::json& card, int k,
                          const std::function<std::string(std::int64_t)>& people);

}  // namespace consentric::scoring
