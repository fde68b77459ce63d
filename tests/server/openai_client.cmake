# The server driven by the official `openai` npm package (pinned in tests/server/package.json),
# as a CTest test; included from tests/CMakeLists.txt. Skipped (exit 77) without node and npm.
add_test(NAME server_openai_client
         COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/server/run_openai_tests.sh
                 ${CMAKE_CURRENT_SOURCE_DIR}/server ${CMAKE_CURRENT_BINARY_DIR}/server_npm
                 ${DENSING_RUN_BINARY} ${DENSING_SHARED_DIR}/models/stories260K.gguf)
set_tests_properties(server_openai_client PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 300
                     LABELS "server;npm" COST 100)  # a long one: start it early

# The same server driven by the official `openai` Python client (tool calls, structured output),
# from the virtual environment scripts/setup makes. Skipped (exit 77) without it.
add_test(NAME server_openai_python
         COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/server/run_openai_python_tests.sh ${PROJECT_SOURCE_DIR}
                 ${DENSING_RUN_BINARY} ${DENSING_SHARED_DIR}/models/stories260K.gguf)
set_tests_properties(server_openai_python PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 300
                     LABELS "server;python")
