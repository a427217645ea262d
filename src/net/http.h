// What vellum's HTTP server hands its request handlers and what they answer, independent of the
// HTTP library underneath (net/http_server.h), plus URL decoding for paths and query strings.
#ifndef VELLUM_NET_HTTP_H_
#define VELLUM_NET_HTTP_H_

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace vellum::net {

// Header names compare without regard to case (RFC 9110).
struct CaseInsensitiveLess {
  bool operator()(std::string_view a, std::string_view b) const;
  using is_transparent = void;
};
using Headers = std::multimap<std::string, std::string, CaseInsensitiveLess>;

// The value of the first header `name` in `headers`, or "" when there is none.
std::string HeaderValue(const Headers& headers, std::string_view name);

struct Request {
  std::string method;                              // as sent: "GET", "POST", ...
  std::string target;                              // as sent: path and query
  std::string path;                                // the target's path, percent-decoded
  std::multimap<std::string, std::string> params;  // the query, decoded ('+' is a space)
  Headers headers;
  std::string body;
  std::string remote_address;        // the client's IP address ("" in process)
  std::vector<std::string> matches;  // filled in by the router: the route's capture groups

  std::string header(std::string_view name) const { return HeaderValue(headers, name); }
  bool has_header(std::string_view name) const { return headers.contains(name); }
  bool has_param(const std::string& name) const { return params.contains(name); }
  // The first value of query parameter `name`, or "".
  std::string param(const std::string& name) const;
};

struct Response {
  int status = 200;
  std::string content_type;
  Headers headers;  // besides Content-Type and Content-Length
  std::string body;

  std::string header(std::string_view name) const { return HeaderValue(headers, name); }
  void Set(std::string content, std::string type) {
    body = std::move(content);
    content_type = std::move(type);
  }
};

// Decodes %XX escapes (and '+' as a space when `plus_is_space`); a malformed escape is kept as
// it is.
std::string PercentDecode(std::string_view text, bool plus_is_space);
// Splits a target ("/a/b?x=1&y") into its decoded path and query parameters.
void SplitTarget(std::string_view target, std::string& path,
                 std::multimap<std::string, std::string>& params);

}  // namespace vellum::net

#endif  // VELLUM_NET_HTTP_H_
