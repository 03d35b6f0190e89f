// Early-return helpers for absl::Status (bookworm's Abseil has no
// status_macros.h; Envoy's RETURN_IF_NOT_OK is the model).
#pragma once

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define AIGOV_STATUS_CONCAT_INNER_(a, b) a##b
#define AIGOV_STATUS_CONCAT_(a, b) AIGOV_STATUS_CONCAT_INNER_(a, b)

// Evaluates `expr` (an absl::Status); returns it from the caller if not OK.
#define AIGOV_RETURN_IF_ERROR(expr)                \
  do {                                             \
    ::absl::Status aigov_status_ = (expr);         \
    if (!aigov_status_.ok()) return aigov_status_; \
  } while (false)

// `lhs = value of (expr)`, an absl::StatusOr<T>; returns its status from the
// caller if not OK. `lhs` may be a declaration (`auto x`).
#define AIGOV_ASSIGN_OR_RETURN(lhs, expr) \
  AIGOV_ASSIGN_OR_RETURN_IMPL_(           \
      AIGOV_STATUS_CONCAT_(aigov_statusor_, __LINE__), lhs, expr)

#define AIGOV_ASSIGN_OR_RETURN_IMPL_(statusor, lhs, expr)  \
  auto statusor = (expr);                                  \
  if (!statusor.ok()) return std::move(statusor).status(); \
  lhs = std::move(statusor).value()

// Aborts with a message when an invariant does not hold.
#define AIGOV_CHECK(cond)                                                 \
  do {                                                                    \
    if (!(cond)) ::aigov::common::CheckFailed(__FILE__, __LINE__, #cond); \
  } while (false)

namespace aigov::common {
[[noreturn]] void CheckFailed(const char* file, int line, const char* cond);
}  // namespace aigov::common
