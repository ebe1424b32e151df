#pragma once

// Tokens of the rule language (docs/rules.md). The lexer works on the whole rule at once and
// reports the first bad character with its line and column; it never reads past the text.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "consentric/status.h"

namespace consentric::segment {

// Rules longer than this are refused before lexing, so every later pass is bounded.
inline constexpr std::size_t kMaxRuleBytes = 64 * 1024;

struct Position {
  int line = 1;
  int column = 1;  // 1-based, in bytes
};

// "rule:1:17"
std::string position_prefix(Position p);

enum class TokenKind {
  kNumber,    // 12, 3.5, 1e6
  kDuration,  // 30d, 12h, 2w, 90m
  kString,    // 'DE' or "DE"; a doubled quote inside stands for one
  kIdent,     // a column name or a keyword (keywords are matched by the parser)
  kLParen,
  kRParen,
  kComma,
  kEq,  // =
  kNe,  // != or <>
  kLt,
  kLe,
  kGt,
  kGe,
  kPlus,
  kMinus,
  kEnd,
};

struct Token {
  TokenKind kind = TokenKind::kEnd;
  std::string_view text;  // the source text of the token; empty for kEnd
  Position pos;
  double number = 0;  // kNumber, kDuration: the value as written (without the unit)
  char unit = 0;      // kDuration: 'd', 'h', 'w' or 'm'
  std::string value;  // kString: the unquoted value
};

// Splits text into tokens ending with one kEnd. Fails with InvalidArgument on a character
// that starts no token, an unterminated string, or a number out of range.
// REQUIRES: text.size() <= kMaxRuleBytes.
Result<std::vector<Token>> lex_rule(std::string_view text);

// How a token is named in an error message: `"<="`, `"country"`, or `end of rule`.
std::string describe_token(const Token& t);

}  // namespace consentric::segment
