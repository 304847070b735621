"""``python -m protocols.energy.run -M4 --scenario table2 --ledger evm``: real processes — party 0
starts the chain's node, the operator publishes and the households open their accounts through
it, the four households settle on the contract — and the usage errors of ``--ledger``."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

pytest.importorskip("web3")
pytest.importorskip("vyper")

from protocols.energy.reference.two_state import decide_join, decision_to_json, two_state_inputs  # noqa: E402
from protocols.energy.scenarios.loader import load_scenario  # noqa: E402
from tests.conftest import REPO, free_base_port  # noqa: E402


def _run(*args, timeout=1800):
    return subprocess.run([sys.executable, "-m", "protocols.energy.run", *args], capture_output=True, text=True,
                          timeout=timeout, stdin=subprocess.DEVNULL, cwd=REPO)


@pytest.mark.parametrize("args,needle", [
    (["--ledger", "bogus"], "--ledger bogus: expected sqlite, evm or evm:MODE"),
    (["--ledger", "evm:nope"], "--ledger evm:nope"),
])
def test_bad_ledger_option_is_one_line_exit_2(tmp_path, args, needle):
    proc = _run("-M4", "--scenario", "table2", "--workdir", str(tmp_path / "run"), *args, timeout=300)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and needle in lines[0], proc.stderr


@pytest.mark.slow
@pytest.mark.timeout(3600)  # seven minutes on an idle machine; much more under load
def test_table2_stage4_on_the_evm_ledger_as_processes(tmp_path):
    work, out = tmp_path / "run", tmp_path / "result.json"
    proc = _run("-M4", "--scenario", "table2", "--ledger", "evm", "--workdir", str(work), "--json", str(out),
                "-B", str(free_base_port(4)), "--no-log", "--reveal-all", "--preprocessing", "dealer")
    assert proc.returncode == 0, proc.stderr[-3000:]
    announced = json.loads((work / "public" / "ledger.json").read_text())
    assert announced["mode"] == "attested" and announced["url"].startswith("http://127.0.0.1:")
    market = json.loads((work / "public" / "market.json").read_text())
    assert market["ledger_id"] == announced["ledger_id"]
    scenario = load_scenario("table2")
    expected = decision_to_json(decide_join(two_state_inputs(scenario), scenario.scheme))
    for p in range(4):
        res = json.loads((out if p == 0 else tmp_path / f"result.party{p}.json").read_text())
        assert res["join_slot"] == expected["join_slot"]
        assert res["net_compensation"] == expected["net_compensation"]
    assert "stage 4: multi-transaction recorded on the ledger as entry 7" in proc.stderr
    # the same workdir again: the chain is gone with the run, so it is refused in one line
    again = _run("-M4", "--scenario", "table2", "--ledger", "evm", "--workdir", str(work), timeout=300)
    assert again.returncode == 2 and "give a new --workdir" in again.stderr
