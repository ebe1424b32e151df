// compile_rule: binds a parsed rule to the columns of a PurposeView, checks types, folds
// constants and emits the postfix program that rule_eval.cc runs.

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "core/text.h"
#include "segment/rule.h"

namespace consentric::segment {
namespace {

using gate::ColumnKind;

enum class ValueType { kNumber, kCategory, kString, kNull };

struct Value {
  ValueType type = ValueType::kNumber;
  NumberRef num;       // kNumber
  int column = 0;      // kCategory
  std::string string;  // kString
  std::string name;    // kCategory: the column name, for messages
};

bool compare(CmpOp op, double a, double b) {
  switch (op) {
    case CmpOp::kEq:
      return a == b;
    case CmpOp::kNe:
      return a < b || a > b;
    case CmpOp::kLt:
      return a < b;
    case CmpOp::kLe:
      return a <= b;
    case CmpOp::kGt:
      return a > b;
    case CmpOp::kGe:
      return a >= b;
  }
  return false;
}

CmpOp flipped(CmpOp op) {
  switch (op) {
    case CmpOp::kLt:
      return CmpOp::kGt;
    case CmpOp::kLe:
      return CmpOp::kGe;
    case CmpOp::kGt:
      return CmpOp::kLt;
    case CmpOp::kGe:
      return CmpOp::kLe;
    default:
      return op;
  }
}

double duration_days(double n, char unit) {
  switch (unit) {
    case 'w':
      return n * 7;
    case 'h':
      return n / 24;
    case 'm':
      return n / 1440;
    default:
      return n;
  }
}

class Binder {
 public:
  explicit Binder(const gate::PurposeView& view) : view_(view) {}

  Status bind_condition(const Node& n, int dst) {
    mask_slots_ = std::max(mask_slots_, dst + 1);
    switch (n.kind) {
      case NodeKind::kOr:
      case NodeKind::kAnd: {
        CONSENTRIC_RETURN_IF_ERROR(bind_condition(n.children[0], dst));
        for (std::size_t i = 1; i < n.children.size(); ++i) {
          CONSENTRIC_RETURN_IF_ERROR(bind_condition(n.children[i], dst + 1));
          Op op;
          op.kind = n.kind == NodeKind::kOr ? OpKind::kOr : OpKind::kAnd;
          op.dst = dst;
          ops_.push_back(std::move(op));
        }
        return Status();
      }
      case NodeKind::kNot: {
        CONSENTRIC_RETURN_IF_ERROR(bind_condition(n.children[0], dst));
        Op op;
        op.kind = OpKind::kNot;
        op.dst = dst;
        ops_.push_back(std::move(op));
        return Status();
      }
      case NodeKind::kBool:
        emit_const(dst, n.boolean);
        return Status();
      case NodeKind::kCompare:
        return bind_compare(n, dst);
      case NodeKind::kIn:
        return bind_in(n, dst);
      case NodeKind::kBetween:
        return bind_between(n, dst);
      case NodeKind::kIsNull:
        return bind_is_null(n, dst);
      default:
        return error(n.pos, fmt::format("expected a condition, found the value {}", to_text(n)));
    }
  }

  CompiledRule finish(std::string text) {
    CompiledRule r;
    r.text = std::move(text);
    r.columns = std::move(columns_);
    r.ops = std::move(ops_);
    r.mask_slots = mask_slots_;
    r.temp_slots = temp_slots_;
    return r;
  }

 private:
  static Status error(Position p, std::string what) {
    return invalid_argument(fmt::format("{}: {}", position_prefix(p), what));
  }

  void emit_const(int dst, bool value) {
    Op op;
    op.kind = OpKind::kConstMask;
    op.dst = dst;
    op.constant = value;
    ops_.push_back(std::move(op));
  }

  int column_index(const std::string& name) {
    for (std::size_t i = 0; i < columns_.size(); ++i) {
      if (columns_[i] == name) return static_cast<int>(i);
    }
    columns_.push_back(name);
    return static_cast<int>(columns_.size() - 1);
  }

