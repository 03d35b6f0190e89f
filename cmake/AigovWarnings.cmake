# Interface targets linked PRIVATE by every component (cmake_template style).
add_library(aigov_warnings INTERFACE)
target_compile_options(aigov_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast
  -Wcast-align -Wunused -Woverloaded-virtual -Wconversion -Wsign-conversion
  -Wnull-dereference -Wdouble-promotion -Wformat=2 -Wimplicit-fallthrough)
if(AIGOV_THREAD_SAFETY)
  target_compile_options(aigov_warnings INTERFACE -Wthread-safety)
endif()
if(AIGOV_WERROR)
  target_compile_options(aigov_warnings INTERFACE -Werror)
endif()

add_library(aigov_options INTERFACE)
target_compile_features(aigov_options INTERFACE cxx_std_17)
if(AIGOV_SANITIZE)
  string(REPLACE ";" "," _aigov_san "${AIGOV_SANITIZE}")
  target_compile_options(aigov_options INTERFACE -fsanitize=${_aigov_san} -fno-omit-frame-pointer)
  target_link_options(aigov_options INTERFACE -fsanitize=${_aigov_san})
endif()
