#pragma once

// Status and Result<T>: how every consentric function reports an expected failure.
// Codes and the rules for choosing them follow abseil's canonical codes:
//   kInvalidArgument     the input is wrong whatever the state (bad CSV row, bad config)
//   kNotFound            a named thing does not exist
//   kAlreadyExists       creating something that is there
//   kFailedPrecondition  the state forbids it (no legal basis, subject erased, store not
//   initialized) kPermissionDenied    the actor's role forbids it kUnauthenticated     wrong or
//   missing key or token kResourceExhausted   a spent budget kDataLoss            stored data is
//   corrupt or was tampered with kInternal            a bug or an unexpected library failure
// Exceptions never cross a module's public function; adapters catch at the edge.

#include <cassert>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace consentric {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,
  kNotFound,
  kAlreadyExists,
  kFailedPrecondition,
  kPermissionDenied,
  kUnauthenticated,
  kResourceExhausted,
  kDataLoss,
  kInternal,
};

std::string_view status_code_name(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status ok_status() { return Status(); }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // "INVALID_ARGUMENT: profiles.csv:12: field "age": expected an integer, got "x""
  std::string to_string() const;

  // Returns a copy whose message is "context: message"; ok stays ok.
  Status with_context(std::string_view context) const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

inline Status invalid_argument(std::string m) {
  return {StatusCode::kInvalidArgument, std::move(m)};
}
inline Status not_found(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
inline Status already_exists(std::string m) { return {StatusCode::kAlreadyExists, std::move(m)}; }
inline Status failed_precondition(std::string m) {
  return {StatusCode::kFailedPrecondition, std::move(m)};
}
inline Status permission_denied(std::string m) {
  return {StatusCode::kPermissionDenied, std::move(m)};
}
inline Status unauthenticated(std::string m) {
  return {StatusCode::kUnauthenticated, std::move(m)};
}
inline Status resource_exhausted(std::string m) {
  return {StatusCode::kResourceExhausted, std::move(m)};
}
inline Status data_loss(std::string m) { return {StatusCode::kDataLoss, std::move(m)}; }
inline Status internal_error(std::string m) { return {StatusCode::kInternal, std::move(m)}; }

// A value or the Status saying why there is none. REQUIRES: a Result built from a Status
// holds a non-ok Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::move(value)) {}        // NOLINT(google-explicit-constructor)
  Result(Status status) : state_(std::move(status)) {  // NOLINT(google-explicit-constructor)
    assert(!std::get<Status>(state_).ok());
  }

  bool ok() const { return std::holds_alternative<T>(state_); }
  Status status() const { return ok() ? Status() : std::get<Status>(state_); }

  // REQUIRES: ok().
  T& value() & { return std::get<T>(state_); }
  const T& value() const& { return std::get<T>(state_); }
  T&& value() && { return std::get<T>(std::move(state_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<T, Status> state_;
};

}  // namespace consentric

// Propagates a non-ok Status from an expression returning Status.
#define CONSENTRIC_RETURN_IF_ERROR(expr)                     \
  do {                                                       \
    ::consentric::Status consentric_status_ = (expr);        \
    if (!consentric_status_.ok()) return consentric_status_; \
  } while (0)

#define CONSENTRIC_CONCAT_INNER(a, b) a##b
#define CONSENTRIC_CONCAT(a, b) CONSENTRIC_CONCAT_INNER(a, b)

// `CONSENTRIC_ASSIGN_OR_RETURN(auto x, f());` declares x from an ok Result or returns its Status.
#define CONSENTRIC_ASSIGN_OR_RETURN(decl, expr) \
  CONSENTRIC_ASSIGN_OR_RETURN_IMPL(CONSENTRIC_CONCAT(consentric_result_, __LINE__), decl, expr)
#define CONSENTRIC_ASSIGN_OR_RETURN_IMPL(tmp, decl, expr) \
  auto tmp = (expr);                                      \
  if (!tmp.ok()) return tmp.status();                     \
  decl = std::move(tmp).value()
