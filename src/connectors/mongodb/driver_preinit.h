#pragma once
// Included by exactly one file of each executable that links the MongoDB driver (shell/main.cpp,
// the unit tests, the sqllogictest runner); never by a shared library, where .preinit_array is
// not allowed.
//
// Debian's libmongoc 1.23 initializes itself when it is loaded, before main: it creates its
// counters with shm_open("/mongoc-<pid>", O_CREAT | O_EXCL). A process killed with SIGKILL leaves
// that file in /dev/shm, and a later process given the same pid then prints "Falling back to
// malloc for counters" on stderr, before any code of ours could set MONGOC_DISABLE_SHM or silence
// the driver's log (the environment is not even readable yet). A function in .preinit_array runs
// before every library's constructor: it removes the file named after this process's own pid,
// which can only belong to a process that is gone. The driver removes its file at a normal exit.

#include <unistd.h>

#include <cstdio>

namespace aishell::mongodb_preinit {

inline void RemoveStaleDriverCounters(int /*argc*/, char** /*argv*/, char** /*envp*/) {
  char path[64];
  std::snprintf(path, sizeof path, "/dev/shm/mongoc-%u", static_cast<unsigned>(getpid()));
  unlink(path);
}

[[gnu::section(".preinit_array"),
  gnu::used]] static void (*const kRemoveStaleDriverCounters)(int, char**,
                                                              char**) = &RemoveStaleDriverCounters;

}  // namespace aishell::mongodb_preinit
