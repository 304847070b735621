"""The SPDZ online phase for one party: input, open, Beaver multiplication, MAC check, output.

Every operation works on whole vectors in one communication round. Values opened
inside the computation are recorded; `mac_check` verifies all of them at once by a
random linear combination whose coefficients come from a commit-then-reveal coin toss,
with each party's check value itself committed before it is revealed. The same check
compares hashes of everything each party received as a broadcast, so a party that
sends different values to different peers (equivocation) is caught. `output` always
runs the check before a value leaves the engine; after any failure the session refuses
to go on.
"""
from __future__ import annotations

import asyncio
import hashlib
import secrets
from contextlib import AbstractContextManager
from typing import Callable, Optional, Sequence

from gmpy2 import mpz

from .codec import decode_vector, encode_vector, expect_bytes
from .errors import (ActionRefused, BroadcastInconsistency, CommitmentMismatch, MacCheckFailure, MalformedMessage,
                     MPCAbort)
from .field import PrimeField
from .metering import StageMeter
from .preprocessing import Preprocessing
from .prg import prg_elements
from .shares import AuthVector, KeyShare
from .transport import Transport

_HASH_LEN = 32
_NONCE_LEN = 32
# Largest payload `broadcast_variable` accepts from a peer: a peer announcing more is
# refused rather than making every honest party pad its own payload to that size.
MAX_BROADCAST = 1 << 26


def commit_bytes(payload: bytes, nonce: bytes) -> bytes:
    """Hash commitment H(nonce ‖ payload); hiding by the random nonce, binding by SHA-256."""
    return hashlib.sha256(b"mpc-commit|" + nonce + payload).digest()


