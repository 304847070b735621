"""Prove and verify times of the Σ-protocols, per proof type and group backend.

    python -m benchmarks.zkp --json out.json [--plot out.png] [--reps N] [--bits 64]

Measures, for each backend (bn254 via py-ecc, bn254 via fastecdsa when it is
installed, secp256k1 via coincurve): one
scalar multiplication (variable and fixed base), a commitment, and the
non-interactive zkpCm, zkpMbs (set of --set-size values), zkpNN (--bits bits)
and zkpSum (--sum-terms commitments) — median prove and verify wall time over
--reps runs, and proof size; then the distributed proofs Π_dzkpCm (one owner,
--sum-terms commitments) and Π_dzkpSum as whole in-process SPDZ sessions of
--parties parties (wall time of the session, all parties on one core).
Ends with the 64-bit zkpNN figure per backend.
Timings are wall-clock on a shared machine: compare them, don't quote them to
the microsecond.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
import time
from typing import Any, Callable

from mpc.cli import PLOT_SUFFIXES, ArgumentParser, CliError, bounded_int, check_output_path, guarded, write_json_file
from zkp.groups import available_backends, get_group
from zkp.pedersen import commit
from zkp.sigma import (MEMBERSHIP, OPENING, RANGE, SUM, MembershipStatement, OpeningStatement,
                       RangeStatement, SumStatement, SumWitness, prove, verify, verify_batch)


def _median_ms(fn: Callable[[], Any], reps: int) -> float:
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1e3)
    return statistics.median(times)


def _cases(group, bits: int, set_size: int, sum_terms: int):
    x = (1 << bits) - 12345 if bits > 14 else (1 << bits) - 1
    c, o = commit(group, x)
    yield "zkpCm", {}, OPENING, OpeningStatement(c), o
    values = tuple(range(set_size))
    cm, om = commit(group, set_size // 2)
    yield "zkpMbs", {"set_size": set_size}, MEMBERSHIP, MembershipStatement(cm, values), om
    yield "zkpNN", {"bits": bits}, RANGE, RangeStatement(c, bits), o
    xs = list(range(1, sum_terms + 1))
    pairs = [commit(group, v) for v in xs]
    yield ("zkpSum", {"terms": sum_terms}, SUM, SumStatement(tuple(p for p, _ in pairs), sum(xs)),
           SumWitness.from_openings(group, [q for _, q in pairs]))


def _distributed_ms(group, parties: int, terms: int, reps: int) -> dict[str, float]:
    """Wall time of whole in-process sessions running Π_dzkpCm and Π_dzkpSum."""
    from mpc.field import PrimeField
    from mpc.local import run_parties
    from zkp.distributed import dzkp_commitments, dzkp_sum

    field = PrimeField(group.order)
    pairs = [commit(group, x) for x in range(terms)]
    sums = [commit(group, x) for x in range(parties)]

    async def cm(s):
        shared = await s.input(0, [int(o.x) for _, o in pairs] if s.pid == 0 else None, terms)
        await dzkp_commitments(s, group, 0, [c for c, _ in pairs], shared,
                               [o for _, o in pairs] if s.pid == 0 else None)

    async def sm(s):
        await dzkp_sum(s, group, [c for c, _ in sums], sum(range(parties)), sums[s.pid][1])

    def session(program):
        results = run_parties(parties, program, field=field)
        bad = [r for r in results if isinstance(r, BaseException)]
        if bad:
            raise RuntimeError(f"distributed proof failed in the benchmark: {bad[0]}")

    return {"dzkpCm": _median_ms(lambda: session(cm), reps), "dzkpSum": _median_ms(lambda: session(sm), reps)}


def run(groups: list[str], reps: int, bits: int, set_size: int, sum_terms: int, batch: int,
        parties: int = 3) -> dict:
    """All measurements as a JSON-ready dict."""
    results = []
    for spec in groups:
        group = get_group(spec)
        name = f"{group.name}:{group.backend}"
        print(f"[{name}] warming up (fixed-base tables)…", flush=True)
        group.commit_point(1, 1)
        k = group.random_scalar()
        P = group.H * 3
        micro = {
            "scalar_mul_variable_ms": _median_ms(lambda: P * k, max(reps, 20)),
            "scalar_mul_fixed_base_ms": _median_ms(lambda: group.mul_g(k), max(reps, 20)),
            "commit_ms": _median_ms(lambda: commit(group, k), max(reps, 20)),
        }
        print(f"[{name}] scalar mul {micro['scalar_mul_variable_ms']:.3f} ms (variable base), "
              f"{micro['scalar_mul_fixed_base_ms']:.3f} ms (G); commit {micro['commit_ms']:.3f} ms", flush=True)
        results.append({"group": group.name, "backend": group.backend, "proof": "primitives", **micro})
        for label, params, protocol, stmt, witness in _cases(group, bits, set_size, sum_terms):
            proof = prove(protocol, stmt, witness)
            assert verify(protocol, stmt, proof), f"{label} failed to verify"
            prove_ms = _median_ms(lambda: prove(protocol, stmt, witness), reps)
            verify_ms = _median_ms(lambda: verify(protocol, stmt, proof), reps)
            size = len(proof.to_bytes(stmt))
            row = {"group": group.name, "backend": group.backend, "proof": label, "params": params,
                   "prove_ms": prove_ms, "verify_ms": verify_ms, "proof_bytes": size, "reps": reps}
            if label == "zkpNN" and batch > 1:
                items = [(protocol, stmt, proof, b"")] * batch
                row["batch_verify_ms_per_proof"] = _median_ms(lambda: verify_batch(items), max(1, reps // 2)) / batch
                row["batch_size"] = batch
            results.append(row)
            print(f"[{name}] {label:7s} {params}: prove {prove_ms:9.2f} ms, verify {verify_ms:9.2f} ms, "
                  f"{size} bytes", flush=True)
        if parties > 1:
            dist = _distributed_ms(group, parties, sum_terms, reps)
            for label, ms in dist.items():
                params = {"parties": parties, **({"commitments": sum_terms} if label == "dzkpCm" else {})}
                results.append({"group": group.name, "backend": group.backend, "proof": label, "params": params,
                                "session_ms": ms, "reps": reps})
                print(f"[{name}] {label:7s} {params}: whole session {ms:9.2f} ms", flush=True)
    note = "; ".join(
        f"{r['group']}:{r['backend']}: {bits}-bit zkpNN prove {r['prove_ms']:.1f} ms, verify {r['verify_ms']:.1f} ms"
        for r in results if r["proof"] == "zkpNN")
    return {
        "benchmark": "zkp",
        "machine": {"python": platform.python_version(), "platform": platform.platform()},
        "settings": {"reps": reps, "bits": bits, "set_size": set_size, "sum_terms": sum_terms, "batch": batch,
                     "parties": parties},
        "results": results,
        "note": note,
    }


def plot(report: dict, path: str) -> None:
    """Grouped bars (log scale): prove and verify time per proof type and backend."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = [r for r in report["results"] if "verify_ms" in r]
    proofs = list(dict.fromkeys(r["proof"] for r in rows))
    groups = list(dict.fromkeys(f"{r['group']}:{r['backend']}" for r in rows))
    fig, ax = plt.subplots(figsize=(9, 4.5))
    width = 0.8 / (2 * len(groups))
    for gi, g in enumerate(groups):
        for si, stage in enumerate(("prove_ms", "verify_ms")):
            ys = [next(r[stage] for r in rows if f"{r['group']}:{r['backend']}" == g and r["proof"] == p)
                  for p in proofs]
            xs = [i + (2 * gi + si - len(groups) + 0.5) * width for i in range(len(proofs))]
            ax.bar(xs, ys, width, label=f"{g} {stage[:-3]}")
    ax.set_xticks(range(len(proofs)))
    s = report["settings"]
    ax.set_xticklabels([f"{p}\n" + {"zkpNN": f"{s['bits']} bits", "zkpMbs": f"|set|={s['set_size']}",
                                    "zkpSum": f"{s['sum_terms']} terms"}.get(p, "") for p in proofs])
    ax.set_yscale("log")
    ax.set_ylabel("milliseconds (median)")
    ax.set_title("Σ-protocol prove/verify time per backend (non-interactive)")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)


