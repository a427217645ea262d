// Oracles for fuzz targets: a broken property aborts, so libFuzzer keeps the input as a crash.
#ifndef VELLUM_FUZZ_FUZZ_CHECK_H_
#define VELLUM_FUZZ_FUZZ_CHECK_H_

#include <cstdio>
#include <cstdlib>

#define FUZZ_CHECK(condition)                                                               \
  do {                                                                                      \
    if (!(condition)) {                                                                     \
      std::fprintf(stderr, "%s:%d: property failed: %s\n", __FILE__, __LINE__, #condition); \
      std::abort();                                                                         \
    }                                                                                       \
  } while (false)

#endif  // VELLUM_FUZZ_FUZZ_CHECK_H_
