// Stopping long work on request: SIGINT, SIGTERM or SIGUSR1 (what Slurm sends
// ahead of a time limit with --signal) asks the trainer to stop after the
// current step and checkpoint; a second signal 2 s or more after the first exits
// at once (sooner, it is the same request delivered twice).
#pragma once
#include <string>

namespace odenet {

/// Installs the handlers (idempotent). The first signal only sets a flag; another one 2 s or more
/// later calls _exit(128 + signal) (sooner, it is the same request delivered twice).
void install_stop_handlers();

/// The signal that asked to stop, or 0.
int stop_signal();

/// "SIGINT", "SIGTERM", "SIGUSR1", or "signal N".
std::string signal_name(int signal);

}  // namespace odenet
