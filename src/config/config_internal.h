#pragma once

// What the config module's stages share: the source map the parser fills and the validator
// reads, and the stage entry points. check_config (config.cc) runs them in order:
//   YAML text --yaml-cpp--> node tree --parse_document--> Config + SourceMap
//             --validate_config--> problems.
// Parsing checks shape and scalar types; validation checks meaning (references, duplicates,
// privacy rules). Both only append problems; neither stops at the first.

#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "config/config.h"

namespace YAML {
class Node;
}

namespace consentric::config_detail {

// Where each document path ("purposes[2].fields[0]") was read, and which paths already had a
// problem, so validation can point at an exact spot and stay quiet about values the parser
// has already rejected (one mistake, one message).
class SourceMap {
 public:
  void record(const std::string& path, SourceLocation where) { seen_.emplace(path, where); }
  void mark_bad(const std::string& path) { bad_.insert(path); }

  bool has(const std::string& path) const { return seen_.contains(path); }
  bool bad(const std::string& path) const { return bad_.contains(path); }
  // A usable value: read, and not rejected.
  bool good(const std::string& path) const { return has(path) && !bad(path); }

  // The location of path, or of its nearest recorded ancestor; {1, 1} when none is.
  SourceLocation at(std::string path) const;

 private:
  std::unordered_map<std::string, SourceLocation> seen_;
  std::set<std::string> bad_;
};

// Every list item in the document becomes one entry in the Config (a default one when the
// item is unusable), so config.fields[i] always stands for the path "fields[i]".
void parse_document(const YAML::Node& root, Config* config, SourceMap* map,
                    std::vector<ConfigProblem>* problems);

class Reader;
struct Value;
// The `quality` section (quality_section.cc): its keys and their values, read into *out.
void parse_quality(const Value& v, Reader* r, QualitySpec* out);

// Runs every rule; validate_purposes is the part about purposes, called by validate_config.
void validate_config(const Config& config, const SourceMap& map,
                     std::vector<ConfigProblem>* problems);
void validate_purposes(const Config& config, const SourceMap& map,
                       std::vector<ConfigProblem>* problems);
// Differential privacy, l-diversity, suppression, recipients, generalization hierarchies.
void validate_disclosure(const Config& config, const SourceMap& map,
                         std::vector<ConfigProblem>* problems);

// Names end up in SQL identifiers, file names, URLs and metric labels: [a-z][a-z0-9_]*, at most
// kMaxNameLength characters.
inline constexpr std::size_t kMaxNameLength = 64;
bool is_config_name(std::string_view s);
// ISO 3166-1 alpha-2: two upper-case letters.
bool is_country_code(std::string_view s);

// The closest candidate within a small edit distance of word, or empty: for "did you mean".
// Empty too when there are too many candidates to be worth the scan.
std::string closest_match(std::string_view word, const std::vector<std::string>& candidates);

// Hands out "did you mean" suggestions, a limited number of them: each costs a scan of every
// candidate, and a hostile file with a hundred thousand typos must not cost quadratic time.
class Suggester {
 public:
  // "; did you mean "x"?" for the closest candidate, or empty (also once the allowance is spent).
  std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates);

 private:
  int left_ = 100;
};

// "list[i]": the path of a list item.
inline std::string indexed(const std::string& list, std::size_t i) {
  return list + "[" + std::to_string(i) + "]";
}

}  // namespace consentric::config_detail
