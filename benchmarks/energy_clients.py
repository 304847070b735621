"""Benchmark: the energy client mode (households as input-only clients of m servers) against
the number of households, with real processes.

    python -m benchmarks.energy_clients --households 10,100,1000 --json out.json --plot out.png

For each N it generates a scenario of N households (--days daily slots, seeded BDEW profiles,
30 % with PV), runs the utility operator and opens every household's account (timed apart, as
setup), then starts `python -m protocols.energy.serve -M<m> --external-households` (m server
processes under the launcher; trusted-dealer preprocessing unless --preprocessing) and the
household simulator (`python -m protocols.energy.household --all`, sharded as `serve` does),
all on this machine, and records:

* per server and stage (0 accounts, 1 inputs, 2 WFA, 3 compensation, 4 payments): wall time,
  rounds, messages and bytes sent to the other servers (the servers' own stage reports,
  `--stats`), the named steps inside the stages (where the time goes: waiting for the inputs,
  the leaf and opening-proof checks, commitments, the households' answers, the ledger's
  verification, the replicas' verification) and the bytes exchanged with households;
* per household: seconds from its first message to the ledger notice, the seconds of its
  own proofs, and the frames and bytes it sent to and received from all servers (summaries
  over the households: min, median, mean, max);
* the machine's load average before and after each run and sampled during it (the machine
  may be shared: every time here is wall-clock), the versions of Python and the libraries,
  and the commit.

A run that fails is recorded with its reason; a run longer than --max-minutes is stopped and
recorded as such; larger N are then skipped (recorded as skipped). Nothing is extrapolated.
"""
from __future__ import annotations

import json
import math
import os
import platform
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Optional

from mpc.cli import ArgumentParser, CliError, bounded_float, bounded_int, check_output_path, fail, seconds, \
    write_json_file

REPO = Path(__file__).resolve().parents[1]
STAGES = ("stage0_accounts", "stage1_inputs", "stage2_wfa", "stage3_compensation", "stage4_payments")
STEPS = ("0_ledger_sync", "1_prepare", "1_collect", "1_agree", "1_leaves", "1_openings", "4_commit", "4_outputs", "4_answers",
         "4_ledger_submit", "4_ledger_sync", "4_notify")
HOUSEHOLD_KEYS = ("seconds", "compute_seconds", "sent_bytes", "received_bytes", "sent_messages", "received_messages")
LIBRARIES = ("gmpy2", "cryptography", "fastecdsa", "py_ecc", "coincurve", "numpy", "matplotlib")
MAX_HOUSEHOLDS = 100_000
#: seconds the household simulators get to finish once the servers have ended well
SIMULATOR_GRACE = 120.0


def log(msg: str) -> None:
    print(f"[energy_clients] {msg}", file=sys.stderr, flush=True)


def parse_counts(text: str) -> list[int]:
    out = []
    for part in text.split(","):
        part = part.strip()
        if not part.isdigit() or len(part) > 6:
            raise CliError(f"--households {text}: expected comma-separated integers, e.g. 10,100,1000")
        n = int(part)
        if not 3 <= n <= MAX_HOUSEHOLDS:
            raise CliError(f"--households: {n} is outside 3..{MAX_HOUSEHOLDS} (the group plan needs 3)")
        out.append(n)
    if not out:
        raise CliError("--households: give at least one count")
    if len(set(out)) != len(out):
        raise CliError(f"--households {text}: a count appears twice")
    return out


