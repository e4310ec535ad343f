#pragma once
// Everything an integration test needs, in one include.

#include "tests/integration/harness/binaries.h"
#include "tests/integration/harness/cli.h"
#include "tests/integration/harness/daemon_process.h"
#include "tests/integration/harness/fake_google.h"
#include "tests/integration/harness/log_check.h"
#include "tests/integration/harness/planted_listener.h"
#include "tests/integration/harness/process.h"
#include "tests/integration/harness/raw_http.h"
#include "tests/integration/harness/sandbox.h"
#include "tests/integration/harness/tcp_http.h"
#include "tests/integration/harness/test_users.h"
