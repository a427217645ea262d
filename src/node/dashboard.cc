#include "node/dashboard.h"

#include <string_view>

namespace vellum::node {

namespace {

// The page may load its own script and style and call this node; nothing else, not even inline
// script, and it may not be framed.
constexpr const char* kPolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
    "img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

std::string_view ContentType(std::string_view name) {
  if (name.ends_with(".html")) return "text/html; charset=utf-8";
  if (name.ends_with(".js")) return "text/javascript; charset=utf-8";
  if (name.ends_with(".css")) return "text/css; charset=utf-8";
  return "application/octet-stream";
}

}  // namespace

bool ServeDashboard(const net::Request& request, net::Response& response) {
  if (request.method != "GET") return false;
  std::string_view name;
  if (request.path == "/") {
    name = "index.html";
  } else if (std::string_view(request.path).starts_with("/dashboard/")) {
    name = std::string_view(request.path).substr(11);
    if (name == "index.html") return false;
  } else {
    return false;
  }
  for (size_t i = 0; i < kWebAssetCount; ++i) {
    if (kWebAssets[i].name != name) continue;
    response.Set(std::string(kWebAssets[i].body), std::string(ContentType(name)));
    response.headers.emplace("Content-Security-Policy", kPolicy);
    response.headers.emplace("X-Content-Type-Options", "nosniff");
    response.headers.emplace("Cache-Control", "no-cache");
    return true;
  }
  return false;
}

}  // namespace vellum::node
