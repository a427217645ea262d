"""vellum for Python: tamper-evident, append-only ledgers in SQLite files.

The same library as the ``vellum`` command, in process::

    import vellum

    with vellum.Ledger.create("events.db", origin="example.com/events") as ledger:
        i = ledger.append("user 42 logged in")
        proof = ledger.prove(i)
        vellum.verify_inclusion(ledger[i].leaf_hash, i, proof.size, proof.hashes, proof.root)

Indexes are 0-based. Payloads are bytes; a str is encoded as UTF-8. Times are aware datetimes
(UTC). Every failure raises a subclass of :class:`vellum.Error` (see :mod:`vellum.errors`).
Calls that read or write the file release the GIL, so threads append and read at once.
"""

from __future__ import annotations

import datetime as _dt
import json as _json
import os
from dataclasses import dataclass, field
from typing import Iterable, Iterator, List, Optional, Sequence, Union

from . import errors as _errors
from .errors import *  # noqa: F401,F403  (the exception classes, re-exported)
from . import _vellum

Data = Union[bytes, bytearray, memoryview, str]
Time = Union[_dt.datetime, int, None]

_BATCH = 10000  # entries per transaction in append_many, and per read when iterating


def _payload(data: Data) -> bytes:
    if isinstance(data, str):
        try:
            return data.encode("utf-8")
        except UnicodeEncodeError as e:
            raise InvalidArgument(f"a str entry must be Unicode text: it holds {data[e.start]!r} (a lone "
                                  f"surrogate) at position {e.start}; give binary data as bytes") from None
    if isinstance(data, (bytes, bytearray, memoryview)):
        return bytes(data)
    raise InvalidArgument(f"an entry is bytes or str, not {type(data).__name__}")


def _path(value, what: str = "a ledger's path") -> str:
    """A file path given as str, bytes or os.PathLike, as a str (undecodable bytes as os.fsdecode
    keeps them)."""
    if isinstance(value, str):
        return value
    if isinstance(value, (bytes, os.PathLike)):
        return os.fsdecode(os.fspath(value))
    raise InvalidArgument(f"{what} is a str or os.PathLike, not {type(value).__name__}")


def _time_ms(time: Time) -> Optional[int]:
    if time is None:
        return None
    if isinstance(time, _dt.datetime):
        if time.tzinfo is None or time.utcoffset() is None:
            raise InvalidArgument("give an aware datetime (e.g. with tzinfo=timezone.utc), not a naive one")
        return int(time.timestamp() * 1000)
    if isinstance(time, int) and not isinstance(time, bool):
        return time
    raise InvalidArgument(f"a time is an aware datetime or integer milliseconds, not {type(time).__name__}")