  std::string describe_value(const Value& v) {
    switch (v.type) {
      case ValueType::kNumber:
        return "a number";
      case ValueType::kCategory:
        return fmt::format("category column \"{}\"", v.name);
      case ValueType::kString:
        return fmt::format("the string {}", quote_for_message(v.string));
      case ValueType::kNull:
        return "NULL";
    }
    return "";
  }

  // Binds a value expression; scratch vectors it needs are numbered from *next_temp.
  Result<Value> bind_value(const Node& n, int* next_temp) {
    Value v;
    switch (n.kind) {
      case NodeKind::kNumber:
        v.num.value = n.number;
        return v;
      case NodeKind::kDuration:
        v.num.value = duration_days(n.number, n.unit);
        return v;
      case NodeKind::kNow:
        v.num.value = static_cast<double>(view_.as_of()) / static_cast<double>(kSecondsPerDay);
        return v;
      case NodeKind::kBool:
        v.num.value = n.boolean ? 1 : 0;
        return v;
      case NodeKind::kString:
        v.type = ValueType::kString;
        v.string = n.text;
        return v;
      case NodeKind::kNull:
        v.type = ValueType::kNull;
        return v;
      case NodeKind::kColumn: {
        const gate::Column* c = view_.column(n.text);
        if (c == nullptr) {
          std::string names;
          for (const gate::Column& col : view_.columns()) {
            if (!names.empty()) names += ", ";
            names += col.name;
          }
          return error(
              n.pos, fmt::format("column \"{}\" is not in this view (purpose \"{}\" may read: {})",
                                 n.text, view_.purpose(), names.empty() ? "nothing" : names));
        }
        if (c->kind == ColumnKind::kCategory) {
          v.type = ValueType::kCategory;
          v.column = column_index(n.text);
          v.name = n.text;
          return v;
        }
        v.num.kind = NumberRef::Kind::kColumn;
        v.num.index = column_index(n.text);
        return v;
      }
      case NodeKind::kNeg:
      case NodeKind::kArith:
        return bind_arith(n, next_temp);
      default:
        return error(n.pos, fmt::format("expected a value, found the condition {}", to_text(n)));
    }
  }

  // Left to right, as written: constants fold only while everything so far is constant, so
  // the program rounds exactly as a row-at-a-time evaluation would.
  Result<Value> bind_arith(const Node& n, int* next_temp) {
    // Scratch vectors form a stack: a value that lives in one is in the first that was free
    // when its binding began, and everything its terms used above that is free again after.
    const int start = *next_temp;
    const bool neg = n.kind == NodeKind::kNeg;
    const std::size_t terms = neg ? 2 : n.children.size();
    Value acc;  // for kNeg: 0 - child
    for (std::size_t i = 0; i < terms; ++i) {
      if (neg && i == 0) continue;
      const Node& child = neg ? n.children[0] : n.children[i];
      const bool minus = neg ? true : n.minus[i];
      *next_temp = acc.num.kind == NumberRef::Kind::kTemp ? start + 1 : start;
      CONSENTRIC_ASSIGN_OR_RETURN(Value term, bind_value(child, next_temp));
      if (term.type != ValueType::kNumber) {
        return error(child.pos,
                     fmt::format("\"{}\" needs numbers, found {}",
                                 i == 0 ? "+" : (minus ? "-" : "+"), describe_value(term)));
      }
      if (i == 0) {
        acc = term;
        continue;
      }
      if (acc.num.kind == NumberRef::Kind::kConst && term.num.kind == NumberRef::Kind::kConst) {
        acc.num.value = minus ? acc.num.value - term.num.value : acc.num.value + term.num.value;
        continue;
      }
      Op op;
      op.kind = minus ? OpKind::kSub : OpKind::kAdd;
      op.dst = start;
      op.a = acc.num;
      op.b = term.num;
      ops_.push_back(std::move(op));
      acc.num.kind = NumberRef::Kind::kTemp;
      acc.num.index = start;
      temp_slots_ = std::max(temp_slots_, start + 1);
    }
    *next_temp = acc.num.kind == NumberRef::Kind::kTemp ? start + 1 : start;
    return acc;
  }

