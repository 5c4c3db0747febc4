// What every result record says about the model it measured: name (with the
// dtype suffix of reduced-precision runs), file, sha256, position encoding,
// training length, dtype and device. Sweep cells and task cells both derive
// from it, so the fields are filled, written and read in one place.
#pragma once

#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <string>

namespace lengen {

class Model;

struct ModelIdentity {
  std::string model;  // Model::label(): "alibi", "alibi@bfloat16"
  std::string model_path;
  std::string model_sha256;
  std::string position_encoding;
  int64_t train_length = 0;
  std::string dtype = "float32";  // --dtype the model ran in
  std::string device = "cpu";     // --device, resolved (perf only: results agree across devices)
};

ModelIdentity identify(const Model& model);

// Adds the identity's fields to the record `j` (a JSON object).
void write_identity(nlohmann::json& j, const ModelIdentity& identity);
// Reads them back; records older than --dtype/--device ran float32 on the CPU.
// Throws nlohmann::json::exception (or std::out_of_range for a train_length
// that is no int64) for the caller to report with its file name.
ModelIdentity read_identity(const nlohmann::json& j);

}  // namespace lengen
