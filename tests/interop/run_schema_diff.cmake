# Runs the schema differential test: generate + judge with zod, judge with ours, compare.
file(MAKE_DIRECTORY ${WORK_DIR})
get_filename_component(_dir ${SCRIPT} DIRECTORY)
set(_corpus ${WORK_DIR}/corpus.jsonl)
set(_expected ${WORK_DIR}/expected.jsonl)
set(_actual ${WORK_DIR}/actual.jsonl)

execute_process(COMMAND ${NODE} ${SCRIPT} generate ${_corpus} ${_expected} ${COUNT}
  WORKING_DIRECTORY ${_dir} RESULT_VARIABLE _rc)
if(NOT _rc EQUAL 0)
  message(FATAL_ERROR "schema_diff.js generate failed (${_rc})")
endif()

execute_process(COMMAND ${JUDGE} ${_corpus} OUTPUT_FILE ${_actual} RESULT_VARIABLE _rc)
if(NOT _rc EQUAL 0)
  message(FATAL_ERROR "kongflow_schema_judge failed (${_rc})")
endif()

execute_process(COMMAND ${NODE} ${SCRIPT} compare ${_expected} ${_actual} ${_corpus}
  WORKING_DIRECTORY ${_dir} RESULT_VARIABLE _rc)
if(NOT _rc EQUAL 0)
  message(FATAL_ERROR "our schema verdicts differ from zod's (see above)")
endif()
