#!/usr/bin/env python3
"""The original demonstration, "Distributed SQLite as an Immutable Record", on vellum, then what
it could not do. Run it with Debian's Python after `make python` (or PYTHONPATH=build/python):

    /usr/bin/python3 examples/python/demo.py [FOLDER]

Parts 1-3 are the original's program with only its imports changed (vellum.compat). Part 4
checks a proof offline; part 5 serves two nodes over HTTP (the `vellum` binary, from $VELLUM_BIN
or PATH) and locates the entry where they stopped agreeing. Everything lives in FOLDER (a new
temporary one by default).
"""

import os
import shutil
import subprocess
import sys
import tempfile

import vellum
from vellum.compat.ledger import add_record, get_all_records, init_db
from vellum.compat.merkle import compare_merkle_roots, merkle_root
from vellum.compat.node import compare_network, create_node_network

folder = sys.argv[1] if len(sys.argv) > 1 else tempfile.mkdtemp(prefix="vellum-demo-")
os.makedirs(folder, exist_ok=True)
os.chdir(folder)
VELLUM = os.environ.get("VELLUM_BIN") or shutil.which("vellum") or "vellum"

print("== Part 1: one immutable ledger")
conn = init_db("single.db")
for event in ["user alice created", "alice deposited 100", "alice withdrew 30"]:
    print(f"  record {add_record(conn, event)}: {event}")
for record_id, timestamp, data, leaf in get_all_records(conn):
    print(f"  #{record_id} {timestamp} {data} {leaf[:16]}...")
print(f"  merkle root: {merkle_root(conn)}")
conn.close()

print("== Part 2: nodes that should agree")
nodes = create_node_network([{"name": f"node{i}", "db_file": f"node{i}.db"} for i in range(1, 6)])
for event in ["block 1", "block 2", "block 3"]:
    for node in nodes:
        node.add_event(event)
nodes[3].add_event("block 4")  # node4 runs ahead
nodes[4].add_event("forged block")  # node5 diverges
a, b = nodes[0].compare(nodes[1]), nodes[0].compare(nodes[3])
print(f"  node1 vs node2 identical: {a['identical']}")
print(f"  node1 vs node4: {b['divergence_type']} ({b['records_self']} vs {b['records_other']} records)")
print(f"  node4 vs node5: {nodes[3].compare(nodes[4])['divergence_type']}")
print(f"  roots equal: {compare_merkle_roots(nodes[0].get_merkle_root(), nodes[1].get_merkle_root())}")

print("== Part 3: the network")
report = compare_network(nodes)
print(f"  sync groups: {report['sync_groups']}")
print(f"  synced: {report['synced_nodes']} of {report['total_nodes']} ({report['sync_percentage']:.0f} %),"
      f" healthy: {report['network_healthy']}")
for node in nodes:
    node.close()

print("== Part 4: a proof anyone can check offline")
with vellum.Ledger.open("node1.db") as ledger:
    proof = ledger.prove(1)
    with open("proof.json", "w") as out:
        out.write(proof.to_json() + "\n")
    key = ledger.verifier_key
    checkpoint = ledger.sign_checkpoint()
signed = vellum.verify_checkpoint(checkpoint, key)  # only the note and the key are needed
vellum.verify_inclusion(vellum.leaf_hash("block 2"), 1, signed.size, proof.hashes, signed.root)
print(f"  'block 2' is entry 1 of the {signed.size} entries signed by {signed.origin}")
check = subprocess.run([VELLUM, "verify-proof", "proof.json", "--root", signed.root.hex(),
                        "--payload", "block 2"], capture_output=True, text=True)
print(f"  vellum verify-proof agrees: {check.returncode == 0}")

print("== Part 5: where two nodes stopped agreeing, over HTTP")
served = []
for db in ("node4.db", "node5.db"):
    proc = subprocess.Popen([VELLUM, "serve", db, "--listen", "127.0.0.1:0"], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)
    served.append((proc, f"http://127.0.0.1:{int(proc.stdout.readline())}"))
try:
    found = vellum.compare(served[0][1], served[1][1])
    print(f"  {found['relation']} at index {found['fork_index']}: "
          f"{found['entry_a']['data']!r} vs {found['entry_b']['data']!r}, "
          f"{found['a']['round_trips']} + {found['b']['round_trips']} requests")
finally:
    for proc, _ in served:
        proc.terminate()
        proc.wait()
        proc.stdout.close()
print(f"(files in {folder})")
