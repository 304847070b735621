"""Private DANTM over SPDZ: the servers' side of the one-slot data double auction with
secret bids. Plaintext twin: :func:`protocols.auction.reference.slot_literal.literal_dantm`; the
published result is identical (tests/auction_private).

Inputs. Every bidder sends the 32 bits of each of (price, quality + 2^31, quantity − 1)
as an input-only client; the servers check the bits (:mod:`.private_inputs`), so every
value is in range by construction: prices in [0, 2^32), qualities in [−2^31, 2^31),
quantities in [1, 2^32].

Steps (everything on shares; "open" marks the only values revealed):
1. Oblivious sort (:mod:`.private_sort`) of buyers by (−bid, id) and of sellers by
   (ask, id), with the key −bid·2^w + id rank (resp. ask·2^w + id rank), carrying each
   side's values and, for sellers, a one-hot vector of the seller's original position.
2. Static comparison tables on the sorted order: G[i][j] = [bid_i ≥ ask_j] and
   H[i][j] = [quality of seller j ≥ quality of buyer i] (one vectorised comparison).
3. Round t (buyers ranked below t have won earlier — the winner of every round is the top
   remaining buyer, so that set is public): with secret seller activity bits act_j and
   active ranks rank_j = Σ_{j'≤j} act_j', the breakeven index is
   k = Σ_j act_j·[#{active buyers with bid ≥ ask_j} ≥ rank_j] (because bid − ask along the
   ranked lists is non-increasing). B[k], S[k], B[k+1], S[k+1] are picked by secret
   equality tests, McAfee's test gives count = k or k − 1; open [count ≥ 1] (the loop's
   stop condition). Eligible sellers: active, rank ≤ count, quality ≥ the winner's; each
   gives min(remaining, still needed) in rank order. Open per seller id the quantity it
   gives and its position among the serving sellers; if anything was served, open the
   winner's id, whether it was fully served and the prices (uniform: 2·p_b and 2·p_s;
   vickrey: the second candidate bid and the first unused eligible ask or the last
   serving ask). Update remaining quantities and activity bits on shares.
What leaks beyond the result: the number of rounds (a winner without an eligible seller
still ends a round, though its id is not opened). The stop bit and the served amounts,
which decide what the servers compute and open next, are MAC-checked as they are opened
(`Session.open_checked`), so a corrupt server that changes one makes every honest server
abort before anything else is opened; the rest is MAC-checked before the result leaves
the servers.
"""
from __future__ import annotations

from fractions import Fraction
from gmpy2 import mpz

from mpc import comparison
from mpc.session import Session
from mpc.shares import AuthVector
from protocols.auction.market_file import AuctionResult, Market, SellerShare, Trade
from mpc.bits import check_bits, from_bits, to_bits
from mpc.sorting import oblivious_sort
from protocols.auction.reference.winner_determination import PRICINGS

VALUE_BITS = 32
_QUALITY_OFFSET = 1 << (VALUE_BITS - 1)
VALUES_PER_BIDDER = 3 * VALUE_BITS
CMP_BITS = VALUE_BITS + 2


def check_market_ranges(market: Market) -> None:
    """Raise ValueError naming the bidder whose values do not fit the private encoding."""
    for b in list(market.buyers) + list(market.sellers):
        price = b.bid if hasattr(b, "bid") else b.ask
        if not 0 <= price < (1 << VALUE_BITS):
            raise ValueError(f"{b.id}: price must be in [0, 2^{VALUE_BITS})")
        if not -_QUALITY_OFFSET <= b.quality < _QUALITY_OFFSET:
            raise ValueError(f"{b.id}: quality must be in [-2^{VALUE_BITS - 1}, 2^{VALUE_BITS - 1})")
        if not 1 <= b.quantity <= (1 << VALUE_BITS):
            raise ValueError(f"{b.id}: quantity must be in [1, 2^{VALUE_BITS}]")


