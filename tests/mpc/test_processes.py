"""Real sessions: one OS process per party, connected by our launcher (mpc.launch) over TCP."""
import json
import signal
import subprocess
import sys
import time

import pytest

from tests.conftest import REPO, free_base_port


def start_parties(m, extra, tmp_path, env=None):
    base = free_base_port(m)
    procs = []
    for i in range(m):
        cmd = [sys.executable, "-m", "mpc.demo", f"-M{m}", "--preprocessing", "dealer", "-I", str(i), "-B", str(base),
               "--no-log", "--json", str(tmp_path / f"p{i}.json"), *extra]
        procs.append(subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                      text=True, env=env))
    return procs


def finish(procs, timeout=120):
    out = []
    for p in procs:
        stdout, stderr = p.communicate(timeout=timeout)
        out.append((p.returncode, stdout, stderr))
    return out


def test_three_processes_compute_and_agree(tmp_path):
    res = finish(start_parties(3, ["--length", "5", "--bits", "24"], tmp_path))
    for rc, stdout, stderr in res:
        assert rc == 0, stderr
        assert "matches plain computation: True" in stderr
        assert json.loads(stdout)["ok"] is True
    # party i > 0 inserts .party<i> before the suffix of every output path
    reports = [json.loads((tmp_path / (f"p{i}.party{i}.json" if i else "p0.json")).read_text()) for i in range(3)]
    assert reports[0]["inner_product"] == reports[1]["inner_product"] == reports[2]["inner_product"]
    assert reports[0]["minimum"] == reports[2]["minimum"]
    assert all(r["ok"] for r in reports)
    assert all(r["traffic"]["bytes"] > 0 and r["traffic"]["rounds"] > 0 for r in reports)


@pytest.mark.parametrize("kind,check", [("mac", "commitment of check values failed"),
                                        ("equivocate", "broadcast consistency failed")])
def test_cheating_process_makes_honest_processes_abort(tmp_path, kind, check):
    res = finish(start_parties(3, ["--length", "3", "--cheat", kind, "--timeout", "10"], tmp_path))
    for pid in (0, 2):
        rc, _, stderr = res[pid]
        assert rc == 1
        assert f"ABORT (party {pid}): {check}" in stderr


def test_killed_party_makes_the_others_exit_nonzero_quickly(tmp_path):
    procs = start_parties(3, ["--length", "64", "--bits", "64", "--cheat", "silent", "--timeout", "8"], tmp_path)
    time.sleep(3.0)          # let them connect and start computing
    procs[1].send_signal(signal.SIGKILL)
    t0 = time.time()
    res = finish(procs, timeout=60)
    assert time.time() - t0 < 30
    for pid in (0, 2):
        rc, _, stderr = res[pid]
        assert rc == 1, stderr
        assert "ABORT" in stderr and ("liveness" in stderr)


def test_launcher_starts_all_parties_itself():
    """The README's command: `-M3` alone starts parties 1 and 2 as child processes, and
    without --preprocessing they make their own triples (MASCOT): no dealer is involved."""
    base = free_base_port(3)
    proc = subprocess.run([sys.executable, "-m", "mpc.demo", "-M3", "-B", str(base), "--length", "4"],
                          cwd=REPO, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "matches plain computation: True" in proc.stderr
    assert "MASCOT (OT-based, no dealer)" in proc.stderr and "trusted dealer" not in proc.stderr
    assert json.loads(proc.stdout)["ok"] is True


@pytest.mark.parametrize("args,needle", [
    (["-M3", "--length", "0"], "--length: expected an integer in [1, 100000], got 0"),
    (["-M3", "--lenght", "3"], "unrecognized arguments: --lenght"),
    (["-M1"], "number of parties must be in 2..64"),
    (["-M1000"], "number of parties must be in 2..64"),
    (["-M3", "-I", "5"], "-I 5: the party index must be in 0..2"),
    (["-P", "nohostport", "-P", ":1"], "-P 'nohostport': expected host:port"),
    (["-M3", "-K", "30"], "unrecognized arguments: -K 30"),
    (["-M3", "--timeout", "nan"], "--timeout: expected a number of seconds"),
    # an abbreviated launcher-only option would be passed on to the children, which refuse it
    (["-M3", "--output", "--length", "2"], "unrecognized arguments: --output"),
])
def test_bad_arguments_fail_before_any_party_starts(args, needle):
    proc = subprocess.run([sys.executable, "-m", "mpc.demo", *args],
                          cwd=REPO, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and needle in lines[0], proc.stderr
