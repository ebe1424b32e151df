#include "cli/output.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include <fmt/format.h>

#include "disclose/small_groups.h"

namespace consentric::cli {

int exit_code(const Status& status) {
  switch (status.code()) {
    case StatusCode::kOk:
      return 0;
    case StatusCode::kInternal:
    case StatusCode::kDataLoss:
      return 2;
    default:
      return 1;
  }
}

std::string people_count(std::int64_t n, int k) {
  const auto shown = disclose::releasable_count(n, k);
  return shown ? with_thousands(*shown) : fmt::format("< {}", k);
}

nlohmann::json released_count(std::int64_t n, int k) {
  const auto shown = disclose::releasable_count(n, k);
  return shown ? nlohmann::json(*shown) : nlohmann::json(nullptr);
}

int report_error(const Status& status) {
  fmt::print(stderr, "consentric: {}\n", status.message());
  return exit_code(status);
}

namespace {

bool looks_numeric(std::string_view s) {
  if (s.find_first_of("0123456789") == std::string_view::npos) return false;  // "-" is no number
  if (s.starts_with("< ")) s.remove_prefix(2);  // a count under k, as people_count shows it
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || c == ',' || c == '.' || c == '-' || c == '%' || c == ' '))
      return false;
  }
  return true;
}

// Display width of UTF-8 text: counts code points, which is right for the text we print.
std::size_t display_width(std::string_view s) {
  std::size_t n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

}  // namespace

std::string Table::render() const {
  std::vector<std::size_t> width(header_.size(), 0);
  for (std::size_t i = 0; i < header_.size(); ++i) width[i] = display_width(header_[i]);
  for (const auto& row : rows_) {
    for (std::size_t i = 0; i < row.size() && i < width.size(); ++i)
      width[i] = std::max(width[i], display_width(row[i]));
  }
  std::string out;
  auto line = [&](const std::vector<std::string>& cells, bool is_header) {
    std::string text;
    for (std::size_t i = 0; i < width.size(); ++i) {
      const std::string cell = i < cells.size() ? cells[i] : "";
      const std::string pad(width[i] - display_width(cell), ' ');
      const bool right = !is_header && i > 0 && looks_numeric(cell);
      if (i > 0) text += "  ";
      text += right ? pad + cell : cell + (i + 1 < width.size() ? pad : "");
    }
    while (!text.empty() && text.back() == ' ') text.pop_back();
    out += text + "\n";
  };
  line(header_, true);
  for (const auto& row : rows_) line(row, false);
  return out;
}

ProgressLine::ProgressLine(std::string label, bool quiet) : label_(std::move(label)) {
  const char* term = std::getenv("TERM");
  enabled_ =
      !quiet && ::isatty(STDERR_FILENO) && !(term != nullptr && std::strcmp(term, "dumb") == 0);
  start_ = last_ = std::chrono::steady_clock::now();
}

ProgressLine::~ProgressLine() { finish(); }

void ProgressLine::update(std::int64_t done, std::int64_t total, std::int64_t items,
                          std::string_view unit) {
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  if (drawn_ && now - last_ < std::chrono::milliseconds(100)) return;
  last_ = now;
  drawn_ = true;
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  const double rate = elapsed > 0 ? static_cast<double>(items) / elapsed : 0;
  std::string text = fmt::format("{}: {} {}", label_, with_thousands(items), unit);
  if (total > 0) {
    const double fraction = static_cast<double>(done) / static_cast<double>(total);
    const double eta = fraction > 0 ? elapsed * (1 - fraction) / fraction : 0;
    text += fmt::format("  {:5.1f}%  {}/s  eta {:.0f}s", 100 * fraction,
                        with_thousands(static_cast<std::int64_t>(rate)), eta);
  } else {
    text += fmt::format("  {}/s", with_thousands(static_cast<std::int64_t>(rate)));
  }
  fmt::print(stderr, "\r\x1b[2K{}", text);
  std::fflush(stderr);
}

void ProgressLine::finish() {
  if (enabled_ && drawn_) {
    fmt::print(stderr, "\r\x1b[2K");
    std::fflush(stderr);
  }
  drawn_ = false;
}

}  // namespace consentric::cli
