#include "segment/rule_parser.h"

#include <fmt/format.h>

#include "core/text.h"

namespace consentric::segment {
namespace {

class Parser {
 public:
  explicit Parser(std::vector<Token> tokens) : tokens_(std::move(tokens)) {}

  Result<Node> parse() {
    CONSENTRIC_ASSIGN_OR_RETURN(Node n, parse_or());
    if (peek().kind != TokenKind::kEnd) {
      return error(peek(), fmt::format("expected AND, OR or the end of the rule, found {}",
                                       describe_token(peek())));
    }
    return n;
  }

 private:
  const Token& peek(std::size_t ahead = 0) const {
    return tokens_[std::min(pos_ + ahead, tokens_.size() - 1)];
  }
  const Token& take() {
    const Token& t = peek();
    if (pos_ + 1 < tokens_.size()) ++pos_;
    return t;
  }
  bool is_keyword(const Token& t, std::string_view kw) const {
    return t.kind == TokenKind::kIdent && to_lower_ascii(t.text) == kw;
  }
  bool keyword_ahead(std::string_view kw, std::size_t ahead = 0) const {
    return is_keyword(peek(ahead), kw);
  }
  static Status error(const Token& at, std::string what) {
    return invalid_argument(fmt::format("{}: {}", position_prefix(at.pos), what));
  }
  // Counts nesting on the way down; fails past kMaxDepth.
  Status enter(const Token& at) {
    if (++depth_ > kMaxDepth) {
      return error(at, fmt::format("rule nests deeper than {} levels", kMaxDepth));
    }
    return Status();
  }

  Result<Node> parse_or() {
    CONSENTRIC_RETURN_IF_ERROR(enter(peek()));
    Result<Node> n = parse_chain("or", NodeKind::kOr, &Parser::parse_and);
    --depth_;
    return n;
  }

  Result<Node> parse_and() { return parse_chain("and", NodeKind::kAnd, &Parser::parse_not); }

  // operand (KEYWORD operand)*: one node of `kind` holding every operand, or the lone operand.
  Result<Node> parse_chain(std::string_view keyword, NodeKind kind,
                           Result<Node> (Parser::*operand)()) {
    CONSENTRIC_ASSIGN_OR_RETURN(Node first, (this->*operand)());
    if (!keyword_ahead(keyword)) return first;
    Node n;
    n.kind = kind;
    n.pos = first.pos;
    n.children.push_back(std::move(first));
    while (keyword_ahead(keyword)) {
      const Token& op = take();
      if (peek().kind == TokenKind::kEnd) return expected_condition(op);
      CONSENTRIC_ASSIGN_OR_RETURN(Node next, (this->*operand)());
      n.children.push_back(std::move(next));
    }
    return n;
  }

  Status expected_condition(const Token& after) {
    return error(peek(), fmt::format("expected a condition after {}, found {}",
                                     describe_token(after), describe_token(peek())));
  }

  Result<Node> parse_not() {
    if (!keyword_ahead("not")) return parse_predicate();
    const Token& op = take();
    CONSENTRIC_RETURN_IF_ERROR(enter(op));
    if (peek().kind == TokenKind::kEnd) return expected_condition(op);
    Node n;
    n.kind = NodeKind::kNot;
    n.pos = op.pos;
    CONSENTRIC_ASSIGN_OR_RETURN(Node child, parse_not());
    n.children.push_back(std::move(child));
    --depth_;
    return n;
  }

  static bool cmp_of(TokenKind k, CmpOp* op) {
    switch (k) {
      case TokenKind::kEq:
        *op = CmpOp::kEq;
        return true;
      case TokenKind::kNe:
        *op = CmpOp::kNe;
        return true;
      case TokenKind::kLt:
        *op = CmpOp::kLt;
        return true;
      case TokenKind::kLe:
        *op = CmpOp::kLe;
        return true;
      case TokenKind::kGt:
        *op = CmpOp::kGt;
        return true;
      case TokenKind::kGe:
        *op = CmpOp::kGe;
        return true;
      default:
        return false;
    }
  }