class Session:
    """One party's view of an SPDZ session (all parties run the same sequence of calls)."""

    def __init__(self, transport: Transport, prep: Preprocessing, field: PrimeField,
                 open_mode: str = "auto", security: int = 40):
        if open_mode not in ("auto", "all", "king"):
            raise ValueError("open_mode must be 'auto', 'all' or 'king'")
        self.transport = transport
        self.prep = prep
        self.field = field
        self.pid = transport.pid
        self.m = transport.m
        self.security = security
        # Sending shares to a rotating king costs 2 rounds but O(m) messages; all-to-all
        # costs 1 round and O(m^2) messages, cheaper for a handful of parties.
        self.open_mode = ("all" if self.m <= 4 else "king") if open_mode == "auto" else open_mode
        self.key: Optional[KeyShare] = None
        self._step = 0
        self._pending_values: list[mpz] = []
        self._pending_macs: list[mpz] = []
        self._transcript = hashlib.sha256(b"mpc-broadcast-transcript")
        self._aborted: Optional[MPCAbort] = None
        self.checks_passed = 0
        self.meter = StageMeter(transport, lambda: prep.offline_seconds)

    # lifecycle ----------------------------------------------------------------
    async def start(self) -> "Session":
        self.key = await self.prep.setup()
        return self

    @property
    def stats(self):
        return self.transport.stats

    # reporting ----------------------------------------------------------------
    @property
    def trust_model(self) -> str:
        """One line stating what the preprocessing backend in use assumes (CLIs print it)."""
        return self.prep.TRUST_MODEL

    def stage(self, name: str) -> AbstractContextManager:
        """`with session.stage("name"):` charges time, rounds and bytes inside to that stage,
        with the preprocessing it triggers counted apart (see mpc.metering)."""
        return self.meter.stage(name)

    def stage_report(self) -> dict[str, dict]:
        return self.meter.report()

    def traffic(self) -> dict:
        """Messages, bytes and rounds sent by this party, in total and per phase/stage, and the
        seconds spent producing preprocessing material."""
        return {**self.transport.stats.snapshot(), "offline_seconds": self.prep.offline_seconds}

    @property
    def consumed(self) -> dict[str, int]:
        """Preprocessing items used so far, by kind (triple, bit, mask, bounded)."""
        return dict(self.prep.consumed)

    async def reserve(self, *, triples: int = 0, bits: int = 0, masks: Optional[dict[int, int]] = None,
                      bounded: Optional[dict[int, int]] = None) -> None:
        """Announce demand: produce this much preprocessing now, in one batch per kind
        (`masks` maps owner to count, `bounded` bit length to count)."""
        self._guard()
        if triples:
            await self.prep.prefetch(("triple",), triples)
        if bits:
            await self.prep.prefetch(("bit",), bits)
        for owner, n in sorted((masks or {}).items()):
            await self.prep.prefetch(("mask", owner), n)
        for width, n in sorted((bounded or {}).items()):
            await self.prep.prefetch(("bounded", width), n)

    def _guard(self) -> None:
        if self._aborted is not None:
            raise type(self._aborted)(f"session already aborted ({self._aborted})")

    def abort(self, exc: MPCAbort) -> MPCAbort:
        """Mark the session as aborted by `exc` (no further operation or output is
        allowed) and return it, for `raise session.abort(ProofFailure(...))`."""
        self._aborted = exc
        return exc

    _fail = abort

    def _next_label(self) -> int:
        self._step += 1
        return self._step

    # low-level exchange -------------------------------------------------------
    async def _gather(self, label: int, peers: Sequence[int]) -> dict[int, bytes]:
        results = await asyncio.gather(*(self.transport.recv(p, label) for p in peers))
        return dict(zip(peers, results))

    async def _exchange_all(self, payload_for, label: int) -> dict[int, bytes]:
        """Send payload_for(peer) to every peer and receive one message from each."""
        for p in range(self.m):
            if p != self.pid:
                self.transport.send(p, label, payload_for(p))
        self.transport.stats.round(self.transport.phase)
        try:
            return await self._gather(label, [p for p in range(self.m) if p != self.pid])
        except MPCAbort as exc:
            raise self._fail(exc)

    async def broadcast_bytes(self, payload: bytes, size: int) -> list[bytes]:
        """Everyone sends `payload` (size bytes) to everyone; the received values enter the
        broadcast transcript that the next check compares across parties."""
        self._guard()
        payload = self._own_broadcast(payload)
        label = self._next_label()
        got = await self._exchange_all(lambda p: self._broadcast_payload_for(p, payload), label)
        out = []
        for p in range(self.m):
            data = payload if p == self.pid else expect_bytes(got[p], size, "broadcast", p)
            out.append(data)
            self._transcript.update(p.to_bytes(4, "little") + data)
        return out

    async def broadcast_variable(self, payload: bytes, limit: int = MAX_BROADCAST) -> list[bytes]:
        """Everyone broadcasts a byte string of any length up to `limit`: lengths first, then
        the payloads padded to the longest (two rounds). Consistency as for broadcast_bytes."""
        if len(payload) > limit:
            raise ValueError(f"payload of {len(payload)} bytes exceeds the limit of {limit}")
        lengths = await self.broadcast_bytes(len(payload).to_bytes(4, "big"), 4)
        sizes = [int.from_bytes(x, "big") for x in lengths]
        too_long = [p for p, n in enumerate(sizes) if n > limit]
        if too_long:
            raise self.abort(MalformedMessage(
                f"party {too_long[0]} announced a broadcast of {sizes[too_long[0]]} bytes (limit {limit})"))
        width = max(sizes)
        padded = await self.broadcast_bytes(payload + bytes(width - len(payload)), width)
        return [p[:n] for p, n in zip(padded, sizes)]

    async def broadcast_from(self, sender: int, payload: bytes = b"", limit: int = MAX_BROADCAST) -> bytes:
        """Party `sender`'s payload (up to `limit` bytes), sent by it alone to every other party,
        in one round. It enters every party's broadcast transcript, so a sender that tells
        different parties different things is caught at the next check."""
        self._guard()
        if not 0 <= sender < self.m:
            raise ValueError(f"sender {sender} is not a party index")
        label = self._next_label()
        if self.pid == sender:
            if len(payload) > limit:
                raise ValueError(f"payload of {len(payload)} bytes exceeds the limit of {limit}")
            data = self._own_broadcast(bytes(payload))
            for p in range(self.m):
                if p != self.pid:
                    self.transport.send(p, label, self._broadcast_payload_for(p, data))
            self.transport.stats.round(self.transport.phase)
        else:
            self.transport.stats.round(self.transport.phase)
            try:
                data = await self.transport.recv(sender, label)
            except MPCAbort as exc:
                raise self._fail(exc)
            if not isinstance(data, (bytes, bytearray)) or len(data) > limit:
                raise self._fail(MalformedMessage(f"party {sender} sent a broadcast of more than {limit} bytes"))
            data = bytes(data)
        self._transcript.update(b"from" + sender.to_bytes(4, "little") + len(data).to_bytes(8, "little") + data)
        return data

    async def act_and_agree(self, actor: int, act: Callable[[], bytes],
                            refusals: tuple[type[BaseException], ...], what: str,
                            abort_as: type[MPCAbort] = ActionRefused) -> bytes:
        """Party `actor` performs an action outside the session (a ledger write, say) and every
        party learns its outcome: act()'s result bytes, or an abort of type `abort_as` naming
        `what` and the actor's reason when act() raised one of `refusals`.

        Every party has checked that all saw the same outcome (a MAC check, which compares the
        broadcast transcripts) before this returns, so honest parties never take different
        branches on it."""
        status = b""
        if self.pid == actor:
            try:
                status = b"\x01" + act()
            except refusals as exc:
                status = b"\x00" + str(exc).encode("utf-8", errors="replace")[:500]
        outcome = await self.broadcast_from(actor, status)
        await self.mac_check()
        if outcome[:1] != b"\x01":
            raise self.abort(abort_as(f"{what}: {outcome[1:].decode('utf-8', errors='replace')}"))
        return outcome[1:]

    # hooks that the fault-injection harness (mpc.testing) overrides -------------
    def _own_broadcast(self, payload: bytes) -> bytes:
        """What this party broadcasts (and records) in place of `payload`."""
        return payload

    def _broadcast_payload_for(self, peer: int, payload: bytes) -> bytes:
        """What this party sends `peer` of a broadcast (differing per peer is equivocation)."""
        return payload

    def _open_shares(self, values: list[mpz]) -> list[mpz]:
        return values

    def _check_reveal(self, sigma: mpz) -> mpz:
        return sigma

    def _input_payload_for(self, peer: int, payload: bytes) -> bytes:
        return payload

    # input --------------------------------------------------------------------
    async def input(self, owner: int, values: Optional[Sequence[int]], n: int) -> AuthVector:
        """Secret-share a vector of n values held by `owner` (others pass values=None)."""
        return (await self.input_many({owner: values}, {owner: n}))[owner]

    async def input_many(self, values: dict[int, Optional[Sequence[int]]],
                         sizes: dict[int, int]) -> dict[int, AuthVector]:
        """Several owners input vectors in one round. `sizes[owner]` is public; this party
        passes its own vector in values[self.pid] if it is an owner."""
        self._guard()
        f = self.field
        masks = {}
        diffs_out = None
        for owner in sorted(sizes):
            r, clear = await self.prep.input_masks(owner, sizes[owner])
            masks[owner] = r
            if owner == self.pid:
                mine = values.get(owner)
                if mine is None or len(mine) != sizes[owner]:
                    raise ValueError(f"party {owner} must input exactly {sizes[owner]} values")
                diffs_out = f.sub(f.elements(mine), clear)
        label = self._next_label()
        payload = encode_vector(f, diffs_out) if diffs_out is not None else b""
        owners = [o for o in sorted(sizes) if o != self.pid]
        if self.pid in sizes:
            for p in range(self.m):
                if p != self.pid:
                    self.transport.send(p, label, self._input_payload_for(p, payload))
        self.transport.stats.round(self.transport.phase)
        try:
            got = await self._gather(label, owners)
        except MPCAbort as exc:
            raise self._fail(exc)
        result = {}
        for owner in sorted(sizes):
            if owner == self.pid:
                diffs = diffs_out
            else:
                try:
                    diffs = decode_vector(f, got[owner], sizes[owner], owner)
                except MPCAbort as exc:
                    raise self._fail(exc)
            self._transcript.update(b"in" + owner.to_bytes(4, "little") + encode_vector(f, diffs))
            result[owner] = masks[owner] + diffs
        return result

    # open ---------------------------------------------------------------------
    async def open(self, x: AuthVector) -> list[mpz]:
        """Reveal x to all parties. The values are MAC-checked at the next check; use
        `output` for anything that leaves the engine."""
        self._guard()
        f = self.field
        n = len(x)
        shares = self._open_shares(list(x.values))
        if self.open_mode == "all":
            payload = encode_vector(f, shares)
            got = await self._exchange_all(lambda p: payload, self._next_label())
            total = list(shares)
            for p, data in got.items():
                try:
                    total = f.add(total, decode_vector(f, data, n, p))
                except MPCAbort as exc:
                    raise self._fail(exc)
        else:
            total = await self._open_via_king(shares, n)
        self._transcript.update(b"open" + encode_vector(f, total))
        self._pending_values.extend(total)
        self._pending_macs.extend(x.macs)
        return total

    async def _open_via_king(self, shares: list[mpz], n: int) -> list[mpz]:
        f, t = self.field, self.transport
        label1, label2 = self._next_label(), self._next_label()
        king = label1 % self.m
        try:
            if self.pid != king:
                t.send(king, label1, encode_vector(f, shares))
                t.stats.round(t.phase)
                total = decode_vector(f, await t.recv(king, label2), n, king)
                t.stats.round(t.phase)
                return total
            got = await self._gather(label1, [p for p in range(self.m) if p != king])
            t.stats.round(t.phase)
            total = list(shares)
            for p, data in got.items():
                total = f.add(total, decode_vector(f, data, n, p))
            payload = encode_vector(f, total)
            for p in range(self.m):
                if p != king:
                    t.send(p, label2, self._broadcast_payload_for(p, payload))
            t.stats.round(t.phase)
            return total
        except MPCAbort as exc:
            raise self._fail(exc)

    # multiplication -----------------------------------------------------------
    async def mul(self, x: AuthVector, y: AuthVector) -> AuthVector:
        """Element-wise product by Beaver's trick: one opening of (x−a, y−b) for the whole vector."""
        if len(x) != len(y):
            raise ValueError(f"length mismatch: {len(x)} vs {len(y)}")
        n = len(x)
        if n == 0:
            return x
        a, b, c = await self.prep.triples(n)
        opened = await self.open(AuthVector.concat([x - a, y - b]))
        eps, delta = opened[:n], opened[n:]
        f = self.field
        return c + b * eps + a * delta + f.mul(eps, delta)

    async def square(self, x: AuthVector) -> AuthVector:
        return await self.mul(x, x)

    async def inner_product(self, x: AuthVector, y: AuthVector) -> AuthVector:
        """⟨Σ x_j y_j⟩ (a vector of length 1)."""
        return (await self.mul(x, y)).sum()

    # randomness ---------------------------------------------------------------
    async def coin_toss(self) -> bytes:
        """32 jointly random bytes: commit to a seed, then reveal; no party can bias it
        unless it breaks the hash."""
        self._guard()
        seed, nonce = secrets.token_bytes(32), secrets.token_bytes(_NONCE_LEN)
        commitments = await self.broadcast_bytes(commit_bytes(seed, nonce), _HASH_LEN)
        reveals = await self.broadcast_bytes(seed + nonce, 32 + _NONCE_LEN)
        for p, (cm, rv) in enumerate(zip(commitments, reveals)):
            if commit_bytes(rv[:32], rv[32:]) != cm:
                raise self._fail(CommitmentMismatch(f"party {p} revealed a coin-toss seed it did not commit to"))
        return hashlib.sha256(b"mpc-coin|" + b"".join(r[:32] for r in reveals)).digest()

    # MAC check ----------------------------------------------------------------
    async def mac_check(self) -> None:
        """Verify every value opened since the last check, and broadcast consistency.

        Soundness: a wrong opened value passes with probability at most 2/q (random
        coefficients, then MAC key unknown to the adversary), and a party cannot adapt its
        check value to the others' because it is committed first.
        """
        self._guard()
        f = self.field
        values, macs = self._pending_values, self._pending_macs
        self._pending_values, self._pending_macs = [], []
        seed = await self.coin_toss()
        coeffs = prg_elements(f, seed, b"mac-check", len(values))
        opened = f.dot(coeffs, values)
        sigma = (f.dot(coeffs, macs) - self.key.alpha * opened) % f.q
        digest = self._transcript.digest()
        nonce = secrets.token_bytes(_NONCE_LEN)
        body = encode_vector(f, [sigma]) + digest
        commitments = await self.broadcast_bytes(commit_bytes(body, nonce), _HASH_LEN)
        reveal = encode_vector(f, [self._check_reveal(sigma)]) + digest + nonce
        reveals = await self.broadcast_bytes(reveal, len(reveal))
        total = mpz(0)
        w = f.nbytes
        for p, (cm, rv) in enumerate(zip(commitments, reveals)):
            body_p, nonce_p = rv[:w + _HASH_LEN], rv[w + _HASH_LEN:]
            if commit_bytes(body_p, nonce_p) != cm:
                raise self._fail(CommitmentMismatch(f"party {p} revealed a MAC-check value it did not commit to"))
            if body_p[w:] != digest:
                raise self._fail(BroadcastInconsistency(
                    f"party {p} saw different broadcast values than party {self.pid}"))
            total += decode_vector(f, body_p[:w], 1, p)[0]
        if total % f.q != 0:
            raise self._fail(MacCheckFailure(
                f"opened values are inconsistent with their MACs ({len(values)} values checked)"))
        self.checks_passed += 1

    async def output(self, x: AuthVector) -> list[int]:
        """Open x to everyone and MAC-check everything opened so far before returning it."""
        values = await self.open(x)
        await self.mac_check()
        return [int(v) for v in values]

    async def output_signed(self, x: AuthVector) -> list[int]:
        return [self.field.signed(v) for v in await self.output(x)]

    async def output_to(self, owner: int, x: AuthVector) -> Optional[list[int]]:
        """Reveal x to `owner` only: open x + r for an input mask r known to the owner."""
        mine = await self.output_to_each(x, [owner] * len(x))
        return mine if self.pid == owner else None

    async def output_to_each(self, x: AuthVector, owners: Sequence[int]) -> list[int]:
        """Reveal x[j] to party owners[j] only, for all j in one opening of x + r (r[j] an
        input mask known to owners[j] alone); everything opened so far is MAC-checked before
        anyone unmasks. Returns this party's own values, in the order they appear in x."""
        if len(owners) != len(x):
            raise ValueError(f"{len(owners)} owners for a vector of length {len(x)}")
        if any(not 0 <= o < self.m for o in owners):
            raise ValueError("every owner must be a party index")
        positions: dict[int, list[int]] = {}
        for j, o in enumerate(owners):
            positions.setdefault(o, []).append(j)
        values: list = [None] * len(x)
        macs: list = [None] * len(x)
        mine_clear: list = []
        for o in sorted(positions):
            r, clear = await self.prep.input_masks(o, len(positions[o]))
            for k, j in enumerate(positions[o]):
                values[j], macs[j] = r.values[k], r.macs[k]
            if o == self.pid:
                mine_clear = clear
        masked = await self.output(x + AuthVector(x.key, values, macs))
        mine = positions.get(self.pid, [])
        return [int((masked[j] - c) % self.field.q) for j, c in zip(mine, mine_clear)]

    async def close(self) -> None:
        """Check whatever is still unchecked, then release the transport."""
        if self._aborted is None and self._pending_values:
            await self.mac_check()
        await self.transport.close()
