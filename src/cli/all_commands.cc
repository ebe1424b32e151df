#include "cli/commands.h"

namespace consentric::cli {

void add_all_commands(CLI::App& app, Globals& g) {
  add_store_commands(app, g);
  add_audit_commands(app, g);
  add_consent_commands(app, g);
  add_gate_commands(app, g);
  add_segment_commands(app, g);
  add_score_commands(app, g);
  add_dsar_commands(app, g);
  add_erasure_commands(app, g);
  add_report_commands(app, g);
  add_config_commands(app, g);
  add_import_commands(app, g);
  add_generate_command(app, g);
  add_quickstart_command(app, g);
  add_token_commands(app, g);
  add_notice_commands(app, g);
  add_doctor_command(app, g);
  add_governance_commands(app, g);
}

}  // namespace consentric::cli
