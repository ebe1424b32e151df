#pragma once

// Typed, problem-collecting reads from a yaml-cpp node tree. Every read either returns a value
// and records where it was found, or appends one ConfigProblem (with the path, the line and
// what was expected) and returns nothing, so the parser can carry on and report everything.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "config/config.h"
#include "config/config_enums.h"
#include "config/config_internal.h"

namespace consentric::config_detail {

// A node with its document path and the location to report for it.
struct Value {
  YAML::Node node;
  std::string path;
  SourceLocation where;
};

// The keys a mapping may and must have; both lists in the order the docs give them.
struct KeySpec {
  std::span<const std::string_view> allowed;
  std::span<const std::string_view> required;
};

// A checked mapping: known keys only, each once.
class Mapping {
 public:
  std::optional<Value> get(std::string_view key) const;
  const std::string& path() const { return path_; }

 private:
  friend class Reader;
  std::string path_;
  std::vector<std::pair<std::string, Value>> entries_;
};

class Reader {
 public:
  Reader(SourceMap* map, std::vector<ConfigProblem>* problems) : map_(map), problems_(problems) {}

  void problem(const Value& at, std::string message);
  void problem(SourceLocation where, std::string path, std::string message);

  static Value root(const YAML::Node& node);

  // A mapping with only allowed keys, no key twice and every required key. Unknown,
  // duplicate and missing keys are reported; the mapping is still returned so the known keys
  // get checked too. Nothing when the node is not a mapping at all.
  std::optional<Mapping> mapping(const Value& v, const KeySpec& keys);

  // The items of a list, each with path "path[i]". Empty (and a problem) when not a list.
  std::vector<Value> items(const Value& v);

  std::optional<std::string> string(const Value& v);
  std::optional<bool> boolean(const Value& v);
  std::optional<std::int64_t> integer(const Value& v);
  std::optional<double> number(const Value& v);
  // A duration such as "30d" or "3y", in seconds; zero is refused (keeping nothing is not a
  // retention period, it is a decision not to collect).
  std::optional<std::int64_t> duration(const Value& v);

  // A list of strings; an unusable item becomes "" so indexes still match paths.
  std::vector<std::string> string_list(const Value& v);

  // A mapping with any string keys and string values, in document order (e.g. a category
  // hierarchy level: value -> parent). Each entry's path is "path.key". Empty (and a problem)
  // when not a mapping; a key given twice is a problem.
  std::vector<std::pair<std::string, std::string>> string_map(const Value& v);

  // A mapping with any plain keys (names chosen by the author, such as event properties), each
  // value left to the caller, in document order; each value's path is "path.key". Empty (and a
  // problem naming `expected`) when not a mapping; a key given twice is a problem.
  std::vector<std::pair<std::string, Value>> entries(const Value& v, std::string_view expected);

  template <typename E>
  std::optional<E> choice(const Value& v, std::string_view what,
                          std::span<const EnumName<E>> names) {
    const auto text = string(v);
    if (!text) return std::nullopt;
    if (auto e = enum_from_name(names, *text)) return e;
    problem(v, unknown_choice_message(what, *text, enum_name_list(names)));
    return std::nullopt;
  }

 private:
  static std::string unknown_choice_message(std::string_view what, std::string_view got,
                                            std::string_view expected);
  std::optional<std::string> plain_scalar(const Value& v, std::string_view expected);
  // Takes n values from the allowance; false (and one problem, the first time) when spent.
  bool spend(const Value& v, std::size_t n);

  // Aliases let a small file stand for a huge tree ("billion laughs"); the walk stops after
  // this many values, far beyond any real config.
  static constexpr std::size_t kMaxValues = 200'000;

  SourceMap* map_;
  std::vector<ConfigProblem>* problems_;
  Suggester suggester_;
  std::size_t values_left_ = kMaxValues;
  bool spent_ = false;
};

// "a mapping", "a list", "nothing" or the quoted scalar: what was found instead.
std::string describe(const YAML::Node& node);

SourceLocation location_of(const YAML::Node& node);

}  // namespace consentric::config_detail