def bidder_values(market: Market, bidder_id: str) -> list[int]:
    """What bidder `bidder_id` sends: the bits of (price, quality + 2^31, quantity − 1)."""
    for b in market.buyers:
        if b.id == bidder_id:
            return to_bits([b.bid, b.quality + _QUALITY_OFFSET, b.quantity - 1], VALUE_BITS)
    for x in market.sellers:
        if x.id == bidder_id:
            return to_bits([x.ask, x.quality + _QUALITY_OFFSET, x.quantity - 1], VALUE_BITS)
    raise KeyError(bidder_id)


def _prefix(v: AuthVector, inclusive: bool) -> AuthVector:
    """Running sums Σ_{j' ≤ j} (inclusive) or Σ_{j' < j} of a shared vector (local)."""
    f = v.key.field
    q = f.q
    vals, macs = [], []
    sv = sm = mpz(0)
    for x, m in zip(v.values, v.macs):
        if inclusive:
            sv, sm = (sv + x) % q, (sm + m) % q
            vals.append(sv)
            macs.append(sm)
        else:
            vals.append(sv)
            macs.append(sm)
            sv, sm = (sv + x) % q, (sm + m) % q
    return AuthVector(v.key, vals, macs)


def _suffix_exclusive(v: AuthVector) -> AuthVector:
    """Σ_{j' > j} v_j' (local)."""
    rev = AuthVector(v.key, v.values[::-1], v.macs[::-1])
    p = _prefix(rev, inclusive=False)
    return AuthVector(v.key, p.values[::-1], p.macs[::-1])


def _pub(s: Session, values) -> AuthVector:
    return AuthVector.public(s.key, list(values))