def build_parser() -> ArgumentParser:
    p = ArgumentParser(prog="python -m benchmarks.energy_clients", description=__doc__.split("\n\n")[0],
                       epilog="Exit status: 0 every run finished, 1 a run failed or was stopped at --max-minutes "
                              "(recorded in the JSON with the servers' last line), 2 bad usage (one line naming "
                              "the option).")
    p.add_argument("--households", default="10,100,1000", help="comma-separated counts N, each 3..100000 "
                                                               "(default 10,100,1000)")
    p.add_argument("--servers", type=bounded_int(2, 16, "a number of servers"), default=3,
                   help="computing parties m, 2..16 (default 3)")
    p.add_argument("--days", type=bounded_int(2, 365, "a number of days"), default=14,
                   help="daily slots of the scenario, 2..365 (default 14)")
    p.add_argument("--preprocessing", choices=("dealer", "mascot"), default="dealer",
                   help="the servers' preprocessing (default dealer: fast, trusted; for benchmarks only)")
    p.add_argument("--timeout", type=seconds, default=300.0,
                   help="the servers' per-message timeout, also the households' (default 300)")
    p.add_argument("--window", type=seconds, default=600.0,
                   help="seconds the households have to send their inputs, and again to pay (default 600)")
    p.add_argument("--max-minutes", type=bounded_float(0.0, 24 * 60.0, what="minutes"), default=40.0,
                   help="stop a run after this many minutes (setup included) and skip the larger N (default 40)")
    p.add_argument("--max-frame", type=bounded_int(1, 4095, "a number of MiB"), default=None, metavar="MiB",
                   help="the servers' largest message between them (default: the launcher's, 256 MiB)")
    p.add_argument("--concurrency", type=bounded_int(1, 100_000), default=500,
                   help="households of the simulator connecting at the same time (default 500)")
    p.add_argument("--seed", type=bounded_int(0, 2**31 - 1, "a seed"), default=2024, help="scenario seed")
    p.add_argument("--keep", metavar="DIR", default=None,
                   help="keep every run's folder (scenario, ledger, logs, stats) under DIR (default: a temporary "
                        "folder, removed)")
    p.add_argument("--json", required=True, metavar="PATH", help="write the measurements here")
    p.add_argument("--plot", metavar="PATH", default=None, help="write a PNG figure here")
    return p


# -- environment --------------------------------------------------------------------------
def versions() -> dict:
    from importlib import metadata

    libs = {}
    for name in LIBRARIES:
        try:
            libs[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            libs[name] = None
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=REPO, capture_output=True, text=True,
                                timeout=10).stdout.strip() or None
        dirty = bool(subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=REPO,
                                    capture_output=True, text=True, timeout=10).stdout.strip())
    except (OSError, subprocess.SubprocessError):
        commit, dirty = None, None
    return {"python": platform.python_version(), "platform": platform.platform(), "cpus": os.cpu_count(),
            "libraries": libs, "commit": commit, "dirty": dirty}


class LoadSampler:
    """Samples the 1-minute load average every `every` seconds in a thread."""

    def __init__(self, every: float = 5.0):
        self.every, self.samples = every, []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            self.samples.append(os.getloadavg()[0])

    def __enter__(self) -> "LoadSampler":
        self.before = list(os.getloadavg())
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self.after = list(os.getloadavg())

    def report(self) -> dict:
        s = self.samples or [self.after[0]]
        return {"before": [round(x, 2) for x in self.before], "after": [round(x, 2) for x in self.after],
                "max_1min": round(max(s), 2), "mean_1min": round(sum(s) / len(s), 2), "samples": len(s)}


# -- one run ------------------------------------------------------------------------------
class RunFailed(Exception):
    """The run failed; `reached` says how far it got (setup seconds, the servers' last line)."""

    def __init__(self, message: str, reached: Optional[dict] = None):
        super().__init__(message)
        self.reached = reached or {}


class RunStopped(RunFailed):
    """The run took longer than --max-minutes."""


