"""Messages, coin tossing and checks of the MASCOT preprocessing (mixin of the backend).

All traffic goes through `_send`, which passes every outgoing payload through the
`_outgoing` hook (identity here; the test-only deviating backend overrides it) and counts
it under the offline ("preprocessing") phase. Labels come from one counter that every party advances
in the same order, in the preprocessing's own negative label space.

Checks follow the online phase's (mpc.session): coins come from a commit-then-reveal toss;
a MAC check commits to each party's check value before anyone reveals; every value that
was broadcast enters a transcript hash that the parties compare inside each MAC check, so
a party that equivocates is caught. Pairwise checks (base OT, KOS) end with a status round
in which an honest party that detected a deviation tells everyone, so that every honest
party aborts, not only the one that saw it.
"""
from __future__ import annotations

import asyncio
import hashlib
import secrets
from typing import Callable, Optional, Sequence

from gmpy2 import mpz

from ..codec import decode_vector, encode_vector, expect_bytes
from ..errors import BroadcastInconsistency, CommitmentMismatch, MPCAbort
from ..preprocessing import _PREP_LABEL_BASE
from ..prg import prg_elements
from ..transport import OFFLINE_PHASE
from .errors import STATUS_CODES

_HASH = 32


def commit(payload: bytes, nonce: bytes) -> bytes:
    return hashlib.sha256(b"mascot-commit|" + nonce + payload).digest()


class PrepWire:
    """Mixin: needs self.transport, self.field, self.pid, self.m and self.alpha."""

    def _init_wire(self) -> None:
        self._labels = 0
        self._transcript = hashlib.sha256(b"mascot-broadcast-transcript")

    # hooks ----------------------------------------------------------------------
    def _outgoing(self, step: str, peer: int, payload: bytes) -> bytes:
        """Every message this party sends, just before it leaves (identity)."""
        return payload

    def _check_sigma(self, step: str, sigma: mpz) -> mpz:
        """This party's MAC-check value before it is committed (identity)."""
        return sigma

    # plumbing ----------------------------------------------------------------------
    def _label(self) -> int:
        self._labels += 1
        return _PREP_LABEL_BASE - (1 << 32) - self._labels

    @property
    def peers(self) -> list[int]:
        return [p for p in range(self.m) if p != self.pid]

    def _send(self, step: str, peer: int, label: int, payload: bytes) -> bytes:
        """Send (through the hook); returns what was actually sent."""
        t = self.transport
        out = self._outgoing(step, peer, payload)
        with t.in_phase(OFFLINE_PHASE):
            t.send(peer, label, out)
        return out

    async def _recv_all(self, label: int, peers: Sequence[int]) -> dict[int, bytes]:
        got = await asyncio.gather(*(self.transport.recv(p, label) for p in peers))
        return dict(zip(peers, got))

    async def _exchange(self, step: str, payload_for: Callable[[int], bytes],
                        sent: Optional[dict] = None) -> dict[int, bytes]:
        """One round: a (possibly different) payload to every peer, one message from each."""
        label = self._label()
        for p in self.peers:
            out = self._send(step, p, label, payload_for(p))
            if sent is not None:
                sent[p] = out
        self.transport.stats.round(OFFLINE_PHASE)
        return await self._recv_all(label, self.peers)

    async def _broadcast(self, step: str, payload: bytes, size: int) -> list[bytes]:
        """Everyone sends the same payload to everyone; the values enter the transcript
        (this party's own entry is what it actually sent)."""
        sent: dict[int, bytes] = {}
        got = await self._exchange(step, lambda p: payload, sent)
        own = sent[self.peers[0]]
        out = []
        for p in range(self.m):
            data = own if p == self.pid else expect_bytes(got[p], size, step, p)
            out.append(data)
            self._transcript.update(step.encode() + p.to_bytes(4, "little") + data)
        return out

    async def _broadcast_vector(self, step: str, values: list[mpz]) -> list[list[mpz]]:
        f = self.field
        raw = await self._broadcast(step, encode_vector(f, values), len(values) * f.nbytes)
        return [values if p == self.pid else decode_vector(f, raw[p], len(values), p)
                for p in range(self.m)]

    # randomness -----------------------------------------------------------------------
    async def _coin(self, step: str) -> bytes:
        """32 jointly random bytes (commit, then reveal)."""
        seed, nonce = secrets.token_bytes(32), secrets.token_bytes(32)
        cms = await self._broadcast(step + "/commit", commit(seed, nonce), _HASH)
        rvs = await self._broadcast(step + "/reveal", seed + nonce, 64)
        for p, (cm, rv) in enumerate(zip(cms, rvs)):
            if commit(rv[:32], rv[32:]) != cm:
                raise CommitmentMismatch(f"party {p} revealed a coin-toss seed it did not commit to")
        return hashlib.sha256(b"mascot-coin|" + b"".join(r[:32] for r in rvs)).digest()

    def _coeffs(self, seed: bytes, label: bytes, n: int) -> list[mpz]:
        return prg_elements(self.field, seed, label, n)

    # checks ---------------------------------------------------------------------------
    async def _status(self, step: str, failure: Optional[MPCAbort]) -> None:
        """Tell everyone whether a pairwise check failed here; abort if anyone reports one."""
        code = 0
        if failure is not None:
            code = next((c for c, cls in STATUS_CODES.items() if isinstance(failure, cls)), 255)
        got = await self._exchange(step, lambda p: bytes([code]))
        if failure is not None:
            raise failure
        for p in self.peers:
            data = expect_bytes(got[p], 1, step, p)
            if data[0]:
                cls = STATUS_CODES.get(data[0], MPCAbort)
                raise cls(f"party {p} reported that its check against another party failed")

    async def _mac_check(self, step: str, values: list[mpz], macs: list[mpz], failure: type,
                         coin: bool = True) -> None:
        """Verify opened `values` against this party's MAC shares `macs` (batched by random
        coefficients from a coin toss unless coin=False for a single, already random value;
        each party's check value is committed before any is revealed)."""
        f = self.field
        q = f.q
        if coin:
            seed = await self._coin(step + "/coin")
            coeffs = self._coeffs(seed, step.encode(), len(values))
        else:
            coeffs = [mpz(1)] * len(values)
        opened = f.dot(coeffs, values)
        sigma = (f.dot(coeffs, macs) - self.alpha * opened) % q
        sigma = self._check_sigma(step, sigma)
        digest = self._transcript.digest()
        nonce = secrets.token_bytes(32)
        body = encode_vector(f, [sigma]) + digest
        cms = await self._broadcast(step + "/commit", commit(body, nonce), _HASH)
        rvs = await self._exchange(step + "/reveal", lambda p: body + nonce)
        total = sigma
        w = f.nbytes
        for p in self.peers:
            rv = expect_bytes(rvs[p], w + _HASH + 32, step, p)
            if commit(rv[:w + _HASH], rv[w + _HASH:]) != cms[p]:
                raise CommitmentMismatch(f"party {p} revealed a check value it did not commit to ({step})")
            if rv[w:w + _HASH] != digest:
                raise BroadcastInconsistency(f"party {p} saw different broadcast values ({step})")
            total += decode_vector(f, rv[:w], 1, p)[0]
        if total % q:
            raise failure(f"{step}: {len(values)} values inconsistent with their MACs")
