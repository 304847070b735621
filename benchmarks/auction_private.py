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

import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from mpc.cli import PLOT_SUFFIXES, ArgumentParser, CliError, bounded_int, check_output_path, guarded, write_json_file
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


REPO = Path(__file__).resolve().parents[1]


def scale_run(n: int, levels: int, seed: int, preprocessing: str = "mascot") -> dict:
    """The real CLI: 3 processes via MPyC's launcher, bidders over TCP (absolute paths and
    the repository as working folder, so the run does not depend on where this was started)."""
    sys.path.insert(0, str(REPO))
    from tests.conftest import free_base_port

    m = random_uniform_market(n // 2, n - n // 2, levels, random.Random(seed))
    with tempfile.TemporaryDirectory() as tmp:
        market_file = os.path.join(tmp, "market.json")
        out = os.path.join(tmp, "out.json")
        with open(market_file, "w") as fh:
            json.dump(uniform_market_to_dict(m), fh)
        base = free_base_port(3)
        # a free party port range, and the bidder ports (party port + offset) free as well
        offset = free_base_port(3) - base
        cmd = [sys.executable, "-m", "protocols.auction.run", "-M3", "-B", str(base), "--client-port-offset",
               str(offset), "--no-log", "--market", market_file, "--mechanism", "uniform", "--json", out,
               "--timeout", "300", "--preprocessing", preprocessing]
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, cwd=REPO)
        last = "no output"
        for line in proc.stderr:  # progress stays visible; the last line names the cause of a failure
            print(line, end="", file=sys.stderr, flush=True)
            last = line.strip() or last
        status = proc.wait()
        wall = time.perf_counter() - t0
        if status != 0:
            raise RuntimeError(f"--scale: the multi-process run exited with status {status}: {last}")
        with open(out) as fh:
            got = json.load(fh)
    if "bidders" not in got:  # the session ended without every bidder's view (the CLI said why above)
        raise RuntimeError(f"--scale: the multi-process run did not report the bidders: {last}")
    ref = clear_uniform(m)
    return {"bidders": n, "levels": levels, "preprocessing": preprocessing, "command_seconds": wall, "session_seconds": got["wall_seconds"],
            "stages": got["stages"], "bytes_party0": got["traffic"]["bytes"], "rounds": got["traffic"]["rounds"],
            "equals_reference": got["bidders"] == ref.allocations and got["result"]["price"] == ref.price}


