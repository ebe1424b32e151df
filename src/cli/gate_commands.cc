// consentric gate counts | view

#include "cli/commands.h"

namespace consentric::cli {

void add_gate_commands(CLI::App& app, Globals& g) { (void)app, (void)g; }

}  // namespace consentric::cli
