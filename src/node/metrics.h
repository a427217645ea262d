// Counters and an append-latency histogram, rendered in the Prometheus text format.
// Thread-safe (atomics).
#ifndef VELLUM_NODE_METRICS_H_
#define VELLUM_NODE_METRICS_H_

#include <array>
#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>

namespace vellum::node {

// `value` as a Prometheus label value: backslash, double quote and newline escaped (a peer's
// URL and a policy's witness names come from the operator, not from the node).
std::string LabelValue(std::string_view value);

class Metrics {
 public:
  void CountRequest() { ++requests_; }
  void CountError(int status) { ++(status >= 500 ? server_errors_ : client_errors_); }
  // One append request of `entries` entries that took `seconds` to become durable.
  void RecordAppend(uint64_t entries, double seconds);
  std::string Render(uint64_t ledger_size, double uptime_seconds) const;

 private:
  static constexpr std::array<double, 10> kBuckets = {0.0005, 0.001, 0.002, 0.005, 0.01,
                                                      0.02,   0.05,  0.1,   0.5,   1.0};
  std::atomic<uint64_t> requests_{0}, client_errors_{0}, server_errors_{0};
  std::atomic<uint64_t> append_requests_{0}, appended_entries_{0};
  std::atomic<uint64_t> latency_micros_sum_{0};
  std::array<std::atomic<uint64_t>, kBuckets.size()> buckets_{};
};

}  // namespace vellum::node

#endif  // VELLUM_NODE_METRICS_H_
