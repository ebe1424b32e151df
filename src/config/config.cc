// The module's edge: text in, Config or problems out. yaml-cpp throws; nothing thrown here
// leaves this file.

#include "config/config.h"

#include <algorithm>
#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include "config/config_internal.h"
#include "core/text.h"

namespace consentric {
namespace {

// A hand-written config is a few kilobytes; anything near this size is a wrong file, and
// refusing it early bounds the work a hostile file can cause (DESIGN invariant 7).
constexpr std::size_t kMaxConfigBytes = 1 << 20;
constexpr std::size_t kMaxProblems = 500;

// The 1-based line of the first byte that is not UTF-8, or 0 when the text is valid.
int first_invalid_utf8_line(std::string_view text) {
  if (is_valid_utf8(text)) return 0;
  int line = 1;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t end = std::min(text.find('\n', start), text.size());
    if (!is_valid_utf8(text.substr(start, end - start))) return line;
    start = end + 1;
    ++line;
  }
  return line;
}

// Notes where each document starts, without building nodes.
class DocumentStarts final : public YAML::EventHandler {
 public:
  std::vector<SourceLocation> starts;
  void OnDocumentStart(const YAML::Mark& mark) override {
    starts.push_back(mark.line >= 0 ? SourceLocation{mark.line + 1, mark.column + 1}
                                    : SourceLocation{1, 1});
  }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t,
                const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}
};

// The start of the first two documents; throws YAML::ParserException on a syntax error.
// Not YAML::LoadAll: yaml-cpp 0.7 can report documents forever without consuming input (the
// three bytes "&a," do it), so LoadAll never returns. Two are all we need to know.
std::vector<SourceLocation> document_starts(const std::string& text) {
  std::istringstream in(text);
  YAML::Parser parser(in);
  DocumentStarts handler;
  while (handler.starts.size() < 2 && parser.HandleNextDocument(handler)) {
  }
  return handler.starts;
}

// Fills *config as far as the text allows and appends every problem found.
void check_text(std::string_view text, Config* config, std::vector<ConfigProblem>* problems) {
  if (text.size() > kMaxConfigBytes) {
    problems->push_back({{1, 1},
                         "",
                         fmt::format("the file is {} bytes; a config may be at most "
                                     "{} bytes",
                                     text.size(), kMaxConfigBytes)});
    return;
  }
  if (const int line = first_invalid_utf8_line(text); line > 0) {
    problems->push_back({{line, 1}, "", "expected UTF-8 text, found an invalid byte sequence"});
    return;
  }
  const std::string owned(text);
  YAML::Node root;
  std::vector<SourceLocation> doc_starts;
  try {
    doc_starts = document_starts(owned);
    root = YAML::Load(owned);
  } catch (const YAML::Exception& e) {
    const SourceLocation where = e.mark.line >= 0
                                     ? SourceLocation{e.mark.line + 1, e.mark.column + 1}
                                     : SourceLocation{1, 1};
    problems->push_back({where, "", fmt::format("YAML syntax error: {}", e.msg)});
    return;
  }
  if (doc_starts.empty() || root.IsNull()) {
    problems->push_back({{1, 1},
                         "",
                         "the file is empty; expected a mapping with version, "
                         "controller, identifiers and fields"});
    return;
  }
  if (doc_starts.size() > 1) {
    problems->push_back({doc_starts[1], "", "expected one YAML document, found a second one"});
  }
  config_detail::SourceMap map;
  config_detail::parse_document(root, config, &map, problems);
  config_detail::validate_config(*config, map, problems);
}

}  // namespace

ConfigCheck check_config(std::string_view yaml_text, std::string_view file_name) {
  ConfigCheck out;
  Config config;
  try {
    check_text(yaml_text, &config, &out.problems);
  } catch (const std::exception& e) {
    // A yaml-cpp failure we did not foresee; report it rather than let it cross the module.
    out.problems.push_back({{1, 1}, "", fmt::format("could not read the file: {}", e.what())});
  }
  std::stable_sort(out.problems.begin(), out.problems.end(),
                   [](const ConfigProblem& a, const ConfigProblem& b) {
                     if (a.where.line != b.where.line) return a.where.line < b.where.line;
                     return a.where.column < b.where.column;
                   });
  // Past a few hundred, more problems help nobody; the count says how bad it is.
  if (out.problems.size() > kMaxProblems) {
    const ConfigProblem first_dropped = out.problems[kMaxProblems];
    const std::size_t dropped = out.problems.size() - kMaxProblems;
    out.problems.resize(kMaxProblems);
    out.problems.push_back({first_dropped.where, first_dropped.path,
                            fmt::format("... and {} more problems not shown", dropped)});
  }
  if (!out.problems.empty()) return out;
  if (config.roles.empty()) config.roles = default_roles();
  config.source_name = std::string(file_name);
  config.source_text = std::string(yaml_text);
  out.config = std::move(config);
  return out;
}

Result<Config> parse_config(std::string_view yaml_text, std::string_view file_name) {
  ConfigCheck check = check_config(yaml_text, file_name);
  if (check.config) return std::move(*check.config);
  std::string message;
  for (const ConfigProblem& p : check.problems) {
    if (!message.empty()) message += '\n';
    message += p.to_string(file_name);
  }
  return invalid_argument(std::move(message));
}

Result<Config> load_config_file(const std::filesystem::path& path) {
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (!std::filesystem::exists(status)) {
    return not_found(fmt::format("cannot read config file \"{}\": no such file", path.string()));
  }
  if (!std::filesystem::is_regular_file(status)) {
    return not_found(
        fmt::format("cannot read config file \"{}\": not a regular file", path.string()));
  }
  const auto size = std::filesystem::file_size(path, ec);
  if (!ec && size > kMaxConfigBytes) {
    return invalid_argument(
        fmt::format("config file \"{}\" is {} bytes; a config may be at most "
                    "{} bytes",
                    path.string(), size, kMaxConfigBytes));
  }
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  if (!in && !in.eof()) {
    return not_found(fmt::format("cannot read config file \"{}\"", path.string()));
  }
  return parse_config(text.str(), path.string());
}

}  // namespace consentric
