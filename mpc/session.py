"""The SPDZ online phase for one party: input, open, Beaver multiplication, MAC check, output.

Every operation works on whole vectors in one communication round. Values opened
inside the computation are recorded; `mac_check` verifies all of them at once by a
random linear combination, with each party's check value committed before it is
revealed. The same check compares hashes of everything each party received as a
broadcast, opened or as an input, so a party that sends different values to different
peers (equivocation) is caught.

Rules the session enforces, so that a program built on it cannot get them wrong:

- A value that decides what happens next (a loop's stop bit, which branch to take, what
  to open next) must come from `open_checked`: open plus MAC check before it is
  returned. `open` returns values that are checked only later; never branch on them.
  `output` (anything that leaves the engine) is `open_checked` too.
- The abort is latched: any exception inside a session method marks the session aborted,
  and every later call (close included) raises again. Opened values stay pending until a
  check over them succeeds.
- `close` checks whatever is unchecked: pending opened values and anything that entered
  the broadcast transcript (a broadcast, a coin toss, an input) since the last check.
- An input may declare a bit length (`input(..., bits=k)`): the owner then inputs the
  value's bits and every party checks them, so a party cannot input a value outside
  [−2^(k−1), 2^(k−1)) (the range that `mpc.comparison` trusts); a failure is an
  `InputOutOfRange` abort naming the owner.
"""
from __future__ import annotations

import asyncio
import functools
import hashlib
import secrets
from contextlib import AbstractContextManager
from typing import Callable, Optional, Sequence, Union

from gmpy2 import mpz

from .codec import decode_vector, encode_vector, expect_bytes
from .errors import (ActionRefused, BroadcastInconsistency, CommitmentMismatch, InputOutOfRange, MacCheckFailure,
                     MalformedMessage, MPCAbort, SessionFailure)
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
# Not a bit: what an owner inputs in place of the bits of a value outside its declared
# range, so that every party's range check fails without anything about the value leaking.
_NOT_A_BIT = 2

Bits = Union[None, int, dict[int, int]]


def commit_bytes(payload: bytes, nonce: bytes) -> bytes:
    """Hash commitment H(nonce ‖ payload); hiding by the random nonce, binding by SHA-256."""
    return hashlib.sha256(b"mpc-commit|" + nonce + payload).digest()


def signed_range(bits: int) -> tuple[int, int]:
    """[lo, hi) of a signed `bits`-bit integer, the convention of mpc.comparison."""
    return -(1 << (bits - 1)), 1 << (bits - 1)


