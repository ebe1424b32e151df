// evaluate: runs a compiled rule's postfix program block by block. Each operation is one
// loop over kBlockRows contiguous values writing a byte mask or a scratch vector; the loops
// are simple enough for the compiler to vectorize (this file is built with -O3).

#include <algorithm>
#include <cstring>

#include "segment/rule.h"

namespace consentric::segment {
namespace {

using gate::Column;
using gate::ColumnKind;

// What a kCategoryIn operation compares against in this view's dictionary.
struct CategoryLookup {
  bool single = false;              // one value: compare codes with `code`
  std::int32_t code = -2;           // -2 (matches no row) when the value is not in the dictionary
  std::vector<std::uint8_t> table;  // several values: table[code]; table[dict size] = 0
};

struct Eq {
  bool operator()(double a, double b) const { return a == b; }
};
struct Ne {
  bool operator()(double a, double b) const { return (a < b) | (a > b); }
};
struct Lt {
  bool operator()(double a, double b) const { return a < b; }
};
struct Le {
  bool operator()(double a, double b) const { return a <= b; }
};
struct Gt {
  bool operator()(double a, double b) const { return a > b; }
};
struct Ge {
  bool operator()(double a, double b) const { return a >= b; }
};

template <typename F>
void compare_to_const(const double* a, double c, std::uint8_t* __restrict out, std::size_t n) {
  const F f;
  for (std::size_t i = 0; i < n; ++i) out[i] = f(a[i], c);
}

template <typename F>
void compare_arrays(const double* a, const double* b, std::uint8_t* __restrict out, std::size_t n) {
  const F f;
  for (std::size_t i = 0; i < n; ++i) out[i] = f(a[i], b[i]);
}

template <typename F>
void dispatch_compare(const double* a, const double* b, double c, std::uint8_t* out,
                      std::size_t n) {
  if (b == nullptr) {
    compare_to_const<F>(a, c, out, n);
  } else {
    compare_arrays<F>(a, b, out, n);
  }
}

class Runner {
 public:
  Runner(const CompiledRule& rule, std::vector<const Column*> columns)
      : rule_(rule),
        columns_(std::move(columns)),
        masks_(static_cast<std::size_t>(rule.mask_slots) * kBlockRows),
        temps_(static_cast<std::size_t>(rule.temp_slots) * kBlockRows),
        lookups_(rule.ops.size()) {
    for (std::size_t i = 0; i < rule.ops.size(); ++i) {
      const Op& op = rule.ops[i];
      if (op.kind != OpKind::kCategoryIn) continue;
      const std::vector<std::string>& dict = columns_[op.column]->dictionary;
      CategoryLookup& l = lookups_[i];
      if (op.strings.size() == 1) {
        l.single = true;
        const auto it = std::find(dict.begin(), dict.end(), op.strings[0]);
        if (it != dict.end()) l.code = static_cast<std::int32_t>(it - dict.begin());
        continue;
      }
      l.table.assign(dict.size() + 1, op.negated ? 1 : 0);
      l.table[dict.size()] = 0;  // missing or out of range: never in the segment
      for (const std::string& s : op.strings) {
        for (std::size_t code = 0; code < dict.size(); ++code) {
          if (dict[code] == s) l.table[code] = op.negated ? 0 : 1;
        }
      }
    }
  }

  void run_block(std::size_t begin, std::size_t n, std::uint8_t* result) {
    for (std::size_t i = 0; i < rule_.ops.size(); ++i) run_op(rule_.ops[i], lookups_[i], begin, n);
    std::memcpy(result, masks_.data(), n);
  }

 private:
  std::uint8_t* mask(int slot) {
    return masks_.data() + static_cast<std::size_t>(slot) * kBlockRows;
  }
  double* temp(int slot) { return temps_.data() + static_cast<std::size_t>(slot) * kBlockRows; }
  // nullptr for a constant.
  const double* numbers(const NumberRef& r, std::size_t begin) {
    switch (r.kind) {
      case NumberRef::Kind::kColumn:
        return columns_[r.index]->numbers.data() + begin;
      case NumberRef::Kind::kTemp:
        return temp(r.index);
      case NumberRef::Kind::kConst:
        return nullptr;
    }
    return nullptr;
  }

