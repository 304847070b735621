"""Benchmark: the private group purchase against the number of users (the seed's Figure 5 analogue).

    python -m benchmarks.energy_users --users 3,6,9,12,15,18,21,24,27 --json out.json --plot out.png

For each N it runs `python -m protocols.energy.run -M<N>` (N real processes on this machine,
MPyC's launcher, trusted-dealer preprocessing) on a scenario of N households and records, per
party and per stage (0 accounts, 1 inputs + Merkle + Π_dzkpCm, 2 Π_WFA, 3 Π_MC, 4 payments),
the wall time, the bytes and messages it sent and its communication rounds; the JSON holds
every party's numbers and the plot the mean per party against N.

The households cycle through the four Table 2 households (`protocols/energy/scenarios/
table2.json`; day d uses day d mod 14) with a seeded ±15 % scale per household, and the
standalone plan's disconnection fee is calibrated with the plaintext reference so that the
group joins on the last day: every slot goes through Stage 2 (as the seed's fortnight) and
Stages 3–4 run.  All parties share the machine's cores, so times grow with N for that reason
too; bytes and rounds do not depend on the machine.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from mpc.cli import (PLOT_SUFFIXES, ArgumentParser, CliError, bounded_int, check_output_path, guarded, seconds,
                     write_json_file)
from mpc.launch import MAX_PARTIES
from protocols.energy.private.session import STAGES
from protocols.energy.reference.two_state import decide_join, two_state_inputs
from protocols.energy.scenarios.loader import BUILTIN_DIR, parse_scenario

REPO = Path(__file__).resolve().parents[1]


def benchmark_scenario(n_users: int, days: int, seed: int = 7) -> dict:
    """N households derived from Table 2's four (seeded scaling), calibrated to join on the last day."""
    base = json.loads((BUILTIN_DIR / "table2.json").read_text())
    rng = random.Random(seed)
    users = []
    for k in range(n_users):
        src = base["users"][k % len(base["users"])]
        scale = rng.uniform(0.85, 1.15)
        rows = [[round(a * scale) for a in src["energy_wh"][d % len(src["energy_wh"])]] for d in range(days)]
        users.append({"id": f"h{k + 1:02d}", "initial_plan": src["initial_plan"],
                      "slots_on_plan": src["slots_on_plan"], "energy_wh": rows})
    base["users"] = users
    for p in base["plans"]:
        p["min_users"] = min(p["min_users"], n_users)
    return _calibrate(base, days)


def _join_slot(data: dict, fee: int) -> int | None:
    trial = json.loads(json.dumps(data))
    std = next(p for p in trial["plans"] if p["id"] != trial["group_plan"])
    std["disconnection_fee"] = fee
    scenario = parse_scenario(trial)
    return decide_join(two_state_inputs(scenario), scenario.scheme).join_slot


def _calibrate(data: dict, days: int) -> dict:
    """Smallest standalone disconnection fee (µ$) whose join slot is the last day, if one exists."""
    lo, hi = 0, 10**12
    while hi - lo > 1:
        mid = (lo + hi) // 2
        js = _join_slot(data, mid)
        if js is not None and js < days:
            lo = mid
        else:
            hi = mid
    std = next(p for p in data["plans"] if p["id"] != data["group_plan"])
    std["disconnection_fee"] = hi if _join_slot(data, hi) == days else lo
    return data


def run_one(n_users: int, days: int, workdir: Path, timeout: float, base_port: int) -> dict:
    """One multi-process session; returns every party's stats (from the CLI's --stats files)."""
    data = benchmark_scenario(n_users, days)
    scen = workdir / f"scenario-{n_users}.json"
    scen.write_text(json.dumps(data))
    stats = workdir / f"stats-{n_users}.json"
    cmd = [sys.executable, "-m", "protocols.energy.run", f"-M{n_users}", "-B", str(base_port), "--no-log",
           # every path absolute and inside the scratch folder: the command runs from the
           # repository, and energy.run's run folder would otherwise default to ./energy_run
           "--scenario", str(scen), "--workdir", str(workdir / f"run-{n_users}"),
           "--json", str(workdir / f"out-{n_users}.json"), "--stats", str(stats), "--timeout", str(timeout)]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise RuntimeError(f"N={n_users}: the session failed (exit {proc.returncode}):\n{proc.stderr[-2000:]}")
    parties = []
    deadline = time.time() + 60  # children finish a moment after party 0
    for i in range(n_users):
        path = stats if i == 0 else stats.with_name(f"{stats.stem}.party{i}{stats.suffix}")
        while not path.exists() and time.time() < deadline:
            time.sleep(0.2)
        parties.append(json.loads(path.read_text()))
    def stage_value(p: dict, st: str, key: str) -> float:
        got = p["stages"].get(st)
        if got is None:     # a stage the run did not reach (no join: no compensation)
            return 0.0
        return got["offline"]["seconds"] if key == "offline_seconds" else got[key]

    mean = {st: {k: sum(stage_value(p, st, k) for p in parties) / n_users
                 for k in ("seconds", "offline_seconds", "rounds", "messages", "bytes")} for st in STAGES}
    return {"users": n_users, "days": days, "join_slot": parties[0]["join_slot"],
            "slots_evaluated": parties[0]["slots_evaluated"], "launcher_wall_seconds": wall,
            "mean_per_party": mean, "parties": parties, "trust_model": parties[0]["trust_model"]}


