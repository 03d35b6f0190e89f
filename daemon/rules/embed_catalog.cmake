# Writes OUT: the catalog files FILES (a ;-list of paths) as a C++ array of
# {name, text} pairs, included by catalog.cc. Run at build time, so an edit
# of a catalog file rebuilds aigovd with it.
set(body "// Generated from daemon/rules/catalog/*.yaml by embed_catalog.cmake.\n")
string(APPEND body "constexpr std::pair<const char*, const char*> kEmbeddedFiles[] = {\n")
foreach(path IN LISTS FILES)
  get_filename_component(name "${path}" NAME)
  file(READ "${path}" text)
  string(FIND "${text}" ")aigov_catalog\"" clash)
  if(NOT clash EQUAL -1)
    message(FATAL_ERROR "${path} contains the raw-string delimiter")
  endif()
  string(APPEND body "    {\"${name}\", R\"aigov_catalog(${text})aigov_catalog\"},\n")
endforeach()
string(APPEND body "};\n")
file(WRITE "${OUT}" "${body}")