async def dantm_private(s: Session, market: Market, inputs: dict[str, AuthVector],
                        pricing: str = "vickrey", log=None) -> tuple[AuctionResult, dict[str, str]]:
    """The published DANTM result over the bidders of `market` present in `inputs`
    (their bit-encoded bids), and the bidders excluded by the range check."""
    if pricing not in PRICINGS:
        raise ValueError(f"pricing must be one of {PRICINGS}")
    say = log or (lambda msg: None)
    good = await check_bits(s, inputs)
    excluded = {nm: "values are not bit-encoded (bit check failed)" for nm in sorted(set(inputs) - good)}
    buyers = [b for b in market.buyers if b.id in good]
    sellers = [x for x in market.sellers if x.id in good]
    nb, ns = len(buyers), len(sellers)
    if nb == 0 or ns == 0:
        await s.mac_check()
        return AuctionResult(pricing, ()), excluded

    def triple(ident: str) -> tuple[AuthVector, AuthVector, AuthVector]:
        v = from_bits(inputs[ident], VALUE_BITS)
        return v[0], v[1] - _QUALITY_OFFSET, v[2] + 1

    bv = [triple(b.id) for b in buyers]
    sv = [triple(x.id) for x in sellers]
    cat = AuthVector.concat
    bid, bq, bn = (cat([t[i] for t in bv]) for i in range(3))
    ask, sq, sn = (cat([t[i] for t in sv]) for i in range(3))

    # 1. sort; id ranks break ties (ids are public and unique)
    w = max(nb, ns).bit_length()
    brank = {b.id: r for r, b in enumerate(sorted(buyers, key=lambda b: b.id))}
    srank = {x.id: r for r, x in enumerate(sorted(sellers, key=lambda x: x.id))}
    key_bits = VALUE_BITS + w + 2
    bkey = bid * (-(1 << w)) + [brank[b.id] for b in buyers]
    skey = ask * (1 << w) + [srank[x.id] for x in sellers]
    _, (bid, bq, bn, bidx) = await oblivious_sort(s, bkey, [bid, bq, bn, _pub(s, range(nb))], key_bits)
    onehot = [_pub(s, [int(i == j) for i in range(ns)]) for j in range(ns)]  # onehot[o][j] = [j == o]
    _, sorted_fields = await oblivious_sort(s, skey, [ask, sq, sn] + onehot, key_bits)
    ask, sq, sn = sorted_fields[:3]
    perm = sorted_fields[3:]  # perm[o][j] = [sorted seller j is original seller o]
    say(f"sorted {nb} buyers and {ns} sellers")

    # 2. static tables, row-major over (buyer i, seller j)
    lt = await comparison.less_than(
        s, cat([bid.repeat(ns), sq.tile(nb)]), cat([ask.tile(nb), bq.repeat(ns)]), CMP_BITS)
    G = 1 - lt[:nb * ns]           # bid_i >= ask_j
    H = 1 - lt[nb * ns:]           # quality_j >= quality_i

    act = _pub(s, [1] * ns)
    remaining = sn
    sold = {x.id: 0 for x in sellers}
    small = max(nb, ns).bit_length() + 3
    trades: list[Trade] = []
    opened_trades = []
    for t in range(nb):
        n_active = nb - t
        rank = _prefix(act, inclusive=True)
        cnt = cat([G[t * ns:][j::ns].sum() for j in range(ns)])
        fails = await comparison.less_than(s, cnt, rank, small)
        cond = await s.mul(act, 1 - fails)
        k = cond.sum()
        # equality tests: e_r = [k = r] (r = 0..n_active), [rank_j = k], [rank_j = k+1]
        eqs = await comparison.equal(
            s, cat([k.tile(n_active + 1), rank, rank]),
            cat([_pub(s, range(n_active + 1)), k.tile(ns), (k + 1).tile(ns)]), small)
        e = eqs[:n_active + 1]
        at_k, at_k1 = eqs[n_active + 1:n_active + 1 + ns], eqs[n_active + 1 + ns:]
        top = bid[t:]  # top[r] is B[r+1]: B[k] = Σ_r e_{r+1}·top[r], B[k+1] = Σ_r e_r·top[r]
        prods = await s.mul(cat([e[1:], e[:n_active], act, act]),
                            cat([top, top, at_k, at_k1]))
        bid_k = prods[:n_active].sum()
        bid_k1 = prods[n_active:2 * n_active].sum()
        sel_k, sel_k1 = prods[2 * n_active:2 * n_active + ns], prods[2 * n_active + ns:]
        has_next_b = 1 - e[n_active:n_active + 1]
        has_next_s = sel_k1.sum()
        prods = await s.mul(cat([sel_k, sel_k1, has_next_b]), cat([ask, ask, has_next_s]))
        ask_k, ask_k1 = prods[:ns].sum(), prods[ns:2 * ns].sum()
        has_next = prods[2 * ns:]
        p2 = bid_k1 + ask_k1          # 2·p0
        mc_lt = await comparison.less_than(s, cat([p2, bid_k * 2]), cat([ask_k * 2, p2]), CMP_BITS + 1)
        inside = await s.mul(1 - mc_lt[0:1], 1 - mc_lt[1:2])
        mcafee = await s.mul(inside, has_next)
        count = k - 1 + mcafee
        # [count < 1], [count < rank_j] and [count < 2] in one comparison
        c_lt = await comparison.less_than(
            s, cat([count, count.tile(ns), count]), cat([_pub(s, [1]), rank, _pub(s, [2])]), small)
        # The stop bit and the served amounts decide what is computed and opened next, so
        # both are MAC-checked before they are used (open_checked).
        (stop,) = await s.open_checked(c_lt[0:1])
        if stop:
            break
        within = 1 - c_lt[1:1 + ns]
        two_or_more = 1 - c_lt[1 + ns:]
        need = bn[t:t + 1]
        cand = await s.mul(act, within)
        elig = await s.mul(cand, H[t * ns:(t + 1) * ns])
        supply_el = await s.mul(elig, remaining)
        before = _prefix(supply_el, inclusive=False)
        rem = need.tile(ns) - before
        lts = await comparison.less_than(s, cat([_pub(s, [0] * ns), remaining]), cat([rem, rem]), CMP_BITS)
        pos, r_lt = lts[:ns], lts[ns:]
        prods = await s.mul(cat([r_lt, elig]), cat([remaining - rem, pos]))
        take = rem + prods[:ns]
        serve = prods[ns:]
        spos = _prefix(serve, inclusive=False)
        prods = await s.mul(cat([serve, serve]), cat([take, spos]))
        given, serve_pos = prods[:ns], prods[ns:]
        # per original seller o: Σ_j perm[o][j]·given_j and ·serve_pos_j
        flat = cat(perm)
        prods = await s.mul(flat.tile(2), cat([given.tile(ns), serve_pos.tile(ns)]))
        given_by_id = cat([prods[o * ns:(o + 1) * ns].sum() for o in range(ns)])
        pos_by_id = cat([prods[ns * ns + o * ns: ns * ns + (o + 1) * ns].sum() for o in range(ns)])
        unused = elig - serve
        total = given.sum()
        remaining = remaining - given
        zs = await comparison.equal(
            s, cat([remaining, _prefix(unused, inclusive=False), _suffix_exclusive(serve), total]),
            cat([_pub(s, [0] * (3 * ns)), need]), CMP_BITS)
        gone, no_unused_before, no_serve_after, full = zs[:ns], zs[ns:2 * ns], zs[2 * ns:3 * ns], zs[3 * ns:]
        prods = await s.mul(cat([unused, serve]), cat([no_unused_before, no_serve_after]))
        first_unused, last_serve = prods[:ns], prods[ns:]
        act = act - (await s.mul(act, gone))
        opened = await s.open_checked(cat([given_by_id, pos_by_id]))
        amounts, order = opened[:ns], opened[ns:]
        served_ids = [o for o in range(ns) if amounts[o] != 0]
        if not served_ids:
            say(f"round {t + 1}: no eligible seller")
            continue
        if pricing == "vickrey":
            second = bid[t + 1:t + 2] if t + 1 < nb else bid[t:t + 1]
            prods = await s.mul(cat([first_unused, last_serve, two_or_more]),
                                cat([ask, ask, second - bid[t:t + 1]]))
            fa, la = prods[:ns].sum(), prods[ns:2 * ns].sum()
            exists = first_unused.sum()
            buyer_num = bid[t:t + 1] + prods[2 * ns:]
            seller_num = la + await s.mul(exists, fa - la)
            denom = 1
        else:
            prods = await s.mul(mcafee.tile(2), cat([p2 - bid_k * 2, p2 - ask_k * 2]))
            buyer_num, seller_num = prods[0:1] + bid_k * 2, prods[1:2] + ask_k * 2
            denom = 2
        # The winner and prices decide nothing the servers do next: they are checked with
        # everything else (the next round's stop bit or the final check) before they are read.
        opened_trades.append((t, served_ids, amounts, order,
                              await s.open(cat([bidx[t:t + 1], full, buyer_num, seller_num])), denom))
    await s.mac_check()
    for t, served_ids, amounts, order, (widx, sat, bp, sp), denom in opened_trades:
        winner = buyers[int(widx)]  # in range: a checked opening of a public index
        shares = []
        for o in sorted(served_ids, key=lambda o: int(order[o])):
            x = sellers[o]
            shares.append(SellerShare(x.id, int(amounts[o]), sold[x.id], Fraction(int(sp), denom)))
            sold[x.id] += int(amounts[o])
        quantity = sum(sh.quantity for sh in shares)
        trades.append(Trade(winner.id, quantity, bool(sat), Fraction(int(bp), denom), tuple(shares)))
        say(f"round {t + 1}: {winner.id} buys {quantity} from {len(shares)} seller(s)")
    return AuctionResult(pricing, tuple(trades)), excluded
