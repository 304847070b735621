"""Private uniform-price clearing over SPDZ: the computation of the servers (computing
parties) once the bidders' curves are shared. Plaintext twin: :mod:`.uniform_price`,
whose docstring defines the clearing level, price and rationing rule exactly.

What a bidder sends (``wire_vector``): the L increments of its curve, so that every
curve rebuilt from non-negative increments is monotone — a buyer sends
demand[l] − demand[l+1] (and demand[L−1] last), a seller supply[l] − supply[l−1] (and
supply[0] first). With ``range_bits`` = B each increment travels as B bits and the
servers check the bits (`mpc.bits.check_bits`), so a malicious bidder cannot send a
negative or oversized increment and every aggregate stays within the width the
comparisons declare (`comparison_bits`). Without it (the default at scale, where the
check would cost L·B multiplications per bidder) the servers trust the bidders' software
to send in-range increments, as the 2008 sugar-beet deployment did: a bidder that does
not can shift the aggregate curves by what it sends, and a huge or negative increment
pushes the aggregates outside the declared width, where the comparisons' results are
meaningless (so the published level, price and allocations are). It never learns more
about the other bidders' inputs than the published result: the comparisons still mask
the honest part of every aggregate.

What the servers do:
1. add all increments per side (local), rebuild D(l) and S(l) by suffix/prefix sums (local);
2. binary search over l ∈ [0, L] with one secure comparison S(mid) < D(mid) per probe,
   ⌈log2(L + 1)⌉ probes, opening only each probe's bit (with monotone curves these bits
   are determined by the published level); each bit decides the next probe, so it is
   MAC-checked as it is opened (`Session.open_checked`);
3. ρ = ⌊2^F·V/W⌋ bit by bit (F + 1 comparisons, V/W the short/long side's volume at l*);
4. each rationed bidder's ⌊q·ρ/2^F⌋ (one vectorised product and truncation), sent to that
   bidder only; full-side bidders compute their allocation from their own curve.
Published: the level, the price and the rationed side. Everything opened is MAC-checked
before any result leaves the servers.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Optional, Sequence

from mpc import comparison
from mpc.session import Session
from mpc.shares import AuthVector
from mpc.bits import check_bits, from_bits
from protocols.auction.reference.uniform_price import PRECISION_BITS, QUANTITY_BITS, UniformMarket


def wire_vector(quantities: Sequence[int], side: str) -> list[int]:
    """The increments a bidder sends for its curve (module docstring)."""
    q = list(quantities)
    L = len(q)
    if side == "buyers":
        return [q[l] - (q[l + 1] if l + 1 < L else 0) for l in range(L)]
    return [q[l] - (q[l - 1] if l else 0) for l in range(L)]


def quantity_at(increments: AuthVector, level: int, side: str) -> AuthVector:
    """⟨curve[level]⟩ from shared increments (local)."""
    if side == "buyers":
        return increments[level:].sum()
    return increments[:level + 1].sum()


def input_length(levels: int, range_bits: Optional[int]) -> int:
    return levels * (range_bits or 1)


def comparison_bits(levels: int, bidders: int, range_bits: Optional[int]) -> int:
    """Signed bit length that holds every aggregate curve value the servers compare.

    An honest curve stays below 2^QUANTITY_BITS. With range-checked increments
    (range_bits = B) a bidder's curve value is a sum of at most `levels` increments below
    2^B each, whatever the bidder sends, so the bound also holds for a malicious bidder;
    without the check nothing bounds what a bidder sends (module docstring)."""
    per_bidder = QUANTITY_BITS if not range_bits else max(QUANTITY_BITS, range_bits + levels.bit_length())
    return per_bidder + max(1, bidders).bit_length() + 1


@dataclass
class PrivateUniformOutcome:
    level: int
    price: int
    rationed: str
    private: dict[str, AuthVector]  # rationed bidders' allocations, to be sent to each
    excluded: dict[str, str]

    def public_dict(self) -> dict:
        return {"mechanism": "uniform", "level": self.level, "price": self.price, "rationed": self.rationed}

    def public_bytes(self) -> bytes:
        return json.dumps(self.public_dict(), sort_keys=True).encode()


def _column_sum(s: Session, vectors: list[AuthVector], n: int) -> AuthVector:
    """Σ of many shared vectors of length n, summing columns directly (hot path at scale)."""
    q = s.field.q
    if not vectors:
        return AuthVector.public(s.key, [0] * n)
    vals = [sum(col) % q for col in zip(*(v.values for v in vectors))]
    macs = [sum(col) % q for col in zip(*(v.macs for v in vectors))]
    return AuthVector(s.key, vals, macs)


async def clear_uniform_private(s: Session, market: UniformMarket, inputs: dict[str, AuthVector],
                                range_bits: Optional[int] = None, log=None) -> PrivateUniformOutcome:
    """Run steps 1-4 of the module docstring on the agreed inputs of the bidders of `market`
    (only ids and the price grid of `market` are used: they are public). Bidders missing
    from `inputs` were excluded by the client-input agreement and take no part."""
    say = log or (lambda msg: None)
    L = market.levels
    excluded: dict[str, str] = {}
    if range_bits:
        good = await check_bits(s, inputs)
        for name in sorted(set(inputs) - good):
            excluded[name] = f"increments outside [0, 2^{range_bits}) (bit check failed)"
        inputs = {nm: from_bits(v, range_bits) for nm, v in inputs.items() if nm in good}
    buyers = [b.id for b in market.buyers if b.id in inputs]
    sellers = [x.id for x in market.sellers if x.id in inputs]
    inc_d = _column_sum(s, [inputs[b] for b in buyers], L)
    inc_s = _column_sum(s, [inputs[x] for x in sellers], L)
    demand = [quantity_at(inc_d, l, "buyers") for l in range(L)]
    supply = [quantity_at(inc_s, l, "sellers") for l in range(L)]
    k = comparison_bits(L, len(buyers) + len(sellers), range_bits)
    lo, hi = 0, L
    while lo < hi:
        mid = (lo + hi) // 2
        short = await comparison.less_than(s, supply[mid], demand[mid], k)
        # the probe bit decides the next probe: MAC-checked before it is used
        (bit,) = await s.open_checked(short)
        if bit == 0:  # D(mid) <= S(mid)
            hi = mid
        else:
            lo = mid + 1
    level = min(lo, L - 1)
    rationed = "buyers" if lo == L else "sellers"
    say(f"clearing level {level} (price {market.prices[level]}), {rationed} rationed")
    d, sup = demand[level], supply[level]
    short_v, long_v = (d, sup) if rationed == "sellers" else (sup, d)
    ratio = await _ratio(s, short_v, long_v, k)
    side = sellers if rationed == "sellers" else buyers
    private: dict[str, AuthVector] = {}
    if side:
        q = AuthVector.concat([quantity_at(inputs[nm], level, rationed) for nm in side])
        y = await s.mul(q, AuthVector.concat([ratio] * len(side)))
        alloc = await comparison.trunc(s, y, PRECISION_BITS + k + 2, PRECISION_BITS)
        private = {nm: alloc[i:i + 1] for i, nm in enumerate(side)}
    return PrivateUniformOutcome(level, market.prices[level], rationed, private, excluded)


async def _ratio(s: Session, short: AuthVector, long: AuthVector, k: int) -> AuthVector:
    """⟨⌊2^F·short/long⌋⟩ for 0 ≤ short ≤ long < 2^(k−1), by restoring binary division:
    F + 1 secret bits, each one comparison and one product (nothing is opened).
    If long = 0 every test passes and the result is 2^(F+1) − 1; then every quantity at
    the level is 0, so the allocations are 0 as in the reference."""
    F = PRECISION_BITS
    target = short * (1 << F)
    acc = AuthVector.public(s.key, [0])        # ρ_partial · long
    ratio = AuthVector.public(s.key, [0])
    kk = F + k + 2
    for t in range(F, -1, -1):
        over = await comparison.less_than(s, target, acc + long * (1 << t), kk)
        bit = 1 - over
        acc = acc + (await s.mul(bit, long)) * (1 << t)
        ratio = ratio + bit * (1 << t)
    return ratio