  Status check_number(const Value& v, const Node& at, std::string_view what) {
    if (v.type == ValueType::kNumber) return Status();
    return error(at.pos, fmt::format("{} needs numbers, found {}", what, describe_value(v)));
  }

  Status null_error(Position p) {
    return error(p, "a comparison with NULL is never true; use IS NULL or IS NOT NULL");
  }

  Status bind_compare(const Node& n, int dst) {
    int temps = 0;
    CONSENTRIC_ASSIGN_OR_RETURN(Value a, bind_value(n.children[0], &temps));
    CONSENTRIC_ASSIGN_OR_RETURN(Value b, bind_value(n.children[1], &temps));
    if (a.type == ValueType::kNull || b.type == ValueType::kNull) return null_error(n.pos);
    const std::string op_name = fmt::format("\"{}\"", cmp_op_text(n.cmp));
    if (a.type == ValueType::kCategory || b.type == ValueType::kCategory) {
      const Value& col = a.type == ValueType::kCategory ? a : b;
      const Value& other = a.type == ValueType::kCategory ? b : a;
      if (n.cmp != CmpOp::kEq && n.cmp != CmpOp::kNe) {
        return error(n.pos, fmt::format("{} does not apply to category column \"{}\"; use =, != "
                                        "or IN",
                                        op_name, col.name));
      }
      if (other.type != ValueType::kString) {
        return error(n.pos, fmt::format("cannot compare category column \"{}\" with {}", col.name,
                                        describe_value(other)));
      }
      Op op;
      op.kind = OpKind::kCategoryIn;
      op.dst = dst;
      op.column = col.column;
      op.negated = n.cmp == CmpOp::kNe;
      op.strings.push_back(other.string);
      ops_.push_back(std::move(op));
      return Status();
    }
    if (a.type == ValueType::kString || b.type == ValueType::kString) {
      return error(n.pos,
                   fmt::format("cannot compare {} with {}", describe_value(a), describe_value(b)));
    }
    emit_compare(n.cmp, a.num, b.num, dst);
    return Status();
  }

  void emit_compare(CmpOp cmp, NumberRef a, NumberRef b, int dst) {
    const bool ac = a.kind == NumberRef::Kind::kConst, bc = b.kind == NumberRef::Kind::kConst;
    if (ac && bc) {
      emit_const(dst, compare(cmp, a.value, b.value));
      return;
    }
    Op op;
    op.kind = OpKind::kCompare;
    op.dst = dst;
    op.cmp = cmp;
    op.a = a;
    op.b = b;
    if (ac) {  // constants go on the right
      op.cmp = flipped(cmp);
      std::swap(op.a, op.b);
    }
    ops_.push_back(std::move(op));
  }

  Status bind_in(const Node& n, int dst) {
    int temps = 0;
    CONSENTRIC_ASSIGN_OR_RETURN(Value x, bind_value(n.children[0], &temps));
    const std::string_view in = n.negated ? "NOT IN" : "IN";
    if (x.type == ValueType::kNull) return null_error(n.pos);
    if (x.type == ValueType::kString) {
      return error(n.children[0].pos,
                   fmt::format("{} needs a column on its left, found {}", in, describe_value(x)));
    }
    Op op;
    op.dst = dst;
    op.negated = n.negated;
    for (std::size_t i = 1; i < n.children.size(); ++i) {
      const Node& item = n.children[i];
      int item_temps = temps;
      CONSENTRIC_ASSIGN_OR_RETURN(Value v, bind_value(item, &item_temps));
      if (v.type == ValueType::kNull) return null_error(item.pos);
      if (x.type == ValueType::kCategory) {
        if (v.type != ValueType::kString) {
          return error(item.pos, fmt::format("{} list for category column \"{}\" must hold "
                                             "strings, found {}",
                                             in, x.name, describe_value(v)));
        }
        op.strings.push_back(v.string);
      } else {
        if (v.type != ValueType::kNumber || v.num.kind != NumberRef::Kind::kConst) {
          return error(item.pos, fmt::format("{} list for a number must hold constant numbers, "
                                             "found {}",
                                             in,
                                             v.type == ValueType::kNumber
                                                 ? "the column expression " + to_text(item)
                                                 : describe_value(v)));
        }
        op.numbers.push_back(v.num.value);
      }
    }
    if (x.type == ValueType::kCategory) {
      op.kind = OpKind::kCategoryIn;
      op.column = x.column;
      ops_.push_back(std::move(op));
      return Status();
    }
    if (x.num.kind == NumberRef::Kind::kConst) {
      const double c = x.num.value;
      bool found = false;
      for (double v : op.numbers) found = found || c == v;
      emit_const(dst, n.negated ? !found : found);  // constants are never missing
      return Status();
    }
    op.kind = OpKind::kNumberIn;
    op.a = x.num;
    ops_.push_back(std::move(op));
    return Status();
  }

