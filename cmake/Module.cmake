# consentric_module(NAME name SRCS ... [DEPS ...] [TESTS ...] [TEST_DEPS ...])
#
# Declares the library target consentric_<name> (alias consentric::<name>) from the sources
# in src/<name>/, with our warnings as errors, and one GoogleTest executable <name>_test from
# the listed test sources, registered with CTest under the label "fast".
set(CONSENTRIC_WARNINGS -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wcast-align
    -Wunused -Woverloaded-virtual -Wimplicit-fallthrough -Werror
    # Designated initializers that leave members at their defaults are how we build options.
    -Wno-missing-field-initializers)

function(consentric_warnings target)
  target_compile_options(${target} PRIVATE ${CONSENTRIC_WARNINGS})
endfunction()

# Analytics reads data only through the purpose gate's PurposeView (DESIGN.md invariant 1):
# these modules may not link what sits behind the gate. scripts/check-layers.py also checks
# their includes and indirect dependencies.
set(CONSENTRIC_ANALYTICS_MODULES segment score disclose)
set(CONSENTRIC_BEHIND_THE_GATE store sqlite ingest consent crypto gate)

function(consentric_module)
  cmake_parse_arguments(M "" "NAME" "SRCS;DEPS;TESTS;TEST_DEPS" ${ARGN})
  if(M_NAME IN_LIST CONSENTRIC_ANALYTICS_MODULES)
    foreach(dep IN LISTS M_DEPS)
      string(REGEX REPLACE "^consentric::" "" short "${dep}")
      if(short IN_LIST CONSENTRIC_BEHIND_THE_GATE)
        message(FATAL_ERROR "analytics module ${M_NAME} may not link ${dep}: it reads data only "
                            "through a PurposeView (depend on consentric::purpose_view)")
      endif()
    endforeach()
  endif()
  set(target consentric_${M_NAME})
  add_library(${target} STATIC ${M_SRCS})
  add_library(consentric::${M_NAME} ALIAS ${target})
  target_include_directories(${target} PUBLIC ${PROJECT_SOURCE_DIR}/include ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(${target} PUBLIC ${M_DEPS})
  consentric_warnings(${target})
  if(CONSENTRIC_TESTS AND M_TESTS AND NOT CONSENTRIC_FUZZ)
    add_executable(${M_NAME}_test ${M_TESTS})
    target_link_libraries(${M_NAME}_test PRIVATE ${target} ${M_TEST_DEPS} consentric_testing
                          GTest::gmock GTest::gtest_main)
    consentric_warnings(${M_NAME}_test)
    gtest_discover_tests(${M_NAME}_test DISCOVERY_MODE PRE_TEST PROPERTIES LABELS fast
                         ENVIRONMENT "CONSENTRIC_SHARED=${PROJECT_SOURCE_DIR}/../shared")
  endif()
endfunction()
