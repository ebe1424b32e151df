#pragma once

// One compliance document written twice from the same content: Markdown (for the repository and
// review tools) and a self-contained HTML page (inline CSS and SVG, no script, nothing fetched
// from elsewhere, every value escaped). Reports build a Document and render both.

#include <string>
#include <string_view>
#include <vector>

#include "consentric/status.h"

namespace consentric::report {

struct Bar {
  std::string label;
  double value = 0;        // drawn against max
  std::string value_text;  // printed beside the bar
};

class Document {
 public:
  explicit Document(std::string title) : title_(std::move(title)) {}

  void heading(int level, std::string text);  // level 2 or 3 (the title is level 1)
  void paragraph(std::string text);
  void bullets(std::vector<std::string> items);
  // Empty rows: the empty_text paragraph instead of an empty table.
  void table(std::vector<std::string> headers, std::vector<std::vector<std::string>> rows,
             std::string empty_text = "None.");
  // A horizontal bar chart (an inline SVG on the page; a table of values in Markdown).
  void bar_chart(std::string caption, std::vector<Bar> bars, double max);

  std::string markdown() const;
  std::string html() const;

 private:
  enum class Kind { kHeading, kParagraph, kBullets, kTable, kChart };
  struct Block {
    Kind kind;
    int level = 0;
    std::string text;
    std::vector<std::string> items;  // bullets, or table headers
    std::vector<std::vector<std::string>> rows;
    std::vector<Bar> bars;
    double max = 0;
  };
  std::string title_;
  std::vector<Block> blocks_;
};

// Writes a rendered document to path, replacing it. FailedPrecondition when it cannot.
Status write_text_file(const std::string& path, std::string_view text);

}  // namespace consentric::report
