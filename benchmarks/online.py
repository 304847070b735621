"""Online-phase throughput of the SPDZ engine against MPyC's own secure integers, in one run.

    python -m benchmarks.online -M3 --batch 10000 --json out.json

Each party runs: (1) our engine over our own connections (mpc.net): one vectorised Beaver
multiplication of `batch` pairs and one vectorised secure comparison of `batch` pairs,
with the trusted dealer's material prefetched so that only the online phase is timed (MAC
checks included); (2) then the same batch on MPyC's secure integers (secure NumPy arrays,
MPyC's fastest path), over MPyC's own runtime and connections, started for the baseline
only on the party ports + --mpyc-port-offset. Party 0 prints and writes the figures,
including every party's rounds and bytes. The security models differ and the output says
so: ours is actively secure with abort against a dishonest majority (given the dealer);
MPyC's default is Shamir sharing, passively secure with an honest majority. MPyC's runtime
unpickles what peers send and its connections are not authenticated here: run the
baseline only among machines you control (--skip-mpyc otherwise).
"""
import json
import os
import platform
import random
import sys
import time

from mpc import comparison
from mpc.cli import bounded_int, check_output_path
from mpc.codec import decode_vector, encode_vector
from mpc.session_cli import SessionCLI

STAT_KEYS = ("rounds", "messages", "bytes")


def build_cli() -> SessionCLI:
    cli = SessionCLI("benchmarks.online", "SPDZ online throughput vs MPyC's secure integers, in one run.",
                     timeout=120.0)
    p = cli.parser
    p.add_argument("--batch", type=bounded_int(1, 1_000_000), default=10000,
                   help="vector length per operation, 1..1000000 (default 10000)")
    p.add_argument("--bits", type=bounded_int(2, 62), default=32,
                   help="bit length of compared integers, 2..62 (MPyC's NumPy path; default 32)")
    p.add_argument("--json", help="output file (written by party 0)")
    p.add_argument("--skip-mpyc", action="store_true", help="do not run the MPyC baseline")
    p.add_argument("--mpyc-port-offset", type=bounded_int(1, 10000), default=100,
                   help="MPyC's runtime listens on each party port + this (default 100)")
    return cli


def validate(args):
    if args.json:
        check_output_path(args.json, "--json")
    return None


def delta(before, after):
    return {k: after[k] - before[k] for k in STAT_KEYS}


async def consumption_per_item(s, op):
    """Preprocessing items one element of `op` consumes (measured on a 1-element run)."""
    before = s.consumed
    await op(1)
    return {k: v - before.get(k, 0) for k, v in s.consumed.items()}


async def bench_ours(s, n, k, log):
    rng = random.Random(s.pid)
    lo, hi = -(1 << (k - 1)), (1 << (k - 1)) - 1
    xs = await s.input_many({s.pid: [rng.randint(lo, hi) for _ in range(n)] if s.pid < 2 else None},
                            {0: n, 1: n})
    x, y = xs[0], xs[1]

    async def cmp_op(size):
        return await comparison.less_than(s, x[:size], y[:size], k)

    async def mul_op(size):
        return await s.mul(x[:size], y[:size])

    per_cmp = await consumption_per_item(s, cmp_op)
    per_mul = await consumption_per_item(s, mul_op)
    await s.mac_check()
    log(f"prefetching preprocessing for {n} multiplications and {n} comparisons ...")
    t0 = time.perf_counter()
    need = {kind: (per_cmp.get(kind, 0) + per_mul.get(kind, 0)) * n for kind in sorted(set(per_cmp) | set(per_mul))}
    # a (k+1)-bit comparison opens its top bit with k + κ + 1 − k mask bits above the low part
    await s.reserve(triples=need.get("triple", 0), bits=need.get("bit", 0),
                    bounded={s.security + 1: need["bounded"]} if need.get("bounded") else None)
    await s.broadcast_bytes(b"\x01", 1)  # barrier: every party has expanded its material
    prep_seconds = time.perf_counter() - t0

    out = {"preprocessing_seconds": prep_seconds, "per_item_material": {"mul": per_mul, "cmp": per_cmp}}
    for name, op in (("mul", mul_op), ("cmp", cmp_op)):
        log(f"ours: {name} x {n} ...")
        await s.broadcast_bytes(b"\x02", 1)  # start together
        before = s.stats.snapshot()
        t0 = time.perf_counter()
        await op(n)
        await s.mac_check()
        dt = time.perf_counter() - t0
        out[name] = {"seconds": dt, "per_second": n / dt, **delta(before, s.stats.snapshot())}
    return out


