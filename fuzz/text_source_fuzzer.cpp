// Fuzzes the JSONL/text reader: the input as one .jsonl file (every line a
// document or a clean error) and as one .txt document (UTF-8 repair).
#include <vector>

#include "core/data/text_source.h"
#include "core/util/utf8.h"
#include "fuzz/fuzz_common.h"

int lengen::fuzz::text_source(const uint8_t* data, size_t size) {
  const std::string_view raw(reinterpret_cast<const char*>(data), size);
  const lengen::Utf8Repair repaired = lengen::repair_utf8(raw);
  if (lengen::repair_utf8(repaired.text).replacements != 0) __builtin_trap();  // must be valid
  for (const char* suffix : {".jsonl", ".txt"}) {
    const std::string path = lengen::fuzz::scratch_file(suffix, data, size);
    lengen::fuzz::expect_clean([&] {
      lengen::TextSource source({path});
      std::vector<lengen::TextDocument> batch;
      while (source.next_batch(batch, 1 << 16)) {
        for (const auto& doc : batch) {
          if (lengen::repair_utf8(doc.text).replacements != 0) __builtin_trap();
        }
        batch.clear();
      }
    });
  }
  return 0;
}
