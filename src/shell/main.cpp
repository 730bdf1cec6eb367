// The `aishell` command line. See shell/cli.h.
#include "shell/cli.h"

int main(int argc, char** argv) {
  aishell::Cli cli;
  return cli.Run(argc, argv);
}