def _step(cmd: list[str], what: str, deadline: float, log_file: Path) -> float:
    """Run one setup command to completion (before `deadline`); its seconds."""
    t0 = time.perf_counter()
    with open(log_file, "a") as out:
        out.write(f"\n$ {' '.join(cmd)}\n")
        out.flush()
        try:
            proc = subprocess.run(cmd, cwd=REPO, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                  timeout=max(1.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            raise RunStopped(f"{what} did not finish within --max-minutes") from None
    if proc.returncode != 0:
        raise RunFailed(f"{what} exited with status {proc.returncode}: {_last_line(log_file)}")
    return time.perf_counter() - t0


def _last_line(path: Path) -> str:
    try:
        lines = [ln for ln in path.read_text(errors="replace").splitlines() if ln.strip()]
    except OSError:
        return "no output"
    return lines[-1][:500] if lines else "no output"


def _kill(proc: subprocess.Popen) -> None:
    """End a process group this benchmark started (the servers' launcher and its children)."""
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=10)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait()


def run_one(n: int, args, folder: Path, base_port: int, client_base: int) -> dict:
    """Setup and one session with n households; the measurements (raises RunFailed/RunStopped)."""
    folder.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + args.max_minutes * 60
    scenario, work, setup_log = folder / "scenario.json", folder / "run", folder / "setup.log"
    setup: dict = {}
    try:
        return _run(n, args, folder, base_port, client_base, setup, deadline, scenario, work, setup_log)
    except RunFailed as exc:
        exc.reached = {"setup_seconds": setup, **exc.reached}
        raise


def _run(n: int, args, folder: Path, base_port: int, client_base: int, setup: dict, deadline: float,
         scenario: Path, work: Path, setup_log: Path) -> dict:
    py = sys.executable
    setup["scenario"] = _step([py, "-m", "protocols.energy.scenarios.generate", "--households", str(n), "--days",
                                str(args.days), "--seed", str(args.seed), "--pv-share", "0.3", "--out",
                                str(scenario)], "the scenario generator", deadline, setup_log)
    log(f"N = {n}: operator commits {n} × {args.days} bills …")
    setup["operator"] = _step([py, "-m", "protocols.energy.utility_operator", "publish", "--scenario", str(scenario),
                               "--workdir", str(work)], "the operator", deadline, setup_log)
    log(f"N = {n}: opening {n} accounts …")
    setup["accounts"] = _step([py, "-m", "protocols.energy.accounts", "open", "--workdir", str(work), "--all"],
                              "opening the accounts", deadline, setup_log)

    from protocols.energy.serve import SOCKETS_PER_SIMULATOR

    m = args.servers
    stats, result = folder / "stats.json", folder / "result.json"
    servers_cmd = [py, "-m", "protocols.energy.serve", f"-M{m}", "-B", str(base_port), "--workdir", str(work),
                   "--external-households", "--client-port-offset", str(client_base - base_port),
                   "--preprocessing", args.preprocessing, "--timeout", repr(args.timeout),
                   "--window", repr(args.window), "--stats", str(stats), "--json", str(result)]
    if args.max_frame is not None:
        servers_cmd += ["--max-frame", str(args.max_frame)]
    addresses = ",".join(f"127.0.0.1:{client_base + i}" for i in range(m))
    shards = max(1, -(-n * m // SOCKETS_PER_SIMULATOR))
    sim_cmds = [[py, "-m", "protocols.energy.household", "--workdir", str(work), "--all", "--shard",
                 f"{i}/{shards}", "--servers", addresses, "--timeout", repr(args.timeout),
                 # the results come after the input window and the computation: the households wait as long as
                 # the run may last, so that a slow run is stopped by --max-minutes, not by households leaving
                 "--wait", repr(min(args.max_minutes * 60, 86400.0)), "--concurrency", str(args.concurrency),
                 "--json", str(folder / f"households-{i}.json")] for i in range(shards)]
    log(f"N = {n}: {m} servers ({args.preprocessing} preprocessing) and {shards} simulator process(es) …")
    procs: list[tuple[str, subprocess.Popen, Path]] = []
    t0 = time.perf_counter()
    try:
        serve_log = folder / "servers.log"
        with open(serve_log, "w") as out:
            procs.append(("servers", subprocess.Popen(servers_cmd, cwd=REPO, stdout=out, stderr=subprocess.STDOUT,
                                                      stdin=subprocess.DEVNULL, start_new_session=True), serve_log))
        for i, cmd in enumerate(sim_cmds):
            sim_log = folder / f"households-{i}.log"
            with open(sim_log, "w") as out:
                procs.append((f"simulator {i}", subprocess.Popen(cmd, cwd=REPO, stdout=out, stderr=subprocess.STDOUT,
                                                                 stdin=subprocess.DEVNULL, start_new_session=True),
                              sim_log))
        servers_done = None
        while any(p.poll() is None for _, p, _ in procs):
            code = procs[0][1].poll()
            if code is not None and servers_done is None:
                servers_done = time.monotonic()
            if code not in (None, 0) or (servers_done is not None and time.monotonic() > servers_done + SIMULATOR_GRACE):
                break   # the servers failed (the households would wait for them), or the households are stuck
            if time.monotonic() > deadline:
                raise RunStopped(f"stopped after {args.max_minutes:g} minutes (--max-minutes, setup included)",
                                 {"session_seconds": time.perf_counter() - t0,
                                  "servers_last_line": _last_line(serve_log),
                                  "simulator_last_line": _last_line(procs[-1][2])})
            time.sleep(0.5)
        command_seconds = time.perf_counter() - t0
    finally:
        for _, p, _ in procs:
            _kill(p)
    name, proc, where = procs[0]
    if proc.returncode != 0:
        raise RunFailed(f"the servers exited with status {proc.returncode}: {_abort_line(where)}",
                        {"session_seconds": command_seconds})
    sims = [json.loads((folder / f"households-{i}.json").read_text()) for i in range(shards)
            if (folder / f"households-{i}.json").exists()]
    if len(sims) != shards:
        bad = next((w for nm, p, w in procs[1:] if p.returncode not in (0, 1)), procs[-1][2])
        raise RunFailed(f"a household simulator wrote no results: {_last_line(bad)}")
    households = [h for s in sims for h in s["households"]]
    parties = [json.loads((stats if i == 0 else stats.with_name(f"{stats.stem}.party{i}{stats.suffix}")).read_text())
               for i in range(m)]
    return summarise(n, args, setup, command_seconds, parties, households)


def _abort_line(path: Path) -> str:
    try:
        lines = path.read_text(errors="replace").splitlines()
    except OSError:
        return "no output"
    for ln in lines:            # the first abort named is the cause; the later ones follow from it
        if "ABORT" in ln:
            return ln[:500]
    return _last_line(path)


def _spread(values: list[float]) -> dict:
    if not values:
        return {}
    return {"min": min(values), "median": statistics.median(values), "mean": sum(values) / len(values),
            "max": max(values)}


def summarise(n: int, args, setup: dict, command_seconds: float, parties: list[dict], households: list[dict]) -> dict:
    """The record of one run: per stage (max and mean seconds over the servers, rounds, bytes per
    server), per step, per server, and the households' spread."""
    per_stage = {}
    for st in STAGES:
        rows = [p["stages"][st] for p in parties if st in p["stages"]]
        if not rows:
            continue
        per_stage[st] = {"seconds_max": max(r["seconds"] for r in rows),
                         "seconds_mean": sum(r["seconds"] for r in rows) / len(rows),
                         "offline_seconds_max": max(r["offline"]["seconds"] for r in rows),
                         "rounds": max(r["rounds"] for r in rows),
                         "messages_per_server": sum(r["messages"] for r in rows) / len(rows),
                         "bytes_per_server": sum(r["bytes"] for r in rows) / len(rows)}
    steps = {s: {"seconds_max": max(p.get("steps", {}).get(s, 0.0) for p in parties),
                 "seconds_host": parties[0].get("steps", {}).get(s, 0.0)}
             for s in STEPS if any(s in p.get("steps", {}) for p in parties)}
    done = [h for h in households if h["status"] == "done"]
    refused = [h for h in households if h["status"] != "done"]
    client = [p.get("client_traffic", {}) for p in parties]
    return {
        "households": n, "servers": args.servers, "slots": args.days, "preprocessing": args.preprocessing,
        "status": "ok", "join_slot": parties[0].get("join_slot"), "accepted": n - parties[0].get("excluded", 0),
        "excluded": parties[0].get("excluded", 0),
        "setup_seconds": setup, "command_seconds": command_seconds,
        "total_seconds_max": max(p["total_seconds"] for p in parties),
        "per_stage": per_stage, "steps": steps,
        "per_server": [{"party": p["party"], "total_seconds": p["total_seconds"],
                        "rounds": p["traffic"]["rounds"], "messages": p["traffic"]["messages"],
                        "bytes": p["traffic"]["bytes"], "offline_seconds": p["traffic"]["offline_seconds"],
                        "stages": {st: {"seconds": v["seconds"], "offline_seconds": v["offline"]["seconds"],
                                        "rounds": v["rounds"], "messages": v["messages"], "bytes": v["bytes"]}
                                   for st, v in p["stages"].items()},
                        "steps": p.get("steps", {}), "client_traffic": p.get("client_traffic", {})}
                       for p in parties],
        "client_bytes_per_server": {
            "sent": sum(c.get("sent_bytes", 0) for c in client) / len(client),
            "received": sum(c.get("received_bytes", 0) for c in client) / len(client)},
        "households_done": len(done), "households_refused": len(refused),
        "refusals": sorted({h.get("reason", "") for h in refused})[:5],
        "per_household": {k: _spread([h[k] for h in done if k in h]) for k in HOUSEHOLD_KEYS},
    }


# -- report -------------------------------------------------------------------------------
def table(rows: list[dict]) -> str:
    """A plain-text table of the runs (also printed at the end)."""
    head = (f"{'N':>6} {'status':>8} {'total s':>8} " + " ".join(f"{st.split('_')[0][-6:]:>8}" for st in STAGES)
            + f" {'rounds':>7} {'MB/server':>10} {'kB/hh':>7} {'hh s':>7} {'load':>5}")
    out = [head]
    for r in rows:
        if r["status"] != "ok":
            out.append(f"{r['households']:>6} {r['status']:>8}  {r.get('reason', '')[:100]}")
            continue
        ps = r["per_stage"]
        secs = " ".join(f"{ps[st]['seconds_max']:8.1f}" if st in ps else f"{'-':>8}" for st in STAGES)
        rounds = sum(v["rounds"] for v in ps.values())
        mb = sum(v["bytes_per_server"] for v in ps.values()) / 1e6
        hh = r["per_household"]
        kb = (hh["sent_bytes"]["mean"] + hh["received_bytes"]["mean"]) / 1e3 if hh.get("sent_bytes") else float("nan")
        hs = hh["seconds"]["median"] if hh.get("seconds") else float("nan")
        out.append(f"{r['households']:>6} {r['status']:>8} {r['total_seconds_max']:8.1f} {secs} {rounds:7d} "
                   f"{mb:10.1f} {kb:7.1f} {hs:7.1f} {r['load_average']['mean_1min']:5.2f}")
    return "\n".join(out)


def plot(rows: list[dict], path: str) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ok = [r for r in rows if r["status"] == "ok"]
    if not ok:
        return
    ns = [r["households"] for r in ok]
    fig, axes = plt.subplots(2, 2, figsize=(13, 8.5))
    ax = axes[0][0]
    ax.plot(ns, [r["total_seconds_max"] for r in ok], "k-o", label="total (slowest server)")
    for st in STAGES:
        ax.plot(ns, [r["per_stage"].get(st, {}).get("seconds_max", float("nan")) for r in ok], "-o", ms=3,
                label=st.split("_", 1)[1])
    ax.set_title("wall time per stage (slowest server)")
    ax.set_ylabel("seconds")
    ax = axes[0][1]
    colours = plt.get_cmap("tab20").colors
    for i, s in enumerate(STEPS):
        ys = [r["steps"].get(s, {}).get("seconds_max", float("nan")) for r in ok]
        if any(y > 0 for y in ys if not math.isnan(y)):
            ax.plot(ns, ys, "-o" if s < "4" else "--s", ms=3, color=colours[i % len(colours)], label=s)
    ax.set_title("steps inside stages 0, 1 and 4 (slowest server)")
    ax.set_ylabel("seconds")
    ax = axes[1][0]
    for st in STAGES:
        ax.plot(ns, [r["per_stage"].get(st, {}).get("bytes_per_server", float("nan")) / 1e6 for r in ok], "-o", ms=3,
                label=f"{st.split('_', 1)[1]} ({max(r['per_stage'].get(st, {}).get('rounds', 0) for r in ok)} rds max)")
    ax.plot(ns, [(r["client_bytes_per_server"]["sent"] + r["client_bytes_per_server"]["received"]) / 1e6 for r in ok],
            "k--s", ms=3, label="to and from households")
    ax.set_title("MB sent per server (to the other servers, per stage)")
    ax.set_ylabel("MB")
    ax = axes[1][1]
    ax.plot(ns, [r["per_household"]["sent_bytes"]["mean"] / 1e3 for r in ok], "-o", label="kB sent (mean)")
    ax.plot(ns, [r["per_household"]["received_bytes"]["mean"] / 1e3 for r in ok], "-o", label="kB received (mean)")
    ax2 = ax.twinx()
    ax2.plot(ns, [r["per_household"]["seconds"]["median"] for r in ok], "r--^", label="session seconds (median)")
    ax2.plot(ns, [r["per_household"]["compute_seconds"]["median"] for r in ok], "m--v", label="own proofs s (median)")
    ax2.set_ylabel("seconds")
    ax2.set_yscale("log")
    ax.set_title("per household")
    ax.set_ylabel("kB")
    lines = ax.get_legend_handles_labels()
    lines2 = ax2.get_legend_handles_labels()
    ax.legend(lines[0] + lines2[0], lines[1] + lines2[1], fontsize=7)
    for a in (axes[0][0], axes[0][1], axes[1][0], axes[1][1]):
        a.set_xscale("log")
        a.set_xticks(ns, [str(n) for n in ns])
        a.minorticks_off()
        a.set_xlabel("households N")
        a.grid(alpha=0.3)
    for a in (axes[0][0], axes[0][1], axes[1][0]):
        a.set_yscale("log")
        a.legend(fontsize=7)
    r0 = ok[0]
    loads = ", ".join(f"N={r['households']}: {r['load_average']['mean_1min']:.1f}" for r in ok)
    fig.suptitle(f"Energy client mode: {r0['servers']} server processes + household simulator on one machine "
                 f"({os.cpu_count()} cores), {r0['slots']} slots, {r0['preprocessing']} preprocessing; "
                 f"mean load {loads}", fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def main(argv: Optional[list[str]] = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        counts = parse_counts(args.households)
        check_output_path(args.json, "--json")
        if args.plot is not None:
            check_output_path(args.plot, "--plot")
        if args.keep:
            keep = Path(args.keep)
            if keep.exists() and not keep.is_dir():
                raise CliError(f"--keep {args.keep}: not a folder")
    except CliError as exc:
        return fail(exc)
    sys.path.insert(0, str(REPO))
    from tests.conftest import free_base_port

    report = {"benchmark": "energy_clients", "started": time.strftime("%Y-%m-%d %H:%M:%S"),
              "settings": {k: getattr(args, k) for k in ("households", "servers", "days", "preprocessing", "timeout",
                                                          "window", "max_minutes", "max_frame", "concurrency",
                                                          "seed")},
              "machine": versions(), "runs": []}
    tmp = None if args.keep else tempfile.TemporaryDirectory(prefix="energy-clients-")
    root = Path(args.keep) if args.keep else Path(tmp.name)
    stop_reason = None
    try:
        for n in counts:
            if stop_reason:
                report["runs"].append({"households": n, "status": "skipped", "reason": stop_reason})
                log(f"N = {n}: skipped ({stop_reason})")
                write_json_file(args.json, "--json", report, indent=1)
                continue
            base = free_base_port(args.servers)
            client_base = free_base_port(args.servers)
            while abs(client_base - base) < args.servers:
                client_base = free_base_port(args.servers)
            with LoadSampler() as load:
                t0 = time.perf_counter()
                try:
                    row = run_one(n, args, root / f"n{n}", base, client_base)
                except (RunFailed, RunStopped) as exc:
                    status = "stopped" if isinstance(exc, RunStopped) else "failed"
                    row = {"households": n, "status": status, "reason": str(exc), "reached": exc.reached}
                    stop_reason = f"N = {n} {status}"
                row["wall_seconds"] = time.perf_counter() - t0
            row["load_average"] = load.report()
            report["runs"].append(row)
            if row["status"] == "ok":
                ps = row["per_stage"]
                log(f"N = {n}: {row['total_seconds_max']:.1f} s (" + ", ".join(
                    f"{st.split('_', 1)[0]} {ps[st]['seconds_max']:.1f}" for st in STAGES if st in ps)
                    + f"); {row['households_done']} households done, {row['households_refused']} refused; "
                    f"mean load {row['load_average']['mean_1min']:.2f}")
            else:
                log(f"N = {n}: {row['status']}: {row['reason']}")
            write_json_file(args.json, "--json", report, indent=1)
        if args.plot:
            plot(report["runs"], args.plot)
    except CliError as exc:
        return fail(exc)
    finally:
        if tmp is not None:
            tmp.cleanup()
    print(table(report["runs"]), flush=True)
    log(f"wrote {args.json}" + (f" and {args.plot}" if args.plot else ""))
    return 0 if all(r["status"] == "ok" for r in report["runs"]) else 1


if __name__ == "__main__":
    sys.exit(main())
