#include "core/model/model_identity.h"

#include <nlohmann/json.hpp>
#include <stdexcept>

#include "core/model/model.h"
#include "core/util/json_number.h"

namespace lengen {

ModelIdentity identify(const Model& model) {
  ModelIdentity id;
  id.model = model.label();
  id.model_path = model.path();
  id.model_sha256 = model.sha256();
  id.position_encoding = model.metadata().position_encoding;
  id.train_length = model.metadata().train_length;
  id.dtype = to_string(model.compute().dtype);
  id.device = model.compute().device;
  return id;
}

void write_identity(nlohmann::json& j, const ModelIdentity& id) {
  j["model"] = id.model;
  j["model_path"] = id.model_path;
  j["model_sha256"] = id.model_sha256;
  j["position_encoding"] = id.position_encoding;
  j["train_length"] = id.train_length;
  j["dtype"] = id.dtype;
  j["device"] = id.device;
}

ModelIdentity read_identity(const nlohmann::json& j) {
  ModelIdentity id;
  id.model = j.at("model").get<std::string>();
  id.model_path = j.at("model_path").get<std::string>();
  id.model_sha256 = j.at("model_sha256").get<std::string>();
  id.position_encoding = j.at("position_encoding").get<std::string>();
  id.train_length = integer_of<int64_t>(j.at("train_length"));
  id.dtype = j.value("dtype", std::string("float32"));
  id.device = j.value("device", std::string("cpu"));
  return id;
}

}  // namespace lengen
