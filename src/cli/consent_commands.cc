// consentric consent grant | withdraw | show | history | proof | import | tcf | gpc

#include "cli/commands.h"

namespace consentric::cli {

void add_consent_commands(CLI::App& app, Globals& g) { (void)app, (void)g; }

}  // namespace consentric::cli
