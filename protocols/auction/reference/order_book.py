"""Incremental order book for the one-slot auction loop: O((n + m) log(n + m)) for a whole slot.

The spec's loop (see :mod:`protocols.auction.reference.slot_literal`) re-sorts every round. Here the
buyers and sellers are sorted once (their prices never change within a slot); removals
only delete entries, so the ranked lists stay sorted as doubly linked lists. The breakeven
index k is kept as a pair of pointers (the k-th buyer and k-th seller). Because bid - ask
along the ranked lists is non-increasing, walking up while the (k+1)-th pair holds gives
exactly the spec's k, provided the walk starts at a rank where the pair holds. It does:
a round removes one buyer and r sellers, all of rank <= k, and after it every new rank
i <= k - max(1, r) pairs an old buyer and an old seller of ranks <= k, so B'[i] >= S'[i];
the pointers land on rank k - max(1, r) after the removals. Each round therefore moves
the pointers down by max(1, r) and up by the walk, O(n + m) steps for the whole slot.

Finding eligible sellers (quality >= the winner's) among the candidates uses a max
segment tree over seller positions; drawing a uniformly random candidate (DADPM) uses a
Fenwick tree of alive flags.
"""

from __future__ import annotations

from typing import Sequence

from protocols.auction.market_file import Market
from protocols.auction.reference.winner_determination import ValidPrices, valid_prices


class RankedList:
    """Entries 0..n-1 in rank order as a doubly linked list with head/tail sentinels,
    plus an optional Fenwick tree of alive flags for selection by rank."""

    def __init__(self, n: int, with_fenwick: bool = False) -> None:
        self.n = n
        self.head, self.tail = n, n + 1
        self.next = list(range(1, n + 1)) + [0, n + 1]
        self.prev = list(range(-1, n - 1)) + [n, n - 1]
        if n:
            self.next[n - 1] = n + 1
            self.prev[0] = n
        else:
            self.next[n] = n + 1
            self.prev[n + 1] = n
        self.alive = n
        self.fenwick: list[int] | None = None
        if with_fenwick:
            tree = [0] * (n + 1)
            for i in range(1, n + 1):
                tree[i] += 1
                parent = i + (i & -i)
                if parent <= n:
                    tree[parent] += tree[i]
            self.fenwick = tree

    def first(self) -> int:
        return self.next[self.head]

    def remove(self, i: int) -> None:
        p, q = self.prev[i], self.next[i]
        self.next[p] = q
        self.prev[q] = p
        self.alive -= 1
        tree = self.fenwick
        if tree is not None:
            j = i + 1
            while j <= self.n:
                tree[j] -= 1
                j += j & -j

    def count_upto(self, i: int) -> int:
        """Number of alive entries at positions 0..i (needs the Fenwick tree)."""
        tree = self.fenwick
        assert tree is not None
        total, j = 0, i + 1
        while j > 0:
            total += tree[j]
            j -= j & -j
        return total

    def select(self, rank: int) -> int:
        """Entry of the given 1-based rank among alive entries (needs the Fenwick tree)."""
        tree = self.fenwick
        assert tree is not None
        pos, step = 0, 1 << self.n.bit_length()
        while step:
            nxt = pos + step
            if nxt <= self.n and tree[nxt] < rank:
                pos = nxt
                rank -= tree[nxt]
            step >>= 1
        return pos  # largest prefix with fewer alive than rank: the entry is the next one, 0-based pos


class MaxTree:
    """Segment tree of integer values with 'first index in [lo, hi] whose value >= q'."""

    def __init__(self, values: Sequence[int], floor: int) -> None:
        size = 1
        while size < max(1, len(values)):
            size <<= 1
        self.size, self.floor = size, floor
        tree = [floor] * (2 * size)
        tree[size : size + len(values)] = values
        for i in range(size - 1, 0, -1):
            tree[i] = max(tree[2 * i], tree[2 * i + 1])
        self.tree = tree

    def clear(self, i: int) -> None:
        tree = self.tree
        i += self.size
        tree[i] = self.floor
        i >>= 1
        while i:
            tree[i] = max(tree[2 * i], tree[2 * i + 1])
            i >>= 1

    def first_at_least(self, lo: int, hi: int, q: int) -> int:
        """Smallest index i in [lo, hi] with value >= q, or -1."""
        if lo > hi:
            return -1
        tree, size = self.tree, self.size
        i, j = lo + size, hi + size + 1
        lefts, rights = [], []
        while i < j:
            if i & 1:
                lefts.append(i)
                i += 1
            if j & 1:
                j -= 1
                rights.append(j)
            i >>= 1
            j >>= 1
        for node in lefts + rights[::-1]:
            if tree[node] >= q:
                while node < size:
                    node = 2 * node if tree[2 * node] >= q else 2 * node + 1
                return node - size
        return -1


