# tcmalloc as one INTERFACE target: fresh large allocations are page-fault bound
# with glibc malloc on our VMs, and tcmalloc keeps freed pages. Debian ships only
# the versioned runtime library, so it is linked by path and kept with
# --no-as-needed (nothing references its symbols directly).
# OFF for sanitizer builds (the asan preset): ASan must own malloc.
option(LENGEN_TCMALLOC "Link tcmalloc into lengen and its tests" ON)
find_library(LENGEN_TCMALLOC_LIBRARY NAMES tcmalloc_minimal libtcmalloc_minimal.so.4 REQUIRED)
add_library(lengen_tcmalloc INTERFACE)
if(LENGEN_TCMALLOC)
  target_link_libraries(lengen_tcmalloc INTERFACE
    -Wl,--no-as-needed ${LENGEN_TCMALLOC_LIBRARY} -Wl,--as-needed)
endif()
