// Catch2 v2 runner for lengen's C++ tests (one file per module: test_<module>.cpp).
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
