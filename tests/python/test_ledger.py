"""The Pythonic API (vellum.Ledger and the free functions) against the C++ library and the CLI."""

import datetime as dt
import hashlib
import json
import os
import subprocess
import threading

import pytest

import vellum

VELLUM = os.environ.get("VELLUM_BIN", "vellum")


def cli(*args):
    return subprocess.run([VELLUM, *map(str, args)], capture_output=True, text=True, check=False)


def file_bytes(path):
    with open(path, "rb") as f:
        return f.read()


@pytest.fixture
def ledger(tmp_path):
    with vellum.Ledger.create(tmp_path / "l.db", origin="example.com/py") as l:
        yield l


def test_create_open_and_context_manager(tmp_path):
    path = tmp_path / "a.db"
    with vellum.Ledger.create(path, origin="example.com/a", format="raw") as l:
        assert (l.origin, l.format, len(l)) == ("example.com/a", "raw", 0)
        assert l.verifier_key.startswith("example.com/a+")
        assert os.path.exists(str(path) + ".key")  # as `vellum init` does
    assert l.closed
    with pytest.raises(vellum.InvalidArgument, match="closed"):
        len(l)
    with pytest.raises(vellum.Conflict, match="already exists"):
        vellum.Ledger.create(path, origin="example.com/a")
    with vellum.Ledger.open(path, read_only=True) as r:
        assert r.format == "raw"
        with pytest.raises(vellum.Error):
            r.append("x")
    with pytest.raises(vellum.NotFound, match=r"does not exist; make a ledger with vellum\.Ledger\.create"):
        vellum.Ledger.open(tmp_path / "missing.db")
    with pytest.raises(vellum.InvalidArgument, match="the ledger's file name is empty"):
        vellum.Ledger.open("")
    os.rename(str(path) + ".key", str(tmp_path / "c.db.key"))  # a key left in c.db's way
    with pytest.raises(vellum.Conflict, match=r"c\.db\.key already exists; to sign with that key, pass key="):
        vellum.Ledger.create(tmp_path / "c.db", origin="example.com/a")
    assert not (tmp_path / "c.db").exists()
    vellum.Ledger.create(tmp_path / "c.db", origin="example.com/a", key=tmp_path / "c.db.key").close()
    for url in ("http://127.0.0.1:1", "https://logs.example/a.db"):
        with pytest.raises(vellum.InvalidArgument, match=r"node's URL.*vellum\.RemoteNode"):
            vellum.Ledger.open(url)
        with pytest.raises(vellum.InvalidArgument, match="node's URL"):
            vellum.Ledger.create(url, origin="example.com/a")
    with pytest.raises(vellum.InvalidArgument):
        vellum.Ledger.create(tmp_path / "b.db", origin="x", format="yaml")
    with pytest.raises(TypeError, match=r"vellum\.Ledger\.open\(path\)"):
        vellum.Ledger(path)  # the constructor is not how a file is opened, and says so


def test_append_get_index_slice_iterate(ledger):
    when = dt.datetime(2026, 11, 25, 10, 0, tzinfo=dt.timezone.utc)
    assert ledger.append("first", time=when) == 0
    assert ledger.append(b"\x00\xffbinary") == 1
    assert ledger.append_many(["a", ("b", when), b"c"]) == range(2, 5)
    assert len(ledger) == 5
    e = ledger[0]
    assert (e.index, e.payload, e.text, e.time) == (0, b"first", "first", when)
    assert e.time.tzinfo is not None
    assert ledger[1].text is None and ledger[1].payload == b"\x00\xffbinary"
    assert ledger[-1].payload == b"c"
    assert [x.index for x in ledger[1:4]] == [1, 2, 3]
    assert [x.index for x in ledger[::2]] == [0, 2, 4]
    assert [x.payload for x in ledger] == [b"first", b"\x00\xffbinary", b"a", b"b", b"c"]
    assert ledger.find(e.leaf_hash) == 0 and ledger.find(e.leaf_hash.hex()) == 0
    with pytest.raises(vellum.NotFound):
        ledger[5]
    with pytest.raises(vellum.NotFound):
        ledger[-6]
    with pytest.raises(vellum.NotFound):
        ledger.find(b"\x01" * 32)


