#include "node/metrics.h"

#include <sstream>

namespace vellum::node {

std::string LabelValue(std::string_view value) {
  std::string out;
  for (char c : value) {
    if (c == '\\' || c == '"') out += '\\';
    out += c == '\n' ? std::string("\\n") : std::string(1, c);
  }
  return out;
}

void Metrics::RecordAppend(uint64_t entries, double seconds) {
  ++append_requests_;
  appended_entries_ += entries;
  latency_micros_sum_ += static_cast<uint64_t>(seconds * 1e6);
  for (size_t i = 0; i < kBuckets.size(); ++i) {
    if (seconds <= kBuckets[i]) ++buckets_[i];
  }
}

std::string Metrics::Render(uint64_t ledger_size, double uptime_seconds) const {
  std::ostringstream out;
  out << "# HELP vellum_ledger_size Entries in the ledger.\n# TYPE vellum_ledger_size gauge\n"
      << "vellum_ledger_size " << ledger_size << "\n"
      << "# HELP vellum_uptime_seconds Seconds since the node started.\n"
      << "# TYPE vellum_uptime_seconds gauge\nvellum_uptime_seconds " << uptime_seconds << "\n"
      << "# HELP vellum_http_requests_total HTTP requests received.\n"
      << "# TYPE vellum_http_requests_total counter\nvellum_http_requests_total " << requests_
      << "\n# HELP vellum_http_errors_total Requests answered with an error status.\n"
      << "# TYPE vellum_http_errors_total counter\n"
      << "vellum_http_errors_total{class=\"4xx\"} " << client_errors_ << "\n"
      << "vellum_http_errors_total{class=\"5xx\"} " << server_errors_ << "\n"
      << "# HELP vellum_appended_entries_total Entries appended through this node.\n"
      << "# TYPE vellum_appended_entries_total counter\nvellum_appended_entries_total "
      << appended_entries_ << "\n"
      << "# HELP vellum_append_seconds Time from request to durable append.\n"
      << "# TYPE vellum_append_seconds histogram\n";
  for (size_t i = 0; i < kBuckets.size(); ++i) {
    out << "vellum_append_seconds_bucket{le=\"" << kBuckets[i] << "\"} " << buckets_[i] << "\n";
  }
  out << "vellum_append_seconds_bucket{le=\"+Inf\"} " << append_requests_ << "\n"
      << "vellum_append_seconds_sum " << static_cast<double>(latency_micros_sum_) / 1e6 << "\n"
      << "vellum_append_seconds_count " << append_requests_ << "\n";
  return out.str();
}

}  // namespace vellum::node
