"""Preprocessing throughput: the MASCOT backend next to the trusted dealer, in one run.

    python -m benchmarks.preprocessing -M3 --json out.json --plot out.png
    python -m benchmarks.preprocessing -M5 --triples 1000 --bits 1000 --masks 2000
    python -m benchmarks.preprocessing --quick --json q.json --plot q.png   # in process
    python -m benchmarks.preprocessing --combine m2.json m3.json m5.json --plot all.png

Each party (one process per party under MPyC's launcher, connected by MPyC's sockets)
sets up both backends on the same connections, then for each backend produces --triples
Beaver triples, --bits random bits and --masks input masks (owner party 0) in one
`prefetch` each, between barriers, and measures wall time and the bytes it sent under the
"preprocessing" phase. Party 0 gathers every party's figures and writes the JSON and a
PNG. Triples/s, bits/s and masks/s are items per second of the slowest party; bytes per
triple is per party (bytes it sent divided by triples). `--quick` runs all parties as
asyncio tasks in this process (in-memory transport, all parties on one core) with small
sizes, for tests. `--combine` plots several runs' JSON (e.g. 2, 3 and 5 parties) in one
figure. Timings are wall-clock on a shared machine: the JSON records the load average.
"""
import argparse
import asyncio
import json
import os
import platform
import sys
import time

from mpc.codec import decode_vector, encode_vector
from mpc.field import PrimeField
from mpc.preprocessing import BACKENDS, TrustedDealer
from mpc.session import Session
from mpc.transport import OFFLINE_PHASE

KINDS = (("triple", ("triple",), "triples"), ("bit", ("bit",), "bits"), ("mask", ("mask", 0), "masks"))
BACKEND_NAMES = ("dealer", "mascot")


def add_options(p) -> None:
    p.add_argument("--triples", type=int, default=2000, help="triples per backend (default 2000)")
    p.add_argument("--bits", type=int, default=1000, help="random bits per backend (default 1000)")
    p.add_argument("--masks", type=int, default=2000, help="input masks per backend (default 2000)")
    p.add_argument("--json", help="output file (written by party 0)")
    p.add_argument("--plot", help="PNG figure (written by party 0)")
    p.add_argument("--quick", action="store_true", help="in-process run with small sizes (tests)")
    p.add_argument("--parties", type=int, default=3, help="parties for --quick (default 3)")
    p.add_argument("--combine", nargs="+", metavar="JSON", help="plot these runs' JSON together")


def build_parser():
    """Options of the modes that start no processes (--quick, --combine)."""
    p = argparse.ArgumentParser(prog="python -m benchmarks.preprocessing",
                                description="MASCOT vs trusted-dealer preprocessing throughput")
    add_options(p)
    p.add_argument("--timeout", type=float, default=600.0)
    return p


def build_cli():
    from mpc.session_cli import SessionCLI

    cli = SessionCLI("benchmarks.preprocessing", "MASCOT vs trusted-dealer preprocessing throughput "
                     "(both backends run on the same connections; --preprocessing is ignored)", timeout=600.0)
    add_options(cli.parser)
    return cli


def validate(args):
    if min(args.triples, args.bits, args.masks) < 1:
        return "--triples, --bits and --masks must be positive"
    if args.quick and not 2 <= args.parties <= 9:
        return "--parties must be in 2..9"
    return None


async def measure(s: Session, prep, sizes: dict, log) -> dict:
    """Time each kind on `prep` between barriers; bytes this party sent under preprocessing."""
    t = s.transport
    out = {}
    t0 = time.perf_counter()
    if prep is not s.prep:
        await prep.setup()
    await s.broadcast_bytes(b"\x01", 1)
    out["setup_seconds"] = time.perf_counter() - t0
    for name, kind, plural in KINDS:
        n = sizes[plural]
        await s.broadcast_bytes(b"\x02", 1)  # start together
        before = t.stats.by_phase.get(OFFLINE_PHASE, {}).get("bytes", 0)
        rounds0 = t.stats.by_phase.get(OFFLINE_PHASE, {}).get("rounds", 0)
        t0, c0 = time.perf_counter(), time.process_time()
        await prep.prefetch(kind, n)
        dt, cpu = time.perf_counter() - t0, time.process_time() - c0
        await s.broadcast_bytes(b"\x03", 1)
        n = len(prep._buffers[kind][0])   # a backend may round a batch up: count what it made
        ph = t.stats.by_phase.get(OFFLINE_PHASE, {})
        out[name] = {"count": n, "seconds": dt, "cpu_seconds": cpu, "bytes_sent": ph.get("bytes", 0) - before,
                     "rounds": ph.get("rounds", 0) - rounds0}
        log(f"  {name}: {n} in {dt:.2f} s ({n / dt:,.0f}/s, {cpu:.2f} s CPU), "
            f"{out[name]['bytes_sent'] / n:,.0f} bytes/item sent by this party")
    return out


_TIMES = ("seconds", "cpu_seconds")


