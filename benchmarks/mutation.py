"""Mutation testing of the security-critical modules: does a test fail when a check is removed?

    .venv/bin/pip install -e ".[test,mutation]"
    .venv/bin/python -m benchmarks.mutation --json OUT.json                       # every module
    .venv/bin/python -m benchmarks.mutation --json OUT.json --module mpc/session.py   # one (repeatable)
    .venv/bin/python -m benchmarks.mutation --report BEFORE.json AFTER.json \
        --md benchmarks/results/mutation.md --notes benchmarks/results/mutation_notes.md

Tool: mutmut 3 (the optional extra ``mutation``).  For each module in ``MODULES`` the
runner copies the working tree into a scratch directory (the repository's own files are
never touched), writes a ``[tool.mutmut]`` section that mutates only that module and
selects only that module's tests, and runs ``mutmut run`` at the lowest CPU priority.
mutmut first records which of the selected tests reach each function, then runs, per
mutant, only those tests (stopping at the first failure) in a forked process.

Bounds: mutmut's per-mutant limits, (clean time of the mutant's tests + ``TIMEOUT_CONSTANT``)
x ``TIMEOUT_MULTIPLIER`` seconds of wall time (twice that of CPU time); pytest-timeout at
``PER_TEST_TIMEOUT`` s per test; ``--module-timeout`` per module (default 20 min; mutants left
unchecked are counted as "not checked" and the module is flagged incomplete).

Output (``--json``): per module the counts (killed, timeout, crashed, survived, no tests, not
checked), the kill rate = (killed + timeout + crashed) / total, and every mutant not killed
with file:line, function, diff, a stable key (file, function, changed line before -> after;
independent of line numbers and of mutmut's numbering) and its justification from
:mod:`benchmarks.mutation_justifications` (exact key, or a rule: help text of argparse
builders, letter case of SQL), ``null`` if none.  ``--recollect`` rebuilds a JSON from kept
scratch trees after the table changes; ``--merge`` combines runs over module subsets.

Duration: on 2 cores shared with other work (load 20-30, this runner at nice 19) one module
took 1-8 minutes and the largest (engine comparison and session, client input, ledger rules
and storage, the private energy rule) 10-20+ minutes each, several hours for all modules in
one process; on 2 idle cores expect about an hour, or run several ``--module`` groups in
parallel (3 processes x 6 workers were used for the committed results) and ``--merge``.
Keep the machine's load moderate: wall-time limits grow with nothing but the clean run, so an
overloaded machine turns slow survivors into "timeouts".  Not part of the default test run or CI.

Caveats of the method: code that runs when a test module is imported (module-level
constants built from library calls) runs before any mutant is switched on, so its mutants
are only killed by tests that call the code at test time; tests that start other processes
are not traced, so they cannot kill mutants.

To update after files move: edit ``MODULES`` (module path -> test files or node ids).
Missing test paths are skipped with a warning that is also recorded in the JSON
(``missing_tests``); ``--strict`` makes them an error.
"""
from __future__ import annotations

import argparse
import ast
import json
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

# --- what is mutated and which tests may kill it -------------------------------------------------
# Module path (relative to the repository) -> pytest selection (files, directories or node ids).
# Only tests that exercise the module in-process help: mutmut maps tests to functions by
# tracing, so tests that run the code in a child process cannot kill its mutants.
MPC_ONLINE = ["tests/mpc/test_online.py", "tests/mpc/test_faults.py"]
SIGMA_TESTS = ["tests/zkp/test_sigma_completeness.py", "tests/zkp/test_sigma_soundness.py",
               "tests/zkp/test_sigma_zero_knowledge.py", "tests/zkp/test_paper_counterexamples.py",
               "tests/zkp/test_membership_shape.py", "tests/zkp/test_batch_weights.py",
               "tests/zkp/test_sigma_edges.py"]


def _tests_except(path: str, *skip: str) -> list[str]:
    """Node ids of the test functions of ``path`` (read with ast, not imported) minus ``skip``."""
    file = REPO / path
    if not file.exists():
        return [path]  # reported as missing by the run
    names = [n.name for n in ast.parse(file.read_text(encoding="utf-8")).body
             if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.name.startswith("test_")]
    unknown = set(skip) - set(names)
    if unknown:
        raise SystemExit(f"{path}: no test(s) named {', '.join(sorted(unknown))}: update MODULES")
    return [f"{path}::{n}" for n in names if n not in skip]


