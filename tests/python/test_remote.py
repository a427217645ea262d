"""RemoteNode, compare and network against real `vellum serve` processes on 127.0.0.1, and the
same facts as the CLI's --json."""

import http.server
import json
import os
import shutil
import subprocess
import threading

import pytest

import vellum

VELLUM = os.environ.get("VELLUM_BIN", "vellum")


class Served:
    """`vellum serve LEDGER --listen 127.0.0.1:0`; the first line it prints is the port."""

    def __init__(self, path):
        self.proc = subprocess.Popen([VELLUM, "serve", str(path), "--listen", "127.0.0.1:0"],
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        line = self.proc.stdout.readline()
        assert line.strip().isdigit(), f"vellum serve printed {line!r}"
        self.url = f"http://127.0.0.1:{int(line)}"

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=10)
        self.proc.stdout.close()


@pytest.fixture
def two_forked(tmp_path):
    """Two raw ledgers sharing their first 700 of 1000 entries and one key, each served."""
    a_path, b_path = tmp_path / "a.db", tmp_path / "b.db"
    with vellum.Ledger.create(a_path, origin="example.com/net", format="raw") as a:
        a.append_many(f"e{i}" for i in range(700))
    shutil.copy(a_path, b_path)
    shutil.copy(str(a_path) + ".key", str(b_path) + ".key")
    with vellum.Ledger.open(a_path) as a:
        a.append_many(f"e{i}" for i in range(700, 1000))
        vkey = a.verifier_key
    with vellum.Ledger.open(b_path) as b:
        b.append_many(f"other {i}" for i in range(700, 1000))
    nodes = [Served(a_path), Served(b_path)]
    yield a_path, b_path, nodes, vkey
    for n in nodes:
        n.stop()


def test_remote_node_heads_entries_and_proofs(two_forked):
    a_path, _, (na, _), vkey = two_forked
    node = vellum.RemoteNode(na.url, vkey=vkey)
    head = node.checkpoint()
    with vellum.Ledger.open(a_path, read_only=True) as local:
        assert (head.origin, head.size, head.root) == ("example.com/net", 1000, local.root())
        assert head.signature_checked and head.note.startswith("example.com/net\n1000\n")
        assert vellum.verify_checkpoint(head.note, vkey).root == head.root
        e = node.get(417)
        assert (e.index, e.payload, e.leaf_hash) == (417, b"e417", local[417].leaf_hash)
        old = local.root(300)
    assert node.prove_consistency(300, old).size == 1000
    with pytest.raises(vellum.VerificationError):
        node.prove_consistency(300, b"\x07" * 32)
    assert node.status()["size"] == 1000
    assert vellum.RemoteNode(na.url + "/", vkey=vkey).checkpoint().root == head.root  # trailing slash
    assert node.format == "raw" and len(node) == 1000
    assert node.cost[0] > 0
    with pytest.raises(vellum.NotFound, match="checkpoint has 1000 entries: there is no entry 1000"):
        node.get(1000)
    for call in (lambda: node.get(-1), lambda: node.get("3"), lambda: node.prove_consistency(-1, old)):
        with pytest.raises(vellum.InvalidArgument):
            call()
    # Without a key nothing is signature-checked; with the wrong key the head is refused.
    assert vellum.RemoteNode(na.url).checkpoint().signature_checked is False
    other = vellum.Ledger.create(a_path.parent / "o.db", origin="example.com/net")
    with pytest.raises(vellum.VerificationError):
        vellum.RemoteNode(na.url, vkey=other.verifier_key).checkpoint()
    other.close()


def test_compare_and_network_give_the_cli_facts(two_forked):
    a_path, b_path, (na, nb), vkey = two_forked
    got = vellum.compare(na.url, nb.url, vkey=vkey)
    assert got["relation"] == "forked" and got["fork_index"] == 700
    assert got["signature_checked"] is True
    assert got["entry_a"]["data"] == "e700" and got["entry_b"]["data"] == "other 700"
    printed = subprocess.run([VELLUM, "compare", na.url, nb.url, "--vkey", vkey, "--json"],
                             capture_output=True, text=True)
    cli = json.loads(printed.stdout)
    for side in ("a", "b"):  # costs are per connection; everything else is the same fact
        for key in ("round_trips", "bytes"):
            cli[side].pop(key), got[side].pop(key)
    assert got == cli
    assert vellum.compare(a_path, a_path)["relation"] == "identical"

    report = vellum.network([na.url, nb.url, a_path], vkey=vkey)
    printed = subprocess.run([VELLUM, "network", na.url, nb.url, str(a_path), "--vkey", vkey, "--json"],
                             capture_output=True, text=True)
    assert report == json.loads(printed.stdout)
    assert report["total_nodes"] == 3 and report["synced_nodes"] == 2
    assert report["forks"][0]["fork_index"] == 700 and report["healthy"] is False


