"""README.md a newcomer can follow: it lists every command once, and its example commands
run as written on the example files shipped with the repository."""
import json
import re
import shlex
import subprocess
import sys

import pytest

from tests.cli.harness import REPO
from tests.cli.test_bad_input import ENTRY_POINTS

README = (REPO / "README.md").read_text(encoding="utf-8")
MPC_COMMANDS = {"protocols.energy.run", "protocols.energy.serve", "protocols.auction.run", "mpc.demo",
                "benchmarks.online", "benchmarks.preprocessing"}


def _section(title: str) -> str:
    start = README.index(f"## {title}\n")
    end = README.find("\n## ", start + 1)
    return README[start:end if end >= 0 else None]


def _code_lines(text: str) -> list[str]:
    blocks = re.findall(r"```sh\n(.*?)```", text, re.S)
    return [ln.split("  #")[0].strip() for b in blocks for ln in b.splitlines() if ln.strip()]


def test_the_commands_table_lists_every_entry_point_once():
    table = re.findall(r"^\| `python -m ([\w.]+)` \| (.+) \|$", _section("Commands"), re.M)
    listed = [m for m, _ in table]
    assert sorted(listed) == sorted(ENTRY_POINTS)
    assert len(set(listed)) == len(listed)
    for module, what in table:
        assert what.startswith("MPC:") == (module in MPC_COMMANDS), module


def test_every_module_the_readme_runs_exists():
    modules = set(re.findall(r"python3? -m ([\w.]+)", README)) - {"venv", "pytest"}
    # the two benchmarks that need an optional extra ([evm], [mutation]) test their own command lines
    assert modules <= set(ENTRY_POINTS) | {"tests.cli.fuzz", "benchmarks.ledger_gas", "benchmarks.mutation"}, \
        modules - set(ENTRY_POINTS)


def test_the_readme_states_the_python_version_the_project_requires():
    required = re.search(r'requires-python = "(>=[\d.]+)"', (REPO / "pyproject.toml").read_text()).group(1)
    assert f'`requires-python = "{required}"`' in README
    assert "Python 3.11 or newer" in README


EXAMPLES = [ln for ln in _code_lines(_section("Commands"))
            if ln.split()[2] not in MPC_COMMANDS]


@pytest.mark.parametrize("line", EXAMPLES, ids=[ln.split()[2] + ":" + ln.split()[-1][-20:] for ln in EXAMPLES])
def test_plaintext_example_commands_run_as_written(line, tmp_path):
    """Run from the repository root, as the README says, with the output files moved to a
    scratch folder (the arguments after --json and --out)."""
    args = shlex.split(line)
    assert args[:2] == ["python", "-m"]
    for k, a in enumerate(args):
        if k and args[k - 1] in ("--json", "--out"):
            args[k] = str(tmp_path / a)
    res = subprocess.run([sys.executable, *args[1:]], cwd=REPO, capture_output=True, text=True, timeout=300,
                         stdin=subprocess.DEVNULL)
    assert res.returncode == 0, res.stderr[-2000:]
    assert "Traceback" not in res.stderr
    for k, a in enumerate(args):
        if k and args[k - 1] in ("--json", "--out"):
            assert json.loads(open(a, encoding="utf-8").read()), f"{a} is empty"
