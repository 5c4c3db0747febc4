// Fuzzes the baseline reader and a check of an empty run against it.
#include "core/report/baseline.h"
#include "fuzz/fuzz_common.h"

int lengen::fuzz::baseline(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  lengen::fuzz::expect_clean([&] {
    const lengen::Baseline baseline = lengen::baseline_from_json(text, "fuzz.json");
    const lengen::CheckReport report = lengen::check_run(baseline, {}, std::nullopt);
    if (report.incomparable.size() != baseline.rows.size()) __builtin_trap();
    (void)lengen::render_check_markdown(report);
    (void)lengen::baseline_to_json(baseline);
  });
  return 0;
}
