#include "config/yaml_reader.h"

#include <unordered_map>

#include <fmt/format.h>

#include "core/text.h"
#include "core/time.h"

namespace consentric::config_detail {
namespace {

std::string join(std::span<const std::string_view> words) {
  std::string out;
  for (std::string_view w : words) {
    if (!out.empty()) out += ", ";
    out += w;
  }
  return out;
}

std::string child_path(const std::string& parent, std::string_view key) {
  if (parent.empty()) return std::string(key);
  return fmt::format("{}.{}", parent, key);
}

bool contains(std::span<const std::string_view> words, std::string_view w) {
  for (std::string_view x : words) {
    if (x == w) return true;
  }
  return false;
}

}  // namespace

SourceLocation location_of(const YAML::Node& node) {
  const YAML::Mark m = node.Mark();
  if (m.line < 0 || m.column < 0) return {};
  return {m.line + 1, m.column + 1};  // yaml-cpp counts from 0, editors from 1
}

std::string describe(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map:
      return "a mapping";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Scalar:
      return quote_for_message(node.Scalar());
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      return "nothing";
  }
  return "nothing";
}

std::optional<Value> Mapping::get(std::string_view key) const {
  for (const auto& [k, v] : entries_) {
    if (k == key) return v;
  }
  return std::nullopt;
}

void Reader::problem(SourceLocation where, std::string path, std::string message) {
  map_->mark_bad(path);
  problems_->push_back({where, std::move(path), std::move(message)});
}

void Reader::problem(const Value& at, std::string message) {
  problem(at.where, at.path, std::move(message));
}

Value Reader::root(const YAML::Node& node) {
  SourceLocation where = location_of(node);
  if (where.line == 0) where = {1, 1};
  return {node, "", where};
}

std::optional<Mapping> Reader::mapping(const Value& v, const KeySpec& keys) {
  if (!v.node.IsMap()) {
    problem(v, fmt::format("expected a mapping with keys {}, got {}", join(keys.allowed),
                           describe(v.node)));
    return std::nullopt;
  }
  if (!spend(v, v.node.size())) return std::nullopt;
  map_->record(v.path, v.where);
  Mapping m;
  m.path_ = v.path;
  std::vector<std::string> allowed(keys.allowed.begin(), keys.allowed.end());
  for (auto it = v.node.begin(); it != v.node.end(); ++it) {
    const YAML::Node key = it->first;  // a copy: the iterator hands out a temporary
    const SourceLocation key_where = location_of(key);
    if (!key.IsScalar()) {
      problem(key_where, v.path, fmt::format("expected a plain key, got {}", describe(key)));
      continue;
    }
    const std::string name = key.Scalar();
    const std::string path = child_path(v.path, name);
    if (!contains(keys.allowed, name)) {
      std::string message = fmt::format("unknown key {} (expected one of {})",
                                        quote_for_message(name), join(keys.allowed));
      message += suggester_.did_you_mean(name, allowed);
      problem(key_where, path, std::move(message));
      continue;
    }
    if (const auto first = m.get(name)) {
      problem(
          key_where, path,
          fmt::format("duplicate key \"{}\" (first given at line {})", name, first->where.line));
      continue;
    }
    // An empty value ("retention:") has no position of its own worth showing; its key has.
    const YAML::Node value = it->second;
    const SourceLocation value_where = value.IsNull() ? key_where : location_of(value);
    m.entries_.emplace_back(name, Value{value, path, value_where});
  }
  for (std::string_view required : keys.required) {
    if (!m.get(required)) {
      problem(v.where, child_path(v.path, required),
              fmt::format("missing required key \"{}\" (required here: {})", required,
                          join(keys.required)));
    }
  }
  return m;
}

std::vector<std::pair<std::string, std::string>> Reader::string_map(const Value& v) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& [key, child] : entries(v, "a mapping of values to their parents")) {
    if (const auto text = string(child)) out.emplace_back(key, *text);
  }
  return out;
}

std::vector<std::pair<std::string, Value>> Reader::entries(const Value& v,
                                                           std::string_view expected) {
  std::vector<std::pair<std::string, Value>> out;
  if (!v.node.IsMap()) {
    problem(v, fmt::format("expected {}, got {}", expected, describe(v.node)));
    return out;
  }
  if (!spend(v, v.node.size())) return out;
  map_->record(v.path, v.where);
  std::unordered_map<std::string, int> first_line;
  for (auto it = v.node.begin(); it != v.node.end(); ++it) {
    const YAML::Node key = it->first;
    const SourceLocation key_where = location_of(key);
    if (!key.IsScalar()) {
      problem(key_where, v.path, fmt::format("expected a plain key, got {}", describe(key)));
      continue;
    }
    const std::string path = child_path(v.path, key.Scalar());
    if (const auto [at, fresh] = first_line.emplace(key.Scalar(), key_where.line); !fresh) {
      problem(key_where, path,
              fmt::format("duplicate key {} (first given at line {})",
                          quote_for_message(key.Scalar()), at->second));
      continue;
    }
    const YAML::Node value = it->second;
    Value child{value, path, value.IsNull() ? key_where : location_of(value)};
    map_->record(path, child.where);
    out.emplace_back(key.Scalar(), std::move(child));
  }
  return out;
}