  Status bind_between(const Node& n, int dst) {
    int temps = 0;
    CONSENTRIC_ASSIGN_OR_RETURN(Value x, bind_value(n.children[0], &temps));
    CONSENTRIC_ASSIGN_OR_RETURN(Value lo, bind_value(n.children[1], &temps));
    CONSENTRIC_ASSIGN_OR_RETURN(Value hi, bind_value(n.children[2], &temps));
    for (const Value* v : {&x, &lo, &hi}) {
      if (v->type == ValueType::kNull) return null_error(n.pos);
      CONSENTRIC_RETURN_IF_ERROR(check_number(*v, n, "BETWEEN"));
    }
    mask_slots_ = std::max(mask_slots_, dst + 2);
    // x BETWEEN lo AND hi is lo <= x AND x <= hi; NOT BETWEEN is x < lo OR x > hi, so a
    // missing x is in neither.
    emit_compare(n.negated ? CmpOp::kLt : CmpOp::kGe, x.num, lo.num, dst);
    emit_compare(n.negated ? CmpOp::kGt : CmpOp::kLe, x.num, hi.num, dst + 1);
    Op op;
    op.kind = n.negated ? OpKind::kOr : OpKind::kAnd;
    op.dst = dst;
    ops_.push_back(std::move(op));
    return Status();
  }

  Status bind_is_null(const Node& n, int dst) {
    int temps = 0;
    CONSENTRIC_ASSIGN_OR_RETURN(Value x, bind_value(n.children[0], &temps));
    Op op;
    op.dst = dst;
    op.negated = n.negated;
    switch (x.type) {
      case ValueType::kNull:
        emit_const(dst, !n.negated);
        return Status();
      case ValueType::kString:
        emit_const(dst, n.negated);
        return Status();
      case ValueType::kCategory:
        op.kind = OpKind::kCategoryIsNull;
        op.column = x.column;
        break;
      case ValueType::kNumber:
        if (x.num.kind == NumberRef::Kind::kConst) {
          emit_const(dst, std::isnan(x.num.value) != n.negated);
          return Status();
        }
        op.kind = OpKind::kNumberIsNull;
        op.a = x.num;
        break;
    }
    ops_.push_back(std::move(op));
    return Status();
  }

  const gate::PurposeView& view_;
  std::vector<std::string> columns_;
  std::vector<Op> ops_;
  int mask_slots_ = 1;
  int temp_slots_ = 0;
};

}  // namespace

Result<CompiledRule> compile_rule(std::string_view text, const gate::PurposeView& view) {
  if (text.size() <= kMaxRuleBytes && !is_valid_utf8(text)) {
    return invalid_argument("rule: not valid UTF-8");
  }
  CONSENTRIC_ASSIGN_OR_RETURN(Node tree, parse_rule(text));
  Binder binder(view);
  CONSENTRIC_RETURN_IF_ERROR(binder.bind_condition(tree, 0));
  return binder.finish(to_text(tree));
}

std::string describe(const CompiledRule& rule) { return rule.text; }

}  // namespace consentric::segment
