"""Pinned heads: each party's record of the last ledger head it saw, to catch truncation and replacement.

A pin is a small JSON file per party (its path is chosen by the caller and
should live where whoever can write the ledger file cannot: the party's own
state directory).  It names the ledger id, the genesis hash and the head
(seq, hash) the party last verified.  A later open with the pin succeeds only
if the file's history *extends* the pinned head: entry ``seq`` is still there
with the same hash, under the same genesis.  That is what catches the attacks
a signed chain alone cannot:

* cutting entries off the end (a valid signed prefix) or restoring an older
  copy of the file — the pinned entry is missing;
* deleting the file and creating a fresh ledger, or swapping in another
  ledger — the genesis (and ledger id) differ.

Pins only move forward: :func:`save_pin` refuses to replace a pin by one that
does not extend it.  The file is replaced atomically (write, fsync, rename).
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from mpc.cli import CliError, parse_json_text
from protocols.ledger.api import LedgerCorrupted
from protocols.ledger.chain import HASH_SIZE, LEDGER_ID_SIZE, unhex


@dataclass(frozen=True)
class PinnedHead:
    ledger_id: bytes
    genesis_hash: bytes
    seq: int
    hash: bytes

    def to_json(self) -> dict:
        return {"ledger_id": self.ledger_id.hex(), "genesis": self.genesis_hash.hex(), "seq": self.seq,
                "hash": self.hash.hex()}

    @classmethod
    def from_json(cls, d: dict) -> "PinnedHead":
        if type(d) is not dict or set(d) != {"ledger_id", "genesis", "seq", "hash"}:
            raise ValueError("a pin has exactly the fields ledger_id, genesis, seq, hash")
        if type(d["seq"]) is not int or d["seq"] < 0:
            raise ValueError("pinned seq must be a non-negative integer")
        return cls(unhex(d["ledger_id"], LEDGER_ID_SIZE), unhex(d["genesis"], HASH_SIZE), d["seq"],
                   unhex(d["hash"], HASH_SIZE))

    def describe(self) -> str:
        return f"{self.seq}:{self.hash.hex()}"


def load_pin(path: str | Path) -> PinnedHead | None:
    """The pin at ``path``, or None if there is none yet (ValueError if the file is not a pin)."""
    p = Path(path)
    try:
        text = p.read_text(encoding="ascii")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError(f"pin {p}: unreadable ({exc})") from None
    try:
        # mpc.cli's parser: bounded nesting and number length (json.loads on a deeply nested
        # file is a RecursionError, which is no ValueError)
        return PinnedHead.from_json(parse_json_text(text, "JSON"))
    except (CliError, ValueError, KeyError, TypeError) as exc:
        raise ValueError(f"pin {p}: not a pinned head ({exc})") from None


def check_extends(pin: PinnedHead, ledger_id: bytes, hash_at: Callable[[int], bytes | None],
                  head_seq: int) -> None:
    """LedgerCorrupted unless a history (given by its ledger id and ``hash_at(seq)``) extends ``pin``."""
    if ledger_id != pin.ledger_id or hash_at(0) != pin.genesis_hash:
        raise LedgerCorrupted(f"the ledger is not the pinned one (ledger id {ledger_id.hex()}, pinned "
                              f"{pin.ledger_id.hex()}): the file was replaced or re-created")
    if pin.seq > head_seq:
        raise LedgerCorrupted(f"the ledger ends at entry {head_seq} but entry {pin.seq} was pinned: it was "
                              f"truncated or rolled back")
    if hash_at(pin.seq) != pin.hash:
        raise LedgerCorrupted(f"entry {pin.seq} differs from the pinned head {pin.describe()}: the history was "
                              f"rewritten", pin.seq)


def save_pin(path: str | Path, new: PinnedHead, hash_at: Callable[[int], bytes | None]) -> None:
    """Write ``new`` to ``path`` if it extends the pin already there (``hash_at`` reads the history ``new``
    belongs to); LedgerCorrupted if it does not, so a pin never moves backwards or sideways."""
    p = Path(path)
    old = load_pin(p)
    if old is not None:
        if old == new:
            return
        check_extends(old, new.ledger_id, hash_at, new.seq)
    p.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=p.name + ".", suffix=".tmp", dir=p.parent)
    try:
        with os.fdopen(fd, "w", encoding="ascii") as f:
            f.write(json.dumps(new.to_json(), sort_keys=True) + "\n")
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, p)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    try:  # make the rename itself durable
        dfd = os.open(p.parent, os.O_RDONLY)
    except OSError:  # pragma: no cover - platforms without directory fds
        return
    try:
        os.fsync(dfd)
    finally:
        os.close(dfd)
