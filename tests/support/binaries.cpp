#include "tests/support/binaries.h"

#ifndef BQBROKER_ITEST_DAEMON
#error "BQBROKER_ITEST_DAEMON must be defined by CMake"
#endif
#ifndef BQBROKER_ITEST_CLI
#error "BQBROKER_ITEST_CLI must be defined by CMake"
#endif
#ifndef BQBROKER_ITEST_EMULATOR
#error "BQBROKER_ITEST_EMULATOR must be defined by CMake"
#endif
#ifndef BQBROKER_ITEST_SOCKET_RECORDER
#error "BQBROKER_ITEST_SOCKET_RECORDER must be defined by CMake"
#endif
#ifndef BQBROKER_ITEST_CONNECTION_FLOOD
#error "BQBROKER_ITEST_CONNECTION_FLOOD must be defined by CMake"
#endif

namespace bqb::itest {

std::string daemon_binary() { return BQBROKER_ITEST_DAEMON; }
std::string cli_binary() { return BQBROKER_ITEST_CLI; }
std::string emulator_binary() { return BQBROKER_ITEST_EMULATOR; }
std::string socket_recorder_binary() { return BQBROKER_ITEST_SOCKET_RECORDER; }
std::string connection_flood_binary() { return BQBROKER_ITEST_CONNECTION_FLOOD; }

}  // namespace bqb::itest