@guarded
def main(argv: list[str] | None = None) -> int:
    ap = ArgumentParser(prog="python -m benchmarks.zkp", description=__doc__,
                        formatter_class=argparse.RawDescriptionHelpFormatter,
                        epilog="Exit status: 0 success, 2 bad usage (one line naming the option).")
    ap.add_argument("--json", metavar="OUT", help="write the measurements to this JSON file")
    ap.add_argument("--plot", metavar="PNG", help="write a bar chart to this PNG file")
    backends = available_backends()
    ap.add_argument("--groups", default=",".join(backends),
                    help=f"comma-separated group[:backend] to measure (default: every installed backend: "
                         f"{','.join(backends)})")
    ap.add_argument("--reps", type=bounded_int(1, 1000), default=5,
                    help="runs per measurement, median reported, 1..1000 (default 5)")
    ap.add_argument("--bits", type=bounded_int(1, 252), default=64,
                    help="bit length of the zkpNN range proof, 1..252 (default 64)")
    ap.add_argument("--set-size", type=bounded_int(1, 4096), default=8, help="size of the zkpMbs set, 1..4096 (default 8)")
    ap.add_argument("--sum-terms", type=bounded_int(1, 10000), default=8,
                    help="number of commitments in zkpSum, 1..10000 (default 8)")
    ap.add_argument("--parties", type=bounded_int(1, 64), default=3,
                    help="parties of the distributed-proof sessions, 1..64 (default 3; 1 = skip them)")
    ap.add_argument("--batch", type=bounded_int(1, 1000), default=8,
                    help="also time batch verification of this many zkpNN proofs, 1..1000 (default 8; 1 = skip)")
    args = ap.parse_args(argv)
    groups = [g.strip() for g in args.groups.split(",") if g.strip()]
    bad = []
    for g in groups:
        try:
            get_group(g)
        except (ValueError, ImportError) as exc:
            bad.append(f"{g[:40]} ({exc})")
    if bad or not groups:
        raise CliError(f"--groups: cannot use {', '.join(bad) or '(empty)'}; installed: {', '.join(backends)}")
    if args.json is not None:
        check_output_path(args.json, "--json")
    if args.plot is not None:
        check_output_path(args.plot, "--plot", PLOT_SUFFIXES)
    report = run(groups, args.reps, args.bits, args.set_size, args.sum_terms, args.batch, args.parties)
    if args.json is not None:
        write_json_file(args.json, "--json", report)
        print(f"wrote {args.json}")
    if args.plot is not None:
        plot(report, args.plot)
        print(f"wrote {args.plot}")
    print(f"Closing note — {report['note']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
