#pragma once
// Everything an integration test needs, in one include.

#include "tests/support/binaries.h"
#include "tests/support/cli.h"
#include "tests/support/daemon_process.h"
#include "tests/support/fake_google.h"
#include "tests/support/log_check.h"
#include "tests/support/planted_listener.h"
#include "tests/support/proc_usage.h"
#include "tests/support/process.h"
#include "tests/support/raw_http.h"
#include "tests/support/sandbox.h"
#include "tests/support/tcp_http.h"
#include "tests/support/test_users.h"
