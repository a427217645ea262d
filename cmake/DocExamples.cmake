# Builds the library examples that the README and ledger.h show into test programs, so that
# the documentation cannot drift from the API: each runs in a fresh folder and must exit 0.

# Writes a program around `code`: #include lines go first, the rest into main(), which then
# returns `result`.
function(vellum_example_program name code result)
  string(REGEX MATCHALL "#include[^\n]*" includes "${code}")
  string(REGEX REPLACE "#include[^\n]*\n" "" body "${code}")
  string(REPLACE ";" "\n" includes "${includes}")
  set(source "${CMAKE_CURRENT_BINARY_DIR}/examples/${name}.cc")
  file(WRITE "${source}.in" "// Generated from the documentation by cmake/DocExamples.cmake.
#include <stdlib.h>
#include <unistd.h>

#include <iostream>
${includes}

int main() {
  char dir[] = \"/tmp/vellum-example-XXXXXX\";
  if (!mkdtemp(dir) || chdir(dir) != 0) return 2;
${body}
  return ${result};
}
")
  configure_file("${source}.in" "${source}" COPYONLY)
  add_executable(${name} "${source}")
  target_link_libraries(${name} PRIVATE vellum)
  add_test(NAME ${name} COMMAND ${name})
endfunction()

set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS
             "${PROJECT_SOURCE_DIR}/README.md" "${PROJECT_SOURCE_DIR}/include/vellum/ledger.h")

# README.md: the first ```c++ block.
file(READ "${PROJECT_SOURCE_DIR}/README.md" readme)
string(FIND "${readme}" "```c++\n" start)
if(start EQUAL -1)
  message(FATAL_ERROR "README.md has no ```c++ example")
endif()
math(EXPR start "${start} + 7")
string(SUBSTRING "${readme}" ${start} -1 rest)
string(FIND "${rest}" "\n```" end)
string(SUBSTRING "${rest}" 0 ${end} readme_code)
vellum_example_program(readme_example "${readme_code}" "ok ? 0 : 1")

# ledger.h: the "//   " lines of its opening comment.
file(STRINGS "${PROJECT_SOURCE_DIR}/include/vellum/ledger.h" header_lines)
set(header_code "#include \"vellum/ledger.h\"\n")
foreach(line IN LISTS header_lines)
  if(line MATCHES "^#")
    break()
  endif()
  if(line MATCHES "^//   (.*)$")
    string(APPEND header_code "${CMAKE_MATCH_1}\n")
  endif()
endforeach()
vellum_example_program(ledger_h_example "${header_code}" "proof ? 0 : 1")