async def gather(s: Session, mine: dict) -> list[dict]:
    """Every party's figures per backend and kind, exchanged as field elements (times in µs)."""
    fields = ("seconds", "cpu_seconds", "bytes_sent", "rounds", "count")
    keys = [(b, k, f) for b in BACKEND_NAMES for k, _, _ in KINDS for f in fields]
    vec = [int(mine[b][k][f] * 1e6) if f in _TIMES else int(mine[b][k][f]) for b, k, f in keys]
    vec += [int(mine[b]["setup_seconds"] * 1e6) for b in BACKEND_NAMES]
    raw = await s.broadcast_bytes(encode_vector(s.field, vec), len(vec) * s.field.nbytes)
    table = []
    for p, data in enumerate(raw):
        v = [int(x) for x in decode_vector(s.field, data, len(vec), p)]
        row: dict = {"party": p, **{b: {k: {} for k, _, _ in KINDS} for b in BACKEND_NAMES}}
        for (b, k, f), x in zip(keys, v):
            row[b][k][f] = x / 1e6 if f in _TIMES else x
        for b, x in zip(BACKEND_NAMES, v[len(keys):]):
            row[b]["setup_seconds"] = x / 1e6
        table.append(row)
    return table


async def party_program(s: Session, sizes: dict, log) -> tuple[dict, list]:
    mine = {}
    for b in BACKEND_NAMES:
        log(f"{b}: {BACKENDS[b].TRUST_MODEL}")
        prep = s.prep if b == "dealer" else BACKENDS[b](s.field, s.transport)
        mine[b] = await measure(s, prep, sizes, log)
    return mine, await gather(s, mine)


def summarise(table: list, sizes: dict, m: int, mode: str) -> dict:
    res = {"parties": m, "mode": mode, "sizes": sizes,
           "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                       "load_average": list(os.getloadavg())},
           "per_party": table, "backends": {}}
    for b in BACKEND_NAMES:
        r = {"trust_model": BACKENDS[b].TRUST_MODEL,
             "setup_seconds": max(row[b]["setup_seconds"] for row in table)}
        for name, _, plural in KINDS:
            secs = max(row[b][name]["seconds"] for row in table)
            count = table[0][b][name]["count"]
            r[f"{plural}_made"] = count
            r[f"{plural}_per_second"] = count / secs
            r[f"bytes_per_{name}_per_party"] = [row[b][name]["bytes_sent"] / count for row in table]
            r[f"{name}_rounds"] = max(row[b][name]["rounds"] for row in table)
            r[f"{name}_cpu_seconds_per_party"] = [row[b][name]["cpu_seconds"] for row in table]
        res["backends"][b] = r
    d, mz = res["backends"]["dealer"], res["backends"]["mascot"]
    res["mascot_over_dealer_triples_per_second"] = mz["triples_per_second"] / d["triples_per_second"]
    return res


def cpu_ms(r: dict, backend: str, name: str) -> float:
    b = r["backends"][backend]
    plural = {"triple": "triples", "bit": "bits", "mask": "masks"}[name]
    return max(b[f"{name}_cpu_seconds_per_party"]) / b[f"{plural}_made"] * 1e3


