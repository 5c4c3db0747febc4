#include "core/util/json_number.h"

#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>

namespace lengen {

nlohmann::json json_number(double x) {
  return std::isfinite(x) ? nlohmann::json(x) : nlohmann::json(nullptr);
}

double number_from_json(const nlohmann::json& j) {
  return j.is_number() ? j.get<double>() : std::numeric_limits<double>::quiet_NaN();
}

}  // namespace lengen
