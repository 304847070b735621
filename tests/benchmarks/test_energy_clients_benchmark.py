"""The client-mode benchmark's command line: bad options are one line and exit 2 before
anything runs; a tiny real run (3 households, three server processes) writes JSON with
every stage, step and household figure, and a plot."""
import json
import subprocess
import sys

import pytest

from tests.conftest import REPO


@pytest.mark.parametrize("args,says", [
    (["--households", "2"], "--households: 2 is outside 3..100000"),
    (["--households", "10,x"], "expected comma-separated integers"),
    (["--households", "10,10"], "appears twice"),
    (["--servers", "1"], "--servers"),
    (["--max-minutes", "0"], "--max-minutes"),
    (["--json", "/nonexistent-dir/x.json"], "--json"),
    (["--bogus"], "unrecognized arguments"),
])
def test_bad_options_are_one_line_and_exit_2(tmp_path, args, says):
    if "--json" not in args:
        args = args + ["--json", str(tmp_path / "out.json")]
    r = subprocess.run([sys.executable, "-m", "benchmarks.energy_clients", *args], cwd=REPO, capture_output=True,
                       text=True, timeout=60)
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and says in lines[0], r.stderr
    assert not (tmp_path / "out.json").exists()


@pytest.mark.slow
def test_a_tiny_run_writes_every_figure(tmp_path):
    out, png = tmp_path / "b.json", tmp_path / "b.png"
    r = subprocess.run([sys.executable, "-m", "benchmarks.energy_clients", "--households", "3", "--days", "5",
                        "--json", str(out), "--plot", str(png), "--max-minutes", "5"],
                       cwd=REPO, capture_output=True, text=True, timeout=400)
    assert r.returncode == 0, r.stderr[-3000:]
    report = json.loads(out.read_text())
    assert report["machine"]["python"] and report["machine"]["cpus"] >= 1
    (run,) = report["runs"]
    assert run["status"] == "ok" and run["households"] == 3 and run["households_done"] == 3
    assert run["join_slot"] == 5            # the payment stage runs
    assert set(run["per_stage"]) == {"stage0_accounts", "stage1_inputs", "stage2_wfa", "stage3_compensation",
                                      "stage4_payments"}
    for st in run["per_stage"].values():
        assert st["seconds_max"] > 0 and st["rounds"] > 0 and st["bytes_per_server"] > 0
    assert {"1_collect", "1_openings", "4_answers", "4_ledger_submit", "4_ledger_sync"} <= set(run["steps"])
    assert len(run["per_server"]) == 3 and all(s["bytes"] > 0 and s["rounds"] > 0 for s in run["per_server"])
    for key in ("seconds", "compute_seconds", "sent_bytes", "received_bytes", "sent_messages", "received_messages"):
        assert run["per_household"][key]["min"] > 0, key
    assert run["client_bytes_per_server"]["sent"] > 0 and run["client_bytes_per_server"]["received"] > 0
    assert len(run["load_average"]["before"]) == 3 and run["wall_seconds"] > 0
    assert png.stat().st_size > 1000
    assert "N" in r.stdout and "ok" in r.stdout      # the table


def test_a_run_over_the_time_limit_is_stopped_and_the_larger_counts_skipped(tmp_path):
    out = tmp_path / "b.json"
    r = subprocess.run([sys.executable, "-m", "benchmarks.energy_clients", "--households", "3,4", "--max-minutes",
                        "0.01", "--json", str(out)], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert r.returncode == 1, r.stderr[-2000:]
    first, second = json.loads(out.read_text())["runs"]
    assert first["status"] == "stopped" and "--max-minutes" in first["reason"] and "setup_seconds" in first["reached"]
    assert first["load_average"]["before"] and first["wall_seconds"] > 0
    assert second == {"households": 4, "status": "skipped", "reason": "N = 3 stopped"}
