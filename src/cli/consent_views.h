#pragma once

// Read-only consent commands (show, history, proof) and the text rendering of a TC string.

#include <string>
#include <vector>

#include "cli/commands.h"
#include "tcf/tc_string.h"

namespace consentric::cli {

void add_consent_views(CLI::App* consent, Globals& g);

std::string render_tc_string(const tcf::TcString& tc,
                             const std::vector<tcf::PolicyWarning>& warnings);

}  // namespace consentric::cli
