# Third-party dependencies, all from Debian's archive (scripts/install-deps.sh installs them).
find_package(PkgConfig REQUIRED)
find_package(Threads REQUIRED)

# OpenBLAS provides BLAS and LAPACK; LAPACKE is the C interface to the LAPACK part.
pkg_check_modules(OPENBLAS REQUIRED IMPORTED_TARGET openblas)
pkg_check_modules(LAPACKE REQUIRED IMPORTED_TARGET lapacke)

# fmt is used header-only so that libquarry.so gains no runtime dependency on fmt's SONAME.
find_package(fmt REQUIRED CONFIG)

# nlohmann-json (header-only) reads and writes network files.
find_package(nlohmann_json 3 REQUIRED CONFIG)

# Random123 is header-only (Philox4x32-10).
find_path(RANDOM123_INCLUDE_DIR NAMES Random123/philox.h REQUIRED)
add_library(quarry_random123 INTERFACE)
target_include_directories(quarry_random123 SYSTEM INTERFACE ${RANDOM123_INCLUDE_DIR})

if(QUARRY_BUILD_TOOLS)
  find_package(CLI11 REQUIRED CONFIG)
endif()
if(QUARRY_BUILD_TESTS)
  find_package(GTest REQUIRED CONFIG)
endif()
