# aigov_cc_test(NAME n SRCS a.cc b.cc DEPS libs...): one gtest binary per
# component, registered with CTest through gtest_discover_tests.
include(GoogleTest)
function(aigov_cc_test)
  cmake_parse_arguments(T "" "NAME" "SRCS;DEPS;LABELS" ${ARGN})
  add_executable(${T_NAME} ${T_SRCS})
  target_compile_definitions(${T_NAME} PRIVATE
    AIGOV_TESTDATA_DIR="${PROJECT_SOURCE_DIR}/tests/testdata")
  target_link_libraries(${T_NAME} PRIVATE ${T_DEPS} GTest::gmock GTest::gtest_main
                        aigov_warnings aigov_options)
  gtest_discover_tests(${T_NAME} DISCOVERY_TIMEOUT 60 PROPERTIES LABELS "${T_LABELS}")
endfunction()
