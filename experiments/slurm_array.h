// A sweep as one Slurm job array: task i trains run i of the experiment
// (`odenet run EXP --only i --resume`). Ahead of the time limit Slurm sends
// USR1 (--signal); the run checkpoints at the next step and stops, and the
// task requeues itself, so it resumes from the checkpoint when it runs again.
#pragma once
#include <string>
#include <vector>

namespace odenet {

struct SlurmArrayOptions {
  std::string experiment_file;  ///< absolute
  std::string experiment_name;
  size_t runs = 0;
  std::string results_root;     ///< absolute
  std::vector<std::string> odenet_command;  ///< this program's path and its --plugin arguments
  std::string partition, time;  ///< empty: the cluster's defaults
  int gpus_per_run = 0;         ///< > 1: the run is data-parallel over that many tasks, a GPU each
  int cpus_per_run = 1;
  int max_parallel = 0;         ///< 0: no limit
  int signal_seconds = 120;     ///< USR1 this long before the time limit
  std::string working_directory;
};

/// The sbatch script. Every value that reaches it is checked first (a ConfigError naming the
/// option): no control characters anywhere, only safe characters on #SBATCH lines (--results,
/// --partition), --time in one of Slurm's formats; the shell reads every path single-quoted.
std::string slurm_array_script(const SlurmArrayOptions& options);

/// Whether `time` is one of sbatch --time's formats.
bool is_slurm_time(const std::string& time);

/// Submits `script_path` with sbatch; returns the job id, or an Error with sbatch's message.
std::string submit_with_sbatch(const std::string& script_path);

}  // namespace odenet
