// Command-line parsing shared by the subcommands (Boost.Program_options).
#pragma once
#include <boost/program_options.hpp>
#include <string>
#include <vector>

namespace odenet::cli {

using Args = std::vector<std::string>;
namespace po = boost::program_options;

/// Parses `args` into `vm` (adding --help); prints the help and returns false on --help;
/// a bad argument is a ConfigError quoting the usage line.
bool parse(const Args& args, const std::string& usage, po::options_description& options,
           const po::positional_options_description& positional, po::variables_map& vm);

/// Splits "a,b,c" into its non-empty items.
std::vector<std::string> split_list(const std::string& text);

}  // namespace odenet::cli
