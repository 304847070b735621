"""The ledger replicated within a session: every party keeps its own verified copy.

One party (the *writer*, the only holder of the ledger's writer key) appends
to its own file.  At the end of every stage that wrote, all parties call
:func:`replicate` with their own ledger handle; it

1. broadcasts every party's head (seq, hash);
2. has the writer broadcast every entry some party lacks, exactly as stored
   (payload bytes, hashes, writer signature: :meth:`StoredEntry.to_bytes`);
3. has every other party verify each entry under the same rules as the writer
   (:meth:`SQLiteLedger.append_replicated` → :class:`VerifiedChain`) and
   append it to its own file;
4. broadcasts every party's status and final head, and aborts the session at
   every party (:class:`LedgerDivergence`) unless all parties succeeded and
   all heads are equal; then each party pins the agreed head (if its handle
   has a pin file).

So a stage ends only when every party holds the same verified history, and a
writer that equivocates (sends different entries to different parties), signs
an entry that breaks a rule, or lost entries that a replica holds, is caught
by every honest party.  The messages also enter the session's broadcast
transcript, which its next consistency check compares.

Replication needs nothing but ``session.broadcast_bytes``, whose messages have
one size per call: non-writers send zero padding of the writer's size, so one
replication of B bytes costs each party about B·(m − 1) bytes sent.  (A
one-to-all send in the session API would cut the non-writers' share to zero.)

A ledger that is replicated by other means (e.g. a blockchain) takes part by
:func:`agree_on_head` alone.

How a session uses it, every party with its own file and its own pin::

    # the writer (party `host`): holds the writer key; creates the ledger on first use
    ledger = SQLiteLedger.open_or_create(path, group, writer_key, issuer_public_key, pin=pin_path)
    # every other party: its own replica, empty at first; expect_writer if it knows the key
    ledger = SQLiteLedger(path, group, replica=True, pin=pin_path, expect_writer=writer_public_key)

    await replicate(session, ledger, writer=host)   # at the start: before anything is read
    ...                                             # a stage in which the host writes
    await replicate(session, ledger, writer=host)   # after every stage that wrote
"""

from __future__ import annotations

from mpc.errors import MPCAbort
from mpc.session import Session

from protocols.ledger.api import Ledger, LedgerCorrupted, LedgerRejected
from protocols.ledger.chain import HASH_SIZE, StoredEntry
from protocols.ledger.sqlite_ledger import SQLiteLedger

#: largest single broadcast of entry bytes; bigger batches go in several rounds.
CHUNK = 1 << 20
#: largest batch of entries one replication carries (a party announcing more aborts the session)
MAX_BATCH = 1 << 30
_MAX_STATUS = 1 + 8 + HASH_SIZE + 300
_OK, _FAILED = b"\x01", b"\x00"


class LedgerDivergence(MPCAbort):
    """The parties' ledgers do not hold the same verified history after replication."""

    check = "ledger replica agreement"


async def _broadcast_variable(session: Session, payload: bytes, limits: list[int]) -> list[bytes]:
    """Everyone broadcasts a byte string of any length up to its limit: lengths first, then payloads padded
    to the longest.  A party announcing more than its limit aborts the session before anyone sends it."""
    sizes = [int.from_bytes(x, "big") for x in await session.broadcast_bytes(len(payload).to_bytes(8, "big"), 8)]
    over = [p for p, (n, cap) in enumerate(zip(sizes, limits)) if n > cap]
    if over:
        raise session.abort(LedgerDivergence(f"party {over[0]} announced {sizes[over[0]]} bytes, more than the "
                                             f"{limits[over[0]]} it may send"))
    width = max(sizes)
    out = [bytearray() for _ in sizes]
    for at in range(0, width, CHUNK):
        n = min(CHUNK, width - at)
        part = payload[at:at + n]
        got = await session.broadcast_bytes(part + bytes(n - len(part)), n)
        for buf, g in zip(out, got):
            buf += g
    return [bytes(b[:s]) for b, s in zip(out, sizes)]


def _encode_head(head: tuple[int, bytes]) -> bytes:
    seq, h = head
    return (seq + 1).to_bytes(8, "big") + h  # +1: an empty replica is at seq −1


def _decode_head(data: bytes) -> tuple[int, bytes]:
    return int.from_bytes(data[:8], "big") - 1, data[8:8 + HASH_SIZE]


