// The `aishell` command line. See shell/cli.h.
#include "connectors/mongodb/driver_preinit.h"
#include "shell/cli.h"

int main(int argc, char** argv) {
  aishell::Cli cli;
  return cli.Run(argc, argv);
}
