"""Run one command-line entry point as a new user would, on purpose-built bad input, and
say everything it did wrong.

Each case runs `python -m <module> <args>` as a subprocess in a fresh working folder two
levels below a scratch root (so that a path like ``../../pwned.json`` still lands inside
the root and is seen), in its own session (so that every process it starts, even one
re-parented to init, is found afterwards by its session id), with a timeout. The checks
are those of issue 13:

* the exit status is the expected one (2 bad usage or input, 1 an abort);
* stderr holds one line (for status 2), ``error: ...``, naming the field or option;
* no traceback, no crash (negative status, "Fatal Python error"), no hang;
* no file appeared or changed anywhere under the scratch root (no records after a failure);
* no process of the command is left once it has returned.

`run_case` returns the list of problems (empty when the command behaved); a test asserts
that it is empty, and `tests/cli/fuzz.py` runs the whole table and counts.
"""
from __future__ import annotations

import contextlib
import hashlib
import io
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Mapping, Optional, Union

REPO = Path(__file__).resolve().parents[2]

Content = Union[str, bytes, Callable[[Path], None]]


@dataclass(frozen=True)
class Case:
    """One malformed invocation and what a well-behaved command does with it."""

    name: str                      # unique, "<entry point>/<what>"
    module: str                    # run as python -m <module>
    args: tuple[str, ...]          # "{port}" is replaced by a free base port, "{root}" by the scratch root
    # created in the working folder first; a callable gets the path to create (under the key
    # "" it gets the working folder itself, to build several files)
    files: Mapping[str, Content] = field(default_factory=dict)
    exit: int = 2                  # expected exit status
    needle: str = ""               # must appear in stderr (in the one error line for exit 2)
    kind: str = "input"            # issue 13's class: path, records, traceback, hang, success, processes, hidden
    timeout: float = 60.0          # seconds before the case counts as a hang
    ports: int = 0                 # reserve this many consecutive free ports for {port}
    one_line: bool = True          # stderr must be exactly one line (exit 2 cases)
    may_write: tuple[str, ...] = ()  # paths (relative to the root) the command may create
    xfail: Optional[str] = None    # "owned by <who>: <what must change>" when the fix is not ours
    env: Mapping[str, str] = field(default_factory=dict)
    core: bool = False             # part of the default (fast) suite; the rest runs with -m slow


@dataclass
class Outcome:
    case: Case
    status: Optional[int]
    stdout: str
    stderr: str
    seconds: float
    problems: list[str]

    def describe(self) -> str:
        tail = "\n".join(self.stderr.strip().splitlines()[-6:])
        return (f"{self.case.name}: python -m {self.case.module} {' '.join(self.case.args)}\n"
                f"  exit {self.status} after {self.seconds:.1f} s; problems: {'; '.join(self.problems)}\n"
                f"  stderr (last lines):\n    " + tail.replace("\n", "\n    "))


def snapshot(root: Path) -> dict[str, str]:
    """Every file and folder under `root` with a digest of its content (FIFOs by type only)."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for d in dirnames:
            out[os.path.relpath(os.path.join(dirpath, d), root) + "/"] = "dir"
        for f in filenames:
            p = os.path.join(dirpath, f)
            rel = os.path.relpath(p, root)
            try:
                if not os.path.isfile(p) or os.path.islink(p):
                    out[rel] = "special"
                    continue
                with open(p, "rb") as fh:
                    out[rel] = hashlib.sha256(fh.read()).hexdigest()
            except OSError:
                out[rel] = "unreadable"
    return out


def session_processes(sid: int) -> list[tuple[int, str]]:
    """Live (non-zombie) processes of session `sid`, as (pid, command line)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                stat = fh.read()
            fields = stat[stat.rindex(")") + 2:].split()
            state, session = fields[0], int(fields[3])
            if session != sid or state == "Z":
                continue
            with open(f"/proc/{entry}/cmdline", "rb") as fh:
                cmd = fh.read().replace(b"\0", b" ").decode(errors="replace").strip()
            found.append((int(entry), cmd))
        except (OSError, ValueError, IndexError):
            continue
    return found


