"""The command line every private protocol shares: parse and validate first, then start
the parties, run one party's program, and report.

    cli = SessionCLI("protocols.energy.run", description="...")
    cli.parser.add_argument("--scenario", ...)          # the protocol's own options
    args = cli.parse(validate=lambda a: ...)             # exits 2 on bad usage; starts parties
    result = cli.run(program)                            # exits 1 on an abort
    cli.say("done")

Common options: --timeout, --preprocessing, --stats, and the launcher's (-M, -I, -P, -B,
--ssl, --certs, --max-frame, --output-file). Exit status: 0 success, 1 the session aborted (the message names
the failed check), 2 bad usage or input. Progress lines go to stderr as
`[party i] ...`; results go to stdout or files.
"""
from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any, Awaitable, Callable, Optional

from .cli import EXIT_ABORT, ArgumentParser, CliError, check_output_path, die, seconds, write_json_file
from .errors import MPCAbort
from .field import PrimeField
from .launch import (LaunchPlan, add_launcher_options, plan_from_args, run_party, start_children, stop_children,
                     strip_options)
from .preprocessing import BACKENDS
from .session import Session

#: dealer-free by default (issue 14); "dealer" stays for tests and quick runs and says so at start
DEFAULT_PREPROCESSING = "mascot"

EXIT_STATUS = "Exit status: 0 success, 1 the session aborted (the message names the failed check), 2 bad usage or input."


def party_path(path: str | Path, pid: int) -> Path:
    """Where party `pid` writes an output given as `path`: the path itself for party 0,
    with `.party<i>` before the suffix for the others."""
    p = Path(path)
    return p if pid == 0 else p.with_name(f"{p.stem}.party{pid}{p.suffix or '.json'}")