  Result<Node> parse_predicate() {
    CONSENTRIC_ASSIGN_OR_RETURN(Node lhs, parse_additive(nullptr));
    CmpOp cmp;
    if (cmp_of(peek().kind, &cmp)) {
      const Token& op = take();
      Node n;
      n.kind = NodeKind::kCompare;
      n.pos = op.pos;
      n.cmp = cmp;
      CONSENTRIC_ASSIGN_OR_RETURN(Node rhs, parse_additive(&op));
      n.children.push_back(std::move(lhs));
      n.children.push_back(std::move(rhs));
      return n;
    }
    const bool negated =
        keyword_ahead("not") && (keyword_ahead("in", 1) || keyword_ahead("between", 1));
    if (negated) take();
    if (keyword_ahead("in")) {
      const Token& op = take();
      Node n;
      n.kind = NodeKind::kIn;
      n.pos = op.pos;
      n.negated = negated;
      n.children.push_back(std::move(lhs));
      if (peek().kind != TokenKind::kLParen) {
        return error(peek(),
                     fmt::format("expected \"(\" after IN, found {}", describe_token(peek())));
      }
      const Token* after = &take();
      while (true) {
        CONSENTRIC_ASSIGN_OR_RETURN(Node item, parse_additive(after));
        n.children.push_back(std::move(item));
        if (peek().kind == TokenKind::kComma) {
          after = &take();
          continue;
        }
        if (peek().kind == TokenKind::kRParen) {
          take();
          break;
        }
        return error(peek(), fmt::format("expected \",\" or \")\" in the IN list, found {}",
                                         describe_token(peek())));
      }
      return n;
    }
    if (keyword_ahead("between")) {
      const Token& op = take();
      Node n;
      n.kind = NodeKind::kBetween;
      n.pos = op.pos;
      n.negated = negated;
      n.children.push_back(std::move(lhs));
      CONSENTRIC_ASSIGN_OR_RETURN(Node lo, parse_additive(&op));
      n.children.push_back(std::move(lo));
      if (!keyword_ahead("and")) {
        return error(peek(),
                     fmt::format("expected AND in BETWEEN, found {}", describe_token(peek())));
      }
      const Token& and_op = take();
      CONSENTRIC_ASSIGN_OR_RETURN(Node hi, parse_additive(&and_op));
      n.children.push_back(std::move(hi));
      return n;
    }
    if (keyword_ahead("is")) {
      const Token& op = take();
      Node n;
      n.kind = NodeKind::kIsNull;
      n.pos = op.pos;
      if (keyword_ahead("not")) {
        take();
        n.negated = true;
      }
      if (!keyword_ahead("null")) {
        return error(peek(), fmt::format("expected NULL after {}, found {}",
                                         n.negated ? "IS NOT" : "IS", describe_token(peek())));
      }
      take();
      n.children.push_back(std::move(lhs));
      return n;
    }
    return lhs;
  }

  // `after` is the operator before this value, for the message when the value is missing.
  Result<Node> parse_additive(const Token* after) {
    CONSENTRIC_ASSIGN_OR_RETURN(Node first, parse_primary(after));
    if (peek().kind != TokenKind::kPlus && peek().kind != TokenKind::kMinus) return first;
    Node n;
    n.kind = NodeKind::kArith;
    n.pos = first.pos;
    n.children.push_back(std::move(first));
    n.minus.push_back(false);
    while (peek().kind == TokenKind::kPlus || peek().kind == TokenKind::kMinus) {
      const Token& op = take();
      CONSENTRIC_ASSIGN_OR_RETURN(Node next, parse_primary(&op));
      n.children.push_back(std::move(next));
      n.minus.push_back(op.kind == TokenKind::kMinus);
    }
    return n;
  }

  Result<Node> parse_primary(const Token* after) {
    const Token& t = peek();
    Node n;
    n.pos = t.pos;
    switch (t.kind) {
      case TokenKind::kNumber:
        n.kind = NodeKind::kNumber;
        n.number = t.number;
        take();
        return n;
      case TokenKind::kDuration:
        n.kind = NodeKind::kDuration;
        n.number = t.number;
        n.unit = t.unit;
        take();
        return n;
      case TokenKind::kString:
        n.kind = NodeKind::kString;
        n.text = t.value;
        take();
        return n;
      case TokenKind::kMinus: {
        const Token& op = take();
        CONSENTRIC_RETURN_IF_ERROR(enter(op));
        n.kind = NodeKind::kNeg;
        CONSENTRIC_ASSIGN_OR_RETURN(Node child, parse_primary(&op));
        n.children.push_back(std::move(child));
        --depth_;
        return n;
      }
      case TokenKind::kLParen: {
        take();
        CONSENTRIC_ASSIGN_OR_RETURN(Node inner, parse_or());
        if (peek().kind != TokenKind::kRParen) {
          return error(peek(), fmt::format("expected \")\", found {}", describe_token(peek())));
        }
        take();
        return inner;
      }
      case TokenKind::kIdent: {
        const std::string kw = to_lower_ascii(t.text);
        if (kw == "now") {
          n.kind = NodeKind::kNow;
        } else if (kw == "true" || kw == "false") {
          n.kind = NodeKind::kBool;
          n.boolean = kw == "true";
        } else if (kw == "null") {
          n.kind = NodeKind::kNull;
        } else if (kw == "and" || kw == "or" || kw == "not" || kw == "in" || kw == "between" ||
                   kw == "is") {
          break;
        } else {
          n.kind = NodeKind::kColumn;
          n.text = std::string(t.text);
        }
        take();
        return n;
      }
      default:
        break;
    }
    if (after == nullptr) {
      return error(t, fmt::format("expected a condition, found {}", describe_token(t)));
    }
    return error(t, fmt::format("expected a value after {}, found {}", describe_token(*after),
                                describe_token(t)));
  }

