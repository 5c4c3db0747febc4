// Numbers in lengen's JSON records: JSON has no NaN or infinity, so a
// non-finite value is stored as null and read back as NaN (sweep and task
// cell records, baselines).
#pragma once

#include <nlohmann/json_fwd.hpp>

namespace lengen {

nlohmann::json json_number(double x);
double number_from_json(const nlohmann::json& j);  // NaN unless a number

}  // namespace lengen
