// Numbers in lengen's JSON records: JSON has no NaN or infinity, so a
// non-finite value is stored as null and read back as NaN (sweep and task
// cell records, baselines).
#pragma once

#include <nlohmann/json_fwd.hpp>

namespace lengen {

nlohmann::json json_number(double x);
double number_from_json(const nlohmann::json& j);  // NaN unless a number

// An integer field: a JSON integer, or a number with an integral value, in
// T's range; else std::out_of_range. nlohmann's get<int64_t>() on 3e33 is
// undefined behaviour (found by fuzz/cell_record_fuzzer.cpp), so the range is
// checked first. Defined for int64_t, uint64_t and uint32_t.
template <typename T>
T integer_of(const nlohmann::json& j);

}  // namespace lengen
