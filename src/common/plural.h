// A count and its noun for messages: "1 entry", "2 entries", "0 entries".
#ifndef VELLUM_COMMON_PLURAL_H_
#define VELLUM_COMMON_PLURAL_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace vellum {

inline std::string CountOf(uint64_t n, std::string_view one, std::string_view many) {
  return std::to_string(n) + " " + std::string(n == 1 ? one : many);
}

inline std::string Entries(uint64_t n) { return CountOf(n, "entry", "entries"); }

}  // namespace vellum

#endif  // VELLUM_COMMON_PLURAL_H_
