#include "core/shell_command.h"

#include <sys/wait.h>

#include <array>
#include <cstdio>

#include "core/error.h"

namespace odenet {

std::string shell_word(const std::string& s) {
  const bool plain = !s.empty() && s.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-./=:,+@%") ==
                                       std::string::npos;
  return plain ? s : shell_quoted(s);
}

std::string shell_quoted(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

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
