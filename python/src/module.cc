// vellum._vellum: the C++ library for Python. Thin on purpose: it converts types, releases the GIL
// around anything that touches the file or hashes much, and raises vellum's exceptions (defined in
// python/vellum/errors.py, one per ErrorCode). The Pythonic API lives in python/vellum/.
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/printable.h"
#include "node/api_json.h"
#include "node/compare.h"
#include "node/ledger_view.h"
#include "node/network.h"
#include "node/sync.h"
#include "vellum/checkpoint.h"
#include "vellum/ledger.h"
#include "vellum/merkle.h"

namespace py = pybind11;

namespace vellum::python {
namespace {

// vellum.errors.<name> for each ErrorCode, looked up once at import. Never freed: the
// interpreter may be gone by the time static objects are destroyed.
py::object& ErrorClass(ErrorCode code) {
  static auto* classes = new py::object[8];
  return classes[static_cast<int>(code)];
}

[[noreturn]] void Raise(const Error& error) {
  // A message may quote what a peer sent: its terminal controls are escaped, as the CLI does,
  // and it is decoded leniently.
  const std::string text = Printable(error.message());
  PyObject* message =
      PyUnicode_DecodeUTF8(text.data(), static_cast<Py_ssize_t>(text.size()), "replace");
  PyErr_SetObject(ErrorClass(error.code()).ptr(), message);
  Py_XDECREF(message);
  throw py::error_already_set();
}

template <typename T>
T Take(Result<T> result) {
  if (!result) Raise(result.error());
  return std::move(*result);
}
void Take(Result<void> result) {
  if (!result) Raise(result.error());
}

py::bytes ToPy(std::span<const uint8_t> bytes) {
  return py::bytes(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}
Bytes FromPy(const py::bytes& bytes) {
  const std::string_view view = bytes;
  return Bytes(view.begin(), view.end());
}
Hash HashFromPy(const py::bytes& bytes) {
  auto hash = HashFromBytes(FromPy(bytes));
  if (!hash) Raise(Error(ErrorCode::kInvalidArgument, "a hash is 32 bytes"));
  return *hash;
}
std::vector<Hash> HashesFromPy(const std::vector<py::bytes>& list) {
  std::vector<Hash> out;
  for (const auto& item : list) out.push_back(HashFromPy(item));
  return out;
}
py::list HashesToPy(const std::vector<Hash>& hashes) {
  py::list out;
  for (const Hash& h : hashes) out.append(ToPy(h));
  return out;
}

// Runs `call` with the GIL released: other Python threads run meanwhile. `call` must not touch
// Python objects; its Result is turned into a value or an exception after the GIL is back.
template <typename F>
auto Unlocked(F call) -> decltype(call()) {
  py::gil_scoped_release free;
  return call();
}

// JSON as the CLI prints it (two-space indent), bytes that are not UTF-8 replaced.
std::string JsonText(const nlohmann::json& doc) {
  return doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
}
std::string Dump(const node::ProofDocument& doc) { return JsonText(node::ProofDocumentJson(doc)); }

// (index, time_ms or None, payload, leaf_hash)
py::tuple EntryToPy(const Entry& e) {
  return py::make_tuple(e.index, e.time_ms ? py::object(py::int_(*e.time_ms)) : py::none(),
                        ToPy(e.payload), ToPy(e.leaf_hash));
}

// One open ledger. Calls hold the GIL only while converting: other Python threads run while one
// appends, verifies or proves (the Ledger itself is thread-safe).
class PyLedger {
 public:
  explicit PyLedger(std::unique_ptr<Ledger> ledger) : ledger_(std::move(ledger)) {}

  // What `vellum init` does: a new signing key written to `key_path` (0600), or the key already
  // in `key_path` when `reuse`; no key at all when `key_path` is empty.
  static PyLedger Create(const std::string& path, const std::string& origin,
                         const std::string& format, const std::string& key_path, bool reuse) {
    const EntryFormat parsed = Take(ParseEntryFormat(format));
    Take(CheckOrigin(origin));
    std::optional<SignerKey> key;
    if (!key_path.empty()) key = Take(reuse ? ReadKeyFile(key_path) : SignerKey::Generate(origin));
    const std::string verifier_key = key ? key->verifier().ToString() : std::string();
    auto ledger = Take(Unlocked([&] {
      return Ledger::Create(path,
                            {.origin = origin, .format = parsed, .verifier_key = verifier_key});
    }));
    if (key && !reuse) {
      if (auto ok = WriteKeyFile(key_path, *key); !ok) {
        ledger.reset();
        (void)Ledger::RemoveEmpty(path);
        Raise(Error(ok.error().code(),
                    ok.error().message() + " (so the new ledger was removed again)"));
      }
    }
    return PyLedger(std::move(ledger));
  }
  static PyLedger Open(const std::string& path, bool read_only) {
    return PyLedger(Take(Unlocked([&] { return Ledger::Open(path, {.read_only = read_only}); })));
  }

  // The ledger, shared with the call that uses it: close() from another thread then cannot free
  // it under a call that runs without the GIL.
  std::shared_ptr<Ledger> Get() const {
    if (!ledger_) Raise(Error(ErrorCode::kInvalidArgument, "the ledger is closed"));
    return ledger_;
  }
  void Close() { ledger_.reset(); }
  bool closed() const { return !ledger_; }

  py::tuple Head() {
    const vellum::Head h = Take(Unlocked([l = Get()] { return l->GetHead(); }));
    return py::make_tuple(h.size, ToPy(h.root));
  }
  py::bytes RootAt(uint64_t size) {
    return ToPy(Take(Unlocked([l = Get(), size] { return l->RootAt(size); })));
  }
  py::tuple EntryAt(uint64_t index) {
    return EntryToPy(Take(Unlocked([l = Get(), index] { return l->Get(index); })));
  }
  py::list Range(uint64_t begin, uint64_t end) {
    py::list out;
    for (const Entry& e :
         Take(Unlocked([l = Get(), begin, end] { return l->GetRange(begin, end); }))) {
      out.append(EntryToPy(e));
    }
    return out;
  }
  uint64_t Find(const py::bytes& leaf_hash) {
    const Hash h = HashFromPy(leaf_hash);
    return Take(Unlocked([l = Get(), &h] { return l->FindByLeafHash(h); }));
  }
  // Entries as (payload bytes, time_ms or None); one transaction. Returns the first index.
  uint64_t AppendMany(const std::vector<std::pair<py::bytes, std::optional<int64_t>>>& items) {
    std::vector<NewEntry> entries;
    entries.reserve(items.size());
    for (const auto& [payload, time_ms] : items) entries.push_back({FromPy(payload), time_ms});
    return Take(Unlocked([l = Get(), &entries] { return l->AppendBatch(entries); }));
  }
  // The CLI's `prove --json` documents, byte for byte (without its final newline).
  std::string InclusionJson(uint64_t index, uint64_t size) {
    return Dump(
        Take(Unlocked([l = Get(), index, size] { return node::InclusionDoc(*l, index, size); })));
  }
  std::string ConsistencyJson(uint64_t old_size, uint64_t new_size) {
    return Dump(Take(Unlocked(
        [l = Get(), old_size, new_size] { return node::ConsistencyDoc(*l, old_size, new_size); })));
  }
  py::dict Verify() {
    const VerifyReport r = Take(Unlocked([l = Get()] { return l->Verify(); }));
    py::dict out;
    out["ok"] = r.ok;
    out["size"] = r.size;
    out["entries_checked"] = r.entries_checked;
    out["first_bad_index"] =
        r.first_bad_index ? py::object(py::int_(*r.first_bad_index)) : py::none();
    out["problem"] = r.ok ? py::object(py::none()) : py::object(py::str(ProblemName(r.problem)));
    out["message"] = r.message;
    return out;
  }
  std::string SignCheckpoint(const std::string& key_path, std::optional<uint64_t> size) {
    const SignerKey key = Take(ReadKeyFile(key_path));
    return Take(Unlocked([l = Get(), &key, size] { return l->SignCheckpoint(key, size); }));
  }

 private:
  std::shared_ptr<Ledger> ledger_;
};

std::vector<VerifierKey> KeysFromPy(const std::vector<std::string>& texts) {
  std::vector<VerifierKey> keys;
  for (const std::string& text : texts) keys.push_back(Take(VerifierKey::Parse(text)));
  return keys;
}

node::RemoteOptions Deadline(double timeout_s) {
  if (!(timeout_s > 0) || timeout_s > 3600) {
    Raise(Error(ErrorCode::kInvalidArgument, "timeout is seconds, more than 0 and at most 3600"));
  }
  return {.deadline_ms = static_cast<int>(timeout_s * 1000)};
}

// A ledger file or node URL seen from outside (node::LedgerView): heads from checkpoints verified
// with the given keys, entries hashed here, proofs from the node. One call at a time.
class PyView {
 public:
  PyView(const std::string& file_or_url, const std::vector<std::string>& vkeys, double timeout_s)
      : keys_(KeysFromPy(vkeys)), remote_(Deadline(timeout_s)) {
    view_ = Take(Unlocked([&] { return node::OpenView(file_or_url, keys_, remote_); }));
  }
  py::tuple Head() {
    const node::ViewHead h = Take(Locked([&] { return view_->Head(); }));
    return py::make_tuple(h.origin, h.size, ToPy(h.root), h.signature_checked,
                          view_->CheckpointNote());
  }
  py::tuple EntryAt(uint64_t index) {
    return EntryToPy(Take(Locked([&] { return view_->Get(index); })));
  }
  py::list Inclusion(uint64_t index, uint64_t size) {
    return HashesToPy(Take(Locked([&] { return view_->InclusionProof(index, size); })));
  }
  py::list Consistency(uint64_t old_size, uint64_t new_size) {
    return HashesToPy(Take(Locked([&] { return view_->ConsistencyProof(old_size, new_size); })));
  }
  std::string Format() {
    return std::string(EntryFormatName(Take(Locked([&] { return view_->Format(); }))));
  }
  py::tuple Cost() const { return py::make_tuple(view_->round_trips(), view_->bytes_received()); }

 private:
  template <typename F>
  auto Locked(F call) -> decltype(call()) {
    py::gil_scoped_release free;
    std::lock_guard<std::mutex> lock(mu_);
    return call();
  }
  std::vector<VerifierKey> keys_;
  node::RemoteOptions remote_;
  std::mutex mu_;
  std::unique_ptr<node::LedgerView> view_;
};

// Opens a view of each of `peers` (files, or URLs checked with `vkeys`), as the CLI does.
std::vector<std::unique_ptr<node::LedgerView>> OpenViews(const std::vector<std::string>& peers,
                                                         const std::vector<std::string>& vkeys,
                                                         double timeout_s) {
  const std::vector<VerifierKey> keys = KeysFromPy(vkeys);
  const node::RemoteOptions remote = Deadline(timeout_s);
  std::vector<std::unique_ptr<node::LedgerView>> views;
  for (const std::string& peer : peers) {
    views.push_back(Take(Unlocked([&] {
      return node::OpenView(peer, node::IsNodeUrl(peer) ? keys : std::vector<VerifierKey>{},
                            remote);
    })));
  }
  return views;
}

}  // namespace

PYBIND11_MODULE(_vellum, m) {
  m.doc() = "vellum's C++ library; use the vellum package, not this module";
  const py::module_ errors = py::module_::import("vellum.errors");
  const std::pair<ErrorCode, const char*> names[] = {
      {ErrorCode::kNotFound, "NotFound"},
      {ErrorCode::kInvalidArgument, "InvalidArgument"},
      {ErrorCode::kCorruption, "Corruption"},
      {ErrorCode::kVerificationFailed, "VerificationError"},
      {ErrorCode::kConflict, "Conflict"},
      {ErrorCode::kIoError, "IOFailure"},
      {ErrorCode::kUnavailable, "Unavailable"},
      {ErrorCode::kNoSpace, "NoSpace"},
  };
  for (const auto& [code, name] : names) ErrorClass(code) = errors.attr(name);

  py::class_<PyLedger>(m, "Ledger")
      .def_static("create", &PyLedger::Create)
      .def_static("open", &PyLedger::Open)
      .def("close", &PyLedger::Close)
      .def_property_readonly("closed", &PyLedger::closed)
      .def_property_readonly("path", [](PyLedger& l) { return l.Get()->path(); })
      .def_property_readonly("origin", [](PyLedger& l) { return l.Get()->origin(); })
      .def_property_readonly(
          "format", [](PyLedger& l) { return std::string(EntryFormatName(l.Get()->format())); })
      .def_property_readonly("verifier_key", [](PyLedger& l) { return l.Get()->verifier_key(); })
      .def("head", &PyLedger::Head)
      .def("root_at", &PyLedger::RootAt)
      .def("entry", &PyLedger::EntryAt)
      .def("range", &PyLedger::Range)
      .def("find", &PyLedger::Find)
      .def("append_many", &PyLedger::AppendMany)
      .def("inclusion_json", &PyLedger::InclusionJson)
      .def("consistency_json", &PyLedger::ConsistencyJson)
      .def("verify", &PyLedger::Verify)
      .def("sign_checkpoint", &PyLedger::SignCheckpoint);

  py::class_<PyView>(m, "View")
      .def(py::init<const std::string&, const std::vector<std::string>&, double>())
      .def("head", &PyView::Head)
      .def("entry", &PyView::EntryAt)
      .def("inclusion", &PyView::Inclusion)
      .def("consistency", &PyView::Consistency)
      .def("format", &PyView::Format)
      .def("cost", &PyView::Cost);

  // `vellum compare A B --json` and `vellum network PEER... --json`, as JSON text.
  m.def("compare_json", [](const std::string& a, const std::string& b,
                           const std::vector<std::string>& vkeys, double timeout_s) {
    auto views = OpenViews({a, b}, vkeys, timeout_s);
    const node::Comparison c = Take(Unlocked([&] { return node::Compare(*views[0], *views[1]); }));
    return JsonText(node::ComparisonJson(c, *views[0], *views[1]));
  });
  m.def("network_json", [](const std::vector<std::string>& peers,
                           const std::vector<std::string>& vkeys, double timeout_s) {
    Take(node::RefuseRepeatedPeers(peers));
    auto views = OpenViews(peers, vkeys, timeout_s);
    const node::NetworkReport report = Unlocked([&] { return node::AnalyzeNetwork(views); });
    return JsonText(node::NetworkJson(report));
  });
  // `vellum sync PATH --from URL --vkey KEY [--format F]`: (old size, new size, root).
  m.def("sync", [](const std::string& from, const std::string& path, const std::string& vkey,
                   const std::string& format, double timeout_s) {
    const std::vector<VerifierKey> keys = KeysFromPy({vkey});
    std::optional<EntryFormat> chosen;
    if (!format.empty()) chosen = Take(ParseEntryFormat(format));
    const node::RemoteOptions remote = Deadline(timeout_s);
    const node::SyncResult r = Take(Unlocked([&]() -> Result<node::SyncResult> {
      auto upstream = node::OpenView(from, keys, remote);
      if (!upstream) return std::unexpected(upstream.error());
      return node::SyncInto(path, **upstream, keys[0].ToString(), chosen);
    }));
    return py::make_tuple(r.old_size, r.new_size, ToPy(r.root));
  });
  m.def("node_status_json", [](const std::string& url, double timeout_s) {
    const node::RemoteOptions remote = Deadline(timeout_s);
    return Take(Unlocked([&] { return node::FetchNodeStatus(url, remote); })).dump();
  });

  // Baselines for bench/python_bench.py: the C++ library doing what the Python calls do, with
  // no Python objects involved. Appends "event <n>" for n in [first, first + count) in batches.
  m.def("_bench_append", [](const std::string& path, uint64_t first, uint64_t count, size_t batch) {
    auto ledger = Take(Ledger::Open(path));
    Take(Unlocked([&]() -> Result<void> {
      std::vector<NewEntry> entries;
      for (uint64_t n = first; n < first + count;) {
        entries.clear();
        for (; n < first + count && entries.size() < batch; ++n) {
          entries.push_back({ToBytes("event " + std::to_string(n))});
        }
        if (auto ok = ledger->AppendBatch(entries); !ok) return std::unexpected(ok.error());
      }
      return {};
    }));
  });
  m.def("_bench_verify", [](PyLedger& ledger) {  // the same handle, called from C++
    return Take(Unlocked([l = ledger.Get()] { return l->Verify(); })).ok;
  });

  m.def("leaf_hash", [](const py::bytes& data) { return ToPy(merkle::LeafHash(FromPy(data))); });
  m.def("node_hash", [](const py::bytes& left, const py::bytes& right) {
    return ToPy(merkle::NodeHash(HashFromPy(left), HashFromPy(right)));
  });
  m.def("verify_inclusion", [](const py::bytes& leaf_hash, uint64_t index, uint64_t size,
                               const std::vector<py::bytes>& proof, const py::bytes& root) {
    Take(merkle::VerifyInclusion(HashFromPy(leaf_hash), index, size, HashesFromPy(proof),
                                 HashFromPy(root)));
  });
  m.def("verify_consistency", [](uint64_t old_size, uint64_t new_size, const py::bytes& old_root,
                                 const py::bytes& new_root, const std::vector<py::bytes>& proof) {
    Take(merkle::VerifyConsistency(old_size, new_size, HashFromPy(old_root), HashFromPy(new_root),
                                   HashesFromPy(proof)));
  });
  m.def("verify_checkpoint", [](const std::string& note, const std::string& vkey) {
    const VerifierKey key = Take(VerifierKey::Parse(vkey));
    const Checkpoint c = Take(OpenCheckpoint(note, std::span<const VerifierKey>(&key, 1)));
    return py::make_tuple(c.origin, c.size, ToPy(c.root));
  });
}

}  // namespace vellum::python
