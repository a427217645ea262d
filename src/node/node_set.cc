#include "node/node_set.h"

#include <sys/resource.h>
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>
#include <shared_mutex>

#include "common/plural.h"
#include "node/dashboard.h"
#include "node/node_impl.h"
#include "node/periodic_task.h"
#include "node/token.h"

namespace vellum::node {

namespace fs = std::filesystem;

std::string LedgerNameOf(const std::string& file_name) {
  if (!file_name.ends_with(".db") || file_name.size() <= 3) return "";
  std::string name = file_name.substr(0, file_name.size() - 3);
  if (name == "v1" || name.front() == '.') return "";
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != '-') {
      return "";
    }
  }
  return name;
}

namespace {

// Descriptors a served ledger holds: the file, its WAL and its shared memory.
constexpr size_t kDescriptorsPerLedger = 3;

// Descriptors the process has open now (/proc/self/fd, less the one reading it).
size_t OpenDescriptors() {
  std::error_code ec;
  size_t n = 0;
  for (fs::directory_iterator it("/proc/self/fd", ec), end; !ec && it != end; it.increment(ec)) {
    ++n;
  }
  return n > 0 ? n - 1 : 0;
}

// The most descriptors ledgers may take, leaving the rest for connections: opened regardless,
// ledgers would take every descriptor and the node would accept nothing. Sets `why` to say so.
size_t DescriptorsForLedgers(std::string& why) {
  rlimit files{};
  if (getrlimit(RLIMIT_NOFILE, &files) != 0 || files.rlim_cur == RLIM_INFINITY) return SIZE_MAX;
  const size_t limit = files.rlim_cur;
  const size_t reserve = std::max<size_t>(32, limit / 8);
  why = "the process may have " + std::to_string(limit) + " files open (ulimit -n) and keeps " +
        std::to_string(reserve) +
        " of them for connections; raise the limit to serve more ledgers (each holds " +
        std::to_string(kDescriptorsPerLedger) + ")";
  return limit > reserve ? limit - reserve : 0;
}

}  // namespace

struct NodeSet::Impl {
  struct Served {
    std::shared_ptr<Node> node;
    Ledger* ledger = nullptr;  // owned by the node
    std::string origin;
    std::string path;
    dev_t device = 0;  // the file served: a file moved or put in its place is not it
    ino_t inode = 0;
  };

  explicit Impl(NodeSetOptions options) : options_(std::move(options)) {}

  // Stops serving ledgers whose file was removed or replaced (the new file is served by the
  // next step), then opens the ledger files not served yet; says once why one cannot be.
  void Scan();
  void DropMissing();
  [[nodiscard]] Result<std::shared_ptr<Node>> Open(const std::string& path, Ledger*& raw);
  void Serve(net::Request& req, const net::HttpServer::Respond& respond);
  void ListLedgers(net::Response& res);

  NodeSetOptions options_;
  EventLog log_{options_.serve.log_format, options_.serve.log_to};
  std::unique_ptr<net::HttpServer> server_;
  mutable std::shared_mutex mu_;
  std::map<std::string, Served> served_;        // by name
  std::map<std::string, std::string> skipped_;  // file -> why, said once
  std::unique_ptr<PeriodicTask> rescanner_;
};

Result<std::shared_ptr<Node>> NodeSet::Impl::Open(const std::string& path, Ledger*& raw) {
  auto ledger = Ledger::Open(path);
  if (!ledger) return std::unexpected(ledger.error());
  if ((*ledger)->is_mirror()) {
    return Fail(ErrorCode::kInvalidArgument,
                "a mirror: serve it alone with --upstream, which feeds it");
  }
  std::optional<SignerKey> key;
  if (!(*ledger)->verifier_key().empty()) {
    auto read = ReadKeyFile(path + ".key");
    if (!read) return std::unexpected(read.error());
    key = std::move(*read);
  }
  auto token = LoadOrCreateToken(path, "");
  if (!token) return std::unexpected(token.error());
  ServeOptions options = options_.serve;
  options.embedded = true;
  options.token = token->value;
  raw = ledger->get();
  auto node = Node::Create(std::move(*ledger), std::move(key), options);
  if (!node) return std::unexpected(node.error());
  return std::shared_ptr<Node>(std::move(*node));
}

