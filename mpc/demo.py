"""Demo: each party inputs a private random vector; the session computes an inner
product, an element-wise minimum and a comparison, and checks them against plain
computation (the demo opens the inputs at the end only for that check).

    python -m mpc.demo -M3                  # three processes on this machine
    python -m mpc.demo -M3 --cheat mac      # party 1 cheats: honest parties abort, exit 1
    python -m mpc.demo -M3 -I 0 -B 12000    # one party of a session started by hand

Range checks: every party's inputs are declared --bits wide and range-checked by the
engine (`input_many(..., bits=k)`), so a party that inputs a larger value (`--cheat
range`) makes every honest party abort with InputOutOfRange naming it.
"""
import json
import random
import sys
import time

from mpc import comparison
from mpc.cli import CliError, bounded_int, check_output_path, write_json_file
from mpc.session_cli import SessionCLI, party_path

MAX_LENGTH = 100_000


def build_cli() -> SessionCLI:
    cli = SessionCLI("mpc.demo", "SPDZ demo: inner product, element-wise min and comparison of private "
                                 "vectors, checked against plain computation.", timeout=30.0)
    cli.parser.add_argument("--length", type=bounded_int(1, MAX_LENGTH), default=8,
                            help=f"vector length per party, 1..{MAX_LENGTH} (default 8)")
    cli.parser.add_argument("--bits", type=bounded_int(2, 128), default=32,
                            help="signed bit length of the inputs, 2..128 (default 32)")
    cli.parser.add_argument("--json", metavar="OUT",
                            help="write this party's results and traffic as JSON (party i > 0 inserts .party<i>)")
    cli.add_cheat_option(ranged_inputs=True)
    return cli


def validate(args):
    if args.json is not None:   # an empty name is refused, not ignored
        check_output_path(args.json, "--json")
    return None


async def demo_program(s, args, say):
    n, k = args.length, args.bits
    rng = random.SystemRandom()
    lo, hi = -(1 << (k - 1)), (1 << (k - 1)) - 1
    mine = [rng.randint(lo, hi) for _ in range(n)]
    say(f"field of {s.field.bits} bits, opening via {s.open_mode}")
    t0 = time.perf_counter()
    with s.stage("compute"):
        # every party could lie about its input: declare the width, so that the engine
        # range-checks each value before the comparisons rely on it
        xs = await s.input_many({s.pid: mine}, {i: n for i in range(s.m)}, bits=k)
        ip = await s.inner_product(xs[0], xs[1])
        lt = await comparison.less_than(s, xs[0], xs[1], k)
        mn = xs[0]
        for i in range(1, s.m):
            mn = await comparison.minimum(s, mn, xs[i], k)
        ip_v, lt_v, mn_v = (await s.output_signed(ip))[0], await s.output(lt), await s.output_signed(mn)
    elapsed = time.perf_counter() - t0
    # Only for the demo's self-check: open every input and recompute in the clear.
    with s.stage("self-check"):
        plain = [await s.output_signed(xs[i]) for i in range(s.m)]
    expect_ip = sum(a * b for a, b in zip(plain[0], plain[1]))
    expect_lt = [int(a < b) for a, b in zip(plain[0], plain[1])]
    expect_mn = [min(col) for col in zip(*plain)]
    ok = (ip_v, lt_v, mn_v) == (expect_ip, expect_lt, expect_mn)
    say(f"inner product x0·x1 = {ip_v}")
    say(f"x0 < x1 element-wise = {lt_v}")
    say(f"element-wise min over all parties = {mn_v}")
    say(f"matches plain computation: {ok}; {elapsed:.3f} s; {s.checks_passed} MAC checks passed")
    return {"party": s.pid, "parties": s.m, "ok": ok, "inner_product": ip_v, "less_than": lt_v,
            "minimum": mn_v, "seconds": elapsed, "traffic": s.traffic(), "trust_model": s.trust_model}


def main():
    cli = build_cli()
    args = cli.parse(validate=validate)
    result = cli.run(lambda s: demo_program(s, args, cli.say))
    cli.report_costs()
    print(json.dumps({k: result[k] for k in ("party", "ok", "inner_product", "less_than", "minimum")}), flush=True)
    if args.json:
        try:
            write_json_file(party_path(args.json, cli.pid), "--json", result)
        except CliError as exc:
            cli.say(f"error: {exc}")
            cli.finish(2)
    if not result["ok"]:
        print(f"error: party {cli.pid}: results do not match the plain computation", file=sys.stderr)
        cli.finish(1)
    cli.finish(0)


if __name__ == "__main__":
    main()