class SessionCLI:
    """Parser, launcher and runner of one private protocol's command line."""

    def __init__(self, prog: str, description: str, epilog: str = "", timeout: float = 60.0):
        # no abbreviations: the launcher passes the options on to the parties it starts, minus
        # its own, and it can only strip an option given by its full name
        self.parser = ArgumentParser(prog=f"python -m {prog}", description=description, allow_abbrev=False,
                                     epilog=(epilog + "  " if epilog else "") + EXIT_STATUS)
        g = self.parser.add_argument_group("session")
        g.add_argument("--timeout", type=seconds, default=timeout, metavar="SECONDS",
                       help=f"seconds to wait for a peer before aborting (default {timeout:g})")
        g.add_argument("--preprocessing", choices=sorted(BACKENDS), default=DEFAULT_PREPROCESSING,
                       help=f"where Beaver triples, masks and bits come from (default {DEFAULT_PREPROCESSING}); "
                            "the chosen backend's trust model is printed at start")
        g.add_argument("--stats", metavar="FILE", default=None,
                       help="write this party's per-stage time, rounds, messages and bytes, offline and online "
                            "apart, as JSON (party i > 0 inserts .party<i> before the suffix)")
        add_launcher_options(self.parser)
        self.args: Any = None
        self.plan: Optional[LaunchPlan] = None
        self.field = PrimeField()
        self._session_factory = None
        self._started = time.perf_counter()
        #: options only this process acts on when it starts the others (not passed to them)
        self.launcher_only: set[str] = set()

    def add_cheat_option(self, ranged_inputs: bool = False) -> None:
        """--cheat KIND: testing only, party 1 deviates (see mpc.testing). The `range` kind
        is offered only by programs whose parties declare their inputs' width
        (ranged_inputs): elsewhere it would not deviate at all."""
        from .testing import CHEATS

        kinds = CHEATS if ranged_inputs else tuple(k for k in CHEATS if k != "range")
        self.parser.add_argument("--cheat", choices=kinds, default=None,
                                 help="testing: make party 1 deviate in this way; the honest parties must abort")

    # -- parse, validate, launch ------------------------------------------------------
    def parse(self, argv: Optional[list[str]] = None,
              validate: Optional[Callable[[Any], Optional[str]]] = None) -> Any:
        """Parse and validate everything (exit 2 with one line on a problem), then start the
        other parties if this process is the launcher."""
        argv = list(sys.argv[1:] if argv is None else argv)
        args = self.parser.parse_args(argv)
        try:
            plan = plan_from_args(args)
        except ValueError as exc:
            die(str(exc))
        self.args, self.plan = args, plan
        try:
            if args.stats is not None:
                self.check_output(args.stats, "--stats")
            problem = validate(args) if validate else None
        except CliError as exc:
            die(str(exc))
        if problem:
            die(problem)
        if getattr(args, "cheat", None):
            from .testing import cheating_factory
            self._session_factory = cheating_factory(args.cheat, 1, self.field)
        start_children(plan, strip_options(argv, self.launcher_only))
        return args

    def check_output(self, path: str, option: str) -> None:
        """CliError naming `option` unless every party this process runs or starts can write
        its copy of the output `path` (see party_path); an empty name is refused too."""
        check_output_path(path, option)
        for pid in range(self.plan.m) if self.plan.spawn else [self.plan.pid]:
            check_output_path(party_path(path, pid), option)

    @property
    def pid(self) -> int:
        return self.plan.pid

    @property
    def m(self) -> int:
        return self.plan.m

    def say(self, msg: str) -> None:
        print(f"[party {self.plan.pid if self.plan else '?'}] {msg}", file=sys.stderr, flush=True)

    # -- run ----------------------------------------------------------------------------
    def run(self, program: Callable[[Session], Awaitable[Any]], *, field: Optional[PrimeField] = None,
            session_factory=None, stats_extra: Optional[Callable[[Any], dict]] = None) -> Any:
        """Run this party's program; on an abort print which check failed and exit 1.
        Writes --stats (with stats_extra(result) added) when the program returned."""
        if field is not None:
            self.field = field
            if getattr(self.args, "cheat", None):
                from .testing import cheating_factory
                self._session_factory = cheating_factory(self.args.cheat, 1, field)
        captured: dict[str, Any] = {}

        async def wrapped(s: Session):
            captured["session"] = s
            self.say(f"{s.m} parties; preprocessing: {s.trust_model}")
            return await program(s)

        t0 = time.perf_counter()
        try:
            result = run_party(wrapped, self.plan, field=self.field, backend=self.args.preprocessing,
                               timeout=self.args.timeout, session_factory=session_factory or self._session_factory,
                               log=self.say)
        except MPCAbort as exc:
            print(f"ABORT (party {self.plan.pid}): {exc}", file=sys.stderr, flush=True)
            self.finish(EXIT_ABORT)
        self.elapsed = time.perf_counter() - t0
        self.session = captured.get("session")
        if self.args.stats and self.session is not None:
            self.write_stats(self.session, stats_extra(result) if stats_extra else None)
        return result

    def report_costs(self) -> None:
        """Print per-stage cost lines (offline and online apart) and the total."""
        s = self.session
        for name, st in s.stage_report().items():
            off, on = st["offline"], st["online"]
            self.say(f"{name:22s} {st['seconds']:7.2f} s (offline {off['seconds']:6.2f} s, online "
                     f"{on['seconds']:6.2f} s) {st['rounds']:5d} rounds {st['bytes']:11,d} bytes sent")
        tr = s.traffic()
        self.say(f"total {self.elapsed:.2f} s ({tr['offline_seconds']:.2f} s producing preprocessing); "
                 f"{tr['rounds']} rounds, {tr['messages']} messages, {tr['bytes']:,} bytes sent")

    def write_stats(self, s: Session, extra: Optional[dict] = None) -> None:
        stats = {"party": s.pid, "parties": s.m, "total_seconds": self.elapsed, "stages": s.stage_report(),
                 "traffic": s.traffic(), "consumed": s.consumed, "trust_model": s.trust_model,
                 "preprocessing": self.args.preprocessing, **(extra or {})}
        try:
            write_json_file(party_path(self.args.stats, s.pid), "--stats", stats, indent=1)
        except CliError as exc:
            die(str(exc))

    def finish(self, status: int = 0) -> None:
        """Exit with `status` after the children this process started have ended."""
        if self.plan is not None:
            stop_children(self.plan)
        sys.exit(status)
