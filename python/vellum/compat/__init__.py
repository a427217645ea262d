"""The original demonstration's API ("Distributed SQLite as an Immutable Record"), on vellum.

A program written for it runs unchanged except for its imports::

    from vellum.compat.ledger import init_db, add_record, get_all_records, get_record_count
    from vellum.compat.merkle import merkle_root, compare_merkle_roots
    from vellum.compat.node import Node, create_node_network, compare_network

and reaches the same conclusions. What differs, on purpose:

* Roots are RFC 6962 Merkle roots (leaf and node hashes with the 0x00 / 0x01 prefixes), so their
  values differ from the original's; identical histories still have identical roots.
* Every database is a real vellum ledger (raw format, with a signing key ``<file>.key`` beside
  it) that ``vellum verify``, ``vellum serve`` and the rest open as any other. All of them have
  the origin ``vellum.compat/ledger``: the original's nodes were copies of one log, and vellum
  compares only ledgers of the same origin.
* Only the data is hashed. Two nodes that log the same events in the same order at different
  moments are identical, as in the original. The timestamp each record shows is kept beside the
  ledger in the table ``compat_unhashed_times``: it is NOT covered by the Merkle tree, so nothing
  proves it; use :class:`vellum.Ledger` with ``format="record"`` when times must be proven.
* Record ids count from 1, as the original's SQLite row ids did (vellum's own API counts from 0).
"""