def _latching(method):
    """Refuse to run after an abort, and latch the abort on any exception raised inside."""
    @functools.wraps(method)
    async def wrapper(self: "Session", *args, **kwargs):
        self._guard()
        try:
            return await method(self, *args, **kwargs)
        except MPCAbort as exc:
            raise self.abort(exc)
        except BaseException as exc:  # cancellation and local errors too: the state is unknown now
            self.abort(SessionFailure(f"{type(exc).__name__} inside the session: {exc}"))
            raise
    return wrapper


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
        self._unchecked = False      # something entered the transcript since the last check
        self._challenges = 0
        self._aborted: Optional[MPCAbort] = None
        self.checks_passed = 0
        self.meter = StageMeter(transport, lambda: prep.offline_seconds)

    # lifecycle ----------------------------------------------------------------
    @_latching
    async def start(self) -> "Session":
        self.key = await self.prep.setup()
        return self

    @property
    def stats(self):
        return self.transport.stats

    @property
    def aborted(self) -> Optional[MPCAbort]:
        """The abort this session latched, or None."""
        return self._aborted

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

    # preprocessing material, through the session so that a failure latches the abort ----
    @_latching
    async def reserve(self, *, triples: int = 0, bits: int = 0, masks: Optional[dict[int, int]] = None,
                      bounded: Optional[dict[int, int]] = None) -> None:
        """Announce demand: produce this much preprocessing now, in one batch per kind
        (`masks` maps owner to count, `bounded` bit length to count)."""
        if triples:
            await self.prep.prefetch(("triple",), triples)
        if bits:
            await self.prep.prefetch(("bit",), bits)
        for owner, n in sorted((masks or {}).items()):
            await self.prep.prefetch(("mask", owner), n)
        for width, n in sorted((bounded or {}).items()):
            await self.prep.prefetch(("bounded", width), n)

    @_latching
    async def triples(self, n: int) -> tuple[AuthVector, AuthVector, AuthVector]:
        """n Beaver triples ⟨a⟩, ⟨b⟩, ⟨c⟩ with c = a·b."""
        return await self.prep.triples(n)

    @_latching
    async def random_bits(self, n: int) -> AuthVector:
        """n shared uniform bits."""
        return await self.prep.random_bits(n)

    @_latching
    async def random_bounded(self, n: int, bits: int) -> AuthVector:
        """n shared integers uniform in [0, 2^bits)."""
        return await self.prep.random_bounded(n, bits)

    @_latching
    async def input_masks(self, owner: int, n: int) -> tuple[AuthVector, Optional[list[mpz]]]:
        """n shared masks ⟨r⟩; `owner` also gets r in the clear (others get None)."""
        return await self.prep.input_masks(owner, n)

    # abort --------------------------------------------------------------------
    def _guard(self) -> None:
        if self._aborted is not None:
            raise type(self._aborted)(f"session already aborted ({self._aborted})")

    def abort(self, exc: MPCAbort) -> MPCAbort:
        """Mark the session as aborted by `exc` (no further operation or output is
        allowed) and return it, for `raise session.abort(ProofFailure(...))`. The first
        abort stays the latched one."""
        if self._aborted is None:
            self._aborted = exc
        return exc

    _fail = abort

    def _next_label(self) -> int:
        self._step += 1
        return self._step

    def _record(self, data: bytes) -> None:
        """Add what this party saw to the transcript that the next check compares."""
        self._transcript.update(data)
        self._unchecked = True

    def challenge(self, label: bytes, n: int) -> list[mpz]:
        """n field elements every honest party derives identically from the transcript so
        far (all inputs, openings and broadcasts) — a random oracle applied to it. Use them
        to combine values that were fixed before (their deviations entered the transcript):
        a deviation then survives a random combination with probability 1/q per attempt.
        Parties whose transcripts differ derive different elements; the next check catches
        the difference itself."""
        self._guard()
        self._challenges += 1
        seed = hashlib.sha256(b"mpc-challenge|" + self._challenges.to_bytes(8, "little") + label
                              + self._transcript.digest()).digest()
        return prg_elements(self.field, seed, label, n)

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
        return await self._gather(label, [p for p in range(self.m) if p != self.pid])

    @_latching
    async def broadcast_bytes(self, payload: bytes, size: int) -> list[bytes]:
        """Everyone sends `payload` (size bytes) to everyone; the received values enter the
        broadcast transcript that the next check compares across parties."""
        if len(payload) != size:
            raise ValueError(f"broadcast payload of {len(payload)} bytes, expected {size}")
        payload = self._own_broadcast(payload)
        label = self._next_label()
        got = await self._exchange_all(lambda p: self._broadcast_payload_for(p, payload), label)
        out = []
        for p in range(self.m):
            data = payload if p == self.pid else expect_bytes(got[p], size, "broadcast", p)
            out.append(data)
            self._record(p.to_bytes(4, "little") + data)
        return out

    @_latching
    async def broadcast_variable(self, payload: bytes, limit: int = MAX_BROADCAST) -> list[bytes]:
        """Everyone broadcasts a byte string of any length up to `limit`: lengths first, then
        the payloads padded to the longest (two rounds). Consistency as for broadcast_bytes."""
        if len(payload) > limit:
            raise ValueError(f"payload of {len(payload)} bytes exceeds the limit of {limit}")
        lengths = await self.broadcast_bytes(len(payload).to_bytes(4, "big"), 4)
        sizes = [int.from_bytes(x, "big") for x in lengths]
        too_long = [p for p, n in enumerate(sizes) if n > limit]
        if too_long:
            raise MalformedMessage(
                f"party {too_long[0]} announced a broadcast of {sizes[too_long[0]]} bytes (limit {limit})")
        width = max(sizes)
        padded = await self.broadcast_bytes(payload + bytes(width - len(payload)), width)
        return [p[:n] for p, n in zip(padded, sizes)]

    @_latching
    async def broadcast_from(self, sender: int, payload: bytes = b"", limit: int = MAX_BROADCAST) -> bytes:
        """Party `sender`'s payload (up to `limit` bytes), sent by it alone to every other party,
        in one round. It enters every party's broadcast transcript, so a sender that tells
        different parties different things is caught at the next check."""
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
            data = await self.transport.recv(sender, label)
            if not isinstance(data, (bytes, bytearray)) or len(data) > limit:
                raise MalformedMessage(f"party {sender} sent a broadcast of more than {limit} bytes")
            data = bytes(data)
        self._record(b"from" + sender.to_bytes(4, "little") + len(data).to_bytes(8, "little") + data)
        return data

    @_latching
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
            raise abort_as(f"{what}: {outcome[1:].decode('utf-8', errors='replace')}")
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

    def _bit_encoding(self, values: Sequence[int], bits: int) -> list[int]:
        """The `bits` bits (least significant first) of v + 2^(bits−1) for every v; every
        entry _NOT_A_BIT if some v lies outside the signed range (everyone then aborts
        naming this party, and nothing about the values leaks)."""
        lo, hi = signed_range(bits)
        if any(not lo <= int(v) < hi for v in values):
            return [_NOT_A_BIT] * (len(values) * bits)
        out = []
        for v in values:
            u = int(v) - lo
            out.extend((u >> j) & 1 for j in range(bits))
        return out

    # input --------------------------------------------------------------------
    async def input(self, owner: int, values: Optional[Sequence[int]], n: int,
                    bits: Optional[int] = None) -> AuthVector:
        """Secret-share a vector of n values held by `owner` (others pass values=None).
        With `bits`, every value is range-checked (see input_many)."""
        return (await self.input_many({owner: values}, {owner: n},
                                      bits=None if bits is None else {owner: bits}))[owner]

    @_latching
    async def input_many(self, values: dict[int, Optional[Sequence[int]]], sizes: dict[int, int],
                         bits: Bits = None) -> dict[int, AuthVector]:
        """Several owners input vectors in one round. `sizes[owner]` is public; this party
        passes its own vector in values[self.pid] if it is an owner.

        `bits` (an int for every owner, or a dict owner → bit length) declares that the
        owner's values are signed integers of that many bits, −2^(k−1) ≤ v < 2^(k−1). Such an
        owner inputs the bits of every value instead, and all parties check that they are
        bits (one Beaver product per bit and one checked opening of a random combination
        per owner, which is 0 for an honest owner). A value outside the range, from a
        cheating or a careless owner, ends the session at every party with InputOutOfRange
        naming the owner; nothing else about its values is revealed."""
        f = self.field
        widths = self._widths(sizes, bits)
        masks = {}
        payload_values = None
        for owner in sorted(sizes):
            count = sizes[owner] * widths.get(owner, 1)
            r, clear = await self.prep.input_masks(owner, count)
            masks[owner] = r
            if owner == self.pid:
                mine = values.get(owner)
                if mine is None or len(mine) != sizes[owner]:
                    raise ValueError(f"party {owner} must input exactly {sizes[owner]} values")
                if owner in widths:
                    mine = self._bit_encoding(mine, widths[owner])
                payload_values = f.sub(f.elements(mine), clear)
        label = self._next_label()
        payload = encode_vector(f, payload_values) if payload_values is not None else b""
        owners = [o for o in sorted(sizes) if o != self.pid]
        if self.pid in sizes:
            for p in range(self.m):
                if p != self.pid:
                    self.transport.send(p, label, self._input_payload_for(p, payload))
        self.transport.stats.round(self.transport.phase)
        got = await self._gather(label, owners)
        shared = {}
        for owner in sorted(sizes):
            count = sizes[owner] * widths.get(owner, 1)
            diffs = payload_values if owner == self.pid else decode_vector(f, got[owner], count, owner)
            self._record(b"in" + owner.to_bytes(4, "little") + encode_vector(f, diffs))
            shared[owner] = masks[owner] + diffs
        if widths:
            await self._check_bit_inputs({o: shared[o] for o in widths}, widths)
            for owner, k in widths.items():
                shared[owner] = _from_signed_bits(shared[owner], k)
        return shared

    @staticmethod
    def _widths(sizes: dict[int, int], bits: Bits) -> dict[int, int]:
        if bits is None:
            return {}
        widths = {o: bits for o in sizes} if isinstance(bits, int) else dict(bits)
        for owner, k in widths.items():
            if owner not in sizes:
                raise ValueError(f"bit length declared for party {owner}, which inputs nothing")
            if not isinstance(k, int) or k < 1:
                raise ValueError(f"bit length of party {owner}'s input must be a positive integer")
        return {o: k for o, k in widths.items() if sizes[o] > 0}

    async def _check_bit_inputs(self, bit_vectors: dict[int, AuthVector], widths: dict[int, int]) -> None:
        """InputOutOfRange naming every owner whose inputs are not all bits."""
        owners = sorted(bit_vectors)
        x = AuthVector.concat([bit_vectors[o] for o in owners])
        products = await self.mul(x, x - 1)
        bad = [owners[i] for i, ok in enumerate(await zero_groups(self, products, [len(bit_vectors[o])
                                                                                      for o in owners])) if not ok]
        if bad:
            who = ", ".join(f"party {o}" for o in bad)
            raise InputOutOfRange(
                f"{who} input a value outside its declared range (signed {widths[bad[0]]}-bit integers)")

    # open ---------------------------------------------------------------------
    @_latching
    async def open(self, x: AuthVector) -> list[mpz]:
        """Reveal x to all parties. The values are MAC-checked only at the next check: use
        them in arithmetic, never to decide what happens next (use `open_checked`), and use
        `output` for anything that leaves the engine."""
        f = self.field
        n = len(x)
        shares = self._open_shares(list(x.values))
        if self.open_mode == "all":
            payload = encode_vector(f, shares)
            got = await self._exchange_all(lambda p: payload, self._next_label())
            total = list(shares)
            for p, data in got.items():
                total = f.add(total, decode_vector(f, data, n, p))
        else:
            total = await self._open_via_king(shares, n)
        self._record(b"open" + encode_vector(f, total))
        self._pending_values.extend(total)
        self._pending_macs.extend(x.macs)
        return total

    async def _open_via_king(self, shares: list[mpz], n: int) -> list[mpz]:
        f, t = self.field, self.transport
        label1, label2 = self._next_label(), self._next_label()
        king = label1 % self.m
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

    @_latching
    async def open_checked(self, x: AuthVector) -> list[int]:
        """Open x and MAC-check it, with everything opened before, before returning it: the
        opening for a value that decides what the parties do next. A corrupt party that
        changes such a value makes every honest party abort here, before anything that
        depends on it is computed or opened. Costs the check's two rounds on top of the
        opening."""
        values = await self.open(x)
        await self.mac_check()
        return [int(v) for v in values]

    # multiplication -----------------------------------------------------------
    @_latching
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
    @_latching
    async def coin_toss(self) -> bytes:
        """32 jointly random bytes: commit to a seed, then reveal; no party can bias it
        unless it breaks the hash."""
        seed, nonce = secrets.token_bytes(32), secrets.token_bytes(_NONCE_LEN)
        commitments = await self.broadcast_bytes(commit_bytes(seed, nonce), _HASH_LEN)
        reveals = await self.broadcast_bytes(seed + nonce, 32 + _NONCE_LEN)
        for p, (cm, rv) in enumerate(zip(commitments, reveals)):
            if commit_bytes(rv[:32], rv[32:]) != cm:
                raise CommitmentMismatch(f"party {p} revealed a coin-toss seed it did not commit to")
        return hashlib.sha256(b"mpc-coin|" + b"".join(r[:32] for r in reveals)).digest()

    # MAC check ----------------------------------------------------------------
    @_latching
    async def mac_check(self) -> None:
        """Verify every value opened since the last check, and that all parties saw the same
        transcript (broadcasts, inputs, openings). Two rounds: commit to (check value,
        transcript digest), then reveal. Nothing to do (no round) if nothing was opened or
        recorded since the last check.

        The coefficients of the random combination are derived from the transcript
        (`challenge`), which holds every value being checked: a corrupt party fixes its
        deviations before it can know them, so a wrong opened value passes with
        probability at most 2/q per attempt (random oracle), and a party cannot adapt its
        check value to the others' because it is committed first. Opened values stay
        pending until the check succeeds.
        """
        if not self._pending_values and not self._unchecked:
            return
        f = self.field
        count = len(self._pending_values)
        values, macs = self._pending_values[:count], self._pending_macs[:count]
        coeffs = self.challenge(b"mac-check", count)
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
                raise CommitmentMismatch(f"party {p} revealed a MAC-check value it did not commit to")
            if body_p[w:] != digest:
                raise BroadcastInconsistency(f"party {p} saw different broadcast values than party {self.pid}")
            total += decode_vector(f, body_p[:w], 1, p)[0]
        if total % f.q != 0:
            raise MacCheckFailure(f"opened values are inconsistent with their MACs ({count} values checked)")
        del self._pending_values[:count]
        del self._pending_macs[:count]
        # The check's own commitments and reveals entered the transcript; they are compared
        # at the next check if there is one, and need no check of their own.
        self._unchecked = False
        self.checks_passed += 1

    # output -------------------------------------------------------------------
    @_latching
    async def output(self, x: AuthVector) -> list[int]:
        """Open x to everyone and MAC-check everything opened so far before returning it."""
        return await self.open_checked(x)

    async def output_signed(self, x: AuthVector) -> list[int]:
        return [self.field.signed(v) for v in await self.output(x)]

    async def output_to(self, owner: int, x: AuthVector) -> Optional[list[int]]:
        """Reveal x to `owner` only: open x + r for an input mask r known to the owner."""
        mine = await self.output_to_each(x, [owner] * len(x))
        return mine if self.pid == owner else None

    @_latching
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
        """Check whatever is still unchecked (opened values, and anything that entered the
        transcript), then release the transport. After an abort: release the connections
        and raise the abort again, so that a program that swallowed it still ends aborted."""
        if self._aborted is None:
            try:
                await self.mac_check()
            except BaseException:
                self.transport.abandon()
                raise
            await self.transport.close()
            return
        self.transport.abandon()
        self._guard()


