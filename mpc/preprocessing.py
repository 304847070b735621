"""Sources of correlated randomness for the online phase.

A backend hands each party its shares of the MAC key, Beaver triples, input masks
(⟨r⟩ with r known to one party), random bits and random bounded integers. The online
phase only sees authenticated shares and never depends on which backend made them.
Every backend states its trust model in one line (`TRUST_MODEL`), which CLIs print.
"""
from __future__ import annotations

import secrets
import time
from abc import ABC, abstractmethod
from importlib import import_module
from typing import Optional

from gmpy2 import mpz

from .codec import decode_vector, encode_vector, expect_bytes
from .field import PrimeField
from .prg import prg_elements
from .shares import AuthVector, KeyShare
from .transport import OFFLINE_PHASE, Transport

# Labels of preprocessing messages live in their own (negative) space, so they never
# collide with the online phase's step labels.
_PREP_LABEL_BASE = -(1 << 40)


class Preprocessing(ABC):
    """Correlated randomness for one party. All calls are made by every party in the same order."""

    TRUST_MODEL = "unspecified"

    def __init__(self, field: PrimeField, transport: Transport):
        self.field = field
        self.transport = transport
        self.pid = transport.pid
        self.m = transport.m
        self.key: Optional[KeyShare] = None
        self._buffers: dict[tuple, list[AuthVector]] = {}
        self._clear_buffers: dict[tuple, list[mpz]] = {}
        self.consumed: dict[str, int] = {}
        #: wall-clock seconds spent producing material (the offline phase), for reports
        self.offline_seconds = 0.0

    @abstractmethod
    async def setup(self) -> KeyShare:
        """Obtain this party's share of the MAC key; call once before anything else."""

    @abstractmethod
    async def _fetch(self, kind: tuple, n: int) -> tuple[list[AuthVector], Optional[list[mpz]]]:
        """Produce n fresh items of a kind: the shared vectors and, for masks, the owner's clear values."""

    async def _produce(self, kind: tuple, n: int):
        """Run the backend's _fetch, timing it and counting its traffic as offline."""
        t0 = time.perf_counter()
        try:
            with self.transport.in_phase(OFFLINE_PHASE):
                return await self._fetch(kind, n)
        finally:
            self.offline_seconds += time.perf_counter() - t0

    # public API -------------------------------------------------------------
    async def prefetch(self, kind: tuple, n: int) -> None:
        """Produce n items of a kind now, so that later calls cost no preprocessing time."""
        vecs, clear = await self._produce(kind, n)
        self._store(kind, vecs, clear)

    async def triples(self, n: int) -> tuple[AuthVector, AuthVector, AuthVector]:
        """n Beaver triples ⟨a⟩, ⟨b⟩, ⟨c⟩ with c = a·b."""
        a, b, c = (await self._take(("triple",), n))[0]
        return a, b, c

    async def input_masks(self, owner: int, n: int) -> tuple[AuthVector, Optional[list[mpz]]]:
        """n masks ⟨r⟩; the owner also gets r in the clear."""
        vecs, clear = await self._take(("mask", owner), n)
        return vecs[0], clear

    async def random_bits(self, n: int) -> AuthVector:
        """n shared uniform bits in {0, 1}."""
        return (await self._take(("bit",), n))[0][0]

    async def random_bounded(self, n: int, bits: int) -> AuthVector:
        """n shared integers uniform in [0, 2^bits)."""
        if not 0 < bits < self.field.bits - 1:
            raise ValueError(f"bound of {bits} bits does not fit the field")
        return (await self._take(("bounded", bits), n))[0][0]

    # buffering --------------------------------------------------------------
    def _store(self, kind, vecs, clear) -> None:
        buf = self._buffers.get(kind)
        self._buffers[kind] = vecs if buf is None else [AuthVector.concat([b, v]) for b, v in zip(buf, vecs)]
        if clear is not None:
            self._clear_buffers[kind] = self._clear_buffers.get(kind, []) + clear

    async def _take(self, kind: tuple, n: int):
        have = len(self._buffers[kind][0]) if kind in self._buffers else 0
        if have < n:
            vecs, clear = await self._produce(kind, n - have)
            self._store(kind, vecs, clear)
        buf = self._buffers[kind]
        out = [v[:n] for v in buf]
        self._buffers[kind] = [v[n:] for v in buf]
        clear = None
        if kind in self._clear_buffers:
            cb = self._clear_buffers[kind]
            clear, self._clear_buffers[kind] = cb[:n], cb[n:]
        self.consumed[kind[0]] = self.consumed.get(kind[0], 0) + n
        return out, clear


