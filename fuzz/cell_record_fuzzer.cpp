// Fuzzes cell records: the checksum seal (a record that passes must re-seal to
// itself) and the sweep cell's JSON reader, then its tables.
#include "core/perplexity/sweep_cell.h"
#include "core/run/run_directory.h"
#include "fuzz/fuzz_common.h"

int lengen::fuzz::cell_record(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  lengen::fuzz::expect_clean([&] {
    if (lengen::check_record_seal(text) == lengen::RecordSeal::kValid &&
        lengen::seal_record(text) != text) {
      __builtin_trap();
    }
  });
  lengen::fuzz::expect_clean([&] {
    std::vector<lengen::SweepCell> cells{lengen::cell_from_json(text, "fuzz.json")};
    const std::string again = lengen::cell_to_json(cells.front());
    (void)lengen::render_ppl_csv(cells);
    (void)lengen::render_positions_csv(cells);
    (void)lengen::render_markdown_summary(cells);
    (void)again;
  });
  return 0;
}
