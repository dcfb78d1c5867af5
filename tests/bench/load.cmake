# sse_load, the server load tool (tests/bench/run-server-bench.sh drives it).
# Included from tests/bench/CMakeLists.txt: include(${CMAKE_CURRENT_LIST_DIR}/load.cmake)
# Linux only (epoll, /proc, IP_BIND_ADDRESS_NO_PORT).
if(CMAKE_SYSTEM_NAME STREQUAL "Linux")
  set(SSE_LOAD_DIR ${CMAKE_CURRENT_LIST_DIR})
  add_library(sse_load_parts STATIC
    ${SSE_LOAD_DIR}/sse_load_hist.c
    ${SSE_LOAD_DIR}/sse_load_http.c
    ${SSE_LOAD_DIR}/sse_load_options.c
    ${SSE_LOAD_DIR}/sse_load_payload.c
    ${SSE_LOAD_DIR}/sse_load_proc.c
    ${SSE_LOAD_DIR}/sse_load_publisher.c
    ${SSE_LOAD_DIR}/sse_load_seq.c
    ${SSE_LOAD_DIR}/sse_load_subscriber.c)
  target_include_directories(sse_load_parts PUBLIC ${SSE_LOAD_DIR})
  target_link_libraries(sse_load_parts PUBLIC ssemux_client)

  add_executable(sse_load ${SSE_LOAD_DIR}/sse_load.c)
  target_link_libraries(sse_load PRIVATE sse_load_parts m)
  set_target_properties(sse_load PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests)

  # The tool's own pieces (histogram, chunked decoding, loss accounting)
  # checked without a server; runs with the unit tests.
  add_executable(sse_load_selftest ${SSE_LOAD_DIR}/sse_load_selftest.c)
  target_link_libraries(sse_load_selftest PRIVATE sse_load_parts)
  set_target_properties(sse_load_selftest PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests)
  add_test(NAME sse_load_selftest COMMAND sse_load_selftest)

  # The loose publisher (--pipeline-loosely) against a scripted loopback
  # server: the byte order a real server cannot be made to produce on cue.
  add_executable(sse_load_pipeline_selftest ${SSE_LOAD_DIR}/sse_load_pipeline_selftest.c)
  target_link_libraries(sse_load_pipeline_selftest PRIVATE sse_load_parts)
  set_target_properties(sse_load_pipeline_selftest PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests)
  add_test(NAME sse_load_pipeline_selftest COMMAND sse_load_pipeline_selftest)
endif()
