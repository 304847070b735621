"""Run one party of a session in this process, inside MPyC's launcher.

`python -m <module> -M3` starts three processes on this machine; `-M3 -I i` starts
party i only; `-P host:port` (once per party, empty host for oneself) connects real
hosts; `--ssl` uses MPyC's TLS certificates. Importing mpyc.runtime parses those
options from sys.argv and leaves the rest for the caller's own parser.
"""
from __future__ import annotations

import os
import sys
from typing import Any, Awaitable, Callable, Optional

from .errors import MPCAbort
from .field import PrimeField
from .preprocessing import BACKENDS
from .session import Session
from .transport import DEFAULT_TIMEOUT


def mpyc_runtime():
    """MPyC's runtime object (importing it parses and strips MPyC's own options)."""
    # MPyC's pseudorandom secret sharing enumerates C(m, m−t) party subsets at start-up
    # (about 2·10^7 for 27 parties); our engine never uses it.
    os.environ.setdefault("MPYC_NOPRSS", "1")
    from mpyc.runtime import mpc
    return mpc


def parse_cli(parser, validate=None, argv=None):
    """Parse our own options and check the rest are MPyC's, before MPyC's launcher starts
    the other parties (so a typo fails once, instead of leaving orphan processes).

    `validate(args)` may return an error message. Returns the parsed namespace.
    """
    import mpyc

    argv = list(sys.argv[1:] if argv is None else argv)
    args, extras = parser.parse_known_args(argv)
    _, unknown = mpyc._get_arg_parser().parse_known_args(extras)
    if unknown:
        parser.error(f"unrecognized arguments: {' '.join(unknown)}")
    problem = validate(args) if validate else None
    if problem:
        parser.error(problem)
    mpyc_runtime()  # consumes MPyC's options and may start the other parties
    return args


def run_party(program: Callable[[Session], Awaitable[Any]], *, field: Optional[PrimeField] = None,
              backend: str = "dealer", timeout: float = DEFAULT_TIMEOUT, open_mode: str = "auto",
              session_factory=None) -> Any:
    """Connect to the other parties, run `program(session)`, close; return its result.

    Raises MPCAbort (after closing the connections) if any check fails.
    """
    from .mpyc_transport import MPyCTransport

    rt = mpyc_runtime()
    if len(rt.parties) < 2:
        raise SystemExit("a session needs at least 2 parties: pass -M<m> (e.g. -M3)")
    field = field or PrimeField()

    async def main():
        t = MPyCTransport(rt, timeout)
        try:
            await t.connect()
            prep = BACKENDS[backend](field, t)
            if session_factory is not None:
                s = session_factory(t.pid, t, prep)
            else:
                s = Session(t, prep, field, open_mode=open_mode)
            await s.start()
            result = await program(s)
            await s.close()
            return result
        except BaseException:
            t.abort_connections()
            raise

    return rt.run(main())


def exit_on_abort(fn: Callable[[], Any]) -> Any:
    """Call fn; on an abort print which check failed and exit with status 1."""
    try:
        return fn()
    except MPCAbort as exc:
        rt = mpyc_runtime()
        print(f"ABORT (party {rt.pid}): {exc}", file=sys.stderr, flush=True)
        sys.exit(1)
