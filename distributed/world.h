// Where this process stands in a data-parallel run, read from the launcher's
// environment: torchrun (RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR,
// MASTER_PORT; TORCHELASTIC_USE_AGENT_STORE when its agent hosts the store),
// srun (SLURM_PROCID, SLURM_NTASKS, SLURM_LOCALID, the first node of
// SLURM_JOB_NODELIST as master), or `odenet run --nproc N` (torchrun's names).
#pragma once
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

namespace odenet {

struct WorldInfo {
  int rank = 0, world_size = 1, local_rank = 0;
  int local_world_size = 1;  ///< ranks on this node (they share its cores)
  std::string master_addr = "127.0.0.1";
  uint16_t master_port = 29500;
  /// torchrun's agent hosts the store: every rank connects as a client under `store_prefix`.
  bool agent_store = false;
  std::string store_prefix;  ///< "/worker/attempt_N" with torchrun's agent store, else empty
  std::string launcher;      ///< "torchrun", "srun" or "odenet" (for messages)
};

/// Reads the world from `getenv` (the process environment by default); empty when no launcher
/// set one up or the world has one process. Malformed values are ConfigErrors naming the variable.
std::optional<WorldInfo> world_from_environment(
    const std::function<const char*(const char*)>& getenv = [](const char* name) { return std::getenv(name); });

/// The first host of a Slurm node list: "node[03-05,9]" → "node03", "a1,b2" → "a1", "gpu-[1-2]-x" → "gpu-1-x".
std::string first_slurm_host(const std::string& nodelist);

/// The address to reach the store at `host` by: `host` when it resolves; 127.0.0.1 when it is
/// `own_hostname` (this machine) and does not resolve — torchrun --standalone names its store by the
/// host name, which a machine without an /etc/hosts entry for itself cannot look up. Another host
/// that does not resolve is an Error naming it.
std::string store_address(const std::string& host, const std::string& own_hostname);

/// This machine's host name (gethostname), or "" when it has none.
std::string own_hostname();

/// A TCP port on 127.0.0.1 that was free a moment ago (for `--nproc`'s store).
uint16_t free_local_port();

}  // namespace odenet