  std::vector<Token> tokens_;
  std::size_t pos_ = 0;
  int depth_ = 0;
};

std::string quote_string(std::string_view s) {
  std::string out = "'";
  for (char c : s) {
    out.push_back(c);
    if (c == '\'') out.push_back('\'');
  }
  out.push_back('\'');
  return out;
}

bool is_bool_node(const Node& n) {
  return n.kind == NodeKind::kOr || n.kind == NodeKind::kAnd || n.kind == NodeKind::kNot ||
         n.kind == NodeKind::kCompare || n.kind == NodeKind::kIn || n.kind == NodeKind::kBetween ||
         n.kind == NodeKind::kIsNull;
}

// A value inside an arithmetic expression: wrapped when it is itself an operation.
std::string operand_text(const Node& n) {
  if (n.kind == NodeKind::kArith || is_bool_node(n)) return "(" + to_text(n) + ")";
  return to_text(n);
}

// A whole operand of a condition: a sum needs no parentheses there.
std::string value_text(const Node& n) {
  if (is_bool_node(n)) return "(" + to_text(n) + ")";
  return to_text(n);
}

}  // namespace

std::string_view cmp_op_text(CmpOp op) {
  switch (op) {
    case CmpOp::kEq:
      return "=";
    case CmpOp::kNe:
      return "!=";
    case CmpOp::kLt:
      return "<";
    case CmpOp::kLe:
      return "<=";
    case CmpOp::kGt:
      return ">";
    case CmpOp::kGe:
      return ">=";
  }
  return "?";
}

Result<Node> parse_rule(std::string_view text) {
  if (text.size() > kMaxRuleBytes) {
    return invalid_argument(
        fmt::format("rule: {} bytes is longer than the limit of {}", text.size(), kMaxRuleBytes));
  }
  CONSENTRIC_ASSIGN_OR_RETURN(std::vector<Token> tokens, lex_rule(text));
  Parser p(std::move(tokens));
  return p.parse();
}

std::string to_text(const Node& n) {
  switch (n.kind) {
    case NodeKind::kOr:
    case NodeKind::kAnd: {
      std::string out;
      for (std::size_t i = 0; i < n.children.size(); ++i) {
        if (i > 0) out += n.kind == NodeKind::kOr ? " OR " : " AND ";
        const Node& c = n.children[i];
        const bool wrap =
            c.kind == NodeKind::kOr || (n.kind == NodeKind::kAnd && c.kind == NodeKind::kAnd);
        out += wrap ? "(" + to_text(c) + ")" : to_text(c);
      }
      return out;
    }
    case NodeKind::kNot: {
      const Node& c = n.children[0];
      const bool wrap = c.kind == NodeKind::kOr || c.kind == NodeKind::kAnd;
      return wrap ? "NOT (" + to_text(c) + ")" : "NOT " + to_text(c);
    }
    case NodeKind::kCompare:
      return fmt::format("{} {} {}", value_text(n.children[0]), cmp_op_text(n.cmp),
                         value_text(n.children[1]));
    case NodeKind::kIn: {
      std::string out = value_text(n.children[0]) + (n.negated ? " NOT IN (" : " IN (");
      for (std::size_t i = 1; i < n.children.size(); ++i) {
        if (i > 1) out += ", ";
        out += value_text(n.children[i]);
      }
      return out + ")";
    }
    case NodeKind::kBetween:
      return fmt::format("{} {}BETWEEN {} AND {}", value_text(n.children[0]),
                         n.negated ? "NOT " : "", value_text(n.children[1]),
                         value_text(n.children[2]));
    case NodeKind::kIsNull:
      return value_text(n.children[0]) + (n.negated ? " IS NOT NULL" : " IS NULL");
    case NodeKind::kArith: {
      std::string out = operand_text(n.children[0]);
      for (std::size_t i = 1; i < n.children.size(); ++i) {
        out += n.minus[i] ? " - " : " + ";
        out += operand_text(n.children[i]);
      }
      return out;
    }
    case NodeKind::kNeg:
      return "-" + operand_text(n.children[0]);
    case NodeKind::kColumn:
      return n.text;
    case NodeKind::kNumber:
      return fmt::format("{}", n.number);
    case NodeKind::kDuration:
      return fmt::format("{}{}", n.number, n.unit);
    case NodeKind::kString:
      return quote_string(n.text);
    case NodeKind::kBool:
      return n.boolean ? "TRUE" : "FALSE";
    case NodeKind::kNow:
      return "now";
    case NodeKind::kNull:
      return "NULL";
  }
  return "";
}

}  // namespace consentric::segment
