"""Demo: each party inputs a private random vector; the session computes an inner
product, an element-wise minimum and a comparison, and checks them against plain
computation (the demo opens the inputs at the end only for that check).

    python -m mpc.demo -M3                  # three processes on this machine
    python -m mpc.demo -M3 --cheat mac      # party 1 cheats: honest parties abort, exit 1
    python -m mpc.demo -M3 -I 0 -B 12000    # one party of a session started by hand

All MPyC launcher options (-M, -I, -P host:port, -B, --ssl, --output-file) pass through.
"""
import os
import sys

if __package__ in (None, ""):  # started by MPyC's launcher as a script: import the package
    sys.path[0] = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

import argparse  # noqa: E402
import json  # noqa: E402
import random  # noqa: E402
import time  # noqa: E402

from mpc import comparison  # noqa: E402
from mpc.faults import CHEATS, cheating_factory  # noqa: E402
from mpc.field import PrimeField  # noqa: E402
from mpc.launch import exit_on_abort, mpyc_runtime, parse_cli, run_party  # noqa: E402
from mpc.preprocessing import BACKENDS  # noqa: E402


def build_parser():
    p = argparse.ArgumentParser(
        prog="python -m mpc.demo",
        description="SPDZ demo over MPyC's launcher: inner product, element-wise min and comparison "
                    "of private vectors, checked against plain computation. MPyC options such as "
                    "-M3, -I i, -P host:port, -B port and --ssl pass through.")
    p.add_argument("--length", type=int, default=8, help="vector length per party (default 8)")
    p.add_argument("--bits", type=int, default=32, help="signed bit length of the inputs (default 32)")
    p.add_argument("--cheat", choices=CHEATS, help="make party 1 deviate in this way")
    p.add_argument("--timeout", type=float, default=30.0, help="seconds to wait for a peer (default 30)")
    p.add_argument("--backend", choices=sorted(BACKENDS), default="dealer", help="preprocessing backend")
    p.add_argument("--json", help="write this party's results and traffic to a JSON file")
    return p


def validate(args):
    if args.length < 1 or not 2 <= args.bits <= 128:
        return "--length must be >= 1 and --bits in 2..128"
    if args.timeout <= 0:
        return "--timeout must be positive"
    return None


async def demo_program(s, args):
    n, k = args.length, args.bits
    rng = random.SystemRandom()
    lo, hi = -(1 << (k - 1)), (1 << (k - 1)) - 1
    mine = [rng.randint(lo, hi) for _ in range(n)]
    say = lambda msg: print(f"[party {s.pid}] {msg}", flush=True)  # noqa: E731
    say(f"{s.m} parties, field of {s.field.bits} bits, opening via {s.open_mode}")
    say(f"preprocessing: {s.prep.TRUST_MODEL}")
    t0 = time.perf_counter()
    xs = await s.input_many({s.pid: mine}, {i: n for i in range(s.m)})
    ip = await s.inner_product(xs[0], xs[1])
    lt = await comparison.less_than(s, xs[0], xs[1], k)
    mn = xs[0]
    for i in range(1, s.m):
        mn = await comparison.minimum(s, mn, xs[i], k)
    ip_v, lt_v, mn_v = (await s.output_signed(ip))[0], await s.output(lt), await s.output_signed(mn)
    elapsed = time.perf_counter() - t0
    # Only for the demo's self-check: open every input and recompute in the clear.
    plain = [await s.output_signed(xs[i]) for i in range(s.m)]
    expect_ip = sum(a * b for a, b in zip(plain[0], plain[1]))
    expect_lt = [int(a < b) for a, b in zip(plain[0], plain[1])]
    expect_mn = [min(col) for col in zip(*plain)]
    ok = (ip_v, lt_v, mn_v) == (expect_ip, expect_lt, expect_mn)
    say(f"inner product x0·x1 = {ip_v}")
    say(f"x0 < x1 element-wise = {lt_v}")
    say(f"element-wise min over all parties = {mn_v}")
    say(f"matches plain computation: {ok}; {elapsed:.3f} s; {s.checks_passed} MAC checks passed")
    st = s.stats.snapshot()
    say(f"traffic: {st['rounds']} rounds, {st['messages']} messages, {st['bytes']} bytes sent")
    return {"party": s.pid, "parties": s.m, "ok": ok, "inner_product": ip_v, "less_than": lt_v,
            "minimum": mn_v, "seconds": elapsed, "traffic": st, "trust_model": s.prep.TRUST_MODEL}


def main():
    args = parse_cli(build_parser(), validate)
    rt = mpyc_runtime()
    field = PrimeField()
    factory = cheating_factory(args.cheat, 1, field) if args.cheat else None
    result = exit_on_abort(lambda: run_party(lambda s: demo_program(s, args), field=field,
                                             backend=args.backend, timeout=args.timeout,
                                             session_factory=factory))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f, indent=2)
    if not result["ok"]:
        print(f"party {rt.pid}: results do not match the plain computation", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
