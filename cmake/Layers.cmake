# The build rejects an upward include: lengen_check_layers runs
# cmake/check_layers.cmake over src/core/<layer>/ and evals/ before any core
# library compiles, and fails when a file includes a header of a higher layer
# (README.md, "Architecture", states the rule).
add_custom_target(lengen_check_layers
  COMMAND ${CMAKE_COMMAND} -DLENGEN_SOURCE_DIR=${CMAKE_SOURCE_DIR}
          -P ${CMAKE_SOURCE_DIR}/cmake/check_layers.cmake
  COMMENT "Checking that no core layer includes a layer above it"
  VERBATIM)
