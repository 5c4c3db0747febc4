// One function per subcommand, each defined in its own <name>_command.cpp:
// it declares its options on the CLI11 app and installs a callback that runs
// the command. main.cpp is the list of these calls; adding a subcommand means
// one new file and one line there.
#pragma once

namespace CLI {
class App;
}

namespace lengen {

void add_tokenize_command(CLI::App& app);
void add_info_command(CLI::App& app);
void add_sweep_command(CLI::App& app);
void add_merge_command(CLI::App& app);
void add_compare_command(CLI::App& app);
void add_baseline_command(CLI::App& app);
void add_check_command(CLI::App& app);
void add_tasks_command(CLI::App& app);

}  // namespace lengen
