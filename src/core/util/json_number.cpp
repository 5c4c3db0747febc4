#include "core/util/json_number.h"

#include <cmath>
#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <stdexcept>

namespace lengen {

nlohmann::json json_number(double x) {
  return std::isfinite(x) ? nlohmann::json(x) : nlohmann::json(nullptr);
}

double number_from_json(const nlohmann::json& j) {
  return j.is_number() ? j.get<double>() : std::numeric_limits<double>::quiet_NaN();
}

template <typename T>
T integer_of(const nlohmann::json& j) {
  if (j.is_number_integer()) {
    if (j.is_number_unsigned() ? j.get<uint64_t>() > uint64_t(std::numeric_limits<T>::max())
                               : j.get<int64_t>() < int64_t(std::numeric_limits<T>::min()) ||
                                     (std::numeric_limits<T>::max() <= INT64_MAX &&
                                      j.get<int64_t>() > int64_t(std::numeric_limits<T>::max()))) {
      throw std::out_of_range("integer out of range");
    }
    return j.get<T>();
  }
  const double x = j.is_number() ? j.get<double>() : 0.5;
  if (!(x == std::floor(x) && x >= double(std::numeric_limits<T>::min()) &&
        x < double(std::numeric_limits<T>::max()))) {
    throw std::out_of_range("expected an integer");
  }
  return static_cast<T>(x);
}

template int64_t integer_of<int64_t>(const nlohmann::json& j);
template uint64_t integer_of<uint64_t>(const nlohmann::json& j);
template uint32_t integer_of<uint32_t>(const nlohmann::json& j);

}  // namespace lengen
