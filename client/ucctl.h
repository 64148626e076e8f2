// ucctl, the command line of the ucgate gateway: commands for every service's
// RPCs. Kept as a library function so tests run it in process.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "client/ucctl_output.h"  // kRpcErrorExitCode

namespace ucgate::client {

// Runs ucctl with `args` (argv without the program name), printing answers
// to `out` and errors to `err`. Returns the process exit code: 0 on success,
// kRpcErrorExitCode when the call failed, kUsageExitCode on a usage error.
// Reads UCCTL_TARGET and UCCTL_PROJECT from the environment for defaults.
int RunUcctl(const std::vector<std::string>& args, std::ostream& out,
             std::ostream& err);

}  // namespace ucgate::client
