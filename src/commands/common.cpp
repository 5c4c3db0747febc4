#include "commands/common.h"

#include <CLI/CLI.hpp>
#include <string>
#include <thread>
#include <vector>

#include "core/model/model.h"
#include "core/util/atomic_file.h"
#include "core/util/error.h"
#include "core/util/toml_check.h"

namespace lengen {

namespace {
// The name CLI11's config reader would match for `key` (App::_parse_single_config).
bool option_takes_key(const CLI::Option& option, const std::string& key) {
  return option.check_name("--" + key) || (key.size() == 1 && option.check_name("-" + key)) ||
         option.check_name(key);
}

// " (did you mean 'x'?)" for the closest candidate within two edits, else "".
std::string did_you_mean(const std::string& word, const std::vector<std::string>& candidates) {
  std::string best;
  size_t best_distance = 3;
  for (const auto& candidate : candidates) {
    const size_t d = edit_distance(word, candidate);
    if (d < best_distance) {
      best = candidate;
      best_distance = d;
    }
  }
  return best.empty() ? "" : "did you mean '" + best + "'? ";
}

void check_section_keys(const CLI::App& command, const TomlKey& key, const std::string& where) {
  std::vector<std::string> names;
  for (const CLI::Option* option : command.get_options()) {
    if (option_takes_key(*option, key.key)) return;
    for (const auto& name : option->get_lnames()) names.push_back(name);
  }
  throw_bad_input(where, "unknown option '" + key.key + "' in [" + key.section + "]",
                  did_you_mean(key.key, names) + "see `lengen " + command.get_name() +
                      " --help` for its options (spelled as there, without --)");
}

std::string config_path_of(int argc, const char* const* argv) {
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--") break;
    if (arg == "--config" && i + 1 < argc) return argv[i + 1];
    if (arg.rfind("--config=", 0) == 0) return arg.substr(9);
  }
  return "";
}
}  // namespace

void check_config_file(const CLI::App& app, int argc, const char* const* argv) {
  const std::string path = config_path_of(argc, argv);
  if (path.empty()) return;
  const std::vector<TomlKey> keys = read_toml_keys(read_text_file(path), path);
  std::vector<std::string> sections;
  for (const CLI::App* sub : app.get_subcommands({})) sections.push_back(sub->get_name());
  for (const TomlKey& key : keys) {
    const std::string where = path + ":" + std::to_string(key.line);
    if (key.section.empty()) {
      throw_bad_input(where, "option '" + key.key + "' is outside any [section]",
                      "put it under the header of its subcommand, e.g. [sweep]");
    }
    const std::string top = key.section.substr(0, key.section.find('.'));
    const CLI::App* command = nullptr;
    for (const CLI::App* sub : app.get_subcommands({})) {
      if (sub->get_name() == top) command = sub;
    }
    if (command == nullptr || top != key.section) {
      throw_bad_input(where, "unknown section [" + key.section + "]",
                      did_you_mean(top, sections) +
                          "sections name subcommands: " + CLI::detail::join(sections, ", "));
    }
    check_section_keys(*command, key, where);
  }
}

CLI::Validator non_negative() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        double value = 0;
        if (!CLI::detail::lexical_cast(text, value) || !(value >= 0)) {
          return "must be a number >= 0, got '" + text + "'";
        }
        return "";
      },
      "NUMBER >= 0");
}

CLI::Validator positive() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        double value = 0;
        if (!CLI::detail::lexical_cast(text, value) || !(value > 0)) {
          return "must be a number > 0, got '" + text + "'";
        }
        return "";
      },
      "NUMBER > 0");
}

void add_threads_option(CLI::App& command, int& threads) {
  threads = 0;
  command.add_option("--threads", threads, "compute threads (0 = all cores)")
      ->check(non_negative())
      ->capture_default_str();
}

int apply_threads(int threads) {
  const int resolved =
      threads > 0 ? threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  set_compute_threads(resolved);
  return resolved;
}

}  // namespace lengen
