// The odenet subcommands; each parses its own arguments and returns an exit status.
#pragma once
#include <string>
#include <vector>

namespace odenet::cli {

using Args = std::vector<std::string>;

int run_command(const Args& args);
int status_command(const Args& args);
int submit_command(const Args& args);
int speed_command(const Args& args);
int validate_command(const Args& args);
int table_command(const Args& args);
int schemes_command(const Args& args);
int models_command(const Args& args);
int verify_scheme_command(const Args& args);
int test_scheme_command(const Args& args);
int analyze_command(const Args& args);
int report_command(const Args& args);
int stability_command(const Args& args);
int export_command(const Args& args);
int ode_command(const Args& args);
int depth_sweep_command(const Args& args);
int pack_command(const Args& args);
int data_speed_command(const Args& args);

}  // namespace odenet::cli
