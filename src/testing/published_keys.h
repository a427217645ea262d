// Test-only: the example key pair of the C2SP signed-note specification and Go's sumdb/note
// package (c2sp.org/signed-note), used by several tests as a published vector.
#ifndef VELLUM_TESTING_PUBLISHED_KEYS_H_
#define VELLUM_TESTING_PUBLISHED_KEYS_H_

namespace vellum::testing {

inline constexpr const char* kPublishedVkey =
    "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
inline constexpr const char* kPublishedSkey =
    "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";

}  // namespace vellum::testing

#endif  // VELLUM_TESTING_PUBLISHED_KEYS_H_
