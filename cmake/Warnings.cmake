# An INTERFACE target carrying our warning flags; linked by our own targets only,
# so third-party headers (LibTorch, CLI11) are not held to them.
add_library(lengen_warnings INTERFACE)
target_compile_options(lengen_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow=local -Wnon-virtual-dtor -Wimplicit-fallthrough)
if(LENGEN_WARNINGS_AS_ERRORS)
  target_compile_options(lengen_warnings INTERFACE -Werror)
endif()
