// lengen's single error type and its exit codes.
//
// Every failure a user can cause or meet (bad file, wrong model, out of memory)
// becomes a lengen::Error carrying the file it concerns, what went wrong, a hint
// saying what to do, and the process exit code. Third-party errors (c10::Error,
// sentencepiece's util::Status, CLI11's parse errors) are converted once at the
// library boundary that meets them; main() catches lengen::Error once.
#pragma once

#include <stdexcept>
#include <string>

namespace lengen {

// Documented in README.md ("Exit codes"); stable across versions.
enum class ExitCode : int {
  kOk = 0,
  kRuntime = 1,        // a failure while running (model error, I/O error, OOM outside a cell)
  kBadInput = 2,       // bad usage or bad input files (CLI errors, corrupt caches, wrong models)
  kRegression = 3,     // `lengen check`: a value left its tolerance band
  kIncomparable = 4,   // `lengen check`: run and baseline measure different things
  kInterrupted = 130,  // SIGINT; every file written so far is valid
};

class Error : public std::runtime_error {
 public:
  // `subject` is usually a file path ("" when none applies); `hint` says what to try.
  Error(ExitCode code, std::string subject, const std::string& message, std::string hint = "");

  ExitCode code() const { return code_; }
  const std::string& subject() const { return subject_; }
  const std::string& message() const { return message_; }
  const std::string& hint() const { return hint_; }

  // "lengen: error: <subject>: <message>\n  hint: <hint>\n"
  std::string format() const;

 private:
  ExitCode code_;
  std::string subject_;
  std::string message_;
  std::string hint_;
};

// Shorthands for the two common kinds.
[[noreturn]] void throw_bad_input(const std::string& subject, const std::string& message,
                                  const std::string& hint = "");
[[noreturn]] void throw_runtime(const std::string& subject, const std::string& message,
                                const std::string& hint = "");

}  // namespace lengen
