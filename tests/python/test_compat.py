"""The original demonstration's API (vellum.compat) reaches the original's conclusions, on real
vellum ledgers."""

import hashlib
import json
import os
import subprocess
import time

import pytest

import vellum
from vellum.compat.ledger import add_record, get_all_records, get_record_count, init_db
from vellum.compat.merkle import (compare_merkle_roots, compute_merkle_root, get_merkle_path,
                                  merkle_root, sha256)
from vellum.compat.node import Node, compare_network, create_node_network

VELLUM = os.environ.get("VELLUM_BIN", "vellum")


@pytest.fixture(autouse=True)
def in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)


def test_ledger_module_and_merkle_helpers():
    conn = init_db("ledger.db")
    assert add_record(conn, "alpha") == 1  # record ids count from 1, as in the original
    assert add_record(conn, "beta") == 2
    assert add_record(conn, b"\xff\x00") == 3
    assert get_record_count(conn) == 3
    records = get_all_records(conn)
    assert [r[0] for r in records] == [1, 2, 3]
    assert [r[2] for r in records] == ["alpha", "beta", "ff00"]
    assert all(r[1] for r in records)  # a timestamp, kept outside the hash
    hashes = [r[3] for r in records]
    assert hashes[0] == hashlib.sha256(b"\x00alpha").hexdigest()
    root = merkle_root(conn)
    assert compute_merkle_root(hashes) == root
    assert compare_merkle_roots(root, root.upper()) and not compare_merkle_roots(root, hashes[0])
    assert compute_merkle_root([]) == hashlib.sha256(b"").hexdigest()
    for i in range(3):
        path = get_merkle_path(hashes, i)
        vellum.verify_inclusion(hashes[i], i, 3, path, root)
    with pytest.raises(vellum.NotFound):
        get_merkle_path(hashes, 3)
    with pytest.raises(vellum.InvalidArgument):
        compute_merkle_root(["zz"])
    assert sha256("abc") == hashlib.sha256(b"abc").hexdigest()
    conn.close()
    # A real ledger: the CLI verifies it and gives the same root; reopening keeps the records.
    out = subprocess.run([VELLUM, "root", "ledger.db", "--json"], capture_output=True, text=True)
    assert json.loads(out.stdout)["root"] == root
    assert subprocess.run([VELLUM, "verify", "ledger.db"], capture_output=True).returncode == 0
    conn = init_db("ledger.db")
    assert get_record_count(conn) == 3 and merkle_root(conn) == root
    conn.close()


def test_nodes_reach_the_original_conclusions():
    a, b, c, d = create_node_network([{"name": "A", "db_file": "a.db"}, ("B", "b.db"), ("C", "c.db"),
                                      ("D", "d.db")])
    for event in ["login alice", "transfer 10", "logout alice"]:
        for node in (a, b, c, d):
            node.add_event(event)
            time.sleep(0.002)  # the same events at different moments: still identical
    c.add_event("extra")
    d.add_event("tampered")

    same = a.compare(b)
    assert same["identical"] and same["divergence_type"] is None
    assert same["root_self"] == same["root_other"] and same["records_self"] == 3

    behind = a.compare(c)
    assert not behind["identical"] and behind["divergence_type"] == "self_behind"
    assert (behind["records_self"], behind["records_other"]) == (3, 4)
    assert c.compare(a)["divergence_type"] == "other_behind"
    assert c.compare(d)["divergence_type"] == "diverged"

    net = compare_network([a, b, c, d])
    assert net["sync_groups"][0] == ["A", "B"]
    assert sorted(map(tuple, net["sync_groups"])) == [("A", "B"), ("C",), ("D",)]
    assert (net["total_nodes"], net["synced_nodes"], net["sync_percentage"]) == (4, 2, 50.0)
    assert net["network_healthy"] is False
    assert net["roots"]["A"] == a.get_merkle_root()

    empty = Node("Z", "z.db").initialize()
    assert empty.compare(a)["divergence_type"] == "self_behind"  # nothing is a prefix of anything
    empty.close()

    e = Node("E", "e.db").initialize()
    for event in ["login alice", "transfer 10", "logout alice"]:
        e.add_event(event)
    healthy = compare_network([a, b, e, Node("F", "f.db").initialize()])
    assert healthy["synced_nodes"] == 3 and healthy["network_healthy"] is False  # 75 %
    five = compare_network([a, b, e, c, Node("G", "g.db").initialize()])
    assert five["sync_percentage"] == 60.0
    for node in (a, b, c, d, e):
        node.close()


def test_node_status_repr_and_context_manager(capsys):
    with Node("N", "n.db") as n:
        assert n.initialize() is n
        n.add_event("one")
        status = n.get_status()
        assert status["name"] == "N" and status["initialized"] and status["record_count"] == 1
        assert status["merkle_root"] == n.get_merkle_root() and status["status"] == "active"
        assert status["latest_records"][-1][2] == "one"
        assert "records=1" in repr(n)
        n.print_status()
        assert "records: 1" in capsys.readouterr().out
    fresh = Node("M", "m.db")
    assert fresh.get_status()["initialized"] is False
    with pytest.raises(vellum.InvalidArgument, match="initialize"):
        fresh.add_event("x")


def test_a_record_format_ledger_is_refused_unchanged():
    with vellum.Ledger.create("r.db", origin="example.com/r") as l:
        l.append("kept")
    before = open("r.db", "rb").read()
    with pytest.raises(vellum.InvalidArgument, match="record-format"):
        init_db("r.db")
    assert open("r.db", "rb").read() == before
