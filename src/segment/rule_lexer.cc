#include "segment/rule_lexer.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>

#include <fmt/format.h>

#include "core/text.h"

namespace consentric::segment {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_ident_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool is_ident_char(char c) { return is_ident_start(c) || is_digit(c) || c == '.'; }

}  // namespace

std::string position_prefix(Position p) { return fmt::format("rule:{}:{}", p.line, p.column); }

std::string describe_token(const Token& t) {
  if (t.kind == TokenKind::kEnd) return "end of rule";
  return quote_for_message(t.text);
}

Result<std::vector<Token>> lex_rule(std::string_view text) {
  std::vector<Token> out;
  std::size_t i = 0;
  Position pos;
  const auto advance_to = [&](std::size_t j) {
    for (; i < j; ++i) {
      if (text[i] == '\n') {
        ++pos.line;
        pos.column = 1;
      } else {
        ++pos.column;
      }
    }
  };
  const auto error = [&](Position p, std::string what) -> Status {
    return invalid_argument(fmt::format("{}: {}", position_prefix(p), what));
  };

  while (true) {
    std::size_t j = i;
    while (j < text.size() &&
           (text[j] == ' ' || text[j] == '\t' || text[j] == '\n' || text[j] == '\r')) {
      ++j;
    }
    advance_to(j);
    Token t;
    t.pos = pos;
    if (i == text.size()) {
      out.push_back(std::move(t));
      return out;
    }
    const char c = text[i];
    std::size_t end = i + 1;
    const auto next_is = [&](char n) { return i + 1 < text.size() && text[i + 1] == n; };
    if (is_digit(c)) {
      end = i;
      while (end < text.size() && is_digit(text[end])) ++end;
      if (end + 1 < text.size() && text[end] == '.' && is_digit(text[end + 1])) {
        end += 1;
        while (end < text.size() && is_digit(text[end])) ++end;
      }
      if (end < text.size() && (text[end] == 'e' || text[end] == 'E')) {
        std::size_t k = end + 1;
        if (k < text.size() && (text[k] == '+' || text[k] == '-')) ++k;
        if (k < text.size() && is_digit(text[k])) {
          while (k < text.size() && is_digit(text[k])) ++k;
          end = k;
        }
      }
      const std::string digits(text.substr(i, end - i));
      errno = 0;
      const double v = std::strtod(digits.c_str(), nullptr);
      // Underflow to a subnormal or zero is fine; overflow is not.
      if (!std::isfinite(v)) {
        return error(pos, fmt::format("number {} is out of range", quote_for_message(digits)));
      }
      t.kind = TokenKind::kNumber;
      t.number = v;
      if (end < text.size() && is_ident_start(text[end])) {
        const char u = text[end];
        if ((u == 'd' || u == 'h' || u == 'w' || u == 'm') &&
            (end + 1 == text.size() || !is_ident_char(text[end + 1]))) {
          t.kind = TokenKind::kDuration;
          t.unit = u;
          ++end;
        } else {
          std::size_t k = end;
          while (k < text.size() && is_ident_char(text[k])) ++k;
          return error(pos, fmt::format("expected a number or a duration such as 30d, 12h, 2w "
                                        "or 90m, found {}",
                                        quote_for_message(text.substr(i, k - i))));
        }
      }
    } else if (is_ident_start(c)) {
      while (end < text.size() && is_ident_char(text[end])) ++end;
      t.kind = TokenKind::kIdent;
    } else if (c == '\'' || c == '"') {
      std::string value;
      std::size_t k = i + 1;
      bool closed = false;
      while (k < text.size()) {
        if (text[k] == c) {
          if (k + 1 < text.size() && text[k + 1] == c) {
            value.push_back(c);
            k += 2;
            continue;
          }
          closed = true;
          ++k;
          break;
        }
        value.push_back(text[k]);
        ++k;
      }
      if (!closed) return error(pos, fmt::format("string starting here has no closing {}", c));
      end = k;
      t.kind = TokenKind::kString;
      t.value = std::move(value);
    } else {
      switch (c) {
        case '(':
          t.kind = TokenKind::kLParen;
          break;
        case ')':
          t.kind = TokenKind::kRParen;
          break;
        case ',':
          t.kind = TokenKind::kComma;
          break;
        case '+':
          t.kind = TokenKind::kPlus;
          break;
        case '-':
          t.kind = TokenKind::kMinus;
          break;
        case '=':
          t.kind = TokenKind::kEq;
          if (next_is('=')) end = i + 2;
          break;
        case '!':
          if (!next_is('=')) return error(pos, "expected \"!=\", found \"!\"");
          t.kind = TokenKind::kNe;
          end = i + 2;
          break;
        case '<':
          t.kind = TokenKind::kLt;
          if (next_is('=')) {
            t.kind = TokenKind::kLe;
            end = i + 2;
          } else if (next_is('>')) {
            t.kind = TokenKind::kNe;
            end = i + 2;
          }
          break;
        case '>':
          t.kind = TokenKind::kGt;
          if (next_is('=')) {
            t.kind = TokenKind::kGe;
            end = i + 2;
          }
          break;
        default:
          return error(
              pos, fmt::format("unexpected character {}", quote_for_message(text.substr(i, 1))));
      }
    }
    t.text = text.substr(i, end - i);
    out.push_back(std::move(t));
    advance_to(end);
  }
}

}  // namespace consentric::segment