class TrustedDealer(Preprocessing):
    """Trusted dealer hosted by party 0, with PRG-seed compression.

    Party 0's process acts as a dealer: it draws the MAC key and every secret, gives each
    party i a 32-byte seed from which i expands its own shares locally, and sends only the
    last party explicit correcting shares (so that the shares add up). Secrets that are
    merely uniform (the a, b of a triple) cost no traffic at all.

    Trust: the dealer knows every secret and the MAC key, so the session is secure only if
    party 0 is honest and the seeds travel over private channels (use MPyC's --ssl between
    hosts). Active security against any coalition of the other parties holds. For tests
    and benchmarks only; a production deployment needs an MPC preprocessing backend.
    """

    TRUST_MODEL = ("trusted dealer hosted by party 0 (PRG-seeded shares): secure only if "
                   "party 0 is honest and channels are private; for tests and benchmarks only")

    def __init__(self, field: PrimeField, transport: Transport):
        super().__init__(field, transport)
        self.last = self.m - 1
        self._seed: Optional[bytes] = None
        self._all_seeds: Optional[list[bytes]] = None  # dealer only
        self._alpha: Optional[mpz] = None  # dealer only
        self._calls = 0

    def _label(self) -> int:
        self._calls += 1
        return _PREP_LABEL_BASE - self._calls

    async def setup(self) -> KeyShare:
        t0 = time.perf_counter()
        with self.transport.in_phase(OFFLINE_PHASE):
            key = await self._setup()
        self.offline_seconds += time.perf_counter() - t0
        return key

    async def _setup(self) -> KeyShare:
        f, t = self.field, self.transport
        label = self._label()
        if self.pid == 0:
            self._all_seeds = [secrets.token_bytes(32) for _ in range(self.m)]
            self._alpha = f.random(1)[0]
            alphas = [prg_elements(f, s, b"alpha", 1)[0] for s in self._all_seeds]
            alpha_last = (self._alpha - sum(alphas[:self.last])) % f.q
            for peer in range(1, self.m):
                msg = self._all_seeds[peer]
                if peer == self.last:
                    msg += encode_vector(f, [alpha_last])
                t.send(peer, label, msg)
            self._seed = self._all_seeds[0]
            alpha_i = alphas[0]
        else:
            data = await t.recv(0, label)
            if self.pid == self.last:
                seed = expect_bytes(data[:32], 32, "dealer seed", 0)
                alpha_i = decode_vector(f, data[32:], 1, 0)[0]
            else:
                seed = expect_bytes(data, 32, "dealer seed", 0)
                alpha_i = prg_elements(f, seed, b"alpha", 1)[0]
            self._seed = seed
        t.stats.round(OFFLINE_PHASE)
        self.key = KeyShare(f, self.pid, alpha_i)
        return self.key

    # What each kind consists of: names of its secret vectors, and which are free (uniform).
    @staticmethod
    def _layout(kind: tuple) -> tuple[list[str], set[str]]:
        if kind[0] == "triple":
            return ["a", "b", "c"], {"a", "b"}
        return ["x"], set()

    def _seeded(self, seed: bytes, label: bytes, name: str, n: int) -> tuple[list[mpz], list[mpz]]:
        f = self.field
        return (prg_elements(f, seed, label + b"|" + name.encode() + b"|v", n),
                prg_elements(f, seed, label + b"|" + name.encode() + b"|m", n))

    async def _fetch(self, kind: tuple, n: int):
        f, t = self.field, self.transport
        label = self._label()
        tag = repr(kind).encode() + b"|" + str(label).encode()
        names, free = self._layout(kind)
        own = {nm: self._seeded(self._seed, tag, nm, n) for nm in names}
        clear = None
        if kind[0] == "mask" and self.pid == kind[1]:
            clear = prg_elements(f, self._seed, tag + b"|clear", n)

        if self.pid == 0:
            self._deal(kind, tag, names, free, n, label)
        if self.pid == self.last:
            fixed = [nm for nm in names if nm not in free]
            count = n * (len(fixed) + len(names))
            data = decode_vector(f, await t.recv(0, label), count, 0)
            at = 0
            for nm in fixed:
                own[nm] = (data[at:at + n], own[nm][1])
                at += n
            for nm in names:
                own[nm] = (own[nm][0], data[at:at + n])
                at += n
        if self.pid == self.last:
            t.stats.round(OFFLINE_PHASE)
        vecs = [AuthVector(self.key, *own[nm]) for nm in names]
        return vecs, clear

    def _deal(self, kind, tag, names, free, n, label) -> None:
        """Dealer side: compute the secrets and the last party's correcting shares."""
        f, q = self.field, self.field.q
        shares = [{nm: self._seeded(s, tag, nm, n) for nm in names} for s in self._all_seeds]
        secrets_: dict[str, list[mpz]] = {}
        for nm in names:
            if nm in free:
                secrets_[nm] = [sum(col) % q for col in zip(*(sh[nm][0] for sh in shares))]
        if kind[0] == "triple":
            secrets_["c"] = f.mul(secrets_["a"], secrets_["b"])
        elif kind[0] == "mask":
            secrets_["x"] = prg_elements(f, self._all_seeds[kind[1]], tag + b"|clear", n)
        elif kind[0] == "bit":
            secrets_["x"] = [mpz(secrets.randbits(1)) for _ in range(n)]
        elif kind[0] == "bounded":
            secrets_["x"] = [mpz(secrets.randbits(kind[1])) for _ in range(n)]
        else:
            raise ValueError(f"unknown preprocessing kind {kind}")
        others = shares[:self.last]
        out: list[mpz] = []
        for nm in names:
            if nm not in free:
                partial = [sum(col) % q for col in zip(*(sh[nm][0] for sh in others))]
                out.extend(f.sub(secrets_[nm], partial))
        for nm in names:
            partial = [sum(col) % q for col in zip(*(sh[nm][1] for sh in others))]
            out.extend(f.sub(f.scale(self._alpha, secrets_[nm]), partial))
        self.transport.send(self.last, label, encode_vector(f, out))


BACKENDS = {"dealer": TrustedDealer}

# Imported last, for its side effect: mpc.mascot.backend builds on the Preprocessing class
# above and registers BACKENDS["mascot"] itself (so importing either module first works).
import_module(".mascot.backend", __package__)
