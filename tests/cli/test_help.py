"""--help a newcomer can follow (issue 13): every entry point prints its help and nothing
else, every option it accepts has a help text, and the session commands list the launcher
options they accept."""
import json
import subprocess
import sys

import pytest

from tests.cli.harness import REPO
from tests.cli.test_bad_input import ENTRY_POINTS

SESSION_COMMANDS = ("mpc.demo", "protocols.energy.run", "protocols.energy.serve", "protocols.auction.run",
                    "benchmarks.online", "benchmarks.preprocessing")
LAUNCHER_OPTIONS = ("-M", "-I", "-P", "-B", "--ssl", "--certs", "--max-frame", "--output-file")

# Runs a module as __main__ with --help (one process per module, so imports and their log
# noise are those of the real command), but when the first parser parses, prints its help
# and every action's option strings and help text (subparsers included) as JSON.
_CAPTURE = r"""
import argparse, json, runpy, sys
def capture(self, args=None, namespace=None):
    todo, seen = [self], []
    while todo:
        p = todo.pop()
        for a in p._actions:
            if isinstance(a, argparse._SubParsersAction):
                todo.extend(a.choices.values())
                continue
            seen.append({"prog": p.prog, "options": a.option_strings or [a.dest],
                         "help": None if a.help == argparse.SUPPRESS else a.help})
    print(json.dumps({"help": self.format_help(), "actions": seen}))
    raise SystemExit(0)
argparse.ArgumentParser.parse_known_args = capture
sys.argv = [sys.argv[1], "--help"]
runpy.run_module(sys.argv[0], run_name="__main__", alter_sys=True)
"""


@pytest.mark.parametrize("module", ENTRY_POINTS)
def test_help_prints_help_only_and_every_option_is_explained(module):
    res = subprocess.run([sys.executable, "-c", _CAPTURE, module], cwd=REPO, capture_output=True, text=True,
                         timeout=120, stdin=subprocess.DEVNULL)
    assert res.returncode == 0, res.stderr
    assert res.stderr == "", f"log noise on stderr: {res.stderr[:300]!r}"
    got = json.loads(res.stdout)
    text = got["help"]
    assert text.startswith("usage: python -m " + module)
    assert "Exit status" in text, "the help says what the exit statuses mean"
    missing = [f"{a['prog']}: {'/'.join(a['options'])}" for a in got["actions"] if not a["help"]]
    assert not missing, f"options without a help text: {missing}"
    if module in SESSION_COMMANDS:
        listed = [opt for opt in LAUNCHER_OPTIONS if f"  {opt} " in text or f", {opt}" in text or f"  {opt}\n" in text]
        assert listed == list(LAUNCHER_OPTIONS), text
        # (MPyC's -K, -T, -L are refused, not ignored: cases */-K-ignored ... of cli_cases.py)
