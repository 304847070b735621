"""Real sessions of `python -m protocols.energy.run`: one OS process per user, MPyC's launcher over TCP."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time

import pytest

from private_cases import reference_json, table2_dict
from protocols.energy.scenarios.loader import parse_scenario
from tests.conftest import REPO, free_base_port


def _publish(scenario_path, workdir, households):
    """The operator's own process (commit the bills, publish the root, hand out receipts), then
    each household opens its account in its own process."""
    r = subprocess.run([sys.executable, "-m", "protocols.energy.utility_operator", "publish", "--scenario",
                        str(scenario_path), "--workdir", str(workdir)], cwd=REPO, capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 0, r.stderr
    for uid in households:
        r = subprocess.run([sys.executable, "-m", "protocols.energy.accounts", "open", "--workdir", str(workdir),
                            "--household", uid], cwd=REPO, capture_output=True, text=True, timeout=120)
        assert r.returncode == 0, r.stderr


def _start(m, scenario_path, tmp_path, extra=(), base=None):
    """The operator, then one process per household started by hand (-I)."""
    base = base or free_base_port(m)
    _publish(scenario_path, tmp_path / "run", [f"u{k + 1}" for k in range(m)])
    procs = []
    for i in range(m):
        cmd = [sys.executable, "-m", "protocols.energy.run", f"-M{m}", "--preprocessing", "dealer", "-I", str(i), "-B", str(base), "--no-log",
               "--workdir", str(tmp_path / "run"), "--json", str(tmp_path / "out.json"), *extra]
        procs.append(subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
    return procs


def _finish(procs, timeout=180):
    return [(p.returncode, out, err) for p in procs for out, err in [p.communicate(timeout=timeout)]]


def test_three_processes_each_learn_the_decision_and_only_their_own_phi(tmp_path):
    data = table2_dict(days=5, users=3)
    path = tmp_path / "s.json"
    path.write_text(json.dumps(data))
    ref = reference_json(parse_scenario(data))
    assert ref["join_slot"] == 5
    res = _finish(_start(3, path, tmp_path, ["--timeout", "30"]))
    for pid, (rc, out, err) in enumerate(res):
        assert rc == 0, err
        # progress and the trust model go to stderr
        assert "trusted dealer" in err and "the operator sees the bills it issued" in err
        assert "stage 2: slot 5: join" in err
        view = json.loads((tmp_path / ("out.json" if pid == 0 else f"out.party{pid}.json")).read_text())
        uid = f"u{pid + 1}"
        assert view["net_compensation"] == {uid: ref["net_compensation"][uid]}
        assert {k: v for k, v in view.items() if k != "net_compensation"} == \
            {k: v for k, v in ref.items() if k != "net_compensation"}
    homes = tmp_path / "run" / "households"
    assert sorted(p.name for p in homes.iterdir()) == ["u1", "u2", "u3"]
    assert sorted(f.name for f in (homes / "u1").iterdir()) == ["ledger.pin", "receipts.json", "wallet.json"]
    for h in ("u2", "u3"):   # the others keep their own verified replica of the ledger
        assert sorted(f.name for f in (homes / h).iterdir()) == ["ledger.pin", "ledger.sqlite", "receipts.json",
                                                                  "wallet.json"]


def test_wrong_party_count_and_bad_scenario_exit_2(tmp_path):
    base = free_base_port(1)
    r = subprocess.run([sys.executable, "-m", "protocols.energy.run", "-M2", "-B", str(base), "--no-log",
                        "--scenario", "table2", "--workdir", str(tmp_path / "run")],
                       cwd=REPO, capture_output=True, text=True, timeout=60)
    assert r.returncode == 2
    assert "-M2: the scenario registers 4 households" in r.stderr and "-M4" in r.stderr
    assert not (tmp_path / "run").exists()   # checked before the operator publishes anything
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({**table2_dict(days=2), "group_plan": "nope"}))
    r = subprocess.run([sys.executable, "-m", "protocols.energy.run", "-M4", "-B", str(base), "--no-log",
                        "--scenario", str(bad), "--workdir", str(tmp_path / "run2")],
                       cwd=REPO, capture_output=True, text=True, timeout=60)
    assert r.returncode == 2 and "group_plan" in r.stderr and "Traceback" not in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
    # a household started by hand before the operator published: refused at once
    r = subprocess.run([sys.executable, "-m", "protocols.energy.run", "-M4", "-I", "1", "-B", str(base),
                        "--workdir", str(tmp_path / "none")], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert r.returncode == 2 and "no market file" in r.stderr


def test_help_explains_the_operator_and_ledger_roles():
    r = subprocess.run([sys.executable, "-m", "protocols.energy.run", "--help"], cwd=REPO,
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and "--reveal-all" in r.stdout and "--workdir" in r.stdout and "-M m" in r.stdout


@pytest.mark.slow
def test_killed_party_makes_every_other_party_exit_nonzero(tmp_path):
    data = table2_dict(days=10)
    path = tmp_path / "s.json"
    path.write_text(json.dumps(data))
    procs = _start(4, path, tmp_path, ["--timeout", "15"])
    deadline = time.time() + 120
    while time.time() < deadline:   # wait until the session is in Stage 2
        line = procs[0].stderr.readline()
        if "stage 2: slot 2" in line or not line:
            break
    procs[2].send_signal(signal.SIGKILL)
    t0 = time.time()
    res = _finish(procs, timeout=90)
    assert time.time() - t0 < 45
    for pid in (0, 1, 3):
        rc, _, err = res[pid]
        assert rc == 1, err
        assert f"ABORT (party {pid})" in err and "liveness" in err
    from protocols.ledger import SQLiteLedger
    with SQLiteLedger(tmp_path / "run" / "ledger" / "ledger.sqlite") as led:
        kinds = [e.kind for e in led.entries()]
    assert "multi_transaction" not in kinds and "decision" not in kinds


@pytest.mark.slow
@pytest.mark.parametrize("scheme", ["egalitarian", "proportional"])
def test_cli_reveal_all_json_equals_the_reference_cli_json(tmp_path, scheme):
    m = 4
    base = free_base_port(m)
    cmd = [sys.executable, "-m", "protocols.energy.run", f"-M{m}", "--preprocessing", "dealer", "-B", str(base), "--no-log", "--scenario", "table2",
           "--scheme", scheme, "--reveal-all", "--workdir", str(tmp_path / "run"), "--json", str(tmp_path / "p.json")]
    r = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    ref = subprocess.run([sys.executable, "-m", "protocols.energy.reference", "--scenario", "table2", "--scheme", scheme,
                          "--json", str(tmp_path / "r.json")], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert ref.returncode == 0, ref.stderr
    assert json.loads((tmp_path / "p.json").read_text()) == json.loads((tmp_path / "r.json").read_text())
