// consentric: the command-line interface of the privacy-first customer analytics engine.

#include <cstdio>

#include <fmt/format.h>

#include "cli/command_access.h"
#include "cli/commands.h"
#include "cli/output.h"

int main(int argc, char** argv) {
  using namespace consentric::cli;
  CLI::App app{
      "consentric: privacy-first customer analytics (segments, lead scores) under GDPR and CCPA"};
  app.name("consentric");
  app.set_version_flag("--version", "consentric 0.1.0");
  app.require_subcommand(1);
  app.fallthrough();  // global options (--store, --json, -q) may also follow the subcommand
  Globals g;
  app.add_option("--store", g.store, "The store folder")->envname("CONSENTRIC_STORE");
  app.add_option("--key-file", g.key_file, "The master key file (default: STORE/master.key)")
      ->envname("CONSENTRIC_KEY_FILE");
  app.add_flag("--json", g.json, "Print machine-readable JSON");
  app.add_flag("-q,--quiet", g.quiet, "No progress line");
  app.add_option("--token", g.token,
                 "Act as the holder of this access token (default: the local operator)")
      ->envname("CONSENTRIC_TOKEN");

  add_all_commands(app, g);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    (void)app.exit(e);
    return 1;  // a usage error is bad input
  }
  if (!g.run) return 1;
  try {
    if (const int refused = authorize_command(g, chosen_command(app)); refused != 0) {
      return refused;
    }
    return g.run();
  } catch (const std::exception& e) {
    fmt::print(stderr, "consentric: internal error: {}\n", e.what());
    return 2;
  }
}