def _encode_batch(entries: list[StoredEntry]) -> bytes:
    return b"".join(len(raw).to_bytes(4, "big") + raw for raw in (e.to_bytes() for e in entries))


def _decode_batch(data: bytes) -> list[StoredEntry]:
    out, at = [], 0
    while at < len(data):
        if at + 4 > len(data):
            raise ValueError("entry batch truncated")
        n = int.from_bytes(data[at:at + 4], "big")
        if at + 4 + n > len(data):
            raise ValueError("entry batch truncated")
        out.append(StoredEntry.from_bytes(data[at + 4:at + 4 + n]))
        at += 4 + n
    return out


async def agree_on_head(session: Session, ledger: Ledger, status: str | None = None) -> tuple[int, bytes]:
    """Abort at every party unless every party reports success and the same head; returns the head.

    ``status`` is this party's failure message (None: it succeeded).
    """
    try:
        mine = _OK + _encode_head(ledger.head()) if status is None else _FAILED + status.encode()[:300]
    except (LedgerCorrupted, LedgerRejected) as exc:
        mine = _FAILED + f"cannot read its ledger: {exc}".encode()[:300]
    got = await _broadcast_variable(session, mine, [_MAX_STATUS] * session.m)
    failed = [f"party {p}: {g[1:].decode(errors='replace')}" for p, g in enumerate(got) if g[:1] != _OK]
    if failed:
        raise session.abort(LedgerDivergence("; ".join(failed)))
    heads = [_decode_head(g[1:]) for g in got]
    if any(len(g) != 1 + 8 + HASH_SIZE for g in got) or len(set(heads)) != 1:
        shown = ", ".join(f"party {p} at {s}:{h.hex()[:16]}" for p, (s, h) in enumerate(heads))
        raise session.abort(LedgerDivergence(f"the parties' ledger heads differ: {shown}"))
    return heads[0]


async def replicate(session: Session, ledger: SQLiteLedger, writer: int = 0) -> tuple[int, bytes]:
    """Bring every party's ledger to the writer's head, verified, and check that all heads agree.

    Every party calls it with its own handle at the same point of the session: the writer with
    the handle that holds the writer key, the others with their replicas (opened with
    ``replica=True``; an empty file receives the genesis too).  Returns the agreed head, which
    each party's handle has pinned if it has a pin file.  Raises LedgerDivergence (an MPCAbort)
    at every party otherwise.
    """
    failure: str | None = None
    try:
        my_head = ledger.head()
    except (LedgerCorrupted, LedgerRejected) as exc:
        my_head, failure = (-1, bytes(HASH_SIZE)), f"cannot read its ledger: {exc}"
    heads = [_decode_head(h) for h in await session.broadcast_bytes(_encode_head(my_head), 8 + HASH_SIZE)]

    batch = b""
    if session.pid == writer and failure is None:
        ahead = [p for p, (s, _) in enumerate(heads) if s > my_head[0]]
        if ahead:
            failure = (f"the writer's ledger ends at {my_head[0]} but party {ahead[0]} holds entry {heads[ahead[0]][0]}"
                       f" (the writer's file lost entries)")
        else:
            try:
                batch = _encode_batch(ledger.stored_entries(after=min(s for s, _ in heads)))
            except (LedgerCorrupted, LedgerRejected) as exc:
                failure = f"cannot read its ledger: {exc}"
    if len(batch) > MAX_BATCH:
        failure, batch = f"{len(batch)} bytes of entries to send exceed the {MAX_BATCH}-byte limit", b""
    limits = [MAX_BATCH if p == writer else 0 for p in range(session.m)]  # only the writer sends entries
    sent = (await _broadcast_variable(session, batch, limits))[writer]

    if session.pid != writer and failure is None:
        try:
            for e in _decode_batch(sent):
                ledger.append_replicated(e)
        except ValueError as exc:
            failure = f"the writer sent malformed entries ({exc})"
        except LedgerRejected as exc:
            failure = f"the writer signed an entry that breaks a ledger rule ({exc})"
        except LedgerCorrupted as exc:
            failure = f"an entry from the writer does not verify ({exc})"
    head = await agree_on_head(session, ledger, failure)
    ledger.pin_head()
    return head
