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

Replication uses the session's broadcasts: the writer's new entries go out by
``Session.broadcast_from`` (the writer alone sends, B·(m − 1) bytes for B bytes of
entries, in pieces of at most CHUNK bytes after an 8-byte length, so no message exceeds a
frame limit; nobody else can send entries), heads and statuses by ``broadcast_bytes`` /
``broadcast_variable``; all of it enters the session's broadcast transcript.

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
CHUNK = 8 << 20
#: largest batch of entries one replication carries (a party announcing more aborts the session)
MAX_BATCH = 1 << 30
_MAX_STATUS = 1 + 8 + HASH_SIZE + 300
_OK, _FAILED = b"\x01", b"\x00"


class LedgerDivergence(MPCAbort):
    """The parties' ledgers do not hold the same verified history after replication."""

    check = "ledger replica agreement"


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


async def _send_entries(session: Session, writer: int, batch: bytes, max_batch: int) -> tuple[bytes, str | None]:
    """The writer's batch, announced by its length and sent in pieces of at most CHUNK bytes (one
    round each), so that no message exceeds a frame limit however many entries are missing.
    Returns the bytes and, at a receiver, a failure if the announced length is above max_batch
    (then nothing more is read)."""
    header = await session.broadcast_from(writer, len(batch).to_bytes(8, "big"), 8)
    total = int.from_bytes(header, "big") if len(header) == 8 else max_batch + 1
    if total > max_batch:
        return b"", f"the writer announced {total} bytes of entries, above the {max_batch}-byte limit"
    pieces = []
    for at in range(0, total, CHUNK):
        piece = await session.broadcast_from(writer, batch[at:at + CHUNK], CHUNK)
        if len(piece) != min(CHUNK, total - at):
            return b"", f"the writer sent a piece of {len(piece)} bytes where {min(CHUNK, total - at)} were due"
        pieces.append(piece)
    return b"".join(pieces), None


async def agree_on_head(session: Session, ledger: Ledger, status: str | None = None) -> tuple[int, bytes]:
    """Abort at every party unless every party reports success and the same head; returns the head.

    ``status`` is this party's failure message (None: it succeeded).
    """
    try:
        mine = _OK + _encode_head(ledger.head()) if status is None else _FAILED + status.encode()[:300]
    except (LedgerCorrupted, LedgerRejected) as exc:
        mine = _FAILED + f"cannot read its ledger: {exc}".encode()[:300]
    got = await session.broadcast_variable(mine, limit=_MAX_STATUS)
    failed = [f"party {p}: {g[1:].decode(errors='replace')}" for p, g in enumerate(got) if g[:1] != _OK]
    if failed:
        raise session.abort(LedgerDivergence("; ".join(failed)))
    heads = [_decode_head(g[1:]) for g in got]
    if any(len(g) != 1 + 8 + HASH_SIZE for g in got) or len(set(heads)) != 1:
        shown = ", ".join(f"party {p} at {s}:{h.hex()[:16]}" for p, (s, h) in enumerate(heads))
        raise session.abort(LedgerDivergence(f"the parties' ledger heads differ: {shown}"))
    return heads[0]


async def replicate(session: Session, ledger: SQLiteLedger, writer: int = 0,
                    max_batch: int = MAX_BATCH) -> tuple[int, bytes]:
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
    if len(batch) > max_batch:
        failure, batch = f"{len(batch)} bytes of entries to send exceed the {max_batch}-byte limit", b""
    sent, refused = await _send_entries(session, writer, batch, max_batch)   # only the writer sends entries
    if refused and failure is None:
        failure = refused

    if session.pid != writer and failure is None:
        try:
            ledger.append_replicated_many(_decode_batch(sent))
        except ValueError as exc:
            failure = f"the writer sent malformed entries ({exc})"
        except LedgerRejected as exc:
            failure = f"the writer signed an entry that breaks a ledger rule ({exc})"
        except LedgerCorrupted as exc:
            failure = f"an entry from the writer does not verify ({exc})"
    head = await agree_on_head(session, ledger, failure)
    ledger.pin_head()
    return head
