// bqbroker: the CLI. Wiring only; see client/cli/cli_app.h.

#include <iostream>

#include "client/cli/cli_app.h"

int main(int argc, char** argv) { return bqb::cli::run_cli(argc, argv, std::cout, std::cerr); }
