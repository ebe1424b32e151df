#include "cli/output_policy.h"

#include <array>

namespace consentric::cli {
namespace {

using K = OutputKind;

constexpr std::array kOutputs = {
    CommandOutput{"init", K::kOperatorRecord, "the store it made"},
    CommandOutput{"status", K::kAggregates, "small-group rule on every count"},
    CommandOutput{"audit verify", K::kOperatorRecord, "the chain's state"},
    CommandOutput{"audit checkpoint", K::kOperatorRecord, "a signed tree head"},
    CommandOutput{"audit key", K::kOperatorRecord, "the verifier key"},
    CommandOutput{"audit prove", K::kOperatorRecord, "one entry's proof"},
    CommandOutput{"audit check-proof", K::kOperatorRecord, "a proof checked"},
    CommandOutput{"audit log", K::kOperatorRecord, "entries under pseudonyms"},
    CommandOutput{"consent grant", K::kOnePerson, "the decision recorded"},
    CommandOutput{"consent withdraw", K::kOnePerson, "the decision recorded"},
    CommandOutput{"consent gpc", K::kOnePerson, "the signal recorded"},
    CommandOutput{"consent tcf decode", K::kNoPersonalData, "the string's own fields"},
    CommandOutput{"consent tcf record", K::kOnePerson, "the decisions recorded"},
    CommandOutput{"consent import", K::kOperatorRecord, "the file's import report"},
    CommandOutput{"consent show", K::kOnePerson, "one person's gates"},
    CommandOutput{"consent history", K::kOnePerson, "one person's ledger"},
    CommandOutput{"consent proof", K::kOnePerson, "one person's proof"},
    CommandOutput{"gate counts", K::kAggregates, "small-group rule on every count"},
    CommandOutput{"gate view", K::kAggregates,
                  "small-group rule on counts and means; rows under pseudonyms, audited"},
    CommandOutput{"segment create", K::kAggregates, "small-group rule on sizes and profiles"},
    CommandOutput{"segment list", K::kAggregates, "small-group rule on sizes"},
    CommandOutput{"segment show", K::kAggregates, "small-group rule on sizes and profiles"},
    CommandOutput{"segment members", K::kPseudonymousRows, "members of released groups only"},
    CommandOutput{"segment export", K::kPseudonymousRows,
                  "members of released groups only; a disclosure"},
    CommandOutput{"segment refresh", K::kAggregates, "small-group rule on sizes and profiles"},
    CommandOutput{"score train", K::kAggregates, "small-group rule on the card's counts and bins"},
    CommandOutput{"score list", K::kOperatorRecord, "the model registry"},
    CommandOutput{"score show", K::kAggregates, "small-group rule on the card's counts and bins"},
    CommandOutput{"score activate", K::kOperatorRecord, "one model"},
    CommandOutput{"score run", K::kPseudonymousRows,
                  "the top scores under pseudonyms; small-group rule on the count"},
    CommandOutput{"score explain", K::kOnePerson, "one person's score"},
    CommandOutput{"score retrain", K::kAggregates,
                  "small-group rule on the card's counts and bins"},
    CommandOutput{"score review list", K::kPseudonymousRows,
                  "queued scores under pseudonyms, for the reviewers"},
    CommandOutput{"score review decide", K::kOnePerson, "one person's review"},
    CommandOutput{"dsar open", K::kOnePerson, "one request"},
    CommandOutput{"dsar list", K::kOperatorRecord, "the register, request by request"},
    CommandOutput{"dsar show", K::kOperatorRecord, "one request"},
    CommandOutput{"dsar extend", K::kOperatorRecord, "one request"},
    CommandOutput{"dsar close", K::kOperatorRecord, "one request"},
    CommandOutput{"dsar export", K::kOperatorRecord, "the register, request by request"},
    CommandOutput{"dsar restrict", K::kOnePerson, "one person's limit"},
    CommandOutput{"dsar object", K::kOnePerson, "one person's limit"},
    CommandOutput{"dsar rectify", K::kOnePerson, "one person's values"},
    CommandOutput{"dsar access", K::kOnePerson, "one person's report"},
    CommandOutput{"dsar portability", K::kOnePerson, "one person's copy"},
    CommandOutput{"dsar erase", K::kOnePerson, "one person's receipt"},
    CommandOutput{"receipt verify", K::kOperatorRecord, "a receipt checked"},
    CommandOutput{"backup", K::kOperatorRecord, "the file written"},
    CommandOutput{"restore", K::kOperatorRecord, "what was restored and re-erased"},
    CommandOutput{"report dp count", K::kAggregates, "differential privacy, budget, k"},
    CommandOutput{"report dp sum", K::kAggregates, "differential privacy, budget, k"},
    CommandOutput{"report dp mean", K::kAggregates, "differential privacy, budget, k"},
    CommandOutput{"report dp histogram", K::kAggregates, "differential privacy, budget, k"},
    CommandOutput{"report dp quantiles", K::kAggregates, "differential privacy, budget, k"},
    CommandOutput{"report dp budget", K::kOperatorRecord, "epsilon spent per purpose"},
    CommandOutput{"report ropa", K::kAggregates,
                  "the declaration; counts of people under the small-group rule"},
    CommandOutput{"report dpia", K::kAggregates,
                  "the declaration and facts; counts of people under the small-group rule"},
    CommandOutput{"export audience", K::kAggregates,
                  "k-anonymity (and l-diversity) with per-recipient tokens"},
    CommandOutput{"config check", K::kNoPersonalData, "a declaration's problems"},
    CommandOutput{"import profiles", K::kOperatorRecord, "the file's import report"},
    CommandOutput{"import events", K::kOperatorRecord, "the file's import report"},
    CommandOutput{"import consents", K::kOperatorRecord, "the file's import report"},
    CommandOutput{"generate", K::kNoPersonalData, "synthetic people"},
    CommandOutput{"quickstart", K::kNoPersonalData, "the commands above, on synthetic people"},
    CommandOutput{"retention run", K::kOperatorRecord,
                  "counts per rule of what went, for the DPO; the audit entry holds them"},
    // The DPO corrects records: counts as they are, and with --subjects the people concerned
    // with their identifier decrypted. Audited (quality.check); never leaves as an aggregate.
    CommandOutput{"quality", K::kOperatorRecord,
                  "counts per check; with --subjects the people concerned, audited"},
};

}  // namespace

std::span<const CommandOutput> command_outputs() { return kOutputs; }

}  // namespace consentric::cli
