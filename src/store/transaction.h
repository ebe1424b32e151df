#pragma once

// One store transaction around a piece of work that returns a Result: committed only when the
// work succeeds, rolled back otherwise, so that an action and its audit entry exist together or
// not at all. Work that creates subjects also needs the key ring: cli/commands.h has
// in_store_transaction for that.

#include "store/store.h"

namespace consentric {

template <typename Fn>
auto in_transaction(Store& store, Fn&& fn) -> decltype(fn()) {
  CONSENTRIC_RETURN_IF_ERROR(store.begin());
  auto out = fn();
  Status s = out.status();
  if (s.ok()) s = store.commit();
  if (!s.ok()) {
    store.rollback();
    return s;
  }
  return out;
}

}  // namespace consentric