class SlotBook:
    """State of one slot: ranked buyers and sellers, sellers' remaining and sold units,
    and the breakeven pointers. Indices are positions in the initial ranked order."""

    def __init__(self, market: Market, with_fenwick: bool = False) -> None:
        self.buyers = sorted(market.buyers, key=lambda b: (-b.bid, b.id))
        self.sellers = sorted(market.sellers, key=lambda s: (s.ask, s.id))
        self.bids = [b.bid for b in self.buyers]
        self.asks = [s.ask for s in self.sellers]
        self.blist = RankedList(len(self.buyers), with_fenwick)
        self.slist = RankedList(len(self.sellers), with_fenwick)
        self.remaining = [s.quantity for s in self.sellers]
        self.sold = [0] * len(self.sellers)
        qualities = [s.quality for s in self.sellers]
        floor = min(qualities + [b.quality for b in self.buyers], default=0) - 1
        self.quality_tree = MaxTree(qualities, floor)
        # Breakeven pointers: the entries of rank k on each side (the head sentinel for k = 0)
        # and their current ranks, which differ only between a removal and the next walk.
        self.kb, self.ks = self.blist.head, self.slist.head
        self.rank_b = self.rank_s = 0

    # --- removal keeps the breakeven pointers on alive entries (or the head sentinel) ---
    def remove_buyer(self, i: int) -> None:
        """Remove buyer i, which must have rank <= k (every candidate has)."""
        if i == self.kb:
            self.kb = self.blist.prev[i]
        self.rank_b -= 1
        self.blist.remove(i)

    def remove_seller(self, j: int) -> None:
        """Remove seller j, which must have rank <= k (every candidate has)."""
        if j == self.ks:
            self.ks = self.slist.prev[j]
        self.rank_s -= 1
        self.slist.remove(j)
        self.quality_tree.clear(j)

    def breakeven(self) -> int:
        """Move the pointers to the spec's breakeven index k and return it."""
        bprev, sprev = self.blist.prev, self.slist.prev
        while self.rank_b > self.rank_s:
            self.kb = bprev[self.kb]
            self.rank_b -= 1
        while self.rank_s > self.rank_b:
            self.ks = sprev[self.ks]
            self.rank_s -= 1
        kb, ks, k = self.kb, self.ks, self.rank_b
        bids, asks = self.bids, self.asks
        # The pair at the starting rank holds (module docstring); a failure here means a
        # removal broke the rule "only candidates leave", and k would be wrong.
        assert k == 0 or bids[kb] >= asks[ks], "breakeven pointers start on a failing pair"
        bnext, snext = self.blist.next, self.slist.next
        btail, stail = self.blist.tail, self.slist.tail
        while True:
            nb, ns = bnext[kb], snext[ks]
            if nb == btail or ns == stail or bids[nb] < asks[ns]:
                break
            kb, ks, k = nb, ns, k + 1
        self.kb, self.ks, self.rank_b, self.rank_s = kb, ks, k, k
        return k

    def round_prices(self) -> tuple[ValidPrices, int, int] | None:
        """Valid prices of this round and the last candidate buyer/seller entries, or None
        when the loop stops (no active side, k = 0, or no candidates after reduction)."""
        if self.blist.alive == 0 or self.slist.alive == 0:
            return None
        k = self.breakeven()
        if k == 0:
            return None
        nb, ns = self.blist.next[self.kb], self.slist.next[self.ks]
        prices = valid_prices(
            k,
            self.bids[self.kb],
            self.asks[self.ks],
            self.bids[nb] if nb != self.blist.tail else None,
            self.asks[ns] if ns != self.slist.tail else None,
        )
        if prices.count == 0:
            return None
        if prices.reduced:
            return prices, self.blist.prev[self.kb], self.slist.prev[self.ks]
        return prices, self.kb, self.ks

    def next_eligible(self, start: int, last_candidate: int, quality: int) -> int:
        """First alive seller at position >= start and <= last_candidate whose quality is at
        least ``quality``, or -1."""
        return self.quality_tree.first_at_least(start, last_candidate, quality)

    def give(self, j: int, needed: int) -> tuple[int, int]:
        """Seller j gives min(remaining, needed) units; returns (units, start pointer) and
        removes the seller when it has nothing left."""
        given = min(self.remaining[j], needed)
        start = self.sold[j]
        self.remaining[j] -= given
        self.sold[j] += given
        if self.remaining[j] == 0:
            self.remove_seller(j)
        return given, start
