"""MASCOT preprocessing (Keller–Orsini–Scholl, CCS 2016): dealer-free, actively secure
with abort against any number of statically corrupt parties.

Building blocks (one module each): base OTs on secp256k1 (`baseot`), KOS15 OT extension
with its correlation check (`otext`), COPE for MACs (`cope`), Gilboa products (`triples`),
bulk GF(q) arithmetic on numpy limbs (`fieldvec`), messages, coins and checks (`wire`).

Set-up. Each party draws its MAC-key share α_i locally (nobody ever learns α = Σ α_i). Per
ordered pair it runs 128 base OTs to seed a KOS instance in each direction, then 254
extended OTs in which it chooses the bits of α_i: the seeds of the COPE instance that
lets the other party authenticate values under α_i.

Authentication Π_[[·]] (also Π_Input). A party authenticates a vector x^i (plus one random
entry that masks the check) with COPE towards every other P_j: it obtains t^{ij}, P_j
obtains q^{ij}, q^{ij} + t^{ij} = α_j·x^i, and MAC shares are α_i x^i + Σ_j (t^{ij} + q^{ji}).
Check: coins r; everyone broadcasts y^i = Σ_n r_n x^i_n and the MAC check verifies
y = Σ_i y^i against Σ_n r_n m_n (AuthenticationCheckFailure).

Triples Π_Triple with τ = 3: each party samples a^i ∈ F^{3N}, b^i ∈ F^N; Gilboa products
over KOS OTs give shares of c_k = a_k·b (k = 1..3); "combine" with coins r, r̂:
a = Σ r_k a_k, c = Σ r_k c_k, â = Σ r̂_k a_k, ĉ = Σ r̂_k c_k; authenticate a, b, c, â, ĉ;
"sacrifice" with coins s, e: open ρ_n = s_n a_n − â_n, open Σ_n e_n (s_n c_n − ĉ_n − ρ_n b_n),
which must be 0 (SacrificeFailure); then the MAC check on everything opened
(PreprocessingMacCheckFailure). Only then are (a, b, c) handed out.

Input masks: the owner authenticates random r (Π_Input; others hold value share 0).
Random bits: from a checked triple (a, b, c), open ε = a − b and a² = c + ε·a, MAC-check
both, and set bit = (a/√(a²) + 1)/2 with the canonical root (Tonelli–Shanks, q = BN254
order). Bounded integers in [0, 2^k): Σ_{i<k} 2^i b_i from k such bits, so no party can
push one outside its range (each b_i is a checked bit).

What a party learns: its own shares and MAC shares; values opened during the checks (ρ,
the zero of the sacrifice, y of the authentication, ε and a² of bits), which are uniformly
masked or fixed by the protocol; coins. What a corrupt party controls: its own shares and
inputs to every sub-protocol; every deviation is caught as follows —
  wrong base-OT message / proof            -> BaseOTFailure (at its peer, then everyone)
  inconsistent choice bits in KOS          -> OTExtensionCheckFailure (idem)
  wrong COPE corrections (inconsistent x)  -> AuthenticationCheckFailure
  inconsistent b in Gilboa corrections     -> SacrificeFailure
  wrong share opened in the sacrifice      -> SacrificeFailure / PreprocessingMacCheckFailure
  wrong MAC share in a check               -> PreprocessingMacCheckFailure
  wrong share of ε or a² in bit generation -> PreprocessingMacCheckFailure
  malformed pairwise message               -> MalformedMessage (status round: everyone)
  equivocating a broadcast                 -> BroadcastInconsistency
  revealing other than committed           -> CommitmentMismatch
A corrupt party can also choose its own shares freely (a^i, b^i, r, its α_i): that only
changes which uniformly random secret comes out, never makes c ≠ a·b pass. The KOS check
uses GHASH powers as its random coefficients (see `otext`). Everything is generated in
batches sized from demand (`_batch`: what was asked, at least a minimum that doubles with
use, capped), so a protocol that announces its demand (Session.reserve) pays one batch,
and no output is used before the checks of its whole batch passed.
A selective failure (a deviation that hits only when an honest bit is 1) can leak that
bit with probability of detection 1/2 per bit: MASCOT's analysis (bits of α, of a_k) covers
it. Security is "with abort": a party that equivocates may make some honest parties abort
while others finish, but no honest party ever uses material whose checks did not pass.
The protocol relies on authenticated, private channels between parties.
"""
from __future__ import annotations

import hashlib
import secrets
import time
from typing import Optional

import numpy as np
from gmpy2 import mpz

from ..errors import MalformedMessage, MPCAbort
from ..field import BN254_ORDER, PrimeField
from ..preprocessing import BACKENDS, Preprocessing
from ..shares import AuthVector, KeyShare
from ..transport import OFFLINE_PHASE, Transport
from . import baseot, fieldvec as fv, triples as gilboa
from .cope import CopeReceiver, CopeSender
from .errors import (AuthenticationCheckFailure, BaseOTFailure, BitGenerationFailure,
                     OTExtensionCheckFailure, PreprocessingMacCheckFailure, SacrificeFailure)
