#include "distributed/world.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fmt/format.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <algorithm>

#include "core/error.h"

namespace odenet {
namespace {

long parse_integer(const char* name, const char* text, long low, long high) {
  char* end = nullptr;
  errno = 0;
  long value = std::strtol(text, &end, 10);
  if (errno != 0 || end == text || *end != '\0' || value < low || value > high)
    throw ConfigError(fmt::format("environment variable {}={}: not a whole number from {} to {}", name, text, low, high));
  return value;
}

}  // namespace

std::string first_slurm_host(const std::string& nodelist) {
  // The first entry ends at a comma outside brackets; a bracket holds ranges "03-05" or numbers.
  std::string host;
  for (size_t i = 0; i < nodelist.size(); ++i) {
    const char c = nodelist[i];
    if (c == ',') break;
    if (c != '[') {
      host += c;
      continue;
    }
    const size_t close = nodelist.find(']', i);
    if (close == std::string::npos) throw ConfigError("SLURM_JOB_NODELIST=" + nodelist + ": unbalanced '['");
    const std::string inside = nodelist.substr(i + 1, close - i - 1);
    host += inside.substr(0, inside.find_first_of(",-"));
    i = close;
  }
  if (host.empty()) throw ConfigError("SLURM_JOB_NODELIST=" + nodelist + ": no host");
  return host;
}

std::optional<WorldInfo> world_from_environment(const std::function<const char*(const char*)>& getenv) {
  WorldInfo w;
  auto integer = [&](const char* name, long low, long high) { return parse_integer(name, getenv(name), low, high); };
  if (getenv("RANK") && getenv("WORLD_SIZE")) {  // torchrun, or odenet --nproc
    w.world_size = static_cast<int>(integer("WORLD_SIZE", 1, 1 << 20));
    w.rank = static_cast<int>(integer("RANK", 0, w.world_size - 1));
    w.local_rank = getenv("LOCAL_RANK") ? static_cast<int>(integer("LOCAL_RANK", 0, 1 << 20)) : w.rank;
    // torchrun sets its TORCHELASTIC_* variables; anything else only set RANK and WORLD_SIZE.
    const bool torchrun = getenv("TORCHELASTIC_RUN_ID") || getenv("TORCHELASTIC_RESTART_COUNT");
    w.launcher = getenv("ODENET_LAUNCHER") ? getenv("ODENET_LAUNCHER")
                 : torchrun                  ? "torchrun"
                                             : "a launcher setting RANK/WORLD_SIZE";
    if (getenv("LOCAL_WORLD_SIZE")) w.local_world_size = static_cast<int>(integer("LOCAL_WORLD_SIZE", 1, 1 << 20));
    const char* agent = getenv("TORCHELASTIC_USE_AGENT_STORE");
    if (agent && std::string(agent) == "True") {
      w.agent_store = true;
      const char* restart = getenv("TORCHELASTIC_RESTART_COUNT");
      w.store_prefix = fmt::format("/worker/attempt_{}", restart ? integer("TORCHELASTIC_RESTART_COUNT", 0, 1 << 20) : 0);
    }
  } else if (getenv("SLURM_PROCID") && getenv("SLURM_NTASKS")) {  // srun
    w.world_size = static_cast<int>(integer("SLURM_NTASKS", 1, 1 << 20));
    w.rank = static_cast<int>(integer("SLURM_PROCID", 0, w.world_size - 1));
    w.local_rank = getenv("SLURM_LOCALID") ? static_cast<int>(integer("SLURM_LOCALID", 0, 1 << 20)) : 0;
    w.launcher = "srun";
    const char* per_node = getenv("SLURM_NTASKS_PER_NODE") ? getenv("SLURM_NTASKS_PER_NODE") : getenv("SLURM_TASKS_PER_NODE");
    if (per_node)  // "2", or "2(x3)" for 3 nodes of 2
      w.local_world_size = std::max(1, std::atoi(per_node));
    if (getenv("SLURM_JOB_NODELIST")) w.master_addr = first_slurm_host(getenv("SLURM_JOB_NODELIST"));
    if (!getenv("MASTER_PORT") && getenv("SLURM_JOB_ID"))  // one port per job, so jobs sharing a node do not collide
      w.master_port = static_cast<uint16_t>(20000 + integer("SLURM_JOB_ID", 0, LONG_MAX) % 20000);
  } else {
    return std::nullopt;
  }
  if (getenv("MASTER_ADDR")) w.master_addr = getenv("MASTER_ADDR");
  if (getenv("MASTER_PORT")) w.master_port = static_cast<uint16_t>(integer("MASTER_PORT", 1, 65535));
  if (w.world_size == 1) return std::nullopt;
  return w;
}

std::string store_address(const std::string& host, const std::string& own_hostname) {
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  const int code = ::getaddrinfo(host.c_str(), nullptr, &hints, &found);
  if (code == 0) {
    ::freeaddrinfo(found);
    return host;
  }
  if (!host.empty() && host == own_hostname) return "127.0.0.1";
  throw Error(fmt::format("host '{}' does not resolve ({})", host, ::gai_strerror(code)));
}

std::string own_hostname() {
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) != 0) return "";
  return name;
}

uint16_t free_local_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw Error(std::string("cannot open a socket: ") + std::strerror(errno));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t length = sizeof address;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    ::close(fd);
    throw Error(std::string("cannot find a free port on 127.0.0.1: ") + std::strerror(errno));
  }
  ::close(fd);
  return ntohs(address.sin_port);
}

}  // namespace odenet