async def bench_mpyc(rt, n, k, log):
    import numpy as np
    secint = rt.SecInt(k)
    rng = np.random.default_rng(rt.pid)
    lo, hi = -(1 << (k - 1)), (1 << (k - 1)) - 1
    mine = secint.array(rng.integers(lo, hi, n, dtype=np.int64) if k <= 62 else np.zeros(n, dtype=object))
    x = rt.input(mine, senders=0)
    y = rt.input(mine, senders=1)
    await rt.gather(x, y)
    out = {}
    for name, op in (("mul", lambda: x * y), ("cmp", lambda: x < y)):
        log(f"MPyC: {name} x {n} ...")
        b0 = sum(p.protocol.nbytes_sent for p in rt.parties if p.pid != rt.pid)
        t0 = time.perf_counter()
        await rt.gather(op())
        dt = time.perf_counter() - t0
        b1 = sum(p.protocol.nbytes_sent for p in rt.parties if p.pid != rt.pid)
        out[name] = {"seconds": dt, "per_second": n / dt, "bytes": b1 - b0}
    return out


async def gather_stats(s, mine):
    """Every party's (rounds, messages, bytes) for mul and cmp, sent as field elements."""
    vec = [mine[op][key] for op in ("mul", "cmp") for key in STAT_KEYS]
    payloads = await s.broadcast_bytes(encode_vector(s.field, vec), len(vec) * s.field.nbytes)
    table = []
    for p, data in enumerate(payloads):
        v = [int(a) for a in decode_vector(s.field, data, len(vec), p)]
        table.append({"party": p, "mul": dict(zip(STAT_KEYS, v[:3])), "cmp": dict(zip(STAT_KEYS, v[3:]))})
    return table


def mpyc_runtime(plan, offset: int):
    """MPyC's runtime for this party, on the party ports + offset (MPyC reads sys.argv
    when its runtime is first imported, so sys.argv is set to the plan's options for that)."""
    # MPyC's pseudorandom secret sharing enumerates C(m, m−t) party subsets at start-up;
    # the baseline does not need it.
    os.environ.setdefault("MPYC_NOPRSS", "1")
    own = [sys.argv[0], "--no-log", "-I", str(plan.pid)]
    for i, (host, port) in enumerate(plan.addresses):
        own += ["-P", f"{'' if i == plan.pid else host}:{port + offset}"]
    saved, sys.argv = sys.argv, own
    try:
        from mpyc.runtime import mpc
    finally:
        sys.argv = saved
    return mpc


def main():
    cli = build_cli()
    args = cli.parse(validate=validate)
    pid = cli.plan.pid

    def log(msg):
        if pid == 0:
            print(f"[benchmark] {msg}", flush=True)

    async def ours_program(s):
        ours = await bench_ours(s, args.batch, args.bits, log)
        per_party = await gather_stats(s, ours)
        await s.mac_check()
        return ours, per_party

    ours, per_party = cli.run(ours_program)
    theirs, threshold = None, None
    if not args.skip_mpyc:
        rt = mpyc_runtime(cli.plan, args.mpyc_port_offset)
        threshold = rt.threshold

        async def baseline():
            await rt.start()
            out = await bench_mpyc(rt, args.batch, args.bits, log)
            await rt.shutdown()  # MPyC's own shutdown, used only for the baseline
            return out

        theirs = rt.run(baseline())
    if pid != 0:
        cli.finish(0)
    result = {
        "parties": cli.m, "batch": args.batch, "bits": args.bits,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "ours": ours, "per_party": per_party, "mpyc": theirs,
        "security": {"ours": f"SPDZ, active security with abort, dishonest majority; preprocessing: {args.preprocessing}",
                     "mpyc": f"MPyC Shamir secret sharing, threshold {threshold}, passive, honest majority"},
    }
    if theirs:
        result["ratio_ours_over_mpyc"] = {op: ours[op]["per_second"] / theirs[op]["per_second"] for op in ("mul", "cmp")}
    for op in ("mul", "cmp"):
        line = f"{op}: ours {ours[op]['per_second']:,.0f}/s ({ours[op]['rounds']} rounds, {ours[op]['bytes']:,} bytes sent by party 0)"
        if theirs:
            line += f"; MPyC {theirs[op]['per_second']:,.0f}/s; ratio {result['ratio_ours_over_mpyc'][op]:.3f}"
        print(line)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f, indent=2)
        print(f"wrote {args.json}")
    cli.finish(0)


if __name__ == "__main__":
    main()