def test_bad_input_raises_and_leaves_the_file_unchanged(ledger):
    ledger.append("kept")
    ledger.close()
    before = file_bytes(ledger.path)
    with vellum.Ledger.open(ledger.path) as l:
        for bad in (123, None, ["list"]):
            with pytest.raises(vellum.InvalidArgument):
                l.append(bad)
        with pytest.raises(vellum.InvalidArgument, match="aware"):
            l.append("x", time=dt.datetime(2026, 1, 1))
        with pytest.raises(vellum.InvalidArgument):
            l.append("x" * 70000)
        with pytest.raises(vellum.InvalidArgument):
            l.append_many(["ok", "x" * 70000])  # the whole batch is refused
        with pytest.raises(vellum.InvalidArgument):
            l.find("not hex")
        with pytest.raises(vellum.InvalidArgument):
            l.prove(0, size=5)
        assert len(l) == 1
    assert file_bytes(ledger.path) == before


def test_roots_and_proofs_equal_the_cli_and_verify(tmp_path):
    path = tmp_path / "p.db"
    with vellum.Ledger.create(path, origin="example.com/p", format="raw") as l:
        l.append_many(f"entry {i}" for i in range(1000))
        cli_root = json.loads(cli("root", path, "--json").stdout)
        assert cli_root["root"] == l.root().hex() and cli_root["size"] == 1000
        assert json.loads(cli("root", path, "--size", 333, "--json").stdout)["root"] == l.root(333).hex()
        p = l.prove(417, size=900)
        printed = cli("prove", path, "--index", 417, "--size", 900, "--json").stdout
        assert p.to_json() + "\n" == printed
        p.verify()
        vellum.verify_inclusion(l[417].leaf_hash, 417, 900, p.hashes, l.root(900))
        c = l.prove_consistency(123, 1000)
        assert c.to_json() + "\n" == cli("prove", path, "--old", 123, "--json").stdout
        vellum.verify_consistency(123, 1000, l.root(123), l.root(), c.hashes)
        with pytest.raises(vellum.VerificationError):
            vellum.verify_inclusion(l[418].leaf_hash, 417, 900, p.hashes, l.root(900))
        with pytest.raises(vellum.VerificationError):
            vellum.verify_consistency(124, 1000, l.root(123), l.root(), c.hashes)
        assert vellum.leaf_hash("entry 0") == l[0].leaf_hash
        assert hashlib.sha256(b"\x00entry 0").digest() == l[0].leaf_hash


def test_checkpoints_sign_and_verify(ledger):
    ledger.append_many(["a", "b"])
    note = ledger.sign_checkpoint()
    cp = vellum.verify_checkpoint(note, ledger.verifier_key)
    assert (cp.origin, cp.size, cp.root) == ("example.com/py", 2, ledger.root())
    with pytest.raises(vellum.VerificationError):
        vellum.verify_checkpoint(note.replace("\n2\n", "\n3\n"), ledger.verifier_key)
    with pytest.raises(vellum.InvalidArgument):
        vellum.verify_checkpoint(note, "not a key")


def test_verify_names_the_first_edited_entry(tmp_path):
    import sqlite3

    path = tmp_path / "t.db"
    with vellum.Ledger.create(path, origin="example.com/t") as l:
        l.append_many(f"e{i}" for i in range(50))
        assert l.verify().ok
    db = sqlite3.connect(path)
    db.execute("DROP TRIGGER entries_no_update")
    db.execute("UPDATE entries SET data = 'forged' WHERE idx = 17")
    db.commit()
    db.close()
    with vellum.Ledger.open(path) as l:
        report = l.verify()
        assert not report.ok
        assert report.first_bad_index == 17
        assert report.problem == "entry changed"
        with pytest.raises(vellum.Corruption, match="entry 17 was changed"):
            l[17]  # never handed out as if the tree held it
        assert l[16].payload == b"e16"


