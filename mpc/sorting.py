"""Oblivious sorting of shared (key, payload) vectors by Batcher's odd–even merge sort.

The network's comparators depend only on n, so the order of operations reveals nothing
about the data. All compare-exchanges of one layer run together: one vectorised secure
comparison of the keys and one Beaver multiplication round that swaps keys and every
payload. For n not a power of two the network of the next power of two is used with
the comparators that touch the missing (conceptually +∞) positions left out — such a
comparator would never swap. Depth ⌈log2 n⌉·(⌈log2 n⌉ + 1)/2 layers.
"""
from __future__ import annotations

from . import comparison
from .session import Session
from .shares import AuthVector


def merge_sort_layers(n: int) -> list[list[tuple[int, int]]]:
    """Comparator layers (i, j) with i < j (position i gets the smaller key) for n items."""
    size = 1
    while size < n:
        size *= 2
    layers = []
    p = 1
    while p < size:
        k = p
        while k >= 1:
            layer = []
            for j in range(k % p, size - k, 2 * k):
                for i in range(min(k, size - j - k)):
                    a, b = i + j, i + j + k
                    # Only compare within one block of 2p being merged.
                    if a // (2 * p) == b // (2 * p) and b < n:
                        layer.append((a, b))
            if layer:
                layers.append(layer)
            k //= 2
        p *= 2
    return layers


def _scatter(vec: AuthVector, positions: list[int], new: AuthVector) -> AuthVector:
    values, macs = list(vec.values), list(vec.macs)
    for at, pos in enumerate(positions):
        values[pos] = new.values[at]
        macs[pos] = new.macs[at]
    return AuthVector(vec.key, values, macs)


async def compare_exchange(s: Session, layer: list[tuple[int, int]], key: AuthVector,
                           payloads: list[AuthVector], bits: int) -> tuple[AuthVector, list[AuthVector]]:
    """Apply one layer of comparators: after it key[i] <= key[j] for every (i, j)."""
    lo = [i for i, _ in layer]
    hi = [j for _, j in layer]
    swap = await comparison.less_than(s, key[hi], key[lo], bits)
    fields = [key] + payloads
    diffs = AuthVector.concat([f[hi] - f[lo] for f in fields])
    moved = await s.mul(swap.tile(len(fields)), diffs)
    out, n = [], len(layer)
    for idx, f in enumerate(fields):
        delta = moved[idx * n:(idx + 1) * n]
        f = _scatter(f, lo, f[lo] + delta)
        f = _scatter(f, hi, f[hi] - delta)
        out.append(f)
    return out[0], out[1:]


async def oblivious_sort(s: Session, key: AuthVector, payloads: list[AuthVector],
                         bits: int) -> tuple[AuthVector, list[AuthVector]]:
    """Sort by ascending key (signed `bits`-bit integers, assumed distinct) carrying the payloads."""
    for layer in merge_sort_layers(len(key)):
        key, payloads = await compare_exchange(s, layer, key, payloads, bits)
    return key, payloads
