#include "core/shell_command.h"

#include <sys/wait.h>

#include <array>
#include <cstdio>

#include "core/error.h"

namespace odenet {

ShellResult run_shell_command(const std::string& command) {
  const std::string joined = "{ " + command + "\n} 2>&1";
  FILE* pipe = ::popen(joined.c_str(), "r");
  if (!pipe) throw Error("cannot start a shell for: " + command);
  ShellResult result;
  std::array<char, 4096> buffer;
  for (size_t n; (n = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0;) result.output.append(buffer.data(), n);
  const int status = ::pclose(pipe);
  result.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return result;
}

}  // namespace odenet