def plot(rows: list[dict], path: str) -> None:
    """Time (top row) and MB sent by party 0 (bottom row) per series, each on its own axes:
    the two grow alike, so on twin axes of one panel their curves lay on top of each other."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import ScalarFormatter

    by_n = sorted((r for r in rows if r["mechanism"] == "uniform" and r["series"] == "bidders"), key=lambda r: r["bidders"])
    by_l = sorted((r for r in rows if r["mechanism"] == "uniform" and r["series"] == "levels"), key=lambda r: r["levels"])
    dn = sorted((r for r in rows if r["mechanism"] == "dantm"), key=lambda r: r["bidders"])
    fig, axes = plt.subplots(2, 3, figsize=(15, 7.5), sharex="col")
    for col, (series, xkey, title) in enumerate(((by_n, "bidders", "uniform price: vs bidders"),
                                                 (by_l, "levels", "uniform price: vs price levels"),
                                                 (dn, "bidders", "private DANTM: vs bidders (buyers + sellers)"))):
        top, bottom = axes[0][col], axes[1][col]
        top.set_title(title)
        if not series:
            continue
        xs = [r[xkey] for r in series]
        top.plot(xs, [r["seconds"] for r in series], "o-", color="tab:blue", label="wall time, all parties")
        for x, r in zip(xs, series):
            top.annotate(f"{r['rounds']} rds", (x, r["seconds"]), fontsize=7, textcoords="offset points",
                         xytext=(0, 6), ha="center")
        bottom.plot(xs, [r["bytes"] / 1e6 for r in series], "s--", color="tab:red", label="MB sent by party 0")
        top.set_ylabel("seconds")
        bottom.set_ylabel("MB sent by party 0")
        bottom.set_xlabel("bidders" if xkey == "bidders" else "price levels")
        for ax, ys in ((top, [r["seconds"] for r in series]), (bottom, [r["bytes"] / 1e6 for r in series])):
            ax.set_ylim(0, max(ys) * 1.25)  # headroom for the labels above the points
            ax.grid(alpha=0.3)
            ax.legend(loc="upper left", fontsize=8)
            if series is by_n:
                ax.set_xscale("log")
            ax.set_xticks(xs)
            ax.xaxis.set_major_formatter(ScalarFormatter())
            ax.xaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
    fig.suptitle("Private auctions, 3 SPDZ parties in one process (in-memory transport); rds = rounds")
    fig.tight_layout()
    fig.savefig(path, dpi=110, bbox_inches="tight")
    plt.close(fig)


#: --scale bounds: the measured 5,000 x 100 run takes half a minute; ten times that in
#: either direction is still a run to wait for, not a typo that runs for a day
MAX_SCALE_BIDDERS = 50_000
MAX_SCALE_LEVELS = 1_000


def parse_scale(text: str) -> tuple[int, int]:
    """--scale NxL with N in 2..MAX_SCALE_BIDDERS and L in 1..MAX_SCALE_LEVELS."""
    parts = text.lower().split("x")
    if len(parts) != 2 or not all(p.isdigit() and len(p) <= 7 for p in parts):
        raise CliError(f"--scale {text[:40]!r}: expected NxL, e.g. 5000x100")
    n, levels = (int(p) for p in parts)
    if not 2 <= n <= MAX_SCALE_BIDDERS or not 1 <= levels <= MAX_SCALE_LEVELS:
        raise CliError(f"--scale {text}: N must be in 2..{MAX_SCALE_BIDDERS:,} (a buyer and a seller at least) "
                       f"and L in 1..{MAX_SCALE_LEVELS:,}")
    return n, levels


@guarded
def main(argv=None) -> int:
    p = ArgumentParser(prog="python -m benchmarks.auction_private", description=__doc__.split("\n\n")[0],
                       epilog="Exit status: 0 success, 1 the multi-process run failed (its last line is shown), "
                              "2 bad usage.")
    p.add_argument("--json", required=True, help="write the measurements here")
    p.add_argument("--plot", required=True, help="write a PNG plot here")
    p.add_argument("--quick", action="store_true", help="small sizes only (a smoke run)")
    p.add_argument("--scale", default=None,
                   help=f"also run the multi-process CLI on NxL (e.g. 5000x100; N up to {MAX_SCALE_BIDDERS:,}, "
                        f"L up to {MAX_SCALE_LEVELS:,})")
    p.add_argument("--preprocessing", choices=("mascot", "dealer"), default="mascot",
                   help="preprocessing of the --scale run (default mascot, as the CLI's)")
    p.add_argument("--seed", type=bounded_int(0, 2**64 - 1, "a seed"), default=1, help="seed of the random markets")
    args = p.parse_args(argv)
    scale = parse_scale(args.scale) if args.scale else None
    check_output_path(args.json, "--json")
    check_output_path(args.plot, "--plot", PLOT_SUFFIXES)
    if args.quick:
        bidder_sizes, level_sizes, sides, fixed_l, fixed_n = [10, 40], [5, 20], [2, 3], 10, 20
    else:
        bidder_sizes, level_sizes, sides, fixed_l, fixed_n = [10, 100, 300, 1000], [10, 30, 100, 300], [2, 4, 8], 100, 100
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
        try:
            report["scale_run"] = scale_run(*scale, args.seed, args.preprocessing)
        except RuntimeError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
        print(f"  {report['scale_run']['command_seconds']:.1f} s", flush=True)
    write_json_file(args.json, "--json", report, indent=1)
    plot(rows, args.plot)
    print(f"wrote {args.json} and {args.plot}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
