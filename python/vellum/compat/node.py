"""``node`` of the original demonstration: named nodes, each with its own ledger, and a network
analysis over them.

``Node.compare`` and ``compare_network`` decide by Merkle root, as the original did; on top of it,
``divergence_type`` says which way two nodes differ, from a consistency check of their trees.
"""

from __future__ import annotations

from typing import Dict, Iterable, List, Optional

import vellum

from . import ledger as _ledger


class Node:
    """A named node with its ledger file. ``initialize()`` opens (or creates) it."""

    def __init__(self, name: str, db_file: str):
        self.name = name
        self.db_file = vellum._path(db_file, "db_file")
        self.conn: Optional[_ledger.Connection] = None

    def initialize(self) -> "Node":
        if self.conn is None:
            self.conn = _ledger.init_db(self.db_file)
        return self

    @property
    def initialized(self) -> bool:
        return self.conn is not None

    def _need(self) -> _ledger.Connection:
        if self.conn is None:
            raise vellum.InvalidArgument(f"node {self.name} is not initialized; call initialize() first")
        return self.conn

    def add_event(self, data) -> int:
        """Appends an event; returns its record id (from 1)."""
        return _ledger.add_record(self._need(), data)

    def get_merkle_root(self) -> str:
        return self._need().ledger.root().hex()

    def get_record_count(self) -> int:
        return len(self._need().ledger)

    def get_all_records(self):
        return _ledger.get_all_records(self._need())

    def compare(self, other: "Node") -> Dict:
        """``identical`` when the roots agree. ``divergence_type``: None when identical,
        "self_behind" / "other_behind" when one history is a prefix of the other (the consistency
        proof checks out), "diverged" when neither is."""
        mine, theirs = self._need().ledger, other._need().ledger
        root_self, root_other = mine.root(), theirs.root()
        n_self, n_other = len(mine), len(theirs)
        if n_self == n_other:
            kind = None if root_self == root_other else "diverged"
        else:
            small, small_root, big = (mine, root_self, theirs) if n_self < n_other else (theirs, root_other, mine)
            try:
                proof = big.prove_consistency(len(small))
                vellum.verify_consistency(len(small), len(big), small_root, proof.new_root, proof.hashes)
                kind = "self_behind" if n_self < n_other else "other_behind"
            except vellum.VerificationError:
                kind = "diverged"
        return {
            "identical": kind is None,
            "root_self": root_self.hex(),
            "root_other": root_other.hex(),
            "records_self": n_self,
            "records_other": n_other,
            "divergence_type": kind,
        }

    def get_status(self) -> Dict:
        if self.conn is None:
            return {"name": self.name, "db_file": self.db_file, "initialized": False, "record_count": 0,
                    "merkle_root": None, "latest_records": [], "status": "not initialized"}
        records = self.get_all_records()
        return {
            "name": self.name,
            "db_file": self.db_file,
            "initialized": True,
            "record_count": len(records),
            "merkle_root": self.get_merkle_root(),
            "latest_records": records[-5:],
            "status": "active",
        }

    def print_status(self) -> None:
        s = self.get_status()
        print(f"Node {s['name']} ({s['db_file']}): {s['status']}")
        print(f"  records: {s['record_count']}")
        print(f"  merkle root: {s['merkle_root']}")
        for record in s["latest_records"]:
            print(f"  #{record[0]} {record[1]} {record[2]}")

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def __enter__(self) -> "Node":
        return self.initialize()

    def __exit__(self, *exc) -> None:
        self.close()

    def __repr__(self) -> str:
        if self.conn is None:
            return f"Node(name={self.name!r}, db_file={self.db_file!r}, not initialized)"
        return (f"Node(name={self.name!r}, db_file={self.db_file!r}, records={self.get_record_count()}, "
                f"root={self.get_merkle_root()[:16]}...)")


def create_node_network(configs: Iterable) -> List[Node]:
    """Initialized nodes from configs: dicts with ``name`` and ``db_file``, or (name, db_file) pairs."""
    nodes = []
    for config in configs:
        if isinstance(config, dict):
            name, db_file = config["name"], config["db_file"]
        else:
            name, db_file = config
        nodes.append(Node(name, db_file).initialize())
    return nodes


def compare_network(nodes: List[Node]) -> Dict:
    """Groups nodes by Merkle root. ``synced_nodes`` is the largest group; the network is healthy
    when it holds at least 80 % of the nodes."""
    roots = {node.name: node.get_merkle_root() for node in nodes}
    groups: Dict[str, List[str]] = {}
    for node in nodes:
        groups.setdefault(roots[node.name], []).append(node.name)
    sync_groups = sorted(groups.values(), key=len, reverse=True)
    total = len(nodes)
    synced = len(sync_groups[0]) if sync_groups else 0
    percentage = 100.0 * synced / total if total else 0.0
    return {
        "sync_groups": sync_groups,
        "roots": roots,
        "total_nodes": total,
        "synced_nodes": synced,
        "sync_percentage": percentage,
        "network_healthy": percentage >= 80.0,
    }
