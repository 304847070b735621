"""Benchmark of the private auctions with input-only bidders: time, bytes and rounds
versus the number of bidders and of price levels.

* uniform-price clearing (sugar-beet format): random monotone curves, half buyers and
  half sellers, (a) bidders varied at a fixed number of levels, (b) levels varied at a
  fixed number of bidders;
* private DANTM (both pricings' cost is alike; "uniform" pricing is measured) with 2..8
  bidders per side.

These runs use the in-memory transport (all parties and bidders in one process, so time
is the sum of every party's work on one core). Bytes and rounds are party 0's (each party
sends about as much). ``--scale NxL`` additionally runs the real multi-process CLI
(three computing parties through MPyC's launcher, bidders over TCP) on one random
uniform-price market with N bidders and L levels and records its wall time.

    python -m benchmarks.auction_private --json out.json --plot out.png [--quick] [--scale 5000x100]

Measured here on a quiet moment: the in-memory sweep takes about a minute (1,000 bidders ×
100 levels: 7.0 s, 23.7 MB and 363 rounds at party 0; DANTM with 8+8 bidders: 1.6 s, 298
rounds); ``--scale 5000x100`` took 31.5 s for the whole three-process command, equal to the
plaintext reference. Rounds hardly grow with the bidders: they are dominated by the
33 sequential comparisons of the rationing ratio and the ⌈log2(L+1)⌉ binary-search probes.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time

from protocols.auction.market_file import Buyer, Market, Seller
from protocols.auction.private.local import run_local
from protocols.auction.reference.uniform_price import clear_uniform, random_uniform_market, uniform_market_to_dict


def measure(mechanism: str, market, **kwargs) -> dict:
    t0 = time.perf_counter()
    servers, bidders = run_local(mechanism, market, window=600.0, timeout=120.0, **kwargs)
    elapsed = time.perf_counter() - t0
    for s in servers:
        if isinstance(s, BaseException):
            raise s
    traffic = servers[0]["traffic"]
    return {"seconds": elapsed, "bytes": traffic["bytes"], "rounds": traffic["rounds"],
            "messages": traffic["messages"], "stages": servers[0]["stages"],
            "result": servers[0]["result"], "bidders_ok": sum(b["status"] == "accepted" for b in bidders)}


def uniform_row(n: int, levels: int, seed: int) -> dict:
    m = random_uniform_market(n // 2, n - n // 2, levels, random.Random(seed))
    row = measure("uniform", m)
    assert row["result"]["price"] == clear_uniform(m).price
    row.update(mechanism="uniform", bidders=n, levels=levels)
    return row


def dantm_row(per_side: int, seed: int) -> dict:
    rng = random.Random(seed)
    m = Market(tuple(Buyer(f"b{i}", rng.randint(1, 100), rng.randint(1, 3), rng.randint(1, 10)) for i in range(per_side)),
               tuple(Seller(f"s{i}", rng.randint(1, 100), rng.randint(1, 4), rng.randint(1, 10)) for i in range(per_side)))
    row = measure("dantm", m, pricing="uniform")
    row.update(mechanism="dantm", bidders=2 * per_side, levels=None, trades=len(row["result"]["trades"]))
    del row["result"]
    return row


def scale_run(n: int, levels: int, seed: int) -> dict:
    """The real CLI: 3 processes via MPyC's launcher, bidders over TCP."""
    m = random_uniform_market(n // 2, n - n // 2, levels, random.Random(seed))
    with tempfile.TemporaryDirectory() as tmp:
        market_file = os.path.join(tmp, "market.json")
        out = os.path.join(tmp, "out.json")
        with open(market_file, "w") as fh:
            json.dump(uniform_market_to_dict(m), fh)
        cmd = [sys.executable, "-m", "protocols.auction.run", "-M3", "--no-log", "--market", market_file,
               "--mechanism", "uniform", "--json", out, "--timeout", "300"]
        t0 = time.perf_counter()
        subprocess.run(cmd, check=True)
        wall = time.perf_counter() - t0
        with open(out) as fh:
            got = json.load(fh)
    ref = clear_uniform(m)
    return {"bidders": n, "levels": levels, "command_seconds": wall, "session_seconds": got["wall_seconds"],
            "stages": got["stages"], "bytes_party0": got["traffic"]["bytes"], "rounds": got["traffic"]["rounds"],
            "equals_reference": got["bidders"] == ref.allocations and got["result"]["price"] == ref.price}


def plot(rows: list[dict], path: str) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 3, figsize=(15, 4.2))
    by_n = sorted((r for r in rows if r["mechanism"] == "uniform" and r["series"] == "bidders"), key=lambda r: r["bidders"])
    by_l = sorted((r for r in rows if r["mechanism"] == "uniform" and r["series"] == "levels"), key=lambda r: r["levels"])
    dn = sorted((r for r in rows if r["mechanism"] == "dantm"), key=lambda r: r["bidders"])
    for ax, series, xkey, title in ((axes[0], by_n, "bidders", "uniform price: vs bidders"),
                                     (axes[1], by_l, "levels", "uniform price: vs price levels"),
                                     (axes[2], dn, "bidders", "private DANTM: vs bidders")):
        if not series:
            continue
        xs = [r[xkey] for r in series]
        ax.plot(xs, [r["seconds"] for r in series], "o-", color="tab:blue", label="time (s)")
        ax.set_xlabel(xkey)
        ax.set_ylabel("seconds", color="tab:blue")
        ax2 = ax.twinx()
        ax2.plot(xs, [r["bytes"] / 1e6 for r in series], "s--", color="tab:red", label="MB sent (party 0)")
        ax2.set_ylabel("MB sent by party 0", color="tab:red")
        for x, r in zip(xs, series):
            ax.annotate(f"{r['rounds']} rds", (x, r["seconds"]), fontsize=7, textcoords="offset points", xytext=(0, 5))
        ax.set_title(title)
        if xkey == "bidders" and series is by_n:
            ax.set_xscale("log")
    fig.suptitle("Private auctions, 3 SPDZ parties in one process (in-memory transport); rds = rounds")
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.auction_private", description=__doc__.split("\n\n")[0])
    p.add_argument("--json", required=True, help="write the measurements here")
    p.add_argument("--plot", required=True, help="write a PNG plot here")
    p.add_argument("--quick", action="store_true", help="small sizes only (a smoke run)")
    p.add_argument("--scale", default=None, help="also run the multi-process CLI on NxL (e.g. 5000x100)")
    p.add_argument("--seed", type=int, default=1)
    args = p.parse_args(argv)
    if args.quick:
        bidder_sizes, level_sizes, sides, fixed_l, fixed_n = [10, 40], [5, 20], [2, 3], 10, 20
    else:
        bidder_sizes, level_sizes, sides, fixed_l, fixed_n = [10, 100, 300, 1000], [10, 30, 100, 300], [2, 4, 8], 100, 100
    scale = None
    if args.scale:
        try:
            n_s, l_s = (int(v) for v in args.scale.lower().split("x"))
        except ValueError:
            print("error: --scale expects NxL, e.g. 5000x100", file=sys.stderr)
            return 2
        scale = (n_s, l_s)
    rows = []
    for n in bidder_sizes:
        print(f"uniform price: {n} bidders, {fixed_l} levels ...", flush=True)
        rows.append({**uniform_row(n, fixed_l, args.seed), "series": "bidders"})
        print(f"  {rows[-1]['seconds']:.2f} s, {rows[-1]['bytes']} bytes, {rows[-1]['rounds']} rounds", flush=True)
    for L in level_sizes:
        print(f"uniform price: {fixed_n} bidders, {L} levels ...", flush=True)
        rows.append({**uniform_row(fixed_n, L, args.seed), "series": "levels"})
        print(f"  {rows[-1]['seconds']:.2f} s, {rows[-1]['bytes']} bytes, {rows[-1]['rounds']} rounds", flush=True)
    for k in sides:
        print(f"private DANTM: {k} buyers and {k} sellers ...", flush=True)
        rows.append({**dantm_row(k, args.seed), "series": "bidders"})
        print(f"  {rows[-1]['seconds']:.2f} s, {rows[-1]['bytes']} bytes, {rows[-1]['rounds']} rounds", flush=True)
    report = {"rows": rows, "note": "in-memory transport, 3 parties in one process; bytes/rounds of party 0"}
    if scale:
        print(f"multi-process CLI: {scale[0]} bidders x {scale[1]} levels ...", flush=True)
        report["scale_run"] = scale_run(*scale, args.seed)
        print(f"  {report['scale_run']['command_seconds']:.1f} s", flush=True)
    with open(args.json, "w") as fh:
        json.dump(report, fh, indent=1)
    plot(rows, args.plot)
    print(f"wrote {args.json} and {args.plot}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
