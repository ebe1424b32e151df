# The one place that knows whether a dependency comes from a CMake config or from pkg-config
# (dependencies.md §2.9). Every package here is a Debian 12 package; scripts/install-deps.sh
# installs them.
find_package(PkgConfig REQUIRED)
find_package(SQLite3 REQUIRED)                      # SQLite::SQLite3
pkg_check_modules(SODIUM REQUIRED IMPORTED_TARGET libsodium>=1.0.18)  # PkgConfig::SODIUM
pkg_check_modules(LIBZIP REQUIRED IMPORTED_TARGET libzip>=1.7)    # PkgConfig::LIBZIP
find_package(simdjson REQUIRED)                     # simdjson::simdjson
find_package(nlohmann_json 3.11 REQUIRED)           # nlohmann_json::nlohmann_json
find_package(yaml-cpp REQUIRED)                     # yaml-cpp
find_package(CLI11 REQUIRED)                        # CLI11::CLI11
find_package(fmt REQUIRED)                          # fmt::fmt
find_package(Threads REQUIRED)
find_package(Eigen3 3.4 REQUIRED NO_MODULE)         # Eigen3::Eigen (lead scoring)
# Debian's xgboost CMake config imports a CLI binary the -dev package lacks (dependencies.md
# §2.9): pkg-config instead.
pkg_check_modules(XGBOOST REQUIRED IMPORTED_TARGET xgboost)  # PkgConfig::XGBOOST
if(CONSENTRIC_TESTS)
  find_package(GTest REQUIRED)                      # GTest::gtest, GTest::gmock
endif()