from .otext import KAPPA, KOSReceiver, KOSSender, hash_to_key
from .sqrt import sqrt_mod
from .wire import PrepWire

TAU = 3
DOMAIN_COPE_SEEDS = 1


class MascotPreprocessing(PrepWire, Preprocessing):
    """Dealer-free MASCOT preprocessing for one party."""

    TRUST_MODEL = ("MASCOT (OT-based, no dealer): active security with abort against any number of "
                   "statically corrupt parties (dishonest majority; a party that equivocates may make "
                   "only some honest parties abort); assumes authenticated private channels, CDH on "
                   "secp256k1 and AES as PRG and correlation-robust hash (random-oracle model)")

    # Batches grow with use (doubling from MIN to MAX) so small sessions stay cheap and large
    # ones pay few rounds; CHUNK bounds one protocol run (memory ~ 60 KB per triple and peer).
    MIN_BATCH = {"triple": 64, "bit": 64, "mask": 32}
    MAX_BATCH = {"triple": 4096, "bit": 8192, "mask": 4096}
    CHUNK = {"triple": 512, "mask": 4096}

    def __init__(self, field: PrimeField, transport: Transport):
        if field.q != BN254_ORDER:
            raise ValueError("the MASCOT backend works over the BN254 group order only")
        super().__init__(field, transport)
        self._init_wire()
        self.alpha: Optional[mpz] = None
        self.kos_send: dict[int, KOSSender] = {}
        self.kos_recv: dict[int, KOSReceiver] = {}
        self.cope_send: dict[int, CopeSender] = {}
        self.cope_recv: dict[int, CopeReceiver] = {}
        self._produced: dict[str, int] = {}
        self._bit_pool: Optional[AuthVector] = None
        self.generated = {"triple": 0, "bit": 0, "mask": 0}   # incl. triples spent on bits

    # set-up --------------------------------------------------------------------------
    async def setup(self) -> KeyShare:
        t0 = time.perf_counter()
        try:
            with self.transport.in_phase(OFFLINE_PHASE):
                return await self._setup()
        finally:
            self.offline_seconds += time.perf_counter() - t0

    async def _setup(self) -> KeyShare:
        self.alpha = fv.to_mpz(fv.random_field(1))[0]
        self.key = KeyShare(self.field, self.pid, self.alpha)
        await self._base_ots()
        alpha_bits = np.array([(int(self.alpha) >> i) & 1 for i in range(fv.K_BITS)], dtype=np.uint8)
        recv, send = await self._ot_extend("setup/cope-ot", alpha_bits)
        for j in self.peers:
            keys = hash_to_key(recv[j].outputs(), recv[j].first, DOMAIN_COPE_SEEDS)
            self.cope_recv[j] = CopeReceiver(list(alpha_bits), keys)
            q0, q1 = send[j].outputs()
            k0 = hash_to_key(q0, send[j].first, DOMAIN_COPE_SEEDS)
            k1 = hash_to_key(q1, send[j].first, DOMAIN_COPE_SEEDS)
            self.cope_send[j] = CopeSender(list(zip(k0, k1)))
        return self.key

    def _sid(self, sender: int, receiver: int, what: bytes) -> bytes:
        return hashlib.sha256(b"mascot|" + what + b"|%d|%d|%d" % (self.m, sender, receiver)).digest()

    async def _base_ots(self) -> None:
        """128 base OTs per ordered pair; the KOS sender of a pair is the base-OT receiver."""
        secrets_a, first = {}, {}
        for j in self.peers:  # I am the base-OT sender for the instance in which j sends in KOS
            secrets_a[j], first[j] = baseot.sender_first(self._sid(j, self.pid, b"base"))
        got = await self._exchange("base-ot/sender", lambda p: first[p])
        failure: Optional[MPCAbort] = None
        delta = {j: [secrets.randbelow(2) for _ in range(KAPPA)] for j in self.peers}
        reply, chosen = {}, {}
        for j in self.peers:
            try:
                reply[j], chosen[j] = baseot.receiver_choose(self._sid(self.pid, j, b"base"), got[j], delta[j])
            except baseot.BaseOTError as exc:
                failure = failure or BaseOTFailure(f"from party {j}: {exc}")
                reply[j] = b""
        back = await self._exchange("base-ot/receiver", lambda p: reply[p])
        for j in self.peers:
            try:
                pairs = baseot.sender_keys(self._sid(j, self.pid, b"base"), secrets_a[j], first[j],
                                           back[j], KAPPA)
                self.kos_recv[j] = KOSReceiver(pairs)
            except baseot.BaseOTError as exc:
                failure = failure or BaseOTFailure(f"from party {j}: {exc}")
            if j in chosen:
                self.kos_send[j] = KOSSender(delta[j], chosen[j])
        await self._status("base-ot/status", failure)

    async def _ot_extend(self, step: str, choices: np.ndarray):
        """len(choices) OTs with every peer in both directions, KOS-checked."""
        m = len(choices)
        recv, u = {}, {}
        for j in self.peers:
            u[j], recv[j] = self.kos_recv[j].extend(choices)
        got = await self._exchange(step + "/u", lambda p: u[p])
        send, failure = {}, None
        for j in self.peers:
            send[j] = self.kos_send[j].extend(m, got[j])
            if send[j] is None:
                failure = failure or MalformedMessage(f"OT extension message of party {j} has the wrong size")
        seed = await self._coin(step + "/coin")

        def key(sender: int, receiver: int) -> bytes:
            return hashlib.sha256(seed + b"kos|%d|%d" % (sender, receiver)).digest()[:16]

        checks = await self._exchange(step + "/check", lambda p: recv[p].check_values(key(p, self.pid)))
        for j in self.peers:
            if send[j] is not None and not send[j].check(key(self.pid, j), checks[j]):
                failure = failure or OTExtensionCheckFailure(f"party {j} used inconsistent choice bits")
        await self._status(step + "/status", failure)
        return recv, send

    # authentication (Π_[[·]] / Π_Input) -----------------------------------------------
    async def _authenticate(self, step: str, values: list[mpz], inputters: list[int]) -> list[mpz]:
        """MAC shares for `values` (this party's value shares; zeros if it is not an
        inputter). Ends with the random-combination MAC check of the authentication."""
        f, q = self.field, self.field.q
        n = len(values)
        mine = self.pid in inputters
        x = list(values) + fv.to_mpz(fv.random_field(1)) if mine else [mpz(0)] * (n + 1)
        macs = [self.alpha * v % q for v in x]
        out = {}
        if mine:
            xa = fv.from_ints(x)
            for j in self.peers:
                out[j], t = self.cope_send[j].extend(xa)
                macs = [(a + b) % q for a, b in zip(macs, t)]
        got = await self._exchange(step + "/cope", lambda p: out.get(p, b""))
        failure = None
        for j in self.peers:
            if j in inputters:
                qv = self.cope_recv[j].extend(n + 1, got[j])
                if qv is None:
                    failure = failure or MalformedMessage(f"COPE corrections of party {j} are malformed ({step})")
                    continue
                macs = [(a + b) % q for a, b in zip(macs, qv)]
            elif got[j]:
                failure = failure or MalformedMessage(f"party {j} sent COPE corrections out of turn ({step})")
        await self._status(step + "/status", failure)
        seed = await self._coin(step + "/coin")
        r = self._coeffs(seed, b"auth-check", n + 1)
        y_parts = await self._broadcast_vector(step + "/y", [f.dot(r, x)])
        y = sum(v[0] for v in y_parts) % q
        await self._mac_check(step + "/check", [y], [f.dot(r, macs)], AuthenticationCheckFailure, coin=False)
        return macs[:n]

    async def _open(self, step: str, v: AuthVector) -> list[mpz]:
        parts = await self._broadcast_vector(step, list(v.values))
        q = self.field.q
        return [sum(col) % q for col in zip(*parts)]

    # triples -------------------------------------------------------------------------
    async def _triple_chunk(self, N: int) -> tuple[AuthVector, AuthVector, AuthVector]:
        q = self.field.q
        M = N * TAU
        a = fv.random_field(M)                  # column n·τ + k holds a_k of triple n
        b = fv.random_field(N)
        choices = gilboa.choice_bits(a)
        recv, send = await self._ot_extend("triple/ot", choices)
        b_cols = np.repeat(b, TAU, axis=0)
        A, B = fv.to_mpz(a), fv.to_mpz(b)
        c = [A[i] * B[i // TAU] % q for i in range(M)]
        d_out = {}
        for j in self.peers:
            d_out[j], share = gilboa.sender(send[j], b_cols)
            c = [(x + y) % q for x, y in zip(c, share)]
        got = await self._exchange("triple/gilboa", lambda p: d_out[p])
        failure = None
        for j in self.peers:
            share = gilboa.receiver(recv[j], choices, M, got[j])
            if share is None:
                failure = failure or MalformedMessage(f"Gilboa corrections of party {j} are malformed")
                continue
            c = [(x + y) % q for x, y in zip(c, share)]
        await self._status("triple/gilboa/status", failure)
        # combine: two random combinations of the τ products sharing b
        seed = await self._coin("triple/combine")
        r, rh = self._coeffs(seed, b"r", M), self._coeffs(seed, b"rhat", M)

        def comb(coef, vec):
            return [sum(coef[n * TAU + k] * vec[n * TAU + k] for k in range(TAU)) % q for n in range(N)]

        vals = comb(r, A) + B + comb(r, c) + comb(rh, A) + comb(rh, c)
        macs = await self._authenticate("triple/auth", vals, list(range(self.m)))
        av = AuthVector(self.key, vals, macs)
        ta, tb, tc, tah, tch = av.split([N] * 5)
        # sacrifice (ĉ − â·b must match c − a·b scaled by s)
        seed = await self._coin("triple/sacrifice")
        s, e = self._coeffs(seed, b"s", N), self._coeffs(seed, b"e", N)
        rho_v = ta * s - tah
        rho = await self._open("triple/rho", rho_v)
        sigma = tc * s - tch - tb * rho
        z_v = sigma.dot_public(e)
        z = await self._open("triple/zero", z_v)
        if z[0] != 0:
            raise SacrificeFailure(f"a random combination of {N} sacrificed triples opened to {z[0]}, not 0")
        await self._mac_check("triple/mac", rho + z, rho_v.macs + z_v.macs, PreprocessingMacCheckFailure)
        self.generated["triple"] += N
        return ta, tb, tc

    async def _triples(self, n: int) -> list[AuthVector]:
        parts = []
        while n > 0:
            k = min(n, self.CHUNK["triple"])
            parts.append(await self._triple_chunk(k))
            n -= k
        return [AuthVector.concat([p[i] for p in parts]) for i in range(3)]

    # bits and bounded integers ---------------------------------------------------------
    async def _bits(self, n: int) -> AuthVector:
        q = self.field.q
        a, b, c = await self._triples(n)
        eps_v = a - b
        eps = await self._open("bit/eps", eps_v)
        sq_v = c + a * eps
        sq = await self._open("bit/square", sq_v)
        await self._mac_check("bit/mac", eps + sq, eps_v.macs + sq_v.macs, PreprocessingMacCheckFailure)
        inv2 = self.field.inverse(2)
        coef, keep = [], []
        for i, v in enumerate(sq):
            if v == 0:          # a = 0 (probability 1/q): no bit, drop it
                continue
            root = sqrt_mod(v, q)
            if root is None:
                raise BitGenerationFailure(f"opened square {i} has no square root")
            coef.append(self.field.inverse(root) * inv2 % q)
            keep.append(i)
        bits = a[keep] * coef + inv2
        self.generated["bit"] += len(keep)
        if len(keep) < n:
            bits = AuthVector.concat([bits, await self._bits(n - len(keep))])
        return bits

    async def _take_bits(self, n: int) -> AuthVector:
        have = len(self._bit_pool) if self._bit_pool is not None else 0
        if have < n:
            fresh = await self._bits(self._batch("bit", n - have))
            self._bit_pool = fresh if self._bit_pool is None else AuthVector.concat([self._bit_pool, fresh])
        out, self._bit_pool = self._bit_pool[:n], self._bit_pool[n:]
        return out

    # masks ---------------------------------------------------------------------------
    async def _masks(self, owner: int, n: int) -> tuple[AuthVector, Optional[list[mpz]]]:
        parts, clear = [], []
        while n > 0:
            k = min(n, self.CHUNK["mask"])
            r = fv.to_mpz(fv.random_field(k)) if self.pid == owner else [mpz(0)] * k
            macs = await self._authenticate(f"mask/{owner}", r, [owner])
            parts.append(AuthVector(self.key, r, macs))
            clear += r
            n -= k
        self.generated["mask"] += len(clear)
        return AuthVector.concat(parts), (clear if self.pid == owner else None)

    # the Preprocessing interface --------------------------------------------------------
    def _batch(self, kind: str, n: int) -> int:
        """Demand n now; produce more if this kind is used a lot (doubling, capped)."""
        done = self._produced.get(kind, 0)
        size = max(n, min(self.MAX_BATCH[kind], max(self.MIN_BATCH[kind], done)))
        self._produced[kind] = done + size
        return size

    async def _fetch(self, kind: tuple, n: int):
        if self.key is None:
            raise RuntimeError("call setup() first")
        if kind[0] == "triple":
            return list(await self._triples(self._batch("triple", n))), None
        if kind[0] == "mask":
            vec, clear = await self._masks(kind[1], self._batch("mask", n))
            return [vec], clear
        if kind[0] == "bit":
            return [await self._take_bits(n)], None
        if kind[0] == "bounded":
            k = kind[1]
            bits = await self._take_bits(n * k)
            acc = bits[0:n] * 1
            for i in range(1, k):
                acc = acc + bits[i * n:(i + 1) * n] * (1 << i)
            return [acc], None
        raise ValueError(f"unknown preprocessing kind {kind}")


BACKENDS["mascot"] = MascotPreprocessing