void NodeSet::Impl::DropMissing() {
  std::vector<std::pair<std::string, Served>> gone;
  {
    std::unique_lock lock(mu_);
    for (auto it = served_.begin(); it != served_.end();) {
      struct stat st {};
      if (stat(it->second.path.c_str(), &st) == 0 && st.st_dev == it->second.device &&
          st.st_ino == it->second.inode) {
        ++it;
        continue;
      }
      gone.emplace_back(it->first, std::move(it->second));
      it = served_.erase(it);
    }
  }
  for (auto& [name, s] : gone) {
    // Requests already routed to it finish; it takes no new ones.
    s.node->Stop();
    std::error_code ec;
    const bool replaced = fs::exists(s.path, ec);
    log_.Event("ledger",
               "no longer serving " + s.path + " under /" + name + "/: the file was " +
                   (replaced ? "replaced by another (served once it opens)" : "moved or removed"),
               {{"ledger", s.path}, {"name", name}, {"stopped", true}});
  }
}

void NodeSet::Impl::Scan() {
  DropMissing();
  std::error_code ec;
  std::vector<std::pair<std::string, std::string>> found;  // name, path
  for (const auto& e : fs::directory_iterator(options_.dir, ec)) {
    const std::string file = e.path().filename().string();
    const std::string name = LedgerNameOf(file);
    std::error_code file_ec;
    if (!file.ends_with(".db") || !e.is_regular_file(file_ec)) continue;
    if (name.empty()) {
      if (skipped_.emplace(e.path().string(), "name").second) {
        log_.Event("skipped",
                   e.path().string() +
                       " is not served: its name is not usable in a URL (letters, digits, '.', "
                       "'_' and '-', not starting with '.', and not v1.db)",
                   {{"ledger", e.path().string()}});
      }
      continue;
    }
    std::shared_lock lock(mu_);
    if (!served_.contains(name)) found.emplace_back(name, e.path().string());
  }
  std::string no_room;
  const size_t room = found.empty() ? 0 : DescriptorsForLedgers(no_room);
  size_t open = found.empty() ? 0 : OpenDescriptors();
  std::vector<std::string> left_out;  // for want of descriptors, not said before
  for (const auto& [name, path] : found) {
    // Before opening: should another file take its place meanwhile, the next scan sees a
    // different file at the path and serves that one instead.
    struct stat st {};
    if (stat(path.c_str(), &st) != 0) continue;
    if (open + kDescriptorsPerLedger > room) {
      if (auto& said = skipped_[path]; said != no_room) {
        said = no_room;
        left_out.push_back(path);
      }
      continue;
    }
    Ledger* ledger = nullptr;
    auto node = Open(path, ledger);
    if (!node) {
      auto& said = skipped_[path];
      if (said != node.error().message()) {
        said = node.error().message();
        log_.Event("skipped", path + " is not served: " + said, {{"ledger", path}});
      }
      continue;
    }
    skipped_.erase(path);
    open += kDescriptorsPerLedger;
    const std::string origin = ledger->origin();
    const uint64_t size = ledger->GetHead().value_or(Head{}).size;
    {
      std::unique_lock lock(mu_);
      served_[name] = Served{std::move(*node), ledger, origin, path, st.st_dev, st.st_ino};
    }
    log_.Event("ledger",
               "serving " + path + " (" + origin + ", " + Entries(size) + ") under /" + name +
                   "/; writes need the token in " + path + ".token",
               {{"ledger", path}, {"name", name}, {"origin", origin}, {"size", size}});
  }
  if (!left_out.empty()) {  // one line for them all: there may be thousands
    std::string some;
    for (size_t i = 0; i < left_out.size() && i < 3; ++i) some += (i ? ", " : "") + left_out[i];
    if (left_out.size() > 3) some += ", ...";
    log_.Event(
        "skipped",
        CountOf(left_out.size(), "ledger", "ledgers") + " (" + some + ") not served: " + no_room,
        {{"ledgers", left_out}});
  }
}

void NodeSet::Impl::ListLedgers(net::Response& res) {
  nlohmann::json list = nlohmann::json::array();
  std::shared_lock lock(mu_);
  for (const auto& [name, s] : served_) {
    const auto head = s.ledger->GetHead();
    list.push_back({{"name", name},
                    {"origin", s.origin},
                    {"size", head ? head->size : 0},
                    {"root", head ? ToHex(head->root) : ""},
                    {"path", "/" + name}});
  }
  res.Set(nlohmann::json{{"ledgers", list}}.dump(-1, ' ', false,
                                                 nlohmann::json::error_handler_t::replace),
          "application/json");
}