  void run_op(const Op& op, const CategoryLookup& lookup, std::size_t begin, std::size_t n) {
    switch (op.kind) {
      case OpKind::kCompare: {
        const double* a = numbers(op.a, begin);
        const double* b = numbers(op.b, begin);
        std::uint8_t* out = mask(op.dst);
        switch (op.cmp) {
          case CmpOp::kEq:
            dispatch_compare<Eq>(a, b, op.b.value, out, n);
            break;
          case CmpOp::kNe:
            dispatch_compare<Ne>(a, b, op.b.value, out, n);
            break;
          case CmpOp::kLt:
            dispatch_compare<Lt>(a, b, op.b.value, out, n);
            break;
          case CmpOp::kLe:
            dispatch_compare<Le>(a, b, op.b.value, out, n);
            break;
          case CmpOp::kGt:
            dispatch_compare<Gt>(a, b, op.b.value, out, n);
            break;
          case CmpOp::kGe:
            dispatch_compare<Ge>(a, b, op.b.value, out, n);
            break;
        }
        return;
      }
      case OpKind::kNumberIn: {
        const double* a = numbers(op.a, begin);
        std::uint8_t* __restrict out = mask(op.dst);
        std::memset(out, 0, n);
        for (const double v : op.numbers) {
          for (std::size_t i = 0; i < n; ++i) out[i] |= a[i] == v;
        }
        if (op.negated) {
          for (std::size_t i = 0; i < n; ++i) out[i] = (a[i] == a[i]) & (out[i] ^ 1);
        }
        return;
      }
      case OpKind::kCategoryIn: {
        const std::int32_t* codes = columns_[op.column]->codes.data() + begin;
        std::uint8_t* __restrict out = mask(op.dst);
        if (lookup.single) {
          const std::int32_t c = lookup.code;
          if (op.negated) {
            for (std::size_t i = 0; i < n; ++i) out[i] = (codes[i] >= 0) & (codes[i] != c);
          } else {
            for (std::size_t i = 0; i < n; ++i) out[i] = codes[i] == c;
          }
          return;
        }
        const std::uint8_t* table = lookup.table.data();
        const auto size = static_cast<std::uint32_t>(lookup.table.size() - 1);
        for (std::size_t i = 0; i < n; ++i) {
          const auto k = static_cast<std::uint32_t>(codes[i]);
          out[i] = table[k < size ? k : size];
        }
        return;
      }
      case OpKind::kNumberIsNull: {
        const double* a = numbers(op.a, begin);
        std::uint8_t* __restrict out = mask(op.dst);
        const std::uint8_t flip = op.negated ? 1 : 0;
        for (std::size_t i = 0; i < n; ++i) out[i] = (a[i] != a[i]) ^ flip;
        return;
      }
      case OpKind::kCategoryIsNull: {
        const std::int32_t* codes = columns_[op.column]->codes.data() + begin;
        std::uint8_t* __restrict out = mask(op.dst);
        const std::uint8_t flip = op.negated ? 1 : 0;
        for (std::size_t i = 0; i < n; ++i) out[i] = (codes[i] < 0) ^ flip;
        return;
      }
      case OpKind::kConstMask:
        std::memset(mask(op.dst), op.constant ? 1 : 0, n);
        return;
      case OpKind::kAnd: {
        std::uint8_t* __restrict out = mask(op.dst);
        const std::uint8_t* __restrict in = mask(op.dst + 1);
        for (std::size_t i = 0; i < n; ++i) out[i] &= in[i];
        return;
      }
      case OpKind::kOr: {
        std::uint8_t* __restrict out = mask(op.dst);
        const std::uint8_t* __restrict in = mask(op.dst + 1);
        for (std::size_t i = 0; i < n; ++i) out[i] |= in[i];
        return;
      }
      case OpKind::kNot: {
        std::uint8_t* __restrict out = mask(op.dst);
        for (std::size_t i = 0; i < n; ++i) out[i] ^= 1;
        return;
      }
      case OpKind::kAdd:
      case OpKind::kSub: {
        // dst may be the same vector as a or b: each element is read before it is written.
        const double* a = numbers(op.a, begin);
        const double* b = numbers(op.b, begin);
        double* out = temp(op.dst);
        if (op.kind == OpKind::kAdd) {
          if (a && b) {
            for (std::size_t i = 0; i < n; ++i) out[i] = a[i] + b[i];
          } else if (a) {
            for (std::size_t i = 0; i < n; ++i) out[i] = a[i] + op.b.value;
          } else {
            for (std::size_t i = 0; i < n; ++i) out[i] = op.a.value + b[i];
          }
        } else {
          if (a && b) {
            for (std::size_t i = 0; i < n; ++i) out[i] = a[i] - b[i];
          } else if (a) {
            for (std::size_t i = 0; i < n; ++i) out[i] = a[i] - op.b.value;
          } else {
            for (std::size_t i = 0; i < n; ++i) out[i] = op.a.value - b[i];
          }
        }
        return;
      }
    }
  }

  const CompiledRule& rule_;
  std::vector<const Column*> columns_;
  std::vector<std::uint8_t> masks_;
  std::vector<double> temps_;
  std::vector<CategoryLookup> lookups_;
};

}  // namespace

std::vector<std::uint8_t> evaluate(const CompiledRule& rule, const gate::PurposeView& view) {
  const std::size_t rows = view.rows();
  std::vector<std::uint8_t> out(rows, 0);
  // Resolve the columns by name; a view that breaks the REQUIRES gets no rows rather than
  // reads out of bounds.
  std::vector<const Column*> columns;
  for (const std::string& name : rule.columns) {
    const Column* c = view.column(name);
    if (c == nullptr) return out;
    const std::size_t size = c->kind == ColumnKind::kNumber ? c->numbers.size() : c->codes.size();
    if (size != rows) return out;
    columns.push_back(c);
  }
  for (const Op& op : rule.ops) {
    const auto kind_of = [&](int index) { return columns[static_cast<std::size_t>(index)]->kind; };
    const bool number_op = op.kind == OpKind::kCompare || op.kind == OpKind::kNumberIn ||
                           op.kind == OpKind::kNumberIsNull || op.kind == OpKind::kAdd ||
                           op.kind == OpKind::kSub;
    if (number_op) {
      for (const NumberRef* r : {&op.a, &op.b}) {
        if (r->kind == NumberRef::Kind::kColumn && kind_of(r->index) != ColumnKind::kNumber) {
          return out;
        }
      }
    } else if ((op.kind == OpKind::kCategoryIn || op.kind == OpKind::kCategoryIsNull) &&
               kind_of(op.column) != ColumnKind::kCategory) {
      return out;
    }
  }
  Runner runner(rule, std::move(columns));
  for (std::size_t begin = 0; begin < rows; begin += kBlockRows) {
    runner.run_block(begin, std::min(kBlockRows, rows - begin), out.data() + begin);
  }
  return out;
}

}  // namespace consentric::segment
