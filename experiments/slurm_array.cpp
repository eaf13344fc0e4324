#include "experiments/slurm_array.h"

#include <fmt/format.h>

#include <cctype>
#include <regex>

#include "core/error.h"
#include "core/shell_command.h"

namespace odenet {
namespace {

// `value` as a message shows it: control characters escaped, so an error stays one line.
std::string shown(const std::string& value) {
  std::string out;
  for (unsigned char c : value) out += c < 0x20 || c == 0x7f ? fmt::format("\\x{:02x}", c) : std::string(1, static_cast<char>(c));
  return "'" + out + "'";
}

// Every value that reaches the script: no control characters (a newline would start a command of its
// own); on an #SBATCH line, which sbatch splits at blanks and ends at a shell command, nothing but
// the characters `allowed` names either.
void check_value(const std::string& option, const std::string& value, const std::string& allowed_on_sbatch_line = "") {
  for (unsigned char c : value)
    if (c < 0x20 || c == 0x7f) throw ConfigError(fmt::format("{}: {} holds a control character", option, shown(value)));
  if (allowed_on_sbatch_line.empty()) return;
  for (unsigned char c : value)
    if (!std::isalnum(c) && allowed_on_sbatch_line.find(static_cast<char>(c)) == std::string::npos)
      throw ConfigError(fmt::format("{}: {} holds '{}'; on an #SBATCH line only letters, digits and {} are safe", option,
                                    shown(value), static_cast<char>(c), allowed_on_sbatch_line));
}

}  // namespace

bool is_slurm_time(const std::string& t) {
  // minutes, minutes:seconds, hours:minutes:seconds, days-hours, days-hours:minutes,
  // days-hours:minutes:seconds (sbatch --time), or UNLIMITED / INFINITE.
  static const std::regex format("[0-9]{1,7}(:[0-9]{1,2}){0,2}|[0-9]{1,5}-[0-9]{1,2}(:[0-9]{1,2}){0,2}|UNLIMITED|INFINITE");
  return std::regex_match(t, format);
}

std::string slurm_array_script(const SlurmArrayOptions& o) {
  if (o.runs == 0) throw ConfigError(o.experiment_file + ": the experiment has no runs");
  check_value("--results", o.results_root, "/_.-+@%,=~");
  check_value("--partition", o.partition, "_.-,");
  check_value("the experiment name", o.experiment_name, "_.-");  // found by fuzz_slurm_script: it stands on #SBATCH lines
  if (!o.time.empty() && !is_slurm_time(o.time))
    throw ConfigError(fmt::format("--time: {} is not a Slurm time (minutes, MM:SS, HH:MM:SS, D-HH, D-HH:MM, D-HH:MM:SS)",
                                  shown(o.time)));
  check_value("the experiment file", o.experiment_file);
  check_value("the working directory", o.working_directory);
  for (const auto& word : o.odenet_command) check_value("the odenet command", word);
  std::string s = "#!/bin/bash\n";
  s += fmt::format("# odenet sweep '{}': {} run(s) as one job array (written by odenet submit).\n", o.experiment_name, o.runs);
  s += fmt::format("#SBATCH --job-name=odenet-{}\n", o.experiment_name);
  s += fmt::format("#SBATCH --array=0-{}{}\n", o.runs - 1, o.max_parallel > 0 ? fmt::format("%{}", o.max_parallel) : "");
  s += fmt::format("#SBATCH --output={}/{}/slurm-%A_%a.out\n", o.results_root, o.experiment_name);
  s += "#SBATCH --open-mode=append\n#SBATCH --requeue\n";
  s += fmt::format("#SBATCH --signal=B:USR1@{}\n", o.signal_seconds);
  const int tasks = std::max(1, o.gpus_per_run);
  s += fmt::format("#SBATCH --ntasks={}\n#SBATCH --cpus-per-task={}\n", tasks, std::max(1, o.cpus_per_run));
  if (o.gpus_per_run > 0) s += "#SBATCH --gpus-per-task=1\n";
  if (!o.partition.empty()) s += fmt::format("#SBATCH --partition={}\n", o.partition);
  if (!o.time.empty()) s += fmt::format("#SBATCH --time={}\n", o.time);
  s += "set -u\n";
  s += fmt::format("cd {}\n", shell_quoted(o.working_directory));
  std::string command = tasks > 1 ? "srun " : "";  // srun: the tasks are the data-parallel ranks
  for (const auto& a : o.odenet_command) command += shell_quoted(a) + " ";
  command += fmt::format("run {} --only \"$SLURM_ARRAY_TASK_ID\" --resume --results {} --threads {}",
                         shell_quoted(o.experiment_file), shell_quoted(o.results_root), std::max(1, o.cpus_per_run));
  s += command + " &\nchild=$!\n";
  s += "# USR1 (before the time limit) or TERM: the run checkpoints at its next step and stops.\n";
  s += "trap 'kill -USR1 $child 2>/dev/null' USR1 TERM\n";
  s += "status=0\n";
  s += "while true; do\n  wait $child; status=$?\n  kill -0 $child 2>/dev/null || break  # a trapped signal ends wait early\ndone\n";
  s += "if [ $status -eq 138 ] || [ $status -eq 143 ]; then  # paused by the signal: back into the queue\n";
  s += "  echo \"odenet: requeueing ${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID}; it resumes from its checkpoint\"\n";
  s += "  scontrol requeue \"${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID}\"\n  exit 0\nfi\n";
  s += "exit $status\n";
  return s;
}

std::string submit_with_sbatch(const std::string& script_path) {
  auto [status, output] = run_shell_command("sbatch --parsable " + shell_quoted(script_path));
  while (!output.empty() && (output.back() == '\n' || output.back() == '\r')) output.pop_back();
  if (status != 0 || output.empty() || output.find_first_not_of("0123456789;") != std::string::npos)
    throw Error(fmt::format("sbatch {}: {}", script_path,
                            output.empty() ? "failed (is Slurm installed, SLURM_CONF set?)" : output.substr(0, output.find('\n'))));
  return output.substr(0, output.find(';'));  // "id;cluster" on federated clusters
}

}  // namespace odenet