def _count(value, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidArgument(f"{what} is an int, not {type(value).__name__}")
    if value < 0:
        raise InvalidArgument(f"{what} counts from 0; {value} is negative")
    if value >= 1 << 64:
        raise InvalidArgument(f"{what} is at most 2**64 - 1; {value} is larger")
    return value


def _hash(value: Union[bytes, str], what: str = "hash") -> bytes:
    if isinstance(value, str):
        try:
            value = bytes.fromhex(value)
        except ValueError:
            raise InvalidArgument(f"the {what} is not hex: {value!r}") from None
    if not isinstance(value, (bytes, bytearray)) or len(value) != 32:
        raise InvalidArgument(f"the {what} must be 32 bytes (or 64 hex digits)")
    return bytes(value)


@dataclass(frozen=True)
class Entry:
    """One ledger entry. ``time`` is None in raw-format ledgers; ``text`` is None when the payload
    is not UTF-8 text."""

    index: int
    payload: bytes
    leaf_hash: bytes
    time_ms: Optional[int] = None

    @property
    def time(self) -> Optional[_dt.datetime]:
        if self.time_ms is None:
            return None
        return _dt.datetime.fromtimestamp(self.time_ms / 1000, tz=_dt.timezone.utc)

    @property
    def text(self) -> Optional[str]:
        try:
            return self.payload.decode("utf-8")
        except UnicodeDecodeError:
            return None

    @classmethod
    def _from(cls, row) -> "Entry":
        index, time_ms, payload, leaf_hash = row
        return cls(index=index, payload=payload, leaf_hash=leaf_hash, time_ms=time_ms)


@dataclass(frozen=True)
class Head:
    """The ledger's size (entries) and the Merkle root of all of them."""

    size: int
    root: bytes


@dataclass(frozen=True)
class InclusionProof:
    """RFC 9162 inclusion proof of entry ``index`` in the tree of ``size`` entries."""

    index: int
    size: int
    leaf_hash: bytes
    root: bytes
    hashes: List[bytes]
    _json: str = field(repr=False, compare=False)

    def to_json(self) -> str:
        """The document ``vellum prove --json`` prints, byte for byte (without the final newline)."""
        return self._json

    def verify(self) -> None:
        """Checks the proof against its own root; raises VerificationError naming the failed check."""
        verify_inclusion(self.leaf_hash, self.index, self.size, self.hashes, self.root)


@dataclass(frozen=True)
class ConsistencyProof:
    """RFC 9162 consistency proof that the tree of ``old_size`` entries is a prefix of ``new_size``."""

    old_size: int
    new_size: int
    old_root: bytes
    new_root: bytes
    hashes: List[bytes]
    _json: str = field(repr=False, compare=False)

    def to_json(self) -> str:
        """The document ``vellum prove --old-size ... --json`` prints (without the final newline)."""
        return self._json

    def verify(self) -> None:
        verify_consistency(self.old_size, self.new_size, self.old_root, self.new_root, self.hashes)


@dataclass(frozen=True)
class VerifyReport:
    """What :meth:`Ledger.verify` found. When ``ok`` is False, ``first_bad_index`` is the lowest
    entry affected and ``problem`` names the damage (e.g. "entry changed")."""

    ok: bool
    size: int
    entries_checked: int
    first_bad_index: Optional[int]
    problem: Optional[str]
    message: str


@dataclass(frozen=True)
class Checkpoint:
    """A signed checkpoint whose signature checked out."""

    origin: str
    size: int
    root: bytes


def _refuse_node_url(path: str) -> None:
    if path.startswith(("http://", "https://")):
        raise _errors.InvalidArgument(
            f"{path} is a node's URL, and a Ledger is a file: for a node, vellum.RemoteNode(url); "
            "for a local copy of its ledger, vellum.sync(url, path, vkey)")


class Ledger:
    """An open ledger file. Use :meth:`create` or :meth:`open`; close it (or use ``with``)."""

    def __init__(self, impl: "_vellum.Ledger"):
        if not isinstance(impl, _vellum.Ledger):
            raise TypeError(
                f"vellum.Ledger({impl!r}): open a ledger with vellum.Ledger.open(path) "
                "or make one with vellum.Ledger.create(path, origin)")
        self._impl = impl
        self._path = impl.path  # still known once closed

    @classmethod
    def create(cls, path: str, origin: str, format: str = "record", key: Union[str, bool, None] = None) -> "Ledger":
        """Creates a new ledger, as ``vellum init`` does: a new signing key is written to
        ``PATH.key`` (or to ``key`` when it names a file that does not exist yet; an existing key
        file there is reused). ``key=False`` makes a ledger without a key (it cannot sign).
        ``format`` is "record" (time + payload) or "raw" (payload only)."""
        path = _path(path)
        _refuse_node_url(path)
        if key is False:
            return cls(_vellum.Ledger.create(path, origin, format, "", False))
        key_path = _path(key, "key") if key not in (None, True) else path + ".key"
        reuse = key not in (None, True) and os.path.exists(key_path)
        if key in (None, True) and os.path.lexists(key_path):
            raise _errors.Conflict(f"{key_path} already exists; to sign with that key, pass key={key_path!r}; for a "
                                   "new key, move it away or pass key= another file name (nothing was created)")
        return cls(_vellum.Ledger.create(path, origin, format, key_path, reuse))

    @classmethod
    def open(cls, path: str, read_only: bool = False) -> "Ledger":
        """Opens an existing ledger; refuses anything that is not one without changing it."""
        path = _path(path)
        _refuse_node_url(path)
        if path and not os.path.lexists(path):
            raise _errors.NotFound(f"{path} does not exist; make a ledger with "
                                   f"vellum.Ledger.create({path!r}, origin=...)")
        return cls(_vellum.Ledger.open(path, read_only))

    def close(self) -> None:
        self._impl.close()

    @property
    def closed(self) -> bool:
        return self._impl.closed

    def __enter__(self) -> "Ledger":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __repr__(self) -> str:
        if self.closed:
            return "<vellum.Ledger (closed)>"
        return f"<vellum.Ledger {self.path!r} origin={self.origin!r} format={self.format} size={len(self)}>"

    @property
    def path(self) -> str:
        return self._path

    @property
    def origin(self) -> str:
        return self._impl.origin

    @property
    def format(self) -> str:
        return self._impl.format

    @property
    def verifier_key(self) -> str:
        return self._impl.verifier_key

    # --- writing ---------------------------------------------------------------------------

    def append(self, data: Data, time: Time = None) -> int:
        """Appends one entry (durable on return); returns its index."""
        return self._impl.append_many([(_payload(data), _time_ms(time))])

    def append_many(self, entries: Iterable[Union[Data, tuple]], batch_size: int = _BATCH) -> Union[range, List[int]]:
        """Appends entries in transactions of ``batch_size``: each batch all or nothing. An item is
        data, or (data, time). Returns the range of the new indexes; should another writer append
        between two batches, the indexes are not contiguous and a list of them is returned instead."""
        if batch_size < 1:
            raise InvalidArgument("batch_size must be at least 1")
        if isinstance(entries, (str, bytes, bytearray)) or not hasattr(entries, "__iter__"):
            raise InvalidArgument("append_many takes an iterable of entries (use append for one)")
        written: List[range] = []
        batch: list = []

        def flush():
            if batch:
                start = self._impl.append_many(batch)
                written.append(range(start, start + len(batch)))
                batch.clear()

        for item in entries:
            if isinstance(item, tuple):
                data, time = item
                batch.append((_payload(data), _time_ms(time)))
            else:
                batch.append((_payload(item), None))
            if len(batch) >= batch_size:
                flush()
        flush()
        if not written:
            return range(len(self), len(self))
        if all(a.stop == b.start for a, b in zip(written, written[1:])):
            return range(written[0].start, written[-1].stop)
        return [i for r in written for i in r]

    def sign_checkpoint(self, key_path: Optional[str] = None, size: Optional[int] = None) -> str:
        """Signs and records the checkpoint of the head (or of ``size``); returns the note."""
        return self._impl.sign_checkpoint(str(key_path or self.path + ".key"), size)

    # --- reading ---------------------------------------------------------------------------

    @property
    def head(self) -> Head:
        size, root = self._impl.head()
        return Head(size, root)

    def __len__(self) -> int:
        return self._impl.head()[0]

    def root(self, size: Optional[int] = None) -> bytes:
        """The Merkle root (RFC 6962) of the first ``size`` entries (all when None)."""
        if size is None:
            return self.head.root
        return self._impl.root_at(_count(size, "a size"))

    def get(self, index: int) -> Entry:
        return Entry._from(self._impl.entry(_count(index, "an index")))

    def __getitem__(self, key: Union[int, slice]) -> Union[Entry, List[Entry]]:
        if isinstance(key, slice):
            start, stop, step = key.indices(len(self))
            if step != 1:
                return [self.get(i) for i in range(start, stop, step)]
            out: List[Entry] = []
            for begin in range(start, stop, _BATCH):
                out.extend(Entry._from(r) for r in self._impl.range(begin, min(stop, begin + _BATCH)))
            return out
        if not isinstance(key, int):
            raise InvalidArgument(f"an index is an int, not {type(key).__name__}")
        if key < 0:
            key += len(self)
            if key < 0:
                raise NotFound("the index is before the first entry")
        return self.get(key)

    def __iter__(self) -> Iterator[Entry]:
        """Every entry in order, read in chunks (the ledger is never loaded whole)."""
        begin = 0
        while True:
            end = min(len(self), begin + _BATCH)
            if begin >= end:
                return
            for row in self._impl.range(begin, end):
                yield Entry._from(row)
            begin = end

    def __contains__(self, item: object) -> bool:
        """``entry in ledger``: whether this ledger holds ``entry`` (an Entry, from any ledger or
        node) at its index, byte for byte. Data is not looked up this way: a record's leaf hash
        includes its time, so ``"text" in ledger`` would say False of text the ledger holds."""
        if not isinstance(item, Entry):
            raise InvalidArgument(
                f"'in' takes an Entry (e.g. ledger[i]), not {type(item).__name__}: to find an entry by "
                "its leaf hash, ledger.find(hash); to search payloads, iterate over the ledger")
        return isinstance(item.index, int) and 0 <= item.index < len(self) and self.get(item.index) == item

    def find(self, leaf_hash: Union[bytes, str]) -> int:
        """The index of the entry with this leaf hash (bytes or hex); NotFound if none."""
        return self._impl.find(_hash(leaf_hash, "leaf hash"))

    # --- proofs and verification -------------------------------------------------------------

    def prove(self, index: int, size: Optional[int] = None) -> InclusionProof:
        n = len(self) if size is None else _count(size, "a size")
        doc = self._impl.inclusion_json(_count(index, "an index"), n)
        parsed = _json.loads(doc)
        return InclusionProof(
            index=index,
            size=n,
            leaf_hash=bytes.fromhex(parsed["leaf_hash"]),
            root=bytes.fromhex(parsed["root"]),
            hashes=[bytes.fromhex(h) for h in parsed["proof"]],
            _json=doc,
        )

    def prove_consistency(self, old_size: int, new_size: Optional[int] = None) -> ConsistencyProof:
        n = len(self) if new_size is None else _count(new_size, "a size")
        doc = self._impl.consistency_json(_count(old_size, "a size"), n)
        parsed = _json.loads(doc)
        return ConsistencyProof(
            old_size=old_size,
            new_size=n,
            old_root=bytes.fromhex(parsed["old_root"]),
            new_root=bytes.fromhex(parsed["new_root"]),
            hashes=[bytes.fromhex(h) for h in parsed["proof"]],
            _json=doc,
        )

    def verify(self) -> VerifyReport:
        """Re-hashes every entry and stored tree hash (``vellum verify``). A damaged file gives a
        report with ``ok`` False naming the first bad entry; it does not raise."""
        return VerifyReport(**self._impl.verify())


@dataclass(frozen=True)
class RemoteHead:
    """A node's head from its /checkpoint. ``signature_checked`` is True only when a verifier key
    was given and the note's signature verified with it; otherwise the head is the node's claim."""

    origin: str
    size: int
    root: bytes
    signature_checked: bool
    note: str


class RemoteNode:
    """A vellum node (or a ledger file) seen from outside, everything it sends proven here.

    With ``vkey`` (a verifier key, or a list of them) the node's checkpoint must verify with one
    of them; entries are hashed here and proven against the checkpoint's root with the node's
    inclusion proof. Each request has a deadline of ``timeout`` seconds and a byte cap."""

    def __init__(self, url: str, vkey: Union[str, Sequence[str], None] = None, timeout: float = 30):
        self.url = _path(url, "a node's URL (or a ledger's path)")
        keys = [] if vkey is None else [vkey] if isinstance(vkey, str) else list(vkey)
        self._keys = keys
        self._timeout = timeout
        self._view = _vellum.View(self.url, keys, float(timeout))

    def __repr__(self) -> str:
        return f"<vellum.RemoteNode {self.url!r}>"

    def status(self) -> dict:
        """The node's /v1/status document (not signed: what the node says about itself)."""
        return _json.loads(_vellum.node_status_json(self.url, float(self._timeout)))

    def checkpoint(self) -> RemoteHead:
        """The node's current signed head (fetched again on every call)."""
        origin, size, root, checked, note = self._view.head()
        return RemoteHead(origin, size, root, checked, note)

    def __len__(self) -> int:
        return self.checkpoint().size

    @property
    def format(self) -> str:
        """The entry format the node says it has (a claim: not signed)."""
        return self._view.format()

    def get(self, index: int) -> Entry:
        """Entry ``index``, proven: its bytes hash to a leaf the checkpoint's tree includes at
        ``index`` (VerificationError otherwise)."""
        index = _count(index, "an index")
        head = self.checkpoint()
        if index >= head.size:
            raise NotFound(f"{self.url}'s checkpoint has {head.size} entries: there is no entry {index} in it")
        entry = Entry._from(self._view.entry(index))
        proof = self._view.inclusion(index, head.size)
        verify_inclusion(entry.leaf_hash, index, head.size, proof, head.root)
        return entry

    def prove_consistency(self, old_size: int, old_root: Union[bytes, str]) -> RemoteHead:
        """Checks that the tree of ``old_size`` entries with ``old_root`` (what you saw before) is
        a prefix of the node's current one; returns the current head."""
        old_size = _count(old_size, "a size")
        head = self.checkpoint()
        proof = self._view.consistency(old_size, head.size) if old_size < head.size else []
        verify_consistency(old_size, head.size, _hash(old_root, "old root"), head.root, proof)
        return head

    @property
    def cost(self) -> tuple:
        """(requests sent, response bytes received) so far."""
        return self._view.cost()


def compare(a: str, b: str, vkey: Union[str, Sequence[str], None] = None, timeout: float = 30) -> dict:
    """Compares two ledgers (files or node URLs): the facts ``vellum compare A B --json`` prints
    (``relation`` identical / a_behind / b_behind / forked, ``fork_index``, each side's head and
    cost). A side that contradicts itself raises VerificationError."""
    keys = [] if vkey is None else [vkey] if isinstance(vkey, str) else list(vkey)
    return _json.loads(_vellum.compare_json(_path(a, "a"), _path(b, "b"), keys, float(timeout)))


def network(peers: Sequence[str], vkey: Union[str, Sequence[str], None] = None, timeout: float = 30) -> dict:
    """Analyses ledgers and nodes together: what ``vellum network ... --json`` prints (sync groups,
    sync percentage, healthy, lineages, lags, forks). Unreachable peers count against health."""
    if isinstance(peers, (str, bytes, bytearray, os.PathLike)) or not hasattr(peers, "__iter__"):
        raise InvalidArgument("network takes a list of peers (ledger paths or node URLs), "
                              f"e.g. network([{str(peers)!r}]); not one {type(peers).__name__}")
    names = [_path(p, "a peer") for p in peers]
    if not names:
        raise InvalidArgument("network needs at least one peer: a ledger path or a node URL")
    keys = [] if vkey is None else [vkey] if isinstance(vkey, str) else list(vkey)
    return _json.loads(_vellum.network_json(names, keys, float(timeout)))


@dataclass(frozen=True)
class SyncResult:
    old_size: int
    new_size: int
    root: bytes


def sync(source: str, path: str, vkey: str, format: Optional[str] = None, timeout: float = 30) -> SyncResult:
    """Mirrors ``source`` (a node URL, or a ledger file) into the ledger at ``path``, created as a
    mirror when missing (``format``: the upstream's, "record" by default), as ``vellum sync``
    does: the checkpoint must verify with ``vkey`` and every entry is proven against it before
    anything is written. A refused first sync leaves no file behind."""
    path = _path(path)
    _refuse_node_url(path)
    old, new, root = _vellum.sync(_path(source, "the source"), path, vkey, format or "", float(timeout))
    return SyncResult(old, new, root)


def leaf_hash(data: Data) -> bytes:
    """RFC 6962 leaf hash of ``data`` as given (a raw-format entry's leaf hash)."""
    return _vellum.leaf_hash(_payload(data))


def verify_inclusion(leaf_hash: Union[bytes, str], index: int, size: int, proof: Sequence[Union[bytes, str]],
                     root: Union[bytes, str]) -> None:
    """RFC 9162 inclusion check; raises VerificationError naming the failed check."""
    _vellum.verify_inclusion(_hash(leaf_hash, "leaf hash"), index, size, [_hash(h, "proof hash") for h in proof],
                             _hash(root, "root"))


def verify_consistency(old_size: int, new_size: int, old_root: Union[bytes, str], new_root: Union[bytes, str],
                       proof: Sequence[Union[bytes, str]]) -> None:
    """RFC 9162 consistency check; raises VerificationError naming the failed check."""
    _vellum.verify_consistency(old_size, new_size, _hash(old_root, "old root"), _hash(new_root, "new root"),
                               [_hash(h, "proof hash") for h in proof])


def verify_checkpoint(note: str, vkey: str) -> Checkpoint:
    """Checks a signed checkpoint note with a verifier key; returns what it says."""
    origin, size, root = _vellum.verify_checkpoint(note, vkey)
    return Checkpoint(origin, size, root)


__all__ = [
    "Ledger",
    "Entry",
    "Head",
    "InclusionProof",
    "ConsistencyProof",
    "VerifyReport",
    "Checkpoint",
    "RemoteHead",
    "RemoteNode",
    "compare",
    "network",
    "sync",
    "SyncResult",
    "leaf_hash",
    "verify_inclusion",
    "verify_consistency",
    "verify_checkpoint",
] + _errors.__all__
