#include "net/http_client.h"

#include <curl/curl.h>

#include <mutex>

namespace vellum::net {
namespace {

void GlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

// What one transfer gathers, and why it stopped early.
struct Transfer {
  ClientResponse response;
  size_t max_body = 0, max_header = 0, header_bytes = 0;
  bool body_too_large = false, headers_too_large = false;
  const std::atomic<bool>* cancel = nullptr;
  const std::atomic<bool>* cancel_too = nullptr;
  bool cancelled = false;
};

size_t OnBody(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const size_t n = size * count;
  if (t->response.body.size() + n > t->max_body) {
    t->body_too_large = true;
    return 0;  // aborts the transfer (CURLE_WRITE_ERROR)
  }
  t->response.body.append(data, n);
  return n;
}

size_t OnHeader(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const size_t n = size * count;
  t->header_bytes += n;
  if (t->header_bytes > t->max_header) {
    t->headers_too_large = true;
    return 0;
  }
  std::string_view line(data, n);
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
  if (line.starts_with("HTTP/")) {
    t->response.headers.clear();  // a new response (after 100 Continue): start over
    return n;
  }
  const size_t colon = line.find(':');
  if (colon != std::string_view::npos) {
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) {
      value.remove_prefix(1);
    }
    t->response.headers.emplace(std::string(line.substr(0, colon)), std::string(value));
  }
  return n;
}

int OnProgress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  auto* t = static_cast<Transfer*>(user);
  if ((t->cancel && t->cancel->load()) || (t->cancel_too && t->cancel_too->load())) {
    t->cancelled = true;
    return 1;  // aborts (CURLE_ABORTED_BY_CALLBACK)
  }
  return 0;
}

}  // namespace

struct HttpClient::Curl {
  CURL* handle = nullptr;
  ~Curl() {
    if (handle) curl_easy_cleanup(handle);
  }
};

HttpClient::HttpClient(std::string base, ClientOptions options)
    : base_(std::move(base)), options_(std::move(options)), curl_(std::make_unique<Curl>()) {
  while (!base_.empty() && base_.back() == '/') base_.pop_back();
}
HttpClient::~HttpClient() = default;
HttpClient::HttpClient(HttpClient&&) noexcept = default;
HttpClient& HttpClient::operator=(HttpClient&&) noexcept = default;

Result<ClientResponse> HttpClient::Send(const std::string& method, const std::string& path,
                                        const Headers& headers, const std::string& body,
                                        const std::string& content_type, size_t max_body_bytes) {
  GlobalInit();
  if (!curl_->handle) {
    curl_->handle = curl_easy_init();
    if (!curl_->handle) return Fail(ErrorCode::kUnavailable, "cannot start an HTTP client");
  }
  CURL* h = curl_->handle;
  curl_easy_reset(h);  // keeps the open connection; clears the last request's options
  Transfer t;
  t.max_body = max_body_bytes ? max_body_bytes : options_.max_body_bytes;
  t.max_header = options_.max_header_bytes;
  t.cancel = options_.cancel;
  t.cancel_too = options_.cancel_too;
  const std::string url = base_ + path;
  curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(h, CURLOPT_PROXY, "");  // never a proxy from http_proxy and the like
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.deadline_ms));
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options_.connect_timeout_ms));
  // A Content-Length past the cap fails before the body is read.
  curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(t.max_body));
  curl_easy_setopt(h, CURLOPT_TCP_NODELAY, 1L);
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, options_.verify_tls ? 1L : 0L);
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, options_.verify_tls ? 2L : 0L);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, OnBody);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &t);
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, OnHeader);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, &t);
  curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, OnProgress);
  curl_easy_setopt(h, CURLOPT_XFERINFODATA, &t);
  curl_slist* list = nullptr;
  for (const auto& [name, value] : headers) {
    list = curl_slist_append(list, (name + ": " + value).c_str());
  }
  if (!options_.bearer_token.empty() && !headers.contains("Authorization")) {
    list = curl_slist_append(list, ("Authorization: Bearer " + options_.bearer_token).c_str());
  }
  if (!content_type.empty())
    list = curl_slist_append(list, ("Content-Type: " + content_type).c_str());
  list = curl_slist_append(list, "Expect:");  // no 100-continue round trip before a body
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, list);
  if (method == "POST" || !body.empty()) {
    curl_easy_setopt(h, CURLOPT_POST, 1L);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  }
  if (method == "HEAD") {
    curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
  } else if (method != "GET" && method != "POST") {
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method.c_str());
  }
  const CURLcode code = curl_easy_perform(h);
  curl_slist_free_all(list);
  long status = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
  if (code != CURLE_OK) {
    if (t.body_too_large || code == CURLE_FILESIZE_EXCEEDED) {
      return Fail(ErrorCode::kVerificationFailed, base_ + path + " sent an answer larger than " +
                                                      std::to_string(t.max_body) + " bytes");
    }
    if (t.headers_too_large) {
      return Fail(
          ErrorCode::kVerificationFailed,
          base_ + path + " sent more than " + std::to_string(t.max_header) + " bytes of headers");
    }
    if (t.cancelled) return Fail(ErrorCode::kUnavailable, base_ + path + ": cancelled");
    if (code == CURLE_OPERATION_TIMEDOUT) {
      return Fail(
          ErrorCode::kUnavailable,
          base_ + " did not answer " + path + " within " +
              (options_.deadline_ms % 1000 == 0 ? std::to_string(options_.deadline_ms / 1000) + " s"
                                                : std::to_string(options_.deadline_ms) + " ms"));
    }
    return Fail(ErrorCode::kUnavailable,
                base_ + " is unreachable (" + curl_easy_strerror(code) + ")");
  }
  t.response.status = static_cast<int>(status);
  return std::move(t.response);
}

}  // namespace vellum::net