def plot(results: list, path: str) -> None:
    """One run: grouped bars per kind; several runs: lines over the number of parties."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    results = sorted(results, key=lambda r: r["parties"])
    colors = {"dealer": "tab:gray", "mascot": "tab:blue"}
    fig, (ax1, ax2, ax3) = plt.subplots(1, 3, figsize=(15.5, 4.8))
    if len(results) == 1:
        r = results[0]
        plurals = [p for _, _, p in KINDS]
        width = 0.38
        for i, b in enumerate(BACKEND_NAMES):
            xs = [k + (i - 0.5) * width for k in range(len(plurals))]
            ys = [r["backends"][b][f"{p}_per_second"] for p in plurals]
            bars = ax1.bar(xs, ys, width, color=colors[b], label=b)
            ax1.bar_label(bars, labels=[f"{y:,.0f}" for y in ys], fontsize=8, padding=2)
            y = max(r["backends"][b]["bytes_per_triple_per_party"])
            bb = ax2.bar([i], [y], 0.6, color=colors[b], label=b)
            ax2.bar_label(bb, labels=[f"{y:,.0f}"], fontsize=8, padding=2)
            ys = [cpu_ms(r, b, name) for name, _, _ in KINDS]
            bc = ax3.bar(xs, ys, width, color=colors[b], label=b)
            ax3.bar_label(bc, labels=[f"{y:.3g}" for y in ys], fontsize=8, padding=2)
        ax1.set_xticks(range(len(plurals)), [f"{p}/s" for p in plurals])
        ax3.set_xticks(range(len(plurals)), [p[:-1] for p in plurals])
        ax3.set_xlabel("item")
        ax2.set_xticks(range(len(BACKEND_NAMES)), list(BACKEND_NAMES))
        ax1.set_xlabel("item")
        ax2.set_xlabel("backend")
        title = f"{r['parties']} parties"
    else:
        ms = [r["parties"] for r in results]
        markers = {"triples": "o", "bits": "s", "masks": "^"}
        for b in BACKEND_NAMES:
            ls = "--" if b == "dealer" else "-"
            for _, _, plural in KINDS:
                ys = [r["backends"][b][f"{plural}_per_second"] for r in results]
                ax1.plot(ms, ys, ls, color=colors[b], marker=markers[plural], label=f"{b}: {plural}/s")
            ys = [max(r["backends"][b]["bytes_per_triple_per_party"]) for r in results]
            ax2.plot(ms, ys, ls, color=colors[b], marker="o", label=b)
            for name, _, plural in KINDS:
                ys = [cpu_ms(r, b, name) for r in results]
                ax3.plot(ms, ys, ls, color=colors[b], marker=markers[plural], label=f"{b}: {name}")
        for ax in (ax1, ax2, ax3):
            ax.set_xlabel("parties")
            ax.set_xticks(ms)
        title = "by number of parties"
    for ax in (ax1, ax2, ax3):
        ax.set_yscale("log")
        ax.grid(True, which="major", axis="y", alpha=0.3)
        ax.margins(y=0.15)
    ax1.set_ylabel("items per second (slowest party)")
    ax1.set_title(f"Preprocessing throughput, {title}")
    ax2.set_ylabel("bytes sent per triple by one party")
    ax2.set_title("Communication per triple")
    ax1.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=3)
    ax2.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=2)
    ax3.set_ylabel("CPU ms per item, busiest party")
    ax3.set_title("CPU per item (robust to machine load)")
    ax3.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=3)
    mode = ", ".join(sorted({r["mode"] for r in results}))
    load = max(r["machine"]["load_average"][0] for r in results)
    fig.suptitle(f"MASCOT vs trusted dealer, BN254 field; {mode}; 1-min load average up to {load:.1f} "
                 f"on {results[0]['machine']['cpus']} cores", fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=120, bbox_inches="tight")
    plt.close(fig)


def report(res: dict, args) -> None:
    for b in BACKEND_NAMES:
        r = res["backends"][b]
        print(f"{b:>6}: {r['triples_per_second']:>10,.0f} triples/s  {r['bits_per_second']:>10,.0f} bits/s  "
              f"{r['masks_per_second']:>10,.0f} masks/s  "
              f"{max(r['bytes_per_triple_per_party']):>10,.0f} bytes/triple/party  setup {r['setup_seconds']:.2f} s  "
              f"CPU ms per triple/bit/mask {cpu_ms(res, b, 'triple'):.3f}/{cpu_ms(res, b, 'bit'):.3f}/"
              f"{cpu_ms(res, b, 'mask'):.3f}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(res, f, indent=2)
        print(f"wrote {args.json}")
    if args.plot:
        plot([res], args.plot)
        print(f"wrote {args.plot}")


def run_quick(args) -> dict:
    from mpc.transport import InMemoryNetwork

    sizes = {"triples": args.triples, "bits": args.bits, "masks": args.masks}
    field = PrimeField()
    m = args.parties
    net = InMemoryNetwork(m)

    async def one(pid):
        t = net.transport(pid, args.timeout)
        s = Session(t, TrustedDealer(field, t), field)
        await s.start()
        out = await party_program(s, sizes, (lambda msg: print(f"[quick] {msg}", flush=True)) if pid == 0 else (lambda msg: None))
        await s.close()
        return out

    async def main():
        return await asyncio.gather(*(one(p) for p in range(m)))

    results = asyncio.run(main())
    return summarise(results[0][1], sizes, m, "in-process (all parties on one core)")


def main():
    args0, _ = build_parser().parse_known_args()
    if args0.combine:
        if not args0.plot:
            build_parser().error("--combine needs --plot")
        plot([json.load(open(p)) for p in args0.combine], args0.plot)
        print(f"wrote {args0.plot}")
        return
    if args0.quick:
        args0 = build_parser().parse_args()
        problem = validate(args0)
        if problem:
            build_parser().error(problem)
        if "--triples" not in sys.argv:
            args0.triples, args0.bits, args0.masks = 32, 32, 64
        report(run_quick(args0), args0)
        return

    from mpc.errors import MPCAbort
    from mpc.launch import mpyc_runtime
    from mpc.mpyc_transport import MPyCTransport

    cli = build_cli()
    args = cli.parse(validate=validate)
    rt = mpyc_runtime(cli.plan)
    sizes = {"triples": args.triples, "bits": args.bits, "masks": args.masks}

    def log(msg):
        if rt.pid == 0:
            print(f"[benchmark] {msg}", flush=True)

    async def run():
        field = PrimeField()
        t = MPyCTransport(rt, args.timeout)
        await t.connect()
        try:
            s = Session(t, TrustedDealer(field, t), field)
            await s.start()
            log(f"{s.m} parties, sizes {sizes}")
            out = await party_program(s, sizes, log)
            await s.close()
            return out
        except BaseException:
            t.abort_connections()
            raise

    try:
        mine, table = rt.run(run())
    except MPCAbort as exc:
        print(f"ABORT (party {rt.pid}): {exc}", file=sys.stderr, flush=True)
        cli.finish(1)
    if rt.pid == 0:
        report(summarise(table, sizes, len(rt.parties), "real processes (MPyC launcher, loopback TCP)"), args)
    cli.finish(0)

if __name__ == "__main__":
    main()
