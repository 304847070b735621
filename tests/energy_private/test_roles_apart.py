"""The operator runs apart from the households, and no household can read another's bill,
receipt or key: every file a household's process writes or may read (the public market
file, the ledger, its own home, its own outputs and terminal) is scanned for the other
households' secrets. The private result still equals the reference.
"""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from private_cases import reference_json, table2_dict
from protocols.energy.scenarios.loader import parse_scenario
from protocols.energy.utility_operator import load_receipts
from tests.conftest import REPO, free_base_port

USERS = ("u1", "u2", "u3")


def _token(value) -> re.Pattern:
    """A decimal or hex token standing alone (not inside a longer number or hex string)."""
    return re.compile(rb"(?<![0-9A-Za-z])" + re.escape(str(value).encode()) + rb"(?![0-9A-Za-z])")


def _secrets(run: Path, uid: str) -> dict[str, set]:
    """What only household `uid` (and the operator) may know: its receipts' randomness and
    committed values, its wallet key and balance randomness."""
    _, _, receipts = load_receipts(run / "households" / uid / "receipts.json")
    wallet = json.loads((run / "households" / uid / "wallet.json").read_text())
    values = {v for r in receipts for v in r.values.as_list() if abs(v) >= 10_000}
    randomness = {r_ for r in receipts for r_ in r.randomness}
    return {"values": values, "randomness": randomness,
            "key": {wallet["signing_key"], wallet["r_balance"]}}


def _readable(run: Path, tmp: Path, uid: str, pid: int, terminal: str) -> dict[str, bytes]:
    """Every file household `uid`'s process reads or writes in this run, and its terminal output
    (party 0 also holds the ledger service's file and writer key during the session)."""
    files = {p: p.read_bytes() for p in (run / "public").rglob("*") if p.is_file()}
    files.update({p: p.read_bytes() for p in (run / "households" / uid).rglob("*") if p.is_file()})
    if pid == 0:
        files.update({p: p.read_bytes() for p in (run / "ledger").glob("ledger.sqlite*") if p.is_file()})
        files[run / "ledger" / "writer.key"] = (run / "ledger" / "writer.key").read_bytes()
    out = tmp / ("out.json" if pid == 0 else f"out.party{pid}.json")
    files[out] = out.read_bytes()
    files[Path(f"terminal of {uid}")] = terminal.encode()
    return {str(k): v for k, v in files.items()}


def test_no_household_can_read_another_households_bill_receipt_or_key(tmp_path):
    data = table2_dict(days=5, users=3)
    scenario = tmp_path / "scenario.json"
    scenario.write_text(json.dumps(data))
    run = tmp_path / "run"
    base = free_base_port(3)
    r = subprocess.run([sys.executable, "-m", "protocols.energy.utility_operator", "publish", "--scenario",
                        str(scenario), "--workdir", str(run)], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    for uid in USERS:   # each household opens its account in its own process
        r = subprocess.run([sys.executable, "-m", "protocols.energy.accounts", "open", "--workdir", str(run),
                            "--household", uid], cwd=REPO, capture_output=True, text=True, timeout=120)
        assert r.returncode == 0, r.stderr
    # each household started by hand, as on separate machines: only its own process, its own home
    procs = [subprocess.Popen([sys.executable, "-m", "protocols.energy.run", "-M3", "--preprocessing", "dealer", "-I", str(i), "-B", str(base),
                               "--workdir", str(run), "--json", str(tmp_path / "out.json"), "--timeout", "60"],
                              cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for i in range(3)]
    terminals = []
    for p in procs:
        out, err = p.communicate(timeout=240)
        assert p.returncode == 0, err
        terminals.append(out + err)

    secrets = {uid: _secrets(run, uid) for uid in USERS}
    assert all(secrets[u]["randomness"] and secrets[u]["values"] for u in USERS)
    for pid, uid in enumerate(USERS):
        own = set().union(*secrets[uid].values())
        for path, content in _readable(run, tmp_path, uid, pid, terminals[pid]).items():
            for other in USERS:
                if other == uid:
                    continue
                for kind, items in secrets[other].items():
                    # a bill value the household also has itself is not a leak of the other's
                    for item in items - own if kind == "values" else items:
                        assert not _token(item).search(content), f"{uid} can read {other}'s {kind} {item} in {path}"

    # the market file holds no bill at all, and the operator's key stays in its own folder
    market = (run / "public" / "market.json").read_bytes()
    for uid in USERS:
        assert not any(_token(v).search(market) for v in secrets[uid]["values"])
    key = (run / "operator" / "operator.key").read_text().strip()
    for pid, uid in enumerate(USERS):
        assert all(key.encode() not in c for c in _readable(run, tmp_path, uid, pid, terminals[pid]).values())

    # and the result is still the reference's: each household holds exactly its own φ
    ref = reference_json(parse_scenario(data))
    views = [json.loads((tmp_path / ("out.json" if i == 0 else f"out.party{i}.json")).read_text()) for i in range(3)]
    for uid, view in zip(USERS, views):
        assert view["net_compensation"] == {uid: ref["net_compensation"][uid]}
        assert view["join_slot"] == ref["join_slot"] and view["per_slot"] == ref["per_slot"]


def test_the_scan_finds_a_planted_leak(tmp_path):
    """The scanner itself can fail: another household's randomness copied into a file is found."""
    run = tmp_path / "run"
    r = subprocess.run([sys.executable, "-m", "protocols.energy.utility_operator", "publish", "--scenario",
                        "table2", "--workdir", str(run)], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    _, _, receipts = load_receipts(run / "households" / "u2" / "receipts.json")
    leaked = str(receipts[0].randomness[0])
    (run / "public" / "notes.txt").write_text(f"r = {leaked}\n")
    content = (run / "public" / "notes.txt").read_bytes()
    assert _token(leaked).search(content)
    assert not _token(leaked[:-1]).search(content)   # a token inside a longer number does not count
