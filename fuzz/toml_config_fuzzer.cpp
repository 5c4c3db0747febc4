// Fuzzes the strict TOML reader that checks --config files before CLI11 reads them.
#include "core/util/toml_check.h"
#include "fuzz/fuzz_common.h"

int lengen::fuzz::toml_config(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  lengen::fuzz::expect_clean([&] {
    for (const auto& key : lengen::read_toml_keys(text, "fuzz.toml")) {
      if (key.line < 1 || key.key.empty()) __builtin_trap();
      (void)lengen::edit_distance(key.key, "max-tokens");
    }
  });
  return 0;
}