def _from_signed_bits(x: AuthVector, bits: int) -> AuthVector:
    """⟨Σ_j 2^j b_j − 2^(bits−1)⟩ for each consecutive group of `bits` shared bits (local)."""
    f = x.key.field
    q = f.q
    n = len(x) // bits
    weights = [mpz(1) << j for j in range(bits)]
    vals, macs = [], []
    for i in range(n):
        lo = i * bits
        vals.append(sum(w * v for w, v in zip(weights, x.values[lo:lo + bits])) % q)
        macs.append(sum(w * m for w, m in zip(weights, x.macs[lo:lo + bits])) % q)
    return AuthVector(x.key, vals, macs) - (1 << (bits - 1))


async def zero_groups(s: Session, x: AuthVector, sizes: Sequence[int]) -> list[bool]:
    """For consecutive groups of x (lengths `sizes`), whether every entry is 0: one checked
    opening of one random combination per group (coefficients from `Session.challenge`,
    drawn after x was fixed). A group that is all 0 reveals nothing; a non-zero group
    passes with probability 1/q."""
    if sum(sizes) != len(x):
        raise ValueError("group sizes do not add up to the vector length")
    if not sizes:
        return []
    rho = s.challenge(b"zero-groups", len(x))
    f = s.field
    q = f.q
    vals, macs, at = [], [], 0
    for size in sizes:
        r = rho[at:at + size]
        vals.append(sum(a * v for a, v in zip(r, x.values[at:at + size])) % q)
        macs.append(sum(a * m for a, m in zip(r, x.macs[at:at + size])) % q)
        at += size
    combined = await s.open_checked(AuthVector(x.key, vals, macs))
    return [v == 0 for v in combined]