def test_threads_appending_at_once_lose_nothing(tmp_path):
    path = tmp_path / "th.db"
    with vellum.Ledger.create(path, origin="example.com/th", format="raw") as shared:
        def worker(t):
            own = vellum.Ledger.open(path)
            for i in range(50):
                shared.append(f"shared {t} {i}")
                own.append_many([f"own {t} {i} {j}" for j in range(3)])
            own.close()

        threads = [threading.Thread(target=worker, args=(t,)) for t in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert len(shared) == 4 * 50 * 4
        payloads = {e.payload for e in shared}
        assert len(payloads) == 800
        assert shared.verify().ok


def test_long_calls_release_the_gil(tmp_path):
    # A thread that ticks every millisecond keeps ticking while another verifies: with the GIL
    # held through verify() no tick could land inside the call.
    import time

    with vellum.Ledger.create(tmp_path / "g.db", origin="example.com/g", format="raw") as l:
        l.append_many(f"entry {i}" for i in range(300000))
        ticks, done = [], threading.Event()

        def tick():
            while not done.is_set():
                ticks.append(time.monotonic())
                time.sleep(0.001)

        t = threading.Thread(target=tick)
        t.start()
        start = time.monotonic()
        report = l.verify()
        end = time.monotonic()
        done.set()
        t.join()
        assert report.ok and report.entries_checked == 300000
        margin = (end - start) / 4
        inside = [x for x in ticks if start + margin < x < end - margin]
        assert len(inside) >= 5, (end - start, len(ticks))


def test_wrong_types_and_negative_numbers_raise_invalid_argument(ledger):
    ledger.append("x")
    for call in (lambda: ledger.get(-1), lambda: ledger.prove(-1), lambda: ledger.root(-5),
                 lambda: ledger.prove("a"), lambda: ledger.prove_consistency(-1),
                 lambda: ledger.append_many(5), lambda: ledger.append_many("abc"),
                 lambda: ledger.append_many([("x", "not a time")]), lambda: ledger[1.5],
                 lambda: ledger.get(2**64), lambda: ledger[10**30], lambda: ledger.prove(0, 2**70),
                 lambda: ledger.root(2**64), lambda: ledger.prove_consistency(0, 2**64)):
        with pytest.raises(vellum.InvalidArgument):
            call()
    assert ledger.append("") == 1 and ledger[1].payload == b"" and ledger[1].text == ""
    assert ledger.append_many([]) == range(2, 2)


def test_membership_is_of_entries_and_says_so_for_data(ledger):
    ledger.append_many(["alice", "bob"])
    first = ledger[0]
    assert first in ledger
    assert vellum.Entry(0, b"mallory", first.leaf_hash, first.time_ms) not in ledger
    assert vellum.Entry(2, first.payload, first.leaf_hash, first.time_ms) not in ledger
    assert vellum.Entry(-1, first.payload, first.leaf_hash, first.time_ms) not in ledger
    for data in ("alice", b"alice", 0):  # "alice" is there, and False would say it is not
        with pytest.raises(vellum.InvalidArgument, match="takes an Entry"):
            data in ledger


def test_paths_are_str_bytes_or_path_like_and_nothing_else(tmp_path):
    path = tmp_path / "p.db"
    vellum.Ledger.create(path, origin="example.com/p").close()
    with vellum.Ledger.open(os.fsencode(path)) as l:
        assert l.path == str(path)
    assert not list(tmp_path.glob("b'*"))  # no file named after the bytes' repr
    for bad in (3, None, ["p.db"]):
        with pytest.raises(vellum.InvalidArgument, match="str or os.PathLike"):
            vellum.Ledger.open(bad)
    with pytest.raises(vellum.InvalidArgument, match="str or os.PathLike"):
        vellum.Ledger.create(7, origin="example.com/p")
    assert not os.path.exists("7") and not os.path.exists("7.key")


def test_a_str_that_utf8_cannot_encode_is_refused_as_invalid(ledger):
    with pytest.raises(vellum.InvalidArgument, match="lone surrogate.* position 1"):
        ledger.append("a\udc80")
    with pytest.raises(vellum.InvalidArgument, match="surrogate"):
        ledger.append_many(["fine", "\ud800"])
    assert len(ledger) == 0


def test_an_origin_that_cannot_name_a_key_is_refused_clearly(tmp_path):
    with pytest.raises(vellum.InvalidArgument, match="needs an origin"):
        vellum.Ledger.create(tmp_path / "x.db", origin="")
    with pytest.raises(vellum.InvalidArgument, match="named after its origin"):
        vellum.Ledger.create(tmp_path / "y.db", origin="a b")
    assert not (tmp_path / "x.db").exists() and not (tmp_path / "y.db").exists()


def test_append_many_says_which_indexes_it_wrote_when_another_writer_interleaves(tmp_path):
    path = tmp_path / "i.db"
    with vellum.Ledger.create(path, origin="example.com/i", format="raw") as l, vellum.Ledger.open(path) as other:
        def entries():
            for i in range(5):
                if i == 2:
                    other.append("from the other writer")  # between the two batches
                yield f"mine {i}"

        got = l.append_many(entries(), batch_size=2)
        assert got == [0, 1, 3, 4, 5]
        assert [l[i].payload for i in got] == [b"mine 0", b"mine 1", b"mine 2", b"mine 3", b"mine 4"]
        assert l.append_many(["a", "b", "c"], batch_size=2) == range(6, 9)
