// The dashboard: the web page in web/ (HTML, CSS, plain JavaScript), compiled into the node so
// that it needs no files and nothing from elsewhere at run time. It reads the node's public API.
#ifndef VELLUM_NODE_DASHBOARD_H_
#define VELLUM_NODE_DASHBOARD_H_

#include <cstddef>
#include <string_view>

#include "net/http.h"

namespace vellum::node {

// One of web/'s files; the generated web_assets.cc (cmake/embed_web.cmake) defines them.
struct WebAsset {
  std::string_view name;
  std::string_view body;
};
extern const WebAsset kWebAssets[];
extern const size_t kWebAssetCount;

// Answers GET "/" (the page) and GET "/dashboard/<file>" (its script and style sheet), with a
// Content-Security-Policy that lets the page talk to this node only. False for any other path.
bool ServeDashboard(const net::Request& request, net::Response& response);

}  // namespace vellum::node

#endif  // VELLUM_NODE_DASHBOARD_H_
