"""Run the whole table of malformed invocations (tests/cli/cli_cases.py) and count.

    python -m tests.cli.fuzz [--jobs 2] [--only SUBSTRING ...] [--list] [--report FILE]

Prints one line per misbehaving case (what it did wrong), then the number of cases tried,
passed, failing and failing-but-owned-elsewhere (cases with an `xfail` reason). Exit
status 0 when every case without an xfail reason behaves, 1 otherwise.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from tests.cli.cli_cases import all_cases
from tests.cli.harness import Outcome, run_case


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m tests.cli.fuzz", description=__doc__.split("\n\n")[0])
    p.add_argument("--jobs", type=int, default=2, help="cases run at the same time (default 2)")
    p.add_argument("--only", action="append", default=None, help="run the cases whose name contains this")
    p.add_argument("--list", action="store_true", help="list the case names and stop")
    p.add_argument("--report", help="write every outcome as JSON here")
    p.add_argument("--verbose", "-v", action="store_true", help="print stderr of failing cases")
    args = p.parse_args(argv)
    cases = [c for c in all_cases() if not args.only or any(o in c.name for o in args.only)]
    if args.list:
        for c in cases:
            print(f"{c.kind:10s} {c.name}")
        print(f"{len(cases)} cases")
        return 0
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="cli-fuzz-") as tmp:
        def one(k_case):
            k, case = k_case
            try:
                return run_case(case, Path(tmp) / f"c{k}")
            except Exception as exc:  # the harness itself failed on this case: count it, go on
                return Outcome(case, None, "", "", 0.0, [f"harness error: {exc!r}"])

        with ThreadPoolExecutor(max(1, args.jobs)) as pool:
            outcomes = list(pool.map(one, enumerate(cases)))
    bad = [o for o in outcomes if o.problems and not o.case.xfail]
    owned = [o for o in outcomes if o.problems and o.case.xfail]
    fixed = [o for o in outcomes if not o.problems and o.case.xfail]
    for o in bad:
        print(o.describe() if args.verbose else f"FAIL {o.case.name}: {'; '.join(o.problems)}")
    for o in owned:
        print(f"XFAIL {o.case.name}: {'; '.join(o.problems)} [{o.case.xfail}]")
    for o in fixed:
        print(f"XPASS {o.case.name}: behaves now; drop its xfail [{o.case.xfail}]")
    by_kind: dict[str, list[int]] = {}
    for o in outcomes:
        by_kind.setdefault(o.case.kind, [0, 0])[0] += 1
        by_kind[o.case.kind][1] += bool(o.problems)
    print(f"{len(outcomes)} cases tried in {time.perf_counter() - t0:.0f} s: "
          f"{len(outcomes) - len(bad) - len(owned)} behave, {len(bad)} fail, {len(owned)} fail in code owned elsewhere")
    print("by class: " + ", ".join(f"{k} {n - f}/{n}" for k, (n, f) in sorted(by_kind.items())))
    if args.report:
        Path(args.report).write_text(json.dumps([{"name": o.case.name, "status": o.status, "seconds": round(o.seconds, 2),
                                                  "problems": o.problems, "xfail": o.case.xfail,
                                                  "stderr": o.stderr[-2000:]} for o in outcomes], indent=1))
    return 1 if bad or fixed else 0


if __name__ == "__main__":
    sys.exit(main())