std::vector<Value> Reader::items(const Value& v) {
  std::vector<Value> out;
  if (v.node.IsNull()) {  // "properties:" with nothing after it: an empty list
    map_->record(v.path, v.where);
    return out;
  }
  if (!v.node.IsSequence()) {
    problem(v, fmt::format("expected a list, got {}", describe(v.node)));
    return out;
  }
  if (!spend(v, v.node.size())) return out;
  map_->record(v.path, v.where);
  std::size_t i = 0;
  for (auto it = v.node.begin(); it != v.node.end(); ++it, ++i) {
    const YAML::Node item = *it;
    SourceLocation where = location_of(item);
    if (item.IsNull() || where.line == 0) where = v.where;
    Value child{item, fmt::format("{}[{}]", v.path, i), where};
    map_->record(child.path, child.where);
    out.push_back(std::move(child));
  }
  return out;
}

bool Reader::spend(const Value& v, std::size_t n) {
  if (spent_) return false;
  if (n <= values_left_) {
    values_left_ -= n;
    return true;
  }
  spent_ = true;
  problem(v, fmt::format("the document holds more than {} values once aliases are expanded; "
                         "the rest is not checked",
                         kMaxValues));
  return false;
}

std::optional<std::string> Reader::plain_scalar(const Value& v, std::string_view expected) {
  if (!v.node.IsScalar()) {
    problem(v, fmt::format("expected {}, got {}", expected, describe(v.node)));
    return std::nullopt;
  }
  // A quoted "10" or "true" is a string in YAML; taking it as a number or a flag would hide a
  // mistake, so only plain scalars qualify.
  if (v.node.Tag() == "!") {
    problem(v, fmt::format("expected {}, got the quoted string {}", expected,
                           quote_for_message(v.node.Scalar())));
    return std::nullopt;
  }
  return v.node.Scalar();
}

std::optional<std::string> Reader::string(const Value& v) {
  if (!v.node.IsScalar()) {
    problem(v, fmt::format("expected a string, got {}", describe(v.node)));
    return std::nullopt;
  }
  map_->record(v.path, v.where);
  return v.node.Scalar();
}

std::optional<bool> Reader::boolean(const Value& v) {
  const auto text = plain_scalar(v, "true or false");
  if (!text) return std::nullopt;
  // YAML 1.2 booleans only: "yes", "on" and "y" are YAML 1.1 relics that surprise people.
  std::optional<bool> out;
  if (*text == "true" || *text == "True" || *text == "TRUE") out = true;
  if (*text == "false" || *text == "False" || *text == "FALSE") out = false;
  if (!out) {
    problem(v, fmt::format("expected true or false, got {}", quote_for_message(*text)));
    return std::nullopt;
  }
  map_->record(v.path, v.where);
  return out;
}

std::optional<std::int64_t> Reader::integer(const Value& v) {
  const auto text = plain_scalar(v, "an integer");
  if (!text) return std::nullopt;
  std::int64_t out = 0;
  if (!parse_int64(*text, &out)) {
    problem(v, fmt::format("expected an integer, got {}", quote_for_message(*text)));
    return std::nullopt;
  }
  map_->record(v.path, v.where);
  return out;
}

std::optional<double> Reader::number(const Value& v) {
  const auto text = plain_scalar(v, "a number");
  if (!text) return std::nullopt;
  double out = 0;
  if (!parse_double(*text, &out)) {
    problem(v, fmt::format("expected a number, got {}", quote_for_message(*text)));
    return std::nullopt;
  }
  map_->record(v.path, v.where);
  return out;
}

std::optional<std::int64_t> Reader::duration(const Value& v) {
  const auto text = string(v);
  if (!text) return std::nullopt;
  auto seconds = parse_duration_seconds(*text);
  if (!seconds.ok()) {
    problem(v, seconds.status().message());
    return std::nullopt;
  }
  if (*seconds <= 0) {
    problem(v,
            fmt::format("expected a duration longer than zero, got {}", quote_for_message(*text)));
    return std::nullopt;
  }
  return *seconds;
}

std::vector<std::string> Reader::string_list(const Value& v) {
  std::vector<std::string> out;
  for (const Value& item : items(v)) out.push_back(string(item).value_or(""));
  return out;
}

std::string Reader::unknown_choice_message(std::string_view what, std::string_view got,
                                           std::string_view expected) {
  return fmt::format("unknown {} {} (expected one of {})", what, quote_for_message(got), expected);
}

}  // namespace consentric::config_detail