# The ledger's tests minus those that spend their time in child processes (the inspect and operator
# CLIs, a concurrent appender, SIGKILLed writers) or in a whole MPC session (the group purchase on
# replicas, 7 s): those cannot kill a mutant they do not trace, and with them every surviving ledger
# mutant cost about a minute, so the ledger modules never finished within their cap.
LEDGER_TESTS = (_tests_except("tests/ledger/test_ledger_chain.py",
                              "test_a_healthy_ledger_verifies_while_another_process_appends", "test_inspect_cli")
                + ["tests/ledger/test_ledger_transactions.py"]
                + _tests_except("tests/ledger/test_ledger_crash.py",
                                "test_killed_process_mid_transaction_leaves_previous_state")
                + _tests_except("tests/ledger/test_operator_receipts.py", "test_operator_cli")
                + ["tests/ledger/test_ledger_issuance.py"]
                + _tests_except("tests/ledger/test_ledger_replica.py",
                                "test_the_private_group_purchase_runs_on_a_ledger_file_per_party")
                + ["tests/ledger/test_signing_request.py", "tests/ledger/test_batched_proofs.py"])
# The rules and the transaction format are checked in-process by the tests of transactions, issuance,
# operator roots and signing requests, and on replay by one chain test; the storage tests above
# (crash points, replicas, tampered files) reach the rules only through honest writes, and made
# each surviving rules mutant cost about 40 s (the rules module has over 1,000 mutants).  The
# hypothesis test of balance sums (8 random ledgers, 4 s) is left to the storage module's run.
LEDGER_RULES_TESTS = (["tests/ledger/test_ledger_rules_mutants.py", "tests/ledger/test_transactions_mutants.py"]
                      + _tests_except("tests/ledger/test_ledger_transactions.py",
                                      "test_valid_transfers_preserve_the_sum_of_balances")
                      + ["tests/ledger/test_ledger_issuance.py"]
                      + _tests_except("tests/ledger/test_operator_receipts.py", "test_operator_cli")
                      + ["tests/ledger/test_signing_request.py", "tests/ledger/test_batched_proofs.py",
                         "tests/ledger/test_ledger_chain.py::"
                         "test_entry_signed_by_the_writer_but_breaking_a_rule_is_caught_by_default_open"])
CLIENT_TESTS = ["tests/auction_private/test_client_input.py", "tests/auction_private/test_client_hardening.py",
                "tests/auction_private/test_client_options.py", "tests/mpc/test_client_agreement.py",
                "tests/mpc/test_fuzz.py"]
ENERGY_REFERENCE_TESTS = ["tests/energy/test_energy_two_state.py", "tests/energy/test_energy_compensation.py",
                          "tests/energy/test_energy_mechanism.py", "tests/energy/test_join_tie.py",
                          "tests/energy/test_compensation_edges.py"]
# (test_private_cheating.py targets Stages 1 and 4 — receipts, proofs, payments — not the rule)
ENERGY_PRIVATE_TESTS = ["tests/mpc/test_floor_mul_div.py", "tests/energy_private/test_private_rule_slot.py",
                        "tests/energy_private/test_private_matches_reference.py",
                        "tests/energy_private/test_checked_join.py",
                        "tests/energy_private/test_join_tie_private.py",
                        "tests/energy_private/test_private_compensation_edges.py",
                        "tests/energy_private/test_private_rule_edges.py"]
DANTM_TESTS = ["tests/markets/test_dantm.py", "tests/markets/test_auction_cli.py",
               "tests/markets/test_winner_determination_edges.py"]