void NodeSet::Impl::Serve(net::Request& req, const net::HttpServer::Respond& respond) {
  if (req.path == "/v1/ledgers" && req.method == "GET") {
    net::Response res;
    ListLedgers(res);
    return respond(std::move(res));
  }
  if (req.path == "/v1/status" && req.method == "GET") {  // what the dashboard asks first
    net::Response res;
    std::shared_lock lock(mu_);
    res.Set(nlohmann::json{{"node_set", true}, {"ledgers", served_.size()}}.dump(),
            "application/json");
    return respond(std::move(res));
  }
  if (req.path == "/v1/ledgers" || req.path == "/v1/status") {  // another method than GET
    return respond(Node::Impl::MethodNotAllowed(req.method, req.path, "GET, HEAD"));
  }
  // The dashboard's page lists the ledgers here; each ledger has its own under /<name>/.
  if (net::Response res; ServeDashboard(req, res)) return respond(std::move(res));
  // "/<name>/<rest>": the ledger's own node answers "/<rest>".
  const size_t slash = req.path.find('/', 1);
  const std::string name = req.path.substr(1, slash == std::string::npos ? slash : slash - 1);
  std::shared_ptr<Node> node;
  {
    std::shared_lock lock(mu_);
    if (auto it = served_.find(name); it != served_.end()) node = it->second.node;
  }
  if (!node) {
    return respond(Node::Impl::ErrorResponse(
        404, "no ledger named '" + name + "' here; GET /v1/ledgers lists them"));
  }
  if (slash == std::string::npos && req.method == "GET") {
    // The page under "/<name>/" reads the API with relative URLs: it needs the slash.
    net::Response res;
    res.status = 308;
    res.headers.emplace("Location", "/" + name + "/");
    res.Set("see /" + name + "/\n", "text/plain; charset=utf-8");
    return respond(std::move(res));
  }
  req.path = slash == std::string::npos ? "/" : req.path.substr(slash);
  node->Serve(req, respond);
}

Result<std::unique_ptr<NodeSet>> NodeSet::Create(NodeSetOptions options) {
  std::error_code ec;
  if (!fs::is_directory(options.dir, ec)) {
    return Fail(ErrorCode::kNotFound, options.dir + " is not a folder of ledgers");
  }
  auto impl = std::make_unique<Impl>(std::move(options));
  Impl* raw = impl.get();
  auto server = net::HttpServer::Create(
      raw->options_.serve.limits,
      [raw](net::Request& req, net::HttpServer::Respond respond) { raw->Serve(req, respond); },
      &Node::Impl::ErrorResponse, raw->options_.serve.tls_cert, raw->options_.serve.tls_key);
  if (!server) return std::unexpected(server.error());
  impl->server_ = std::move(*server);
  // An append to "/<name>/v1/entries" is refused before its body as that ledger's node would.
  impl->server_->SetGate([raw](const net::Request& req) -> std::optional<net::Response> {
    if (req.method != "POST") return std::nullopt;
    const size_t slash = req.path.find('/', 1);
    if (slash == std::string::npos) return std::nullopt;
    std::shared_ptr<Node> node;
    {
      std::shared_lock lock(raw->mu_);
      if (auto it = raw->served_.find(req.path.substr(1, slash - 1)); it != raw->served_.end()) {
        node = it->second.node;
      }
    }
    if (!node) return std::nullopt;
    net::Request inner = req;
    inner.path = req.path.substr(slash);
    return node->RefusedBeforeBody(inner);
  });
  impl->Scan();
  impl->rescanner_ =
      std::make_unique<PeriodicTask>(raw->options_.rescan_interval_ms,
                                     PeriodicTask::First::kAfterInterval, [raw] { raw->Scan(); });
  return std::unique_ptr<NodeSet>(new NodeSet(std::move(impl)));
}

NodeSet::NodeSet(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

NodeSet::~NodeSet() {
  Stop();
  // The server is stopped: nothing routes to the nodes any more.
  std::unique_lock lock(impl_->mu_);
  impl_->served_.clear();
}

Result<int> NodeSet::Bind() {
  return impl_->server_->Bind(impl_->options_.serve.host, impl_->options_.serve.port);
}

void NodeSet::Run() { impl_->server_->Run(); }

void NodeSet::Stop() {
  impl_->rescanner_->Stop();
  impl_->server_->Stop();
  std::shared_lock lock(impl_->mu_);
  for (auto& [name, s] : impl_->served_) s.node->Stop();
}

EventLog& NodeSet::log() { return impl_->log_; }

std::vector<std::string> NodeSet::Names() const {
  std::shared_lock lock(impl_->mu_);
  std::vector<std::string> out;
  for (const auto& [name, s] : impl_->served_) out.push_back(name);
  return out;
}

}  // namespace vellum::node
