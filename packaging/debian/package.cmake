# The Debian package (scripts/package): `cpack -G DEB` in the build tree after the web
# client was built into build/web. Layout:
#   /usr/bin/medrtc                       the server
#   /usr/share/medrtc/web/                the web client (web_root in medrtc.toml)
#   /usr/share/medrtc/policies/           the policy profiles (found next to the binary's ../share)
#   /etc/medrtc/medrtc.toml               a commented default configuration (a conffile)
#   /usr/lib/systemd/system/medrtc.service  the hardened unit
# The `medrtc` system user and /var/lib/medrtc are made by postinst.
# cpack installs without first building every target (tests, benchmarks): scripts/package
# builds the one it needs.
set(CMAKE_SKIP_INSTALL_ALL_DEPENDENCY ON)
set(MEDRTC_PACKAGE_DIR ${CMAKE_SOURCE_DIR}/packaging/debian)

install(TARGETS medrtc RUNTIME DESTINATION bin)
install(DIRECTORY ${CMAKE_BINARY_DIR}/web/ DESTINATION share/medrtc/web PATTERN ".built" EXCLUDE)
install(DIRECTORY ${CMAKE_SOURCE_DIR}/policies/ DESTINATION share/medrtc/policies FILES_MATCHING PATTERN "*.toml")
install(FILES ${MEDRTC_PACKAGE_DIR}/medrtc.toml DESTINATION /etc/medrtc PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ)
install(FILES ${MEDRTC_PACKAGE_DIR}/medrtc.service DESTINATION lib/systemd/system)
install(FILES ${CMAKE_SOURCE_DIR}/README.md ${CMAKE_SOURCE_DIR}/docs/protocol.md ${CMAKE_SOURCE_DIR}/docs/openapi.yaml
        DESTINATION share/doc/medrtc)

set(CPACK_PACKAGE_NAME medrtc)
set(CPACK_PACKAGE_VENDOR "medrtc")
set(CPACK_PACKAGE_CONTACT "medrtc maintainers <maintainers@medrtc.invalid>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "self-hosted WebRTC video consultation server")
# scripts/package passes the version from git (cpack -D CPACK_PACKAGE_VERSION=...).
set(CPACK_PACKAGE_VERSION 0.1.0)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)  # Depends: from the binary's libraries (dpkg-shlibdeps)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${MEDRTC_PACKAGE_DIR}/conffiles ${MEDRTC_PACKAGE_DIR}/postinst ${MEDRTC_PACKAGE_DIR}/prerm
    ${MEDRTC_PACKAGE_DIR}/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
# /etc/medrtc is the package's own; the warning about absolute destinations is expected.
set(CPACK_WARN_ON_ABSOLUTE_INSTALL_DESTINATION OFF)
include(CPack)
