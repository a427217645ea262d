// What a node says about itself: one line per event (start, stop, peer state changes, sync
// batches, refusals, forks, checkpoints signed), never one per request. Text for people by
// default, or one JSON object per line for log collectors. Thread-safe.
#ifndef VELLUM_NODE_EVENT_LOG_H_
#define VELLUM_NODE_EVENT_LOG_H_

#include <cstdio>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "vellum/error.h"

namespace vellum::node {

class EventLog {
 public:
  enum class Format { kText, kJson };
  [[nodiscard]] static Result<Format> ParseFormat(std::string_view name);

  // Writes to `out` (stderr by default); nullptr: says nothing (tests, in-process nodes).
  explicit EventLog(Format format = Format::kText, std::FILE* out = stderr)
      : format_(format), out_(out) {}

  // One line: "vellum: <event>: <message>" in text, or {"time", "event", "message", fields...}
  // in JSON. `fields` is an object of details (peer, size, fork_index, ...; doc/json.md).
  void Event(std::string_view event, std::string_view message, nlohmann::json fields = {});

 private:
  const Format format_;
  std::FILE* const out_;
  std::mutex mu_;
};

}  // namespace vellum::node

#endif  // VELLUM_NODE_EVENT_LOG_H_
