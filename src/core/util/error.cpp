#include "core/util/error.h"

#include <utility>

namespace lengen {

namespace {
std::string join_what(const std::string& subject, const std::string& message) {
  return subject.empty() ? message : subject + ": " + message;
}
}  // namespace

Error::Error(ExitCode code, std::string subject, const std::string& message, std::string hint)
    : std::runtime_error(join_what(subject, message)),
      code_(code),
      subject_(std::move(subject)),
      message_(message),
      hint_(std::move(hint)) {}

std::string Error::format() const {
  std::string out = "lengen: error: " + join_what(subject_, message_) + "\n";
  if (!hint_.empty()) out += "  hint: " + hint_ + "\n";
  return out;
}

void throw_bad_input(const std::string& subject, const std::string& message,
                     const std::string& hint) {
  throw Error(ExitCode::kBadInput, subject, message, hint);
}

void throw_runtime(const std::string& subject, const std::string& message,
                   const std::string& hint) {
  throw Error(ExitCode::kRuntime, subject, message, hint);
}

}  // namespace lengen