MODULES: dict[str, list[str]] = {
    # engine
    "mpc/session.py": MPC_ONLINE + ["tests/mpc/test_mac_check_soundness.py", "tests/mpc/test_session_edges.py",
                                    "tests/mpc/test_session_hardening.py"],
    "mpc/codec.py": ["tests/mpc/test_codec_field.py", "tests/mpc/test_codec_messages.py", "tests/mpc/test_fuzz.py"]
    + MPC_ONLINE,
    "mpc/comparison.py": ["tests/mpc/test_comparison.py", "tests/mpc/test_comparison_bounds.py",
                          "tests/mpc/test_comparison_exact.py", "tests/mpc/test_floor_mul_div.py"],
    "mpc/client_input/server.py": CLIENT_TESTS,
    "mpc/client_input/client.py": CLIENT_TESTS,
    "mpc/client_input/wire.py": ["tests/mpc/test_client_wire.py"] + CLIENT_TESTS,
    # proofs
    "zkp/sigma/base.py": SIGMA_TESTS,
    "zkp/sigma/or_proof.py": SIGMA_TESTS,
    "zkp/sigma/opening.py": SIGMA_TESTS,
    "zkp/sigma/membership.py": SIGMA_TESTS,
    "zkp/sigma/nonnegative.py": SIGMA_TESTS,
    "zkp/sigma/sum.py": SIGMA_TESTS,
    "zkp/distributed.py": ["tests/zkp/test_distributed.py", "tests/zkp/test_distributed_transcript.py"],
    "zkp/merkle.py": ["tests/zkp/test_merkle_and_signatures.py", "tests/zkp/test_merkle_boundaries.py"],
    "zkp/signatures.py": ["tests/zkp/test_merkle_and_signatures.py", "tests/zkp/test_merkle_boundaries.py"],
    # ledger
    "protocols/ledger/rules.py": LEDGER_RULES_TESTS,
    "protocols/ledger/sqlite_ledger.py": ["tests/ledger/test_sqlite_ledger_mutants.py"] + LEDGER_TESTS,
    "protocols/ledger/transactions.py": LEDGER_RULES_TESTS,
    # energy decision and compensation
    "protocols/energy/reference/two_state.py": ENERGY_REFERENCE_TESTS,
    "protocols/energy/reference/compensation.py": ENERGY_REFERENCE_TESTS,
    "protocols/energy/private/two_state.py": ENERGY_PRIVATE_TESTS,
    "protocols/energy/private/compensation.py": ENERGY_PRIVATE_TESTS,
    # DANTM winner determination
    "protocols/auction/reference/winner_determination.py": DANTM_TESTS,
    "protocols/auction/reference/dantm.py": DANTM_TESTS,
}

#: top-level packages copied into mutmut's scratch tree (tests import all of them).
SOURCE_PACKAGES = ["mpc", "zkp", "protocols", "benchmarks"]
#: mutmut's per-mutant limits: (clean time of the mutant's tests + TIMEOUT_CONSTANT) x TIMEOUT_MULTIPLIER
#: seconds of wall time, twice that of CPU time.  mutmut's defaults are 15 and 1; a smaller
#: multiplier was tried and, on a loaded machine, counted slow survivors as timeouts.
TIMEOUT_MULTIPLIER = 15
TIMEOUT_CONSTANT = 2
#: wall-clock seconds one test may run under a mutant before it counts as failed (a hang is a kill).
PER_TEST_TIMEOUT = 60
#: parallel mutant workers.  More than the 2 cores on purpose: a mutant that breaks message flow
#: makes a session wait for its transport timeout (up to 30 s) while using no CPU, and those
#: waits dominate the run; extra workers overlap them.
DEFAULT_CHILDREN = 6
#: seconds for one module's whole mutmut run; what is left unchecked is reported as "not checked".
DEFAULT_MODULE_TIMEOUT = 20 * 60

#: verdicts that mean the tests did not pass: a failure, a time limit, or a crash ("segfault" is
#: mutmut's name for death by a signal, e.g. SIGKILL at the hard CPU limit of runaway recursion)
DETECTED = ("killed", "timeout", "segfault")


# --- scratch tree --------------------------------------------------------------------------------
def _repo_files() -> list[str]:
    """Files of the working tree (tracked and untracked, minus ignored), as the tests see them."""
    try:
        out = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], cwd=REPO, check=True,
                             capture_output=True, text=True).stdout
        files = [f for f in out.splitlines() if f and (REPO / f).is_file()]
    except (OSError, subprocess.CalledProcessError):
        files = [str(p.relative_to(REPO)) for d in SOURCE_PACKAGES + ["tests"] for p in (REPO / d).rglob("*")
                 if p.is_file() and "__pycache__" not in p.parts]
        files.append("pyproject.toml")
    return [f for f in files if not f.startswith(("mutants/", ".venv/"))]


def _toml_list(items: list[str]) -> str:
    return json.dumps(items)  # a JSON array of strings is a valid TOML array


