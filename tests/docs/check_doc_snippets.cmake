# cmake -P check_doc_snippets.cmake -DSOURCE_DIR=<checkout> -DDOC=<docs/page.md>
#
# Keeps the code of a Markdown page true (registered by tests/docs as docs.snippets.<page>, one
# test per docs/*.md and README.md). Two rules:
#
# 1. A code block introduced by
#      <!-- snippet: <path> [<marker>] -->
#    must be, line for line, the part of <path> (relative to SOURCE_DIR) between the two lines
#    that end with "[<marker>]" (`// [name]`, `# [name]`), or the whole file without a marker
#    (trailing empty lines aside). The files are compiled or run in CI (docs/snippets/*.cpp, the
#    examples, the packaging consumers), so the page shows code that builds.
#
# 2. Program text needs a snippet: a fence whose language is cpp, c++, cxx, c, hpp, h, cmake,
#    make, makefile, python or py and that has no snippet comment fails the check. Everything
#    else may stay inline: shell commands (sh, bash, console), data and messages (json, yaml,
#    text, http, output), and fences without a language. Do not mark C++ as text to dodge this:
#    put it in a compiled file and quote it.
cmake_minimum_required(VERSION 3.20)
# Text -> list of lines, by hand: file(STRINGS) would drop the empty ones. Square brackets and
# semicolons are encoded first: an unbalanced bracket would stop CMake from splitting the list, and
# a semicolon (escaped or not) does not survive foreach + list(APPEND) as part of a line.
function(read_lines out path)
  file(READ ${path} _text)
  string(REPLACE "[" "<LB>" _text "${_text}")
  string(REPLACE "]" "<RB>" _text "${_text}")
  string(REPLACE ";" "<SC>" _text "${_text}")
  string(REPLACE "\n" ";" _lines "${_text}")
  set(${out} "${_lines}" PARENT_SCOPE)
endfunction()
function(decode out text)
  string(REPLACE ";" "\n" text "${text}")
  string(REPLACE "<SC>" ";" text "${text}")
  string(REPLACE "<LB>" "[" text "${text}")
  string(REPLACE "<RB>" "]" text "${text}")
  set(${out} "${text}" PARENT_SCOPE)
endfunction()

read_lines(_doc_lines ${DOC})

function(file_part out path marker)
  read_lines(_lines ${SOURCE_DIR}/${path})
  if(marker STREQUAL "")
    set(${out} "${_lines}" PARENT_SCOPE)
    return()
  endif()
  set(_in OFF)
  set(_found 0)
  set(_part "")
  foreach(_line IN LISTS _lines)
    string(STRIP "${_line}" _stripped)
    if(_stripped MATCHES "<LB>${marker}<RB>$")
      math(EXPR _found "${_found} + 1")
      if(_in)
        set(_in OFF)
      else()
        set(_in ON)
      endif()
      continue()
    endif()
    if(_in)
      list(APPEND _part "${_line}")
    endif()
  endforeach()
  if(NOT _found EQUAL 2)
    message(FATAL_ERROR "${path}: expected two [${marker}] lines, found ${_found}")
  endif()
  set(${out} "${_part}" PARENT_SCOPE)
endfunction()

set(_errors 0)
set(_checked 0)
set(_state none) # none -> want_fence -> in_block
set(_program_languages cpp c++ cxx c hpp h cmake make makefile python py)
set(_line_no 0)
foreach(_line IN LISTS _doc_lines)
  math(EXPR _line_no "${_line_no} + 1")
  if(_state STREQUAL "inline")
    # An inline block (rule 2 allowed it): skip to its closing fence.
    if(_line MATCHES "^```$")
      set(_state none)
    endif()
  elseif(_state STREQUAL "none")
    if(_line MATCHES "^<!-- snippet: ([^ ]+)( ([A-Za-z0-9_]+))? -->$")
      set(_path ${CMAKE_MATCH_1})
      set(_marker "${CMAKE_MATCH_3}")
      set(_state want_fence)
    elseif(_line MATCHES "^```([^ ]*)")
      string(TOLOWER "${CMAKE_MATCH_1}" _lang)
      if(_lang IN_LIST _program_languages)
        message(SEND_ERROR "${DOC}:${_line_no}: a ```${CMAKE_MATCH_1} block without a snippet comment: quote a compiled file with <!-- snippet: <path> [<marker>] -->")
        math(EXPR _errors "${_errors} + 1")
      endif()
      set(_state inline)
    endif()
  elseif(_state STREQUAL "want_fence")
    if(NOT _line MATCHES "^```")
      message(FATAL_ERROR "${DOC}: a code block must follow the snippet comment for ${_path}")
    endif()
    set(_block "")
    set(_state in_block)
  elseif(_state STREQUAL "in_block")
    if(_line MATCHES "^```$")
      file_part(_expected ${_path} "${_marker}")
      # Trailing empty lines of a whole file are not shown.
      while(_expected)
        list(GET _expected -1 _last)
        if(NOT _last STREQUAL "")
          break()
        endif()
        list(POP_BACK _expected)
      endwhile()
      if(NOT "${_block}" STREQUAL "${_expected}")
        decode(_shown "${_block}")
        decode(_want "${_expected}")
        message(SEND_ERROR "${DOC}: the snippet of ${_path} [${_marker}] differs from the file.\n--- doc:\n${_shown}\n--- file:\n${_want}\n")
        math(EXPR _errors "${_errors} + 1")
      endif()
      math(EXPR _checked "${_checked} + 1")
      set(_state none)
    else()
      list(APPEND _block "${_line}")
    endif()
  endif()
endforeach()
if(NOT _state STREQUAL "none")
  message(SEND_ERROR "${DOC}: the last code block is not closed")
  math(EXPR _errors "${_errors} + 1")
endif()
if(_errors)
  message(FATAL_ERROR "${DOC}: ${_errors} problem(s) in ${_checked} snippet(s)")
endif()
message(STATUS "${_checked} snippets of ${DOC} match their files")
