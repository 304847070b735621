"""Routing benchmark: every instance of ``protocols/routing/data`` against its best-known value.

    python -m benchmarks.routing --json out.json [--plot out.png] [--time-limit 30]
                                 [--data DIR] [--only NAME ...]

TSPTW files are solved by the exact DP and by the seed's MILP (HiGHS); Solomon VRPTW
files by PyVRP with ``--time-limit`` seconds each, under the truncated DIMACS convention
(all sizes) and, for the 100-customer files, also under the hierarchical convention
(vehicles first, double precision).  Per instance and method the JSON holds objective,
vehicles, best-known value, gap and time; the PNG draws one solved route set (R106,
100 customers, DIMACS, unless ``--plot-instance`` says otherwise).  A Markdown table of
the same numbers is printed at the end.

Scaling (skip with ``--no-scaling``): generated Dumas-style TSPTW instances
(:mod:`protocols.routing.synthetic`, n = 20..200, window widths 20/60/100) solved by the
exact DP, and by the MILP up to n = 60 with ``--milp-limit`` seconds; drawn in
``<plot>_scaling.png``.  Runtime about 12 x time-limit seconds plus 2-3 minutes.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

from mpc.cli import (PLOT_SUFFIXES, ArgumentParser, CliError, bounded_float, check_output_path, guarded,
                     write_text_file)
from protocols.routing.benchmark_files import (
    DATA_ENV_VAR,
    BenchmarkFormatError,
    data_dir,
    read_lkh_tsptw,
    read_lopez_ibanez,
    read_solomon,
    solomon_as_tsptw,
)
from protocols.routing.best_known import benchmark_set, gap_percent, load_best_known
from protocols.routing.synthetic import dumas_style
from protocols.routing.tsptw import solve_tsptw
from protocols.routing.solve import MAX_TIME_LIMIT
from protocols.routing.vrptw import solve_vrptw

LKH_SCALE = 10_000


def tsptw_cases(folder: Path) -> list[tuple[str, str, object, float, str]]:
    """(label, kind, TSPTW instance, scale, BKS set) for every TSPTW file in ``folder``."""
    cases = []
    for path in sorted((folder / "tsptw" / "dumas").glob("*.txt")):
        cases.append((f"dumas/{path.stem}", "lopez_ibanez", read_lopez_ibanez(path), 1, "tsptw_dumas"))
    for path in sorted((folder / "tsptw" / "potvin_bengio").glob("*.tsptw")):
        cases.append((f"potvin_bengio/{path.stem}", "lkh_tsptw", read_lkh_tsptw(path), LKH_SCALE, "tsptw_potvin_bengio"))
    for path in sorted((folder / "tsptw" / "potvin_bengio_solomon_format").glob("*.txt")):
        inst = solomon_as_tsptw(read_solomon(path), "euclid")
        cases.append((f"potvin_bengio_solomon/{path.stem}", "solomon_tsptw", inst, 1, "tsptw_potvin_bengio_travel"))
    return cases


def vrptw_cases(folder: Path) -> list[tuple[str, Path, str]]:
    """(label, file, convention) for every Solomon VRPTW run."""
    cases = []
    for size in ("25", "50", "100"):
        for path in sorted((folder / "vrptw" / f"solomon_{size}").glob("*.txt")):
            cases.append((f"solomon_{size}/{path.stem}", path, "dimacs"))
    for path in sorted((folder / "vrptw" / "solomon_100").glob("*.txt")):
        cases.append((f"solomon_100/{path.stem}", path, "hierarchical"))
    return cases


def run(folder: Path, time_limit: float, only: list[str] | None, log) -> tuple[list[dict], dict]:
    bks = load_best_known(folder)
    rows: list[dict] = []
    solutions: dict = {}
    for label, kind, inst, scale, set_name in tsptw_cases(folder):
        if only and not any(o in label for o in only):
            continue
        for method in ("dp", "milp"):
            log(f"TSPTW {label} ({inst.n} customers) by {method} ...")
            started = time.perf_counter()
            res = solve_tsptw(inst, method, time_limit=max(time_limit, 60))
            elapsed = time.perf_counter() - started
            best = bks.get((set_name, inst.name))
            obj = res.cost / scale if res.feasible else None
            rows.append({
                "instance": label, "problem": "tsptw", "set": set_name, "method": method,
                "n_customers": inst.n, "status": res.status, "objective": obj, "vehicles": 1,
                "best_known": best.objective if best else None,
                "gap_percent": gap_percent(obj, best.objective, best.decimals) if best and obj is not None else None,
                "time_s": round(elapsed, 3),
                "route": [inst.label(k) for k in res.order],
            })
            log(f"  -> {rows[-1]['status']} {obj} (best known {rows[-1]['best_known']}) in {elapsed:.2f} s")
    for label, path, convention in vrptw_cases(folder):
        if only and not any(o in label for o in only):
            continue
        inst = read_solomon(path)
        set_name = benchmark_set("solomon_vrptw", inst.n, convention)
        log(f"VRPTW {label} [{convention}] with PyVRP for {time_limit:g} s ...")
        sol = solve_vrptw(inst, convention, time_limit)
        best = bks.get((set_name, inst.name))
        obj = round(sol.distance, 2) if sol.feasible else None
        rows.append({
            "instance": label, "problem": "vrptw", "set": set_name, "method": "pyvrp",
            "convention": convention, "n_customers": inst.n,
            "status": "feasible" if sol.feasible else "infeasible",
            "objective": obj, "vehicles": sol.vehicles,
            "best_known": best.objective if best else None,
            "best_known_vehicles": best.vehicles if best else None,
            "gap_percent": gap_percent(sol.distance, best.objective, best.decimals) if best and sol.feasible else None,
            "time_s": round(sol.runtime, 3),
            "routes": [list(r) for r in sol.routes],
        })
        solutions[(label, convention)] = (inst, sol)
        log(f"  -> {obj} with {sol.vehicles} vehicles (best known {rows[-1]['best_known']} with "
            f"{rows[-1]['best_known_vehicles']}) gap {rows[-1]['gap_percent']}")
    return rows, solutions


SCALING_SIZES = (20, 40, 60, 100, 150, 200)
SCALING_WIDTHS = (20, 60, 100)
MILP_MAX_N = 60


def run_scaling(milp_limit: float, log) -> list[dict]:
    """Exact DP (all sizes) and MILP (n <= 60) on generated instances; the DP is the reference."""
    rows = []
    for n in SCALING_SIZES:
        for width in SCALING_WIDTHS:
            inst = dumas_style(n, width, seed=1)
            started = time.perf_counter()
            dp = solve_tsptw(inst, "dp")
            dp_time = time.perf_counter() - started
            row = {"instance": inst.name, "n_customers": n, "width": width, "dp_status": dp.status,
                   "dp_cost": dp.cost, "dp_time_s": round(dp_time, 3)}
            if n <= MILP_MAX_N:
                started = time.perf_counter()
                milp = solve_tsptw(inst, "milp", time_limit=milp_limit)
                row.update(milp_status=milp.status, milp_cost=milp.cost,
                           milp_time_s=round(time.perf_counter() - started, 3))
            rows.append(row)
            log(f"scaling {inst.name}: DP {dp.status} {dp.cost} in {dp_time:.2f} s"
                + (f"; MILP {row['milp_status']} {row['milp_cost']} in {row['milp_time_s']} s" if "milp_cost" in row else ""))
    return rows


def plot_scaling(rows: list[dict], out: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4.5))
    for k, width in enumerate(SCALING_WIDTHS):
        sub = [r for r in rows if r["width"] == width]
        ax.plot([r["n_customers"] for r in sub], [max(r["dp_time_s"], 1e-3) for r in sub], "-o",
                color=f"C{k}", label=f"exact DP, width {width}")
        milp = [r for r in sub if "milp_time_s" in r]
        ax.plot([r["n_customers"] for r in milp], [r["milp_time_s"] for r in milp], "--s", color=f"C{k}",
                label=f"MILP (HiGHS), width {width}")
    ax.set_yscale("log")
    ax.set_xlabel("customers")
    ax.set_ylabel("seconds (MILP capped by its time limit)")
    ax.set_title("TSPTW: exact DP vs the seed's MILP on Dumas-style instances")
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(out, dpi=120)
    plt.close(fig)


def markdown_table(rows: list[dict]) -> str:
    head = "| instance | set | method | objective | vehicles | best known | gap % | time s |\n|---|---|---|---|---|---|---|---|"
    lines = [head]
    for r in rows:
        gap = "-" if r["gap_percent"] is None else f"{r['gap_percent']:.2f}"
        bkv = r.get("best_known_vehicles")
        veh = f"{r['vehicles']}" + (f" ({bkv})" if bkv else "")
        obj = "-" if r["objective"] is None else f"{r['objective']:.6g}"
        lines.append(f"| {r['instance']} | {r['set']} | {r['method']} | {obj} | {veh} | {r['best_known']} | {gap} | {r['time_s']} |")
    return "\n".join(lines)


def scaling_table(rows: list[dict]) -> str:
    lines = ["| instance | n | width | DP cost | DP s | MILP | MILP cost | MILP s |", "|---|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['instance']} | {r['n_customers']} | {r['width']} | {r['dp_cost']} | {r['dp_time_s']} | "
                     f"{r.get('milp_status', '-')} | {r.get('milp_cost', '-')} | {r.get('milp_time_s', '-')} |")
    return "\n".join(lines)


def plot_routes(inst, sol, title: str, out: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 7))
    cmap = plt.get_cmap("tab20")
    for k, route in enumerate(sol.routes):
        path = [0, *route, 0]
        ax.plot([inst.x[i] for i in path], [inst.y[i] for i in path], "-o", ms=3, lw=1.2, color=cmap(k % 20))
    ax.plot(inst.x[0], inst.y[0], "ks", ms=9, label="depot")
    ax.set_title(title)
    ax.set_aspect("equal")
    ax.legend(loc="upper right")
    fig.tight_layout()
    fig.savefig(out, dpi=120)
    plt.close(fig)


@guarded
def main(argv: list[str] | None = None) -> int:
    seconds = bounded_float(0.0, MAX_TIME_LIMIT, what="a number of seconds")
    p = ArgumentParser(prog="python -m benchmarks.routing", description=__doc__.split("\n\n", 1)[1],
                       formatter_class=argparse.RawDescriptionHelpFormatter,
                       epilog="Exit status: 0 success, 2 bad usage or data folder (one line naming the option).")
    p.add_argument("--json", type=Path, required=True, metavar="OUT", help="results file (JSON)")
    p.add_argument("--plot", type=Path, metavar="PNG", help="route plot (default: OUT with .png)")
    p.add_argument("--time-limit", type=seconds, default=30.0, metavar="S",
                   help=f"PyVRP seconds per VRPTW run, in (0, {MAX_TIME_LIMIT:g}] (default 30)")
    p.add_argument("--data", type=Path, help=f"benchmark folder (default ${DATA_ENV_VAR} or protocols/routing/data)")
    p.add_argument("--only", nargs="*", metavar="NAME", help="run only instances whose label contains NAME")
    p.add_argument("--plot-instance", default="solomon_100/R106", help="VRPTW label to draw (DIMACS run)")
    p.add_argument("--no-scaling", action="store_true", help="skip the generated-instance scaling runs")
    p.add_argument("--milp-limit", type=seconds, default=30.0, metavar="S",
                   help=f"HiGHS seconds per scaling MILP, in (0, {MAX_TIME_LIMIT:g}] (default 30)")
    args = p.parse_args(argv)
    check_output_path(args.json, "--json")
    plot_path = args.plot or args.json.with_suffix(".png")
    check_output_path(plot_path, "--plot", PLOT_SUFFIXES)
    folder = args.data or data_dir()
    try:
        found = (folder / "BKS.csv").is_file()
    except OSError as exc:  # e.g. a name too long for the file system
        raise CliError(f"--data {folder}: {exc.strerror}") from None
    if not found:
        raise CliError(f"--data {folder}: no BKS.csv there (set --data or ${DATA_ENV_VAR} to the benchmark folder)")
    if args.only:
        try:
            labels = [c[0] for c in tsptw_cases(folder)] + [c[0] for c in vrptw_cases(folder)]
        except BenchmarkFormatError as exc:
            raise CliError(f"--data: {exc}") from None
        unmatched = [o for o in args.only if not any(o in label for label in labels)]
        if unmatched:  # a typo would otherwise run nothing and write an empty table
            raise CliError(f"--only {unmatched[0]!r}: no instance label contains it (labels: {', '.join(labels)})")

    def log(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    try:
        rows, solutions = run(folder, args.time_limit, args.only, log)
    except BenchmarkFormatError as exc:
        raise CliError(f"--data: {exc}") from None
    scaling = [] if args.no_scaling else run_scaling(args.milp_limit, log)
    payload = {"time_limit_s": args.time_limit, "data": str(folder), "cpu_count": os.cpu_count(), "results": rows,
               "scaling": scaling}
    write_text_file(args.json, "--json", json.dumps(payload, indent=1, default=str))
    if scaling:
        scaling_path = plot_path.with_name(plot_path.stem + "_scaling" + plot_path.suffix)
        plot_scaling(scaling, scaling_path)
        log(f"scaling plot: {scaling_path}")
    key = (args.plot_instance, "dimacs")
    if key not in solutions and solutions:
        key = next(iter(solutions))
    if key in solutions:
        inst, sol = solutions[key]
        plot_routes(inst, sol, f"{inst.name} ({inst.n} customers, {key[1]}): {sol.distance:.1f}, {sol.vehicles} routes", plot_path)
        log(f"route plot: {plot_path}")
    print(markdown_table(rows))
    if scaling:
        print()
        print(scaling_table(scaling))
    return 0


if __name__ == "__main__":
    sys.exit(main())