def plot(results: list[dict], path: Path) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ns = [r["users"] for r in results]
    fig, axes = plt.subplots(1, 3, figsize=(15, 4.2))
    for ax, key, label in zip(axes, ("seconds", "bytes", "rounds"),
                              ("wall time per party (s)", "bytes sent per party", "rounds per party")):
        for st in STAGES:
            ax.plot(ns, [r["mean_per_party"][st][key] for r in results], marker="o", label=st.split("_", 1)[1])
        ax.set_xlabel("users N (one process each)")
        ax.set_ylabel(label)
        ax.grid(alpha=0.3)
        # the measured N only, and some room around them: with a single N matplotlib would
        # otherwise spread a degenerate axis of fractional user counts around it
        ax.set_xticks(ns)
        ax.set_xlim(min(ns) - 1, max(ns) + 1)
    axes[1].set_yscale("log")
    axes[0].legend(fontsize=8)
    days = results[0]["days"]
    fig.suptitle(f"Private group purchase per stage vs N ({days} days, join on the last day, "
                 "trusted-dealer preprocessing, all parties on one machine)")
    fig.tight_layout()
    fig.savefig(path, dpi=120)


def parse_users(text: str) -> list[int]:
    """--users: comma-separated N, each in 3..MAX_PARTIES (a session of N processes)."""
    parts = [x.strip() for x in text.split(",")]
    if not text.strip() or any(not x.isdigit() or len(x) > 4 for x in parts):
        raise CliError(f"--users {text[:40]!r}: expected comma-separated integers, e.g. 3,9,27")
    ns = [int(x) for x in parts]
    if not all(3 <= n <= MAX_PARTIES for n in ns):
        raise CliError(f"--users {text[:40]}: every N must be in 3..{MAX_PARTIES} (the group plan's minimum is 3; "
                       f"the launcher starts at most {MAX_PARTIES} parties)")
    return ns


@guarded
def main(argv: list[str] | None = None) -> int:
    p = ArgumentParser(prog="python -m benchmarks.energy_users", description=__doc__.split("\n\n")[0],
                       formatter_class=argparse.RawDescriptionHelpFormatter,
                       epilog="Exit status: 0 success, 1 a session failed (its last lines are shown), 2 bad usage.")
    p.add_argument("--users", default="3,6,9,12,15,18,21,24,27",
                   help=f"comma-separated N values, each in 3..{MAX_PARTIES} (default 3,6,...,27)")
    p.add_argument("--days", type=bounded_int(2, 365), default=7, help="slots (days) per session, 2..365 (default 7)")
    p.add_argument("--timeout", type=seconds, default=120.0, metavar="SECONDS",
                   help="per-message timeout of the sessions, at most a day (default 120)")
    p.add_argument("--json", required=True, metavar="OUT", help="write all numbers here")
    p.add_argument("--plot", metavar="OUT.png", help="write the plot here")
    args = p.parse_args(argv)
    ns = parse_users(args.users)
    check_output_path(args.json, "--json")
    if args.plot is not None:
        check_output_path(args.plot, "--plot", PLOT_SUFFIXES)
    sys.path.insert(0, str(REPO))
    from tests.conftest import free_base_port

    results = []
    with tempfile.TemporaryDirectory(prefix="energy-users-") as tmp:
        for n in ns:
            print(f"N = {n}: running {n} processes, {args.days} days …", flush=True)
            try:
                r = run_one(n, args.days, Path(tmp), args.timeout, free_base_port(n))
            except RuntimeError as exc:
                print(f"error: {exc}", file=sys.stderr)
                return 1
            results.append({k: v for k, v in r.items()})
            line = "  ".join(f"{st.split('_', 1)[0]} {r['mean_per_party'][st]['seconds']:.2f}s" for st in STAGES)
            print(f"N = {n}: join slot {r['join_slot']} after {r['slots_evaluated']} slots; per party {line}; "
                  f"launcher {r['launcher_wall_seconds']:.1f} s", flush=True)
            write_json_file(args.json, "--json", {"days": args.days, "results": results}, indent=1)
    if args.plot is not None:
        plot(results, Path(args.plot))
        print(f"plot written to {args.plot}")
    print(f"numbers written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
