# Installation: headers, the shared library with its symlinks, pkg-config and CMake
# package files, all under GNUInstallDirs. Components: Runtime (libquarry.so.0*) and
# Development (headers, libquarry.so, quarry.pc, CMake package), as Debian splits them.
include(CMakePackageConfigHelpers)

install(FILES include/c_api/quarry.h include/cpp/quarry.hpp
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} COMPONENT Development)
install(DIRECTORY include/c_api/quarry
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} COMPONENT Development
        FILES_MATCHING PATTERN "*.h")

install(TARGETS quarry EXPORT quarryTargets
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT Runtime
                NAMELINK_COMPONENT Development)
if(QUARRY_BUILD_TOOLS)
  install(TARGETS quarry_cli RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT Tools)
endif()

set(QUARRY_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/quarry)
install(EXPORT quarryTargets NAMESPACE quarry:: DESTINATION ${QUARRY_CMAKE_DIR}
        COMPONENT Development)
configure_package_config_file(cmake/quarryConfig.cmake.in
  ${CMAKE_CURRENT_BINARY_DIR}/quarryConfig.cmake INSTALL_DESTINATION ${QUARRY_CMAKE_DIR})
# Before 1.0 every minor release may break the ABI, so only the same minor is compatible.
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/quarryConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/quarryConfig.cmake
              ${CMAKE_CURRENT_BINARY_DIR}/quarryConfigVersion.cmake
        DESTINATION ${QUARRY_CMAKE_DIR} COMPONENT Development)

# quarry.pc names absolute paths, so it is written at install time, when the prefix
# (including `cmake --install --prefix`) is known. The first pass fills in everything
# else and keeps the @QUARRY_PC_PREFIX@ placeholder for the second.
set(QUARRY_PC_PREFIX "@QUARRY_PC_PREFIX@")
foreach(_dir LIBDIR INCLUDEDIR)
  if(IS_ABSOLUTE "${CMAKE_INSTALL_${_dir}}")
    set(QUARRY_PC_${_dir} "${CMAKE_INSTALL_${_dir}}")
  else()
    set(QUARRY_PC_${_dir} "\${prefix}/${CMAKE_INSTALL_${_dir}}")
  endif()
endforeach()
configure_file(cmake/quarry.pc.in ${CMAKE_CURRENT_BINARY_DIR}/quarry.pc.template @ONLY)
install(CODE "
  set(QUARRY_PC_PREFIX \"\${CMAKE_INSTALL_PREFIX}\")
  configure_file(\"${CMAKE_CURRENT_BINARY_DIR}/quarry.pc.template\"
                 \"${CMAKE_CURRENT_BINARY_DIR}/quarry.pc\" @ONLY)" COMPONENT Development)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/quarry.pc
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig COMPONENT Development)