def _mutmut_section(module: str, tests: list[str]) -> str:
    return "\n".join([
        "",
        "[tool.mutmut]",
        f"source_paths = {_toml_list(SOURCE_PACKAGES)}",
        f"only_mutate = {_toml_list([module])}",
        f"pytest_add_cli_args_test_selection = {_toml_list(tests)}",
        f"pytest_add_cli_args = {_toml_list(['-p', 'no:cacheprovider', f'--timeout={PER_TEST_TIMEOUT}'])}",
        # results must come from this run only, not from a cache of an earlier tree
        "use_git_change_detection = false",
        # mutmut stops a mutant after (clean time of its tests + constant) x multiplier seconds of
        # wall time (and twice that of CPU time); wall time grows with the machine's load, so the
        # margin must stay wide or slow-but-passing mutants are miscounted as timeouts
        f"timeout_multiplier = {TIMEOUT_MULTIPLIER}",
        f"timeout_constant = {TIMEOUT_CONSTANT}",
        "",
    ])


def make_scratch(root: Path, module: str, tests: list[str]) -> Path:
    """A copy of the working tree under ``root`` whose pyproject holds this module's mutmut section."""
    if root.exists():
        shutil.rmtree(root)
    for rel in _repo_files():
        dst = root / rel
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO / rel, dst)
    pyproject = root / "pyproject.toml"
    text = pyproject.read_text(encoding="utf-8")
    # drop any [tool.mutmut] section of the repository: the runner's selection is the one that counts
    text = re.sub(r"(?ms)^\[tool\.mutmut\].*?(?=^\[|\Z)", "", text)
    pyproject.write_text(text + _mutmut_section(module, tests), encoding="utf-8")
    return root


# --- reading mutmut's results --------------------------------------------------------------------
def _status_table():
    from mutmut.stats import status_by_exit_code  # the tool's own mapping of exit codes
    return status_by_exit_code


