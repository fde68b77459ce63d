# densing eval item for item against lm-evaluation-harness driving `densing serve` (its
# local-completions backend), from the virtual environment scripts/setup makes; included from
# tests/CMakeLists.txt. Skipped (exit 77) without lm_eval there.
add_test(NAME eval_lm_eval_agreement
         COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/eval/run_lm_eval_agreement.sh ${PROJECT_SOURCE_DIR}
                 ${DENSING_RUN_BINARY} ${DENSING_SHARED_DIR})
# COST: among the longest (3.5 minutes under ASan); started first, it overlaps the rest instead
# of running alone at the end of a fresh build's run.
set_tests_properties(eval_lm_eval_agreement PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 600
                     LABELS "eval;python" COST 1000)
if(CMAKE_CROSSCOMPILING_EMULATOR)  # the emulated server passes CTest's 10 minutes on 30 items
  set_tests_properties(eval_lm_eval_agreement PROPERTIES ENVIRONMENT DENSING_EMULATED=1)
endif()
