"""Command line: solve one routing benchmark file and report its objective.

    python -m protocols.routing.solve INSTANCE [--time-limit S] [--json OUT]
                                        [--convention C] [--method M]

The format is detected from the file's content (see ``protocols/routing/data/README.md``):

* Lopez-Ibanez/Blum TSPTW (Dumas): TSPTW; objective = sum of matrix entries.
* LKH-3 TSPTW (Potvin-Bengio): TSPTW; objective = matrix sum / 10^4 (Euclidean distance
  plus total service time, the file's scale).
* Solomon with one vehicle: TSPTW; default convention "euclid" (distance only, double
  precision); "dimacs" truncates distances to one decimal.
* Solomon with several vehicles: VRPTW on PyVRP; default convention "dimacs"
  (floor(10*euclid)/10, distance only); "hierarchical" minimises vehicles, then distance
  in double precision; "euclid" is distance only in double precision.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path

from mpc.cli import (ArgumentParser, CliError, bounded_float, check_not_input, check_output_path, guarded,
                     write_text_file)

from .benchmark_files import (
    BenchmarkFormatError,
    SolomonInstance,
    detect_format,
    read_instance,
    solomon_as_tsptw,
)
from .best_known import benchmark_set, gap_percent, load_best_known
from .tsptw import METHODS, solve_tsptw
from .tsptw_model import TSPTWInstance
from .vrptw import CONVENTIONS, solve_vrptw

LKH_SCALE = 10_000


def solve_file(path: Path, time_limit: float = 30.0, convention: str | None = None, method: str = "auto",
               progress=None) -> dict:
    """Solve one benchmark file; return the JSON-ready report (see the module docstring)."""
    kind = detect_format(path)
    inst = read_instance(path)
    started = time.perf_counter()
    if isinstance(inst, SolomonInstance) and inst.vehicles > 1:
        if method != "auto":
            raise ValueError(f"--method {method}: methods apply to TSPTW files; {path.name} is a VRPTW (PyVRP)")
        conv = convention or "dimacs"
        if conv not in CONVENTIONS:
            raise ValueError(f"--convention: a VRPTW file takes one of {', '.join(CONVENTIONS)}, not {conv!r}")
        if progress:
            progress(f"VRPTW {inst.name}: {inst.n} customers, PyVRP for {time_limit:g} s, convention {conv}")
        sol = solve_vrptw(inst, conv, time_limit)
        report = {
            "problem": "vrptw",
            "kind": "solomon_vrptw",
            "convention": conv,
            "status": "feasible" if sol.feasible else "no feasible solution found",
            "method": "pyvrp",
            "objective": round(sol.distance, 6) if sol.feasible else None,
            "vehicles": sol.vehicles,
            "routes": [list(r) for r in sol.routes],
            "service_start_times": [[round(t, 6) for t in ts] for ts in sol.start_times],
        }
        n = inst.n
    else:
        if isinstance(inst, SolomonInstance):
            conv = convention or "euclid"
            if conv not in ("euclid", "dimacs"):
                raise ValueError(f"--convention: a single-vehicle Solomon file is solved as TSPTW with 'euclid' or 'dimacs', not {conv!r}")
            tsp = solomon_as_tsptw(inst, conv)
            scale, kind = (10 if conv == "dimacs" else 1), "solomon_tsptw"
        else:
            if convention not in (None, "matrix"):
                raise ValueError("--convention: matrix TSPTW files use their matrix as given ('matrix')")
            conv, tsp = "matrix", inst
            scale = LKH_SCALE if kind == "lkh_tsptw" else 1
        assert isinstance(tsp, TSPTWInstance)
        if progress:
            progress(f"TSPTW {tsp.name}: {tsp.n} customers, method {method}")
        res = solve_tsptw(tsp, method, time_limit)
        depot = tsp.label(0)
        route = [tsp.label(k) for k in res.order]
        report = {
            "problem": "tsptw",
            "kind": kind,
            "convention": conv,
            "status": res.status,
            "method": res.method,
            "objective": (res.cost / scale) if res.feasible else None,
            "objective_raw": res.cost if res.feasible else None,
            "vehicles": 1 if res.feasible else 0,
            "depot": depot,
            "routes": [route] if res.feasible else [],
            "service_start_times": [[res.schedule.start_times[k] / scale for k in res.order]] if res.feasible else [],
            "detail": res.detail,
        }
        n = tsp.n
    report["time_s"] = round(time.perf_counter() - started, 3)
    report["instance"] = inst.name
    report["file"] = str(path)
    report["n_customers"] = n
    bks = load_best_known().get((benchmark_set(report["kind"], n, report["convention"]), inst.name))
    if bks is not None and report["objective"] is not None:
        report["best_known"] = bks.objective
        report["best_known_vehicles"] = bks.vehicles
        report["gap_percent"] = round(gap_percent(report["objective"], bks.objective, bks.decimals), 4)
    return report


#: --time-limit: a day is far beyond any benchmark run (PyVRP's default budget is 30 s)
MAX_TIME_LIMIT = 86_400.0


def _parser() -> ArgumentParser:
    p = ArgumentParser(
        prog="python -m protocols.routing.solve",
        description=__doc__.split("\n\n", 1)[1],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="Exit status: 0 solved, 1 no feasible route found, 2 bad usage or input (one line naming the "
               "option, or the file and line).",
    )
    p.add_argument("instance", type=Path, metavar="INSTANCE",
                   help="benchmark file (Solomon, Lopez-Ibanez or LKH-3 TSPTW); protocols/routing/data holds examples")
    p.add_argument("--time-limit", type=bounded_float(0.0, MAX_TIME_LIMIT, what="a number of seconds"), default=30.0,
                   metavar="S", help="seconds for PyVRP (VRPTW, or TSPTW fallback) and HiGHS (--method milp), "
                                     f"in (0, {MAX_TIME_LIMIT:g}]; default 30")
    p.add_argument("--json", type=Path, metavar="OUT", help="write the routes and the objective as JSON to OUT")
    p.add_argument("--convention", choices=[*CONVENTIONS, "matrix"],
                   help="objective convention (defaults per format, see above)")
    p.add_argument("--method", choices=METHODS, default="auto", help="TSPTW method; default auto (exact DP)")
    return p


@guarded
def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.json is not None:
        check_output_path(args.json, "--json")
        check_not_input(args.json, {"INSTANCE": args.instance}, "--json")
    try:
        report = solve_file(args.instance, args.time_limit, args.convention, args.method,
                            progress=lambda msg: print(msg, file=sys.stderr, flush=True))
    except BenchmarkFormatError as exc:
        raise CliError(f"INSTANCE {exc}") from None
    except ValueError as exc:  # an option that does not fit the file, or an instance the model refuses
        raise CliError(str(exc) if str(exc).startswith("--") else f"INSTANCE {args.instance}: {exc}") from None
    obj = report["objective"]
    line = f"{report['instance']}: {report['problem']} ({report['convention']}) status {report['status']}"
    if obj is not None:
        line += f", objective {obj:.6g}, vehicles {report['vehicles']}, time {report['time_s']} s"
    if "gap_percent" in report:
        line += f", best known {report['best_known']:g}"
        if report["problem"] == "vrptw":
            line += f" with {report['best_known_vehicles']} vehicles"
        line += f" (gap {report['gap_percent']:.2f} %)"
    print(line)
    if args.json is not None:
        write_text_file(args.json, "--json", json.dumps(report, indent=2, default=_json_default))
    return 0 if obj is not None else 1


def _json_default(value):
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return str(value)


if __name__ == "__main__":
    sys.exit(main())