def _free_base_port(m: int) -> int:
    sys.path.insert(0, str(REPO))
    from tests.conftest import free_base_port

    return free_base_port(m)


#: Setups that run project code in this process (e.g. the energy operator) print progress;
#: they run one at a time with stdout and stderr swallowed. redirect_stdout swaps a global, so
#: two threads redirecting at once could leave sys.stdout pointing at a dead buffer.
_SETUP_LOCK = threading.Lock()


def _materialise(cwd: Path, files: Mapping[str, Content]) -> None:
    for rel, content in files.items():
        p = cwd / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        if callable(content):
            with _SETUP_LOCK, contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
                content(p)
        elif isinstance(content, bytes):
            p.write_bytes(content)
        else:
            p.write_text(content, encoding="utf-8")


def run_case(case: Case, root: Path, python: str = sys.executable) -> Outcome:
    """Run `case` under the scratch folder `root` (created; must not exist or be empty)."""
    cwd = root / "w" / "d"
    cwd.mkdir(parents=True, exist_ok=True)
    _materialise(cwd, case.files)
    port = _free_base_port(max(case.ports, 1)) if case.ports else 0
    args = [a.replace("{port}", str(port)).replace("{root}", str(root)) for a in case.args]
    before = snapshot(root)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    env.pop("PYTEST_CURRENT_TEST", None)
    env.update(case.env)
    problems: list[str] = []
    t0 = time.perf_counter()
    proc = subprocess.Popen([python, "-m", case.module, *args], cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    try:
        out, err = proc.communicate(timeout=case.timeout)
    except subprocess.TimeoutExpired:
        problems.append(f"hang: still running after {case.timeout:g} s")
        os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate()
    seconds = time.perf_counter() - t0
    # A process of the command still alive after it returned is a leftover; allow the
    # kernel a moment to reap the ones that are exiting right now.
    deadline = time.monotonic() + 1.0
    left = session_processes(proc.pid)
    while left and time.monotonic() < deadline:
        time.sleep(0.05)
        left = session_processes(proc.pid)
    if left:
        problems.append(f"processes left after return: {[c[:90] for _, c in left]}")
        for pid, _ in left:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
    stdout, stderr = out.decode("utf-8", "replace"), err.decode("utf-8", "replace")
    status = proc.returncode
    if status is not None and status < 0 and not problems:
        problems.append(f"killed by signal {-status}")
    for marker in ("Traceback (most recent call last)", "Fatal Python error", "Segmentation fault"):
        if marker in stderr or marker in stdout:
            problems.append(f"{marker.split(' (')[0].lower()} printed")
    if not problems or problems[0].startswith("processes"):
        if status != case.exit:
            problems.append(f"exit status {status}, expected {case.exit}")
        lines = [ln for ln in stderr.splitlines() if ln.strip()]
        if case.exit == 2 and case.one_line:
            if len(lines) != 1:
                problems.append(f"{len(lines)} lines on stderr, expected one")
            elif not lines[0].startswith("error: "):
                problems.append(f"stderr line does not start with 'error: ': {lines[0][:120]!r}")
        if case.needle and case.needle not in stderr:
            problems.append(f"stderr does not name {case.needle!r}")
    after = snapshot(root)
    allowed = set(case.may_write)
    changed = sorted(k for k in after if before.get(k) != after[k] and k.rstrip("/") not in allowed
                     and not any(k.startswith(a.rstrip("/") + "/") for a in allowed))
    vanished = sorted(k for k in before if k not in after)
    if changed:
        problems.append(f"files written or changed: {changed[:6]}")
    if vanished:
        problems.append(f"files removed: {vanished[:6]}")
    return Outcome(case, status, stdout, stderr, seconds, problems)
