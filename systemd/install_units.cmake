# Run by `cmake --install` and CPack (install(CODE) in CMakeLists.txt): writes bqbroker.socket and
# bqbroker.service into the user unit directory with the paths of *this* install's prefix, so that
# the package built from a tree configured for /usr/local still says ExecStart=/usr/bin/bqbrokerd.
#
# In: BQB_UNIT_SOURCE_DIR (the .in files), BQB_UNIT_DIR (absolute, or relative to the prefix),
# BQB_BINDIR and BQB_DOCDIR (relative to the prefix); CMAKE_INSTALL_PREFIX and $ENV{DESTDIR} as
# the install sets them (CPack: prefix /usr, DESTDIR its staging directory).
set(CMAKE_INSTALL_FULL_BINDIR "${CMAKE_INSTALL_PREFIX}/${BQB_BINDIR}")
set(CMAKE_INSTALL_FULL_DOCDIR "${CMAKE_INSTALL_PREFIX}/${BQB_DOCDIR}")
if(IS_ABSOLUTE "${BQB_UNIT_DIR}")
  set(_dir "$ENV{DESTDIR}${BQB_UNIT_DIR}")
else()
  set(_dir "$ENV{DESTDIR}${CMAKE_INSTALL_PREFIX}/${BQB_UNIT_DIR}")
endif()
foreach(_unit bqbroker.socket bqbroker.service)
  message(STATUS "Installing: ${_dir}/${_unit}")
  configure_file("${BQB_UNIT_SOURCE_DIR}/${_unit}.in" "${_dir}/${_unit}" @ONLY)
  file(CHMOD "${_dir}/${_unit}" PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
  # install_manifest.txt lists it, as it lists every file install() copies.
  list(APPEND CMAKE_INSTALL_MANIFEST_FILES "${_dir}/${_unit}")
endforeach()
