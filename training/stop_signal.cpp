#include "training/stop_signal.h"

#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstring>
#include <ctime>

namespace odenet {
namespace {

std::atomic<int> requested{0};
std::atomic<long> first_at{0};  // CLOCK_MONOTONIC seconds of the first signal
static_assert(std::atomic<int>::is_always_lock_free && std::atomic<long>::is_always_lock_free,
              "the handler may only touch lock-free atomics");

long now_seconds() {  // clock_gettime is async-signal-safe
  timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return static_cast<long>(t.tv_sec);
}

void on_signal(int sig) {
  int expected = 0;
  if (!requested.compare_exchange_strong(expected, sig)) {
    // The same request often arrives twice (a scheduler signals every process, a parent forwards):
    // only a signal 2 s or more after the first means "now".
    if (now_seconds() - first_at.load() >= 2) _exit(128 + sig);
    return;
  }
  first_at.store(now_seconds());
  const char message[] = "\nodenet: stopping after the current step (signal again, 2 s or more from now, to stop at once)\n";
  ssize_t ignored = ::write(STDERR_FILENO, message, sizeof message - 1);
  (void)ignored;
}

}  // namespace

void install_stop_handlers() {
  struct sigaction action;
  std::memset(&action, 0, sizeof action);
  action.sa_handler = on_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = 0;  // no SA_RESTART: a blocking wait returns and looks at the flag
  for (int sig : {SIGINT, SIGTERM, SIGUSR1}) ::sigaction(sig, &action, nullptr);
}

int stop_signal() { return requested.load(); }

std::string signal_name(int sig) {
  switch (sig) {
    case SIGINT:
      return "SIGINT";
    case SIGTERM:
      return "SIGTERM";
    case SIGUSR1:
      return "SIGUSR1";
    default:
      return "signal " + std::to_string(sig);
  }
}

}  // namespace odenet
