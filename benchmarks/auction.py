"""Benchmark of the one-slot data double auctions (analogues of the IoT-data seed's Figs. 6-8).

For a number of bidders n from 10 to 10^5 (half buyers, half sellers) it draws random
markets — bids and asks uniform on 1..100, quantities uniform on 1..10, buyer quality
levels 1..3 and seller levels 1..5 (most sellers can serve most buyers, as in the seed's
setting) — and measures for DANTM (seed pricing "vickrey" and "uniform") and DADPM
(epsilon = 0.1 by default):

* time per slot (wall clock of the mechanism only, market generation excluded);
* social welfare per bidder: sum over trades of (bid - ask) * units, divided by n;
* budget per bidder: the auctioneer's surplus sum(buyer payments) - sum(seller receipts)
  (the seed's eq. 6), divided by n; weak budget balance means it is never negative.

    python -m benchmarks.auction --json out.json --plot out.png [--max-bidders N] [--repeats R]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from fractions import Fraction

from mpc.cli import (PLOT_SUFFIXES, ArgumentParser, bounded_float, bounded_int, check_output_path, guarded,
                     write_json_file)
from protocols.auction.reference.dadpm import run_dadpm
from protocols.auction.reference.dantm import MAX_EPSILON, run_dantm
from protocols.auction.market_file import AuctionResult, Buyer, Market, Seller

SIZES = [10, 30, 100, 300, 1000, 3000, 10_000, 30_000, 100_000]
MECHANISMS = ("dantm-vickrey", "dantm-uniform", "dadpm")


def random_market(n: int, rng: random.Random) -> Market:
    """n bidders, half buyers (quality 1..3) and half sellers (quality 1..5)."""
    half = n // 2
    buyers = tuple(Buyer(f"b{i}", rng.randint(1, 100), rng.randint(1, 3), rng.randint(1, 10)) for i in range(n - half))
    sellers = tuple(Seller(f"s{i}", rng.randint(1, 100), rng.randint(1, 5), rng.randint(1, 10)) for i in range(half))
    return Market(buyers, sellers)


def welfare_and_budget(market: Market, result: AuctionResult) -> tuple[Fraction, Fraction]:
    bids = {b.id: b.bid for b in market.buyers}
    asks = {s.id: s.ask for s in market.sellers}
    welfare = budget = Fraction(0)
    for t in result.trades:
        budget += t.buyer_price * t.quantity
        for s in t.sellers:
            welfare += (bids[t.buyer] - asks[s.seller]) * s.quantity
            budget -= s.seller_price * s.quantity
    return welfare, budget


def run(sizes: list[int], repeats_for, epsilon: float, seed: int) -> list[dict]:
    rows = []
    rng = random.Random(seed)
    for n in sizes:
        repeats = repeats_for(n)
        samples: dict[str, dict[str, list[float]]] = {m: {"time": [], "welfare": [], "budget": []} for m in MECHANISMS}
        for _ in range(repeats):
            market = random_market(n, rng)
            for mech in MECHANISMS:
                start = time.perf_counter()
                if mech == "dadpm":
                    result = run_dadpm(market, epsilon, random.Random(rng.getrandbits(64)))
                else:
                    result = run_dantm(market, mech.split("-")[1])
                elapsed = time.perf_counter() - start
                welfare, budget = welfare_and_budget(market, result)
                if budget < 0:
                    raise AssertionError(f"{mech}: negative budget {budget} at n={n}")
                samples[mech]["time"].append(elapsed)
                samples[mech]["welfare"].append(float(welfare) / n)
                samples[mech]["budget"].append(float(budget) / n)
        for mech in MECHANISMS:
            row = {"mechanism": mech, "bidders": n, "repeats": repeats,
                   "time_ms_mean": 1000 * statistics.fmean(samples[mech]["time"]),
                   "time_ms_max": 1000 * max(samples[mech]["time"]),
                   "welfare_per_bidder": statistics.fmean(samples[mech]["welfare"]),
                   "budget_per_bidder": statistics.fmean(samples[mech]["budget"])}
            rows.append(row)
            print(f"n={n:>6} {mech:<14} time {row['time_ms_mean']:9.2f} ms (max {row['time_ms_max']:.2f})"
                  f"  welfare/bidder {row['welfare_per_bidder']:8.2f}  budget/bidder {row['budget_per_bidder']:7.3f}",
                  flush=True)
    return rows


def plot(rows: list[dict], path: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 3, figsize=(15, 4.2))
    for mech in MECHANISMS:
        mine = [r for r in rows if r["mechanism"] == mech]
        xs = [r["bidders"] for r in mine]
        axes[0].plot(xs, [r["time_ms_mean"] for r in mine], marker="o", label=mech)
        axes[1].plot(xs, [r["welfare_per_bidder"] for r in mine], marker="o", label=mech)
        axes[2].plot(xs, [r["budget_per_bidder"] for r in mine], marker="o", label=mech)
    axes[0].set(xscale="log", yscale="log", xlabel="bidders", ylabel="time per slot (ms)", title="Time (cf. seed Fig. 8)")
    axes[1].set(xscale="log", xlabel="bidders", ylabel="social welfare per bidder", title="Social welfare (cf. Fig. 7)")
    axes[2].set(xscale="log", xlabel="bidders", ylabel="auctioneer budget per bidder", title="Budget (cf. Fig. 6)")
    axes[2].set_yscale("symlog", linthresh=0.01)  # uniform budgets shrink to ~0, vickrey stays large
    for ax in axes:
        ax.grid(True, which="both", alpha=0.3)
        ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)


@guarded
def main(argv: list[str] | None = None) -> int:
    parser = ArgumentParser(prog="python -m benchmarks.auction", description=__doc__,
                            formatter_class=argparse.RawDescriptionHelpFormatter,
                            epilog="Exit status: 0 success, 2 bad usage (one line naming the option).")
    parser.add_argument("--json", required=True, help="where to write the measured rows")
    parser.add_argument("--plot", required=True, help="where to write the PNG plot")
    parser.add_argument("--max-bidders", type=bounded_int(SIZES[0], SIZES[-1]), default=SIZES[-1],
                        help=f"largest market size, {SIZES[0]}..{SIZES[-1]} (default {SIZES[-1]})")
    parser.add_argument("--repeats", type=bounded_int(1, 1000), default=20,
                        help="markets per size below 10^4, 1..1000 (default 20; larger sizes use 3)")
    parser.add_argument("--epsilon", type=bounded_float(0.0, MAX_EPSILON, what="a privacy parameter"), default=0.1,
                        help=f"DADPM epsilon, in (0, {MAX_EPSILON:g}] (default 0.1)")
    parser.add_argument("--seed", type=bounded_int(0, 2**64 - 1, "a seed"), default=1,
                        help="seed of the market generator (default 1)")
    args = parser.parse_args(argv)
    check_output_path(args.json, "--json")
    check_output_path(args.plot, "--plot", PLOT_SUFFIXES)
    sizes = [n for n in SIZES if n <= args.max_bidders]
    rows = run(sizes, lambda n: args.repeats if n < 10_000 else min(args.repeats, 3), args.epsilon, args.seed)
    write_json_file(args.json, "--json",
                    {"epsilon": args.epsilon, "seed": args.seed, "python": sys.version.split()[0], "rows": rows})
    plot(rows, args.plot)
    print(f"wrote {args.json} and {args.plot}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
