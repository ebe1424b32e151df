#pragma once

// Numbered schema migrations, applied in order at open, each in its own transaction.
// A migration, once released, is never edited: changes are new migrations.
// docs/formats/store-schema.md describes the tables.

#include <span>
#include <string_view>

namespace consentric {

struct Migration {
  int version;
  std::string_view description;
  std::string_view sql;
};

std::span<const Migration> sqlite_migrations();

}  // namespace consentric
