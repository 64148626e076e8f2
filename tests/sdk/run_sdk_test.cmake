# Runs the SDK tests with node's test runner, or fails with the fix when the
# SDK is not installed (checked at test time, so installing needs no
# re-configure).
if(NOT NODE)
  message(FATAL_ERROR "node was not found: install Node.js 20 (see README.md)")
endif()
if(NOT EXISTS "${SDK_DIR}/node_modules/@uploadcare/rest-client/package.json")
  message(FATAL_ERROR
    "tests/sdk/node_modules is missing: run `npm ci --prefix tests/sdk` first")
endif()
set(ENV{UCGATE_EMULATOR_BIN} "${EMULATOR}")
# Every SDK test file, each starting its own emulator.
file(GLOB sdk_tests "${SDK_DIR}/*.test.mjs")
execute_process(
  COMMAND "${NODE}" --test ${sdk_tests}
  WORKING_DIRECTORY "${SDK_DIR}"
  RESULT_VARIABLE result)
if(NOT result EQUAL 0)
  message(FATAL_ERROR "SDK tests failed (${result})")
endif()
