// Makes one deliberate error of the kind its argument names, so that a sanitized build can show
// that its sanitizer is on and that its reports name the source line (which needs the LLVM
// symbolizer scripts/setup.sh installs). tests/CMakeLists.txt runs it in sanitized builds and
// expects the report; nothing else uses it.
#include <cstdio>
#include <cstring>
#include <thread>

namespace {

int shared_counter = 0;  // written by two threads without a lock: the race

int UseAfterFree() {
  int* volatile values = new int[4]{1, 2, 3, 4};  // volatile: no compiler sees the misuse
  delete[] values;
  return values[2];
}

int SignedOverflow() {
  volatile int large = 2147483647;
  return large + 1;
}

int DataRace() {
  std::thread other([] { ++shared_counter; });
  ++shared_counter;
  other.join();
  return shared_counter;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: sanitizer_canary address|undefined|thread\n");
    return 2;
  }
  int result = 0;
  if (std::strcmp(argv[1], "address") == 0) result = UseAfterFree();
  if (std::strcmp(argv[1], "undefined") == 0) result = SignedOverflow();
  if (std::strcmp(argv[1], "thread") == 0) result = DataRace();
  std::printf("no report (result %d)\n", result);
  return 0;
}