def _function_starts(source: str) -> dict[str, int]:
    """First line (decorators included) of every function, keyed 'f' or 'Class.f'."""
    starts: dict[str, int] = {}

    def visit(node, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                first = min([child.lineno] + [d.lineno for d in child.decorator_list])
                starts.setdefault(prefix + child.name, first)
            elif isinstance(child, ast.ClassDef):
                visit(child, prefix + child.name + ".")
    visit(ast.parse(source), "")
    return starts


def _qualname(mutant: str) -> str:
    """'mpc.session.xǁSessionǁmac_check__mutmut_3' -> 'Session.mac_check'."""
    from mutmut.utils.format_utils import orig_function_and_class_names_from_key
    func, cls = orig_function_and_class_names_from_key(mutant)
    return f"{cls}.{func}" if cls else func


def _changed_lines(diff: str) -> tuple[list[str], list[str], int | None]:
    """(removed lines, added lines, 1-based offset in the function of the first change)."""
    old, new, offset = [], [], None
    line_no = None
    for line in diff.splitlines():
        m = re.match(r"^@@ -(\d+)", line)
        if m:
            line_no = int(m.group(1))
            continue
        if line.startswith(("---", "+++")) or line_no is None:
            continue
        if line.startswith("-"):
            old.append(line[1:].strip())
            offset = line_no if offset is None else offset
            line_no += 1
        elif line.startswith("+"):
            new.append(line[1:].strip())
            offset = line_no if offset is None else offset
        else:
            line_no += 1
    return old, new, offset


_STRING = re.compile(r"""[rbfRBF]{0,2}("([^"\\]|\\.)*"|'([^'\\]|\\.)*')""")
_TEXT_KEYWORD = re.compile(r"\b(help|prog|description|epilog|metavar)=(\"\"|None|\(\"\"\)|\()?")


def _without_text(lines: list[str]) -> str:
    """The changed code with every string literal emptied and every help/prog/description/
    epilog/metavar argument dropped: what is left is what a program does, not what it says."""
    s = _STRING.sub('""', " ".join(lines))
    s = _TEXT_KEYWORD.sub("", s)
    s = re.sub(r'(""\s*)+', '""', s)
    # separators and brackets left over from a dropped argument carry no behaviour here
    s = re.sub(r"[\s,()]+", "", s)
    return s.replace('""', "")


def text_only(old: list[str], new: list[str]) -> bool:
    """Whether a mutant changes only text (string contents, or help/prog/description arguments)."""
    if not new and old and re.match(r"^(help|prog|description|epilog|metavar)=", old[0]):
        return True
    return _without_text(old) == _without_text(new)


_SQL = re.compile(r"\b(select|insert|update|delete|create|begin|commit|rollback|pragma|drop|from|cast|values|"
                  r"where)\b", re.IGNORECASE)
SQL_CASE = ("equivalent: only the letter case of an SQL statement changed; SQLite keywords and the "
            "identifiers of this schema are case-insensitive")


def justify(module: str, function: str, key: str, old: list[str], new: list[str],
            justifications: dict[str, str], text_rules: dict[tuple[str, str], str]) -> str | None:
    """The table's entry for this key, else the text rule of its function for a text-only change,
    else the SQL rule for a change of letter case in an SQL statement."""
    if key in justifications:
        return justifications[key]
    rule = text_rules.get((module, function))
    if rule and text_only(old, new):
        return rule
    if old != new and [s.lower() for s in old] == [s.lower() for s in new] and _SQL.search(" ".join(old)):
        return SQL_CASE
    return None


def mutant_key(module: str, function: str, old: list[str], new: list[str]) -> str:
    """Stable description of a mutant: file, function and the changed line(s) before -> after."""
    return f"{module}::{function}::{' / '.join(old)} -> {' / '.join(new)}"


def collect_results(scratch: Path, module: str, justifications: dict[str, str],
                    text_rules: dict[tuple[str, str], str] | None = None) -> dict:
    """Read mutmut's verdicts for ``module`` in ``scratch``; diffs come from mutmut's own differ."""
    status_of = _status_table()
    meta = json.loads((scratch / "mutants" / (module + ".meta")).read_text())
    codes: dict[str, int | None] = meta["exit_code_by_key"]
    source = (scratch / module).read_text(encoding="utf-8")
    starts = _function_starts(source)
    counts: dict[str, int] = {}
    survivors = []
    cwd = os.getcwd()
    os.chdir(scratch)  # mutmut's helpers read its config and mutants/ relative to the working directory
    try:
        from mutmut.configuration import reset_config
        from mutmut.mutation.diff_apply import get_diff_for_mutant
        reset_config()
        seen: dict[str, int] = {}
        for name in sorted(codes, key=_natural):
            status = status_of[codes[name]]
            counts[status] = counts.get(status, 0) + 1
            if status in DETECTED:
                continue
            diff = get_diff_for_mutant(name, path=module)
            old, new, offset = _changed_lines(diff)
            func = _qualname(name)
            line = starts.get(func, 1) + (offset - 1) if offset is not None and func in starts else None
            key = mutant_key(module, func, old, new)
            seen[key] = seen.get(key, 0) + 1
            if seen[key] > 1:  # the same textual change twice in one function (e.g. two equal lines)
                key += f" #{seen[key]}"
            survivors.append({"name": name, "status": status, "file": module, "line": line, "function": func,
                              "key": key, "diff": diff,
                              "justification": justify(module, func, key, old, new, justifications,
                                                       text_rules or {})})
    finally:
        os.chdir(cwd)
    total = sum(counts.values())
    detected = sum(counts.get(s, 0) for s in DETECTED)
    justified = sum(1 for s in survivors if s["justification"])
    return {
        "total": total,
        "killed": counts.get("killed", 0),
        "timeout": counts.get("timeout", 0),
        "crashed": counts.get("segfault", 0),
        "detected": detected,
        "survived": counts.get("survived", 0),
        "no_tests": counts.get("no tests", 0),
        "not_checked": counts.get("not checked", 0),
        "other": {k: v for k, v in counts.items()
                  if k not in ("killed", "timeout", "segfault", "survived", "no tests", "not checked")},
        "kill_rate": round(detected / total, 4) if total else None,
        "justified_survivors": justified,
        "killed_or_justified_rate": round((detected + justified) / total, 4) if total else None,
        "survivors": survivors,
    }


def _natural(name: str):
    head, _, num = name.rpartition("__mutmut_")
    return (head, int(num) if num.isdigit() else 0)


# --- running -------------------------------------------------------------------------------------
def _mutmut_executable() -> list[str]:
    exe = Path(sys.executable).with_name("mutmut")
    if exe.exists():
        return [str(exe)]
    found = shutil.which("mutmut")
    if found:
        return [found]
    raise SystemExit("mutmut is not installed: pip install -e '.[mutation]'")


def run_module(module: str, tests: list[str], scratch_root: Path, max_children: int, timeout: float,
               justifications, strict: bool, log) -> dict:
    present = [t for t in tests if (REPO / t.split("::")[0]).exists()]
    missing = [t for t in tests if t not in present]
    if missing:
        msg = f"{module}: test selection(s) not found, skipped: {', '.join(missing)}"
        if strict:
            raise SystemExit(msg)
        log("warning: " + msg)
    if not (REPO / module).exists():
        raise SystemExit(f"module {module} not found: update MODULES in {Path(__file__).name}")
    slug = module.replace("/", "_").removesuffix(".py")
    scratch = make_scratch(scratch_root / slug, module, present)
    cmd = _mutmut_executable() + ["run", "--max-children", str(max_children)]
    t0 = time.monotonic()
    incomplete = False
    with open(scratch / "mutmut.log", "wb") as out:
        proc = subprocess.Popen(cmd, cwd=scratch, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True, preexec_fn=lambda: os.nice(19))
        try:
            rc = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            incomplete = True
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                rc = proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                rc = proc.wait()
    duration = time.monotonic() - t0
    meta = scratch / "mutants" / (module + ".meta")
    if not meta.exists():
        tail = (scratch / "mutmut.log").read_bytes()[-3000:].decode("utf-8", "replace")
        return {"tests": present, "missing_tests": missing, "error": f"mutmut exited {rc} without results",
                "log_tail": tail, "duration_s": round(duration, 1)}
    result = collect_results(scratch, module, *justifications)
    if rc != 0 and not incomplete:
        # e.g. the clean run of the selected tests failed: the verdicts would mean nothing
        result["error"] = f"mutmut exited {rc}"
        result["log_tail"] = (scratch / "mutmut.log").read_bytes()[-3000:].decode("utf-8", "replace")
    return {"tests": present, "missing_tests": missing, "incomplete": incomplete,
            "commit": _git("rev-parse", "HEAD"), "duration_s": round(duration, 1), **result}


def _git(*args: str) -> str | None:
    try:
        return subprocess.run(["git", *args], cwd=REPO, check=True, capture_output=True, text=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None


def _load_justifications() -> tuple[dict[str, str], dict[tuple[str, str], str]]:
    from benchmarks.mutation_justifications import JUSTIFICATIONS, TEXT_RULES
    return JUSTIFICATIONS, TEXT_RULES


def run_all(modules: list[str], args) -> dict:
    justifications = _load_justifications()
    scratch_root = Path(args.scratch) if args.scratch else Path(tempfile.mkdtemp(prefix="mutation-"))

    def log(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    import mutmut
    report = {
        "tool": f"mutmut {getattr(mutmut, '__version__', '?')}",
        "commit": _git("rev-parse", "HEAD"),
        "dirty": bool(_git("status", "--porcelain", "--untracked-files=no")),
        "started": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                    "load_before": [round(x, 2) for x in os.getloadavg()]},
        "max_children": args.max_children,
        "per_test_timeout_s": PER_TEST_TIMEOUT,
        "timeout_multiplier": TIMEOUT_MULTIPLIER,
        "timeout_constant": TIMEOUT_CONSTANT,
        "kill_rate": "(killed + timeout + crashed) / total; survivors = every other mutant",
        "modules": {},
    }
    t0 = time.monotonic()
    for module in modules:
        log(f"== {module}")
        res = run_module(module, MODULES[module], scratch_root, args.max_children, args.module_timeout,
                         justifications, args.strict, log)
        report["modules"][module] = res
        if "error" in res:
            log(f"   error: {res['error']}")
        if res.get("total"):
            log(f"   {res['total']} mutants, kill rate {res['kill_rate']:.1%}, "
                f"{len(res['survivors'])} not killed ({res['justified_survivors']} justified), "
                f"{res['duration_s']:.0f} s")
        if args.json:  # partial results survive an interrupted run
            Path(args.json).write_text(json.dumps(report, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    report["machine"]["load_after"] = [round(x, 2) for x in os.getloadavg()]
    report["duration_s"] = round(time.monotonic() - t0, 1)
    report["totals"] = _totals(report["modules"])
    if not args.keep_scratch:
        shutil.rmtree(scratch_root, ignore_errors=True)
    return report


def _totals(modules: dict) -> dict:
    tot = sum(r.get("total", 0) for r in modules.values())
    det = sum(r.get("detected", r.get("killed", 0) + r.get("timeout", 0)) for r in modules.values())
    jus = sum(r.get("justified_survivors", 0) for r in modules.values())
    return {"total": tot, "detected": det, "kill_rate": round(det / tot, 4) if tot else None,
            "justified_survivors": jus, "killed_or_justified_rate": round((det + jus) / tot, 4) if tot else None}


def recollect(json_path: Path, scratch_root: Path) -> dict:
    """Re-read every module's verdicts from its kept scratch tree and look the survivors up
    in the current justification table (the verdicts themselves are not recomputed)."""
    report = json.loads(json_path.read_text(encoding="utf-8"))
    justifications = _load_justifications()
    for module, res in report["modules"].items():
        scratch = scratch_root / module.replace("/", "_").removesuffix(".py")
        if (scratch / "mutants" / (module + ".meta")).exists():
            res.update(collect_results(scratch, module, *justifications))
    report["totals"] = _totals(report["modules"])
    return report


def merge(parts: list[dict], names: list[str]) -> dict:
    """One report from runs over different modules (each module keeps its own commit and timing)."""
    modules: dict = {}
    for part in parts:
        for module, res in part["modules"].items():
            modules[module] = {**res, "commit": res.get("commit", part.get("commit")),
                               "run_started": part.get("started")}
    ordered = {m: modules[m] for m in MODULES if m in modules}
    ordered.update({m: r for m, r in modules.items() if m not in ordered})
    return {
        "tool": parts[-1].get("tool"),
        "commit": parts[-1].get("commit"),
        "started": min(p.get("started", "") for p in parts),
        "parts": [{"file": n, "commit": p.get("commit"), "started": p.get("started"), "machine": p.get("machine"),
                   "duration_s": p.get("duration_s"), "modules": list(p["modules"])} for n, p in zip(names, parts)],
        "machine": parts[-1].get("machine"),
        "max_children": parts[-1].get("max_children"),
        "per_test_timeout_s": parts[-1].get("per_test_timeout_s"),
        "kill_rate": parts[-1].get("kill_rate"),
        # the parts ran in parallel: this is the mutmut time summed over modules, not wall time
        "duration_s": round(sum(r.get("duration_s") or 0 for r in ordered.values()), 1),
        "modules": ordered,
        "totals": _totals(ordered),
    }


#: justifications that point at a test written after the module's last run (see the table's _LATE)
LATE_PREFIX = "killed by a test added after"


# --- markdown report -----------------------------------------------------------------------------
def _rate(r: dict | None) -> str:
    if not r or r.get("kill_rate") is None:
        return "–"
    text = f"{r['kill_rate']:.1%} ({r.get('detected', r['killed'] + r['timeout'])}/{r['total']})"
    if r.get("not_checked"):
        text += f", **incomplete: {r['not_checked']} not checked**"
    return text


def markdown(before: dict, after: dict) -> str:
    lines = [
        "# Mutation testing of the security-critical modules",
        "",
        f"Tool: {after.get('tool')}; command: `python -m benchmarks.mutation --json OUT` "
        "(see the docstring of `benchmarks/mutation.py`).",
        f"Before: commit `{(before.get('commit') or '?')[:12]}`, started {before.get('started')}, "
        f"load at the start {before.get('machine', {}).get('load_before')}, "
        f"{before.get('duration_s')} s of module runs.",
        f"After: commit `{(after.get('commit') or '?')[:12]}` (latest part; each module's commit is in the JSON), "
        f"started {after.get('started')}, load at the start {after.get('machine', {}).get('load_before')}, "
        f"{after.get('duration_s')} s of module runs.",
        "",
        "Kill rate = (killed + timeout + crashed) / all mutants. \"Justified\" = survivors covered by "
        "`benchmarks/mutation_justifications.py` (an entry for the mutant, or a rule: help text of an "
        "argparse builder, letter case of SQL), each with its reason.",
        "",
        "| module | before | after | survivors after | of which justified | of these, killed by later tests "
        "| after, killed or justified |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for module in after["modules"]:
        b, a = before["modules"].get(module), after["modules"][module]
        ka = a.get("killed_or_justified_rate")
        late = sum(1 for s in a.get("survivors", []) if (s.get("justification") or "").startswith(LATE_PREFIX))
        lines.append(f"| `{module}` | {_rate(b)} | {_rate(a)} | {len(a.get('survivors', []))} | "
                     f"{a.get('justified_survivors', 0)} | {late} | {'–' if ka is None else f'{ka:.1%}'} |")
    both = [m for m in after["modules"] if m in before["modules"]]
    tb = _totals({m: before["modules"][m] for m in both})
    ta = _totals({m: after["modules"][m] for m in both})
    if both and tb["total"] and ta["total"]:
        late = sum(1 for m in both for s in after["modules"][m].get("survivors", [])
                   if (s.get("justification") or "").startswith(LATE_PREFIX))
        lines.append(f"| **all {len(both)} modules** | {tb['kill_rate']:.1%} ({tb['detected']}/{tb['total']}) | "
                     f"{ta['kill_rate']:.1%} ({ta['detected']}/{ta['total']}) | "
                     f"{ta['total'] - ta['detected']} | {ta['justified_survivors']} | {late} | "
                     f"{ta['killed_or_justified_rate']:.1%} |")
    missing = [m for m in before["modules"] if m not in after["modules"]]
    if missing:
        lines += ["", "Not re-run after the new tests: " + ", ".join(f"`{m}`" for m in missing) + "."]
    lines += ["", "## Every mutant not killed after the new tests", ""]
    for module, a in after["modules"].items():
        surv = a.get("survivors", [])
        if not surv:
            continue
        lines += [f"### `{module}`", "", "| line | function | change | status | justification |",
                  "| --- | --- | --- | --- | --- |"]
        for s in surv:
            change = s["key"].split("::", 2)[2].replace("|", "\\|")
            just = (s.get("justification") or "**none**").replace("|", "\\|").replace("\n", " ")
            lines.append(f"| {s.get('line')} | `{s['function']}` | `{change}` | {s['status']} | {just} |")
        lines.append("")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.mutation", description=__doc__.split("\n\n")[0])
    p.add_argument("--json", help="write the results here (rewritten after every module)")
    p.add_argument("--module", action="append", choices=sorted(MODULES), help="only this module (repeatable)")
    p.add_argument("--max-children", type=int, default=DEFAULT_CHILDREN,
                   help=f"parallel mutant workers (default {DEFAULT_CHILDREN})")
    p.add_argument("--module-timeout", type=float, default=DEFAULT_MODULE_TIMEOUT,
                   help=f"seconds for one module's run (default {DEFAULT_MODULE_TIMEOUT})")
    p.add_argument("--scratch", help="directory for the scratch trees (default: a new temporary directory)")
    p.add_argument("--keep-scratch", action="store_true", help="keep the scratch trees (to inspect with mutmut)")
    p.add_argument("--strict", action="store_true", help="fail when a listed test path does not exist")
    p.add_argument("--recollect", action="store_true",
                   help="rebuild --json from the kept --scratch trees without running mutants again "
                        "(after editing the justification table)")
    p.add_argument("--merge", nargs="+", metavar="PART",
                   help="combine result JSONs of runs over different modules into --json (a later "
                        "part wins for a module in several)")
    p.add_argument("--report", nargs=2, metavar=("BEFORE", "AFTER"), help="write the markdown table from two JSONs")
    p.add_argument("--md", help="with --report: the markdown file to write")
    p.add_argument("--notes", help="with --report: a markdown file appended to the table (hand-written findings)")
    args = p.parse_args(argv)
    if args.report:
        before, after = (json.loads(Path(f).read_text(encoding="utf-8")) for f in args.report)
        text = markdown(before, after)
        if args.notes:
            text += "\n" + Path(args.notes).read_text(encoding="utf-8")
        if args.md:
            Path(args.md).write_text(text, encoding="utf-8")
        else:
            print(text)
        return 0
    if not args.json:
        p.error("--json OUT is required (or --report BEFORE AFTER)")
    if args.merge:
        report = merge([json.loads(Path(f).read_text(encoding="utf-8")) for f in args.merge], args.merge)
        Path(args.json).write_text(json.dumps(report, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        return 0
    if args.recollect:
        if not args.scratch:
            p.error("--recollect needs --scratch (the directory of a run made with --keep-scratch)")
        report = recollect(Path(args.json), Path(args.scratch))
        Path(args.json).write_text(json.dumps(report, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        return 0
    report = run_all(args.module or list(MODULES), args)
    Path(args.json).write_text(json.dumps(report, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    t = report["totals"]
    print(f"{t['total']} mutants, kill rate {t['kill_rate']:.1%}; written to {args.json}")
    return 1 if any("error" in r for r in report["modules"].values()) else 0


if __name__ == "__main__":
    raise SystemExit(main())
