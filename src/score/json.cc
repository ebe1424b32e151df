#include "score/json.h"

#include <cstdlib>

#include <fmt/format.h>

namespace consentric::score {

double JsonValue::as_double() const {
  if (kind_ != Kind::kNumber && kind_ != Kind::kString) return 0;
  return std::strtod(text_.c_str(), nullptr);
}

float JsonValue::as_float() const {
  if (kind_ != Kind::kNumber && kind_ != Kind::kString) return 0;
  return std::strtof(text_.c_str(), nullptr);
}

long long JsonValue::as_int() const {
  if (kind_ != Kind::kNumber && kind_ != Kind::kString) return 0;
  return std::strtoll(text_.c_str(), nullptr, 10);
}

const JsonValue* JsonValue::find(std::string_view key) const {
  for (const auto& [k, v] : members_) {
    if (k == key) return &v;
  }
  return nullptr;
}

class JsonParser {
 public:
  explicit JsonParser(std::string_view s) : s_(s) {}

  Result<JsonValue> document() {
    JsonValue v;
    CONSENTRIC_RETURN_IF_ERROR(value(&v, 0));
    skip();
    if (at_ != s_.size()) return error("unexpected text after the document");
    return v;
  }

 private:
  Status error(std::string_view what) const {
    return invalid_argument(fmt::format("JSON at byte {}: {}", at_, what));
  }
  void skip() {
    while (at_ < s_.size() &&
           (s_[at_] == ' ' || s_[at_] == '\n' || s_[at_] == '\r' || s_[at_] == '\t')) {
      ++at_;
    }
  }
  bool eat(char c) {
    skip();
    if (at_ < s_.size() && s_[at_] == c) {
      ++at_;
      return true;
    }
    return false;
  }
  bool word(std::string_view w) {
    if (s_.substr(at_, w.size()) != w) return false;
    at_ += w.size();
    return true;
  }

  Status value(JsonValue* v, int depth) {
    if (depth > kMaxJsonDepth) return error("nested too deeply");
    skip();
    if (at_ >= s_.size()) return error("unexpected end");
    const char c = s_[at_];
    if (c == '{') {
      ++at_;
      v->kind_ = JsonValue::Kind::kObject;
      if (eat('}')) return {};
      do {
        skip();
        std::string key;
        CONSENTRIC_RETURN_IF_ERROR(string(&key));
        if (!eat(':')) return error("expected ':'");
        JsonValue member;
        CONSENTRIC_RETURN_IF_ERROR(value(&member, depth + 1));
        v->members_.emplace_back(std::move(key), std::move(member));
      } while (eat(','));
      if (!eat('}')) return error("expected ',' or '}'");
      return {};
    }
    if (c == '[') {
      ++at_;
      v->kind_ = JsonValue::Kind::kArray;
      if (eat(']')) return {};
      do {
        JsonValue item;
        CONSENTRIC_RETURN_IF_ERROR(value(&item, depth + 1));
        v->items_.push_back(std::move(item));
      } while (eat(','));
      if (!eat(']')) return error("expected ',' or ']'");
      return {};
    }
    if (c == '"') {
      v->kind_ = JsonValue::Kind::kString;
      return string(&v->text_);
    }
    if (word("true")) {
      v->kind_ = JsonValue::Kind::kBool;
      v->bool_ = true;
      return {};
    }
    if (word("false")) {
      v->kind_ = JsonValue::Kind::kBool;
      return {};
    }
    if (word("null")) return {};
    return number(v);
  }

  // JSON's number grammar: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
  Status number(JsonValue* v) {
    const std::size_t start = at_;
    const auto digits = [&] {
      const std::size_t from = at_;
      while (at_ < s_.size() && s_[at_] >= '0' && s_[at_] <= '9') ++at_;
      return at_ > from;
    };
    if (at_ < s_.size() && s_[at_] == '-') ++at_;
    if (!digits()) return error("expected a value");
    if (at_ < s_.size() && s_[at_] == '.') {
      ++at_;
      if (!digits()) return error("expected digits after '.'");
    }
    if (at_ < s_.size() && (s_[at_] == 'e' || s_[at_] == 'E')) {
      ++at_;
      if (at_ < s_.size() && (s_[at_] == '+' || s_[at_] == '-')) ++at_;
      if (!digits()) return error("expected an exponent");
    }
    v->kind_ = JsonValue::Kind::kNumber;
    v->text_.assign(s_.substr(start, at_ - start));
    return {};
  }

  static void append_utf8(std::string* out, unsigned cp) {
    if (cp < 0x80) {
      *out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      *out += static_cast<char>(0xC0 | (cp >> 6));
      *out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      *out += static_cast<char>(0xE0 | (cp >> 12));
      *out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      *out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      *out += static_cast<char>(0xF0 | (cp >> 18));
      *out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      *out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      *out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }

  bool hex4(unsigned* cp) {
    if (at_ + 4 > s_.size()) return false;
    unsigned v = 0;
    for (int i = 0; i < 4; ++i) {
      const char h = s_[at_ + static_cast<std::size_t>(i)];
      v <<= 4;
      if (h >= '0' && h <= '9') {
        v |= static_cast<unsigned>(h - '0');
      } else if (h >= 'a' && h <= 'f') {
        v |= static_cast<unsigned>(h - 'a' + 10);
      } else if (h >= 'A' && h <= 'F') {
        v |= static_cast<unsigned>(h - 'A' + 10);
      } else {
        return false;
      }
    }
    at_ += 4;
    *cp = v;
    return true;
  }

  Status string(std::string* out) {
    if (at_ >= s_.size() || s_[at_] != '"') return error("expected a string");
    ++at_;
    while (at_ < s_.size() && s_[at_] != '"') {
      const char c = s_[at_++];
      if (static_cast<unsigned char>(c) < 0x20) return error("control character in a string");
      if (c != '\\') {
        *out += c;
        continue;
      }
      if (at_ >= s_.size()) break;
      const char e = s_[at_++];
      switch (e) {
        case '"':
        case '\\':
        case '/':
          *out += e;
          break;
        case 'b':
          *out += '\b';
          break;
        case 'f':
          *out += '\f';
          break;
        case 'n':
          *out += '\n';
          break;
        case 'r':
          *out += '\r';
          break;
        case 't':
          *out += '\t';
          break;
        case 'u': {
          unsigned cp = 0;
          if (!hex4(&cp)) return error("bad \\u escape");
          if (cp >= 0xD800 && cp < 0xDC00) {
            unsigned low = 0;
            const std::size_t mark = at_;
            if (word("\\u") && hex4(&low) && low >= 0xDC00 && low < 0xE000) {
              cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
            } else {
              at_ = mark;
              cp = 0xFFFD;
            }
          } else if (cp >= 0xDC00 && cp < 0xE000) {
            cp = 0xFFFD;
          }
          append_utf8(out, cp);
          break;
        }
        default:
          return error("bad escape in a string");
      }
    }
    if (at_ >= s_.size()) return error("unterminated string");
    ++at_;
    return {};
  }

  std::string_view s_;
  std::size_t at_ = 0;
};

Result<JsonValue> parse_json(std::string_view text) { return JsonParser(text).document(); }

std::string json_quote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      out += fmt::format("\\u{:04x}", static_cast<unsigned>(static_cast<unsigned char>(c)));
    } else {
      out += c;
    }
  }
  return out + "\"";
}

}  // namespace consentric::score
