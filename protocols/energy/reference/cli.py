"""Command line: the group-purchasing decision of `docs/specs/energy.md` in plain Python (the oracle of `run`).

    python -m protocols.energy.reference --scenario table2 --scheme proportional --json out.json

Runs the two-state social rule over all registered users slot by slot, stops at the
first join, and writes the spec's result JSON (money in nano-dollars).  Bad input is
reported as one line naming the offending field, exit status 2.
"""

from __future__ import annotations

import json
import sys

from mpc.cli import ArgumentParser, CliError, check_not_input, check_output_path, guarded, write_text_file
from protocols.energy.model import SCHEMES
from protocols.energy.scenarios.loader import ScenarioError, builtin_scenarios, load_scenario
from protocols.energy.reference.two_state import decide_join, decision_to_json, two_state_inputs


def _parser() -> ArgumentParser:
    parser = ArgumentParser(
        prog="python -m protocols.energy.reference",
        description="Decide in plain Python whether and when the registered users join the group plan "
                    "(two-state social work-function rule) and compute their net mutual compensations "
                    "φ_i in nano-dollars (φ_i > 0: user i pays, < 0: receives; Σφ_i = 0).",
        epilog=f"Built-in scenarios: {', '.join(builtin_scenarios()) or 'none'}. "
               "Exit status: 0 success, 2 bad arguments or scenario.  A slot where proportional sharing "
               "is refused (sum of C_i(E\\g) ≤ 0) is reported in per_slot[].refused and the rule goes on.")
    parser.add_argument("--scenario", required=True, metavar="FILE",
                        help="scenario JSON file (docs/specs/energy.md) or the name of a built-in scenario")
    parser.add_argument("--scheme", choices=SCHEMES, default=None,
                        help="compensation scheme (default: the scenario's `scheme` field)")
    parser.add_argument("--json", metavar="OUT", default=None,
                        help="write the result JSON here (default: print it on stdout)")
    parser.add_argument("--report", action="store_true",
                        help="also print per-user costs and the §2.5 mechanism with and without compensations")
    return parser


@guarded
def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.json is not None:
        check_output_path(args.json, "--json")
        check_not_input(args.json, {"--scenario": args.scenario}, "--json")
    try:
        scenario = load_scenario(args.scenario)
    except ScenarioError as exc:
        raise CliError(f"--scenario {args.scenario}: {exc}") from None
    scheme = args.scheme or scenario.scheme
    decision = decide_join(two_state_inputs(scenario), scheme)
    result = decision_to_json(decision)
    text = json.dumps(result, indent=2)
    if args.json is not None:
        write_text_file(args.json, "--json", text + "\n")
    else:
        print(text)
    for slot, reason in decision.refusals:
        print(f"note: slot {slot}: join test held but {reason}", file=sys.stderr)
    if args.report:
        from protocols.energy.reference.report import text_report
        print(text_report(scenario, scheme), file=sys.stderr if args.json is None else sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
