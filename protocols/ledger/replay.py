"""The verified chain: stored entries in, checked state out — the one path every reader, writer and replica runs.

:class:`VerifiedChain` accepts entries one at a time, in order.  For each it
checks the sequence number, the link to the previous hash, the entry hash,
the writer's signature (under the key the genesis fixed), that the payload is
canonical JSON, and the acceptance rules of :mod:`protocols.ledger.rules`
against the state so far; only then does it apply the entry's effects.  A
ledger opened from a file, a write about to be stored and an entry received
from the writer in a session all go through :meth:`VerifiedChain.check` /
:meth:`VerifiedChain.accept`, so a replica holds exactly what the writer's own
rules would accept.

Entry 0 must be a genesis.  ``expect_writer`` (a raw Ed25519 key) refuses a
genesis under any other writer key — the anchor for a reader that knows whom
it trusts; otherwise the genesis is anchored by a pinned head
(:mod:`protocols.ledger.pins`) or by the other parties of a session.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from protocols.ledger.api import Entry, LedgerCorrupted, LedgerRejected
from protocols.ledger.chain import (GENESIS_PREV, HASH_SIZE, KINDS, SIGNATURE_SIZE, Genesis, StoredEntry,
                                    entry_hash, max_payload_bytes, parse_canonical, unhex, verify_entry_signature)
from protocols.ledger.rules import Effect, LedgerContext, MemoryState, check_entry
from protocols.ledger.transactions import BATCH, verify_initial_balances
from zkp.groups.base import Group


@dataclass
class Checked:
    """An entry that passed every check, with its parsed payload and the effects still to apply."""

    entry: StoredEntry
    payload: dict
    effects: list[Effect]


class VerifiedChain:
    """The state implied by a verified prefix of a ledger's history."""

    def __init__(self, group: Group, check_proofs: bool = True, expect_writer: bytes | None = None) -> None:
        self.group = group
        self.check_proofs = check_proofs
        self.expect_writer = expect_writer
        self.genesis: Genesis | None = None
        self.ctx: LedgerContext | None = None
        self.state = MemoryState()
        self.stored: list[StoredEntry] = []

    # -- where the chain stands ------------------------------------------------------------
    @property
    def head(self) -> tuple[int, bytes]:
        """(seq, hash) of the last verified entry; (−1, 32 zero bytes) before the genesis."""
        return (len(self.stored) - 1, self.stored[-1].hash) if self.stored else (-1, GENESIS_PREV)

    def hash_at(self, seq: int) -> bytes | None:
        return self.stored[seq].hash if 0 <= seq < len(self.stored) else None

    # -- checking --------------------------------------------------------------------------
    def check(self, e: StoredEntry) -> Checked:
        """Every check of the next entry ``e`` without changing the state (LedgerCorrupted, or LedgerRejected
        when only an acceptance rule fails, so a writer can tell a refused request from a broken file)."""
        seq, prev = self.head[0] + 1, self.head[1]
        if type(e.seq) is not int or e.seq != seq:
            raise LedgerCorrupted(f"sequence number {e.seq!r} where {seq} was expected", seq)
        if e.kind not in KINDS or (e.kind == "genesis") != (seq == 0):
            raise LedgerCorrupted(f"unexpected entry kind {e.kind!r}", seq)
        if e.prev_hash != prev:
            raise LedgerCorrupted("prev_hash does not match the previous entry's hash (chain broken)", seq)
        if len(e.hash) != HASH_SIZE or e.hash != entry_hash(prev, seq, e.kind, e.payload):
            raise LedgerCorrupted("stored hash does not match the entry's contents", seq)
        try:
            payload = parse_canonical(e.payload, max_payload_bytes(e.kind))
        except ValueError as exc:
            raise LedgerCorrupted(str(exc), seq) from None
        if seq == 0:
            genesis = self._genesis(payload)
            writer = genesis.writer_key
        else:
            writer = self.genesis.writer_key
        if len(e.signature) != SIGNATURE_SIZE or not verify_entry_signature(writer, e.hash, e.signature):
            raise LedgerCorrupted("the writer's signature on the entry does not verify (written without the "
                                  "writer's key)", seq)
        if seq == 0:
            return Checked(e, payload, [])
        return Checked(e, payload, self.check_payload(e.kind, payload))

    def check_payload(self, kind: str, payload: dict) -> list[Effect]:
        """The rules alone, against the current state (LedgerRejected)."""
        if self.ctx is None:
            raise LedgerRejected("no-genesis", "the ledger has no genesis yet")
        return check_entry(self.ctx, self.state, kind, payload, self.check_proofs)

    def _genesis(self, payload: dict) -> Genesis:
        try:
            genesis = Genesis.from_payload(payload)
        except (ValueError, TypeError) as exc:
            raise LedgerCorrupted(f"bad genesis: {exc}", 0) from None
        if genesis.group != self.group.name:
            raise ValueError(f"the ledger is over group {genesis.group!r}, not {self.group.name!r}")
        if self.expect_writer is not None and genesis.writer_key != self.expect_writer:
            raise LedgerCorrupted(f"the genesis names writer key {genesis.writer_key.hex()}, not the expected "
                                  f"{self.expect_writer.hex()} (another ledger, or a replaced file)", 0)
        return genesis

    def apply(self, c: Checked) -> None:
        """Append a checked entry (it must still be the next one)."""
        e = c.entry
        if e.seq != self.head[0] + 1 or e.prev_hash != self.head[1]:
            raise RuntimeError("apply() out of order")  # pragma: no cover - a programming error
        if e.seq == 0:
            self.genesis = Genesis.from_payload(c.payload)
            self.ctx = LedgerContext(self.group, self.genesis.ledger_id, self.genesis.issuer_key)
        self.state.apply(c.effects)
        self.stored.append(e)

    def entries(self) -> list[Entry]:
        """The verified entries with freshly parsed payloads (callers may change them freely)."""
        return [Entry(e.seq, e.kind, json.loads(e.payload), e.prev_hash, e.hash, e.signature) for e in self.stored]

    def preverify_openings(self, openings) -> None:
        """Verify the opening-balance proofs of account openings that are about to be checked
        ((account id, public key, balance commitment, proof) each) in batches: the rules then
        take each verified one once without verifying it alone (a failed batch changes nothing)."""
        if self.ctx is not None and self.check_proofs:
            self.ctx.verified_balance_proofs.update(
                verify_initial_balances(self.group, self.ctx.ledger_id, list(openings)))

    def preverify(self, entries) -> None:
        """preverify_openings for the account openings among stored entries about to be checked."""
        openings = []
        for e in entries:
            if e.kind != "open_account":
                continue
            try:
                p = parse_canonical(e.payload)
                openings.append((p["account_id"], unhex(p["public_key"]), unhex(p["balance_commitment"]),
                                 unhex(p["balance_proof"])))
            except (ValueError, KeyError, TypeError):
                continue   # the rules will name what is wrong with it
        self.preverify_openings(openings)

    def accept_many(self, entries, take=None) -> None:
        """take(e) (default: accept) for each entry in order, the account openings' range proofs
        verified in batches first; ``take`` must apply the entry to this chain."""
        take = take or self.accept
        entries = list(entries)
        at = 0
        while self.ctx is None and at < len(entries):   # the genesis fixes the ledger id the proofs name
            take(entries[at])
            at += 1
        for start in range(at, len(entries), BATCH):
            part = entries[start:start + BATCH]
            self.preverify(part)
            for e in part:
                take(e)

    def accept(self, e: StoredEntry) -> None:
        """Check and apply; a rule failure in a stored entry is corruption, not a refused request."""
        try:
            c = self.check(e)
        except LedgerRejected as exc:
            raise LedgerCorrupted(f"recorded {e.kind} breaks a ledger rule ({exc})", e.seq) from None
        self.apply(c)
