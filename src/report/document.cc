#include "report/document.h"

#include <algorithm>
#include <fstream>

#include <fmt/format.h>

#include "core/text.h"

namespace consentric::report {
namespace {

constexpr std::string_view kStyle = R"css(
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1d232a;
       max-width: 70rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.5; }
h1 { font-size: 1.7rem; }
h2 { font-size: 1.3rem; margin-top: 2.2rem; border-bottom: 2px solid #d8dee4; }
h3 { font-size: 1.1rem; margin-top: 1.6rem; }
table { border-collapse: collapse; width: 100%; margin: .6rem 0 1rem; font-size: .95rem; }
th, td { text-align: left; vertical-align: top; padding: .35rem .6rem;
         border-bottom: 1px solid #e3e8ec; word-break: break-word; }
th { background: #f3f5f7; }
figure { margin: 1rem 0; }
figcaption { color: #4a5560; font-size: .95rem; }
)css";

// A Markdown table cell: pipes escaped, line breaks folded.
std::string md_cell(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '|') {
      out += "\\|";
    } else if (c == '\n') {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

constexpr int kLabelWidth = 190;
constexpr int kBarWidth = 420;
constexpr int kRowHeight = 26;

std::string svg_chart(const std::vector<Bar>& bars, double max) {
  const int height = kRowHeight * static_cast<int>(bars.size()) + 8;
  std::string out = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{}\" role=\"img\">\n",
      kLabelWidth + kBarWidth + 120, height);
  for (std::size_t i = 0; i < bars.size(); ++i) {
    const Bar& b = bars[i];
    const double share = max > 0 ? std::clamp(b.value / max, 0.0, 1.0) : 0;
    const int y = static_cast<int>(i) * kRowHeight + 4;
    out += fmt::format(
        "<text x=\"{}\" y=\"{}\" text-anchor=\"end\" font-size=\"13\">{}</text>\n"
        "<rect x=\"{}\" y=\"{}\" width=\"{:.1f}\" height=\"{}\" fill=\"#2f6f9f\"/>\n"
        "<text x=\"{:.1f}\" y=\"{}\" font-size=\"13\">{}</text>\n",
        kLabelWidth - 8, y + 15, html_escape(b.label), kLabelWidth, y, share * kBarWidth,
        kRowHeight - 8, kLabelWidth + share * kBarWidth + 6, y + 15, html_escape(b.value_text));
  }
  return out + "</svg>\n";
}

}  // namespace

void Document::heading(int level, std::string text) {
  blocks_.push_back(
      {.kind = Kind::kHeading, .level = std::clamp(level, 2, 3), .text = std::move(text)});
}

void Document::paragraph(std::string text) {
  blocks_.push_back({.kind = Kind::kParagraph, .text = std::move(text)});
}

void Document::bullets(std::vector<std::string> items) {
  blocks_.push_back({.kind = Kind::kBullets, .items = std::move(items)});
}

void Document::table(std::vector<std::string> headers, std::vector<std::vector<std::string>> rows,
                     std::string empty_text) {
  if (rows.empty()) {
    paragraph(std::move(empty_text));
    return;
  }
  blocks_.push_back({.kind = Kind::kTable, .items = std::move(headers), .rows = std::move(rows)});
}

void Document::bar_chart(std::string caption, std::vector<Bar> bars, double max) {
  blocks_.push_back(
      {.kind = Kind::kChart, .text = std::move(caption), .bars = std::move(bars), .max = max});
}

std::string Document::markdown() const {
  std::string out = "# " + title_ + "\n";
  for (const Block& b : blocks_) {
    out += "\n";
    switch (b.kind) {
      case Kind::kHeading:
        out += std::string(static_cast<std::size_t>(b.level), '#') + " " + b.text + "\n";
        break;
      case Kind::kParagraph:
        out += b.text + "\n";
        break;
      case Kind::kBullets:
        for (const std::string& item : b.items) out += "- " + item + "\n";
        break;
      case Kind::kTable: {
        std::string head = "|", rule = "|";
        for (const std::string& h : b.items) {
          head += " " + md_cell(h) + " |";
          rule += " --- |";
        }
        out += head + "\n" + rule + "\n";
        for (const auto& row : b.rows) {
          std::string line = "|";
          for (const std::string& c : row) line += " " + md_cell(c) + " |";
          out += line + "\n";
        }
        break;
      }
      case Kind::kChart:
        out += b.text + "\n\n| | |\n| --- | --- |\n";
        for (const Bar& bar : b.bars)
          out += "| " + md_cell(bar.label) + " | " + bar.value_text + " |\n";
        break;
    }
  }
  return out;
}

std::string Document::html() const {
  std::string out = fmt::format(
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<title>{0}</title>\n<style>{1}</style>\n</head>\n<body>\n<h1>{0}</h1>\n",
      html_escape(title_), kStyle);
  for (const Block& b : blocks_) {
    switch (b.kind) {
      case Kind::kHeading:
        out += fmt::format("<h{0}>{1}</h{0}>\n", b.level, html_escape(b.text));
        break;
      case Kind::kParagraph:
        out += "<p>" + html_escape(b.text) + "</p>\n";
        break;
      case Kind::kBullets:
        out += "<ul>\n";
        for (const std::string& item : b.items) out += "<li>" + html_escape(item) + "</li>\n";
        out += "</ul>\n";
        break;
      case Kind::kTable:
        out += "<table>\n<tr>";
        for (const std::string& h : b.items) out += "<th>" + html_escape(h) + "</th>";
        out += "</tr>\n";
        for (const auto& row : b.rows) {
          out += "<tr>";
          for (const std::string& c : row) out += "<td>" + html_escape(c) + "</td>";
          out += "</tr>\n";
        }
        out += "</table>\n";
        break;
      case Kind::kChart:
        out += "<figure>\n" + svg_chart(b.bars, b.max) + "<figcaption>" + html_escape(b.text) +
               "</figcaption>\n</figure>\n";
        break;
    }
  }
  return out + "</body>\n</html>\n";
}

Status write_text_file(const std::string& path, std::string_view text) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  if (!f || !(f << text) || !f.flush()) {
    return failed_precondition(fmt::format("cannot write {}", path));
  }
  return Status();
}

}  // namespace consentric::report
