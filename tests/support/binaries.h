#pragma once
// Paths of the binaries under test, fixed at build time ($<TARGET_FILE:…> in CMake) so that a
// test always runs the binaries built with it.

#include <string>

namespace bqb::itest {

/// @returns the path of the built bqbrokerd.
std::string daemon_binary();
/// @returns the path of the built bqbroker CLI.
std::string cli_binary();
/// @returns the path of the built bqbroker-emulator (fakes/): the one Google fake.
std::string emulator_binary();
/// @returns the path of the built bqbit-socket-recorder (tests/integration/tools).
std::string socket_recorder_binary();
/// @returns the path of the built bqbit-connection-flood (tests/integration/tools).
std::string connection_flood_binary();

}  // namespace bqb::itest
