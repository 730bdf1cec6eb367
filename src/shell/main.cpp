#include <cstdio>

int main() {
  std::puts("aishell: not built yet");
  return 1;
}
