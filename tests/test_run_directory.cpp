// Cell records are sealed with a checksum; a torn or edited record is found,
// moved aside and its cell computed again.
#include <catch2/catch.hpp>
#include <filesystem>

#include "core/run/run_directory.h"
#include "core/util/error.h"
#include "test_helpers.h"

using namespace lengen;

TEST_CASE("a sealed record verifies, and an edit, a truncation or a broken seal does not",
          "[run_directory]") {
  const std::string record = "{\n  \"key\": \"k\",\n  \"perplexity\": 23.5\n}\n";
  const std::string sealed = seal_record(record);
  CHECK_THAT(sealed, Catch::Contains("\"record_xxh64\": \""));
  CHECK(check_record_seal(sealed) == RecordSeal::kValid);
  CHECK(seal_record(sealed) == sealed);  // re-sealing (merge copies records) is idempotent
  std::string edited = sealed;
  edited.replace(edited.find("23.5"), 4, "23.6");
  CHECK(check_record_seal(edited) == RecordSeal::kDamaged);
  CHECK(check_record_seal(sealed.substr(0, sealed.size() - 10)) == RecordSeal::kDamaged);
  CHECK(check_record_seal(record.substr(0, 20)) == RecordSeal::kDamaged);  // torn, no seal
  CHECK(check_record_seal(record) == RecordSeal::kLegacy);
}

TEST_CASE("a damaged record is moved aside and reading it is an error naming it",
          "[run_directory][errors]") {
  testing::ScratchDir dir("rundir");
  RunDirectory run(dir.path().string());
  run.write_cell("a", "{\n  \"x\": 1\n}\n");
  run.write_cell("b", "{\n  \"x\": 2\n}\n");
  const std::string b = dir.file("cells/b.json");
  std::string text = testing::read_file(b);
  text.replace(text.find("2"), 1, "3");
  testing::write_file(b, text);
  CHECK_THROWS_WITH(run.read_cell("b"), Catch::Contains(b) && Catch::Contains("checksum"));
  CHECK(run.reject_damaged_cells({"a", "b", "absent"}) == 1);
  CHECK(run.has_cell("a"));
  CHECK_FALSE(run.has_cell("b"));
  CHECK(std::filesystem::exists(b + ".damaged"));
}
