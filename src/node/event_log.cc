#include "node/event_log.h"

#include <chrono>

#include "node/api_json.h"

namespace vellum::node {

Result<EventLog::Format> EventLog::ParseFormat(std::string_view name) {
  if (name == "text") return Format::kText;
  if (name == "json") return Format::kJson;
  return Fail(ErrorCode::kInvalidArgument,
              "unknown log format '" + std::string(name) + "' (use 'text' or 'json')");
}

void EventLog::Event(std::string_view event, std::string_view message, nlohmann::json fields) {
  if (!out_) return;
  const int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
  std::string line;
  if (format_ == Format::kJson) {
    nlohmann::json doc = fields.is_object() ? std::move(fields) : nlohmann::json::object();
    doc["time"] = FormatTime(now_ms);
    doc["event"] = event;
    doc["message"] = message;
    line = doc.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  } else {
    // Control characters (a peer's words may be quoted) are escaped by dumping as JSON text.
    const std::string quoted = nlohmann::json(std::string(message))
                                   .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    line = FormatTime(now_ms) + " vellum: " + std::string(event) + ": " +
           quoted.substr(1, quoted.size() - 2);
  }
  line += "\n";
  std::lock_guard<std::mutex> lock(mu_);
  std::fwrite(line.data(), 1, line.size(), out_);
  std::fflush(out_);
}

}  // namespace vellum::node