def test_sync_mirrors_a_node_and_refuses_the_wrong_key(two_forked, tmp_path):
    a_path, _, (na, nb), vkey = two_forked
    mirror = tmp_path / "mirror.db"
    done = vellum.sync(na.url, mirror, vkey, format="raw")
    with vellum.Ledger.open(a_path, read_only=True) as a:
        assert (done.old_size, done.new_size, done.root) == (0, 1000, a.root())
    assert vellum.sync(na.url, mirror, vkey).new_size == 1000  # up to date
    with vellum.Ledger.open(mirror) as m:
        assert m.verify().ok and len(m) == 1000
        with pytest.raises(vellum.Conflict, match="mirror"):
            m.append("not through sync")
    # The forked node is refused: its history contradicts what the mirror holds.
    before = open(mirror, "rb").read()
    with pytest.raises(vellum.Error, match="sync refused"):
        vellum.sync(nb.url, mirror, vkey)
    assert open(mirror, "rb").read() == before
    # A wrong key: refused, and no new file is left behind.
    stranger = vellum.Ledger.create(tmp_path / "s.db", origin="example.com/net", key=str(tmp_path / "s.key"))
    with pytest.raises(vellum.VerificationError):
        vellum.sync(na.url, tmp_path / "never.db", stranger.verifier_key, format="raw")
    stranger.close()
    assert not (tmp_path / "never.db").exists()


def test_unreachable_and_malformed_peers_raise_clear_errors(tmp_path):
    with pytest.raises(vellum.InvalidArgument):
        vellum.RemoteNode("ftp://example.com/")
    with pytest.raises(vellum.InvalidArgument):
        vellum.RemoteNode("http://127.0.0.1:1", timeout=0)
    with pytest.raises(vellum.Error):
        vellum.RemoteNode("http://127.0.0.1:1", timeout=2).checkpoint()
    with pytest.raises(vellum.NotFound):
        vellum.compare(tmp_path / "missing.db", tmp_path / "missing2.db")
    down = vellum.network(["http://127.0.0.1:1"], timeout=2)
    assert down["healthy"] is False and down["total_nodes"] == 1


def test_a_peers_terminal_escapes_do_not_reach_exception_messages():
    """A peer's text quoted in an error has its control characters escaped, as the CLI shows it."""
    evil = "\x1b]0;pwned\x07\x1b[2J"

    class Hostile(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = b"moved"  # the error names where a redirect points
            self.send_response(302)
            self.send_header("Location", f"http://127.0.0.1:1/{evil}")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Hostile)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with pytest.raises(vellum.Error) as caught:
            vellum.RemoteNode(f"http://127.0.0.1:{server.server_address[1]}", timeout=5).checkpoint()
    finally:
        server.shutdown()
        server.server_close()
    message = str(caught.value)
    assert "\\x1b]0;pwned" in message, message
    assert "\x1b" not in message and "\x07" not in message, message


def test_network_refuses_a_peer_given_twice(two_forked):
    a_path, _, (na, nb), vkey = two_forked
    with pytest.raises(vellum.InvalidArgument, match="give each peer once"):
        vellum.network([na.url, nb.url, na.url + "/"], vkey=vkey)
    with pytest.raises(vellum.InvalidArgument, match="give each peer once"):
        vellum.network([a_path, str(a_path)])


def test_network_takes_a_list_of_at_least_one_peer(two_forked):
    a_path, _, _, _ = two_forked
    # A string is iterable: its characters were taken for peers ("l does not exist").
    for one in (str(a_path), a_path, str(a_path).encode()):
        with pytest.raises(vellum.InvalidArgument, match="network takes a list of peers"):
            vellum.network(one)
    with pytest.raises(vellum.InvalidArgument, match="at least one peer"):
        vellum.network([])
    assert vellum.network([a_path])["total_nodes"] == 1


def test_sync_into_a_node_url_is_refused(two_forked):
    a_path, _, (na, _nb), vkey = two_forked
    with pytest.raises(vellum.InvalidArgument, match="node's URL, and a Ledger is a file"):
        vellum.sync(a_path, na.url, vkey)  # source and path swapped
