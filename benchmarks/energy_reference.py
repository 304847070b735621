"""Benchmark: the seed's Figure 4 and 6 analogues from the plaintext group-purchasing reference.

    python -m benchmarks.energy_reference --json out.json --plot out.png [--scenario table2]

Figure 6 analogue: each household's daily net energy (peak and off-peak).  Figure 4
analogue: accumulated cost per user over the horizon when staying on the standalone plan,
without compensations (§2.5 step 2 only), and with compensations, egalitarian vs
proportional, both for the two-state social rule over all registered users (the decision
the private protocol computes) and for the full §2.5 mechanism with subset search.

The JSON also holds a consumption sweep: the same households with every energy value
multiplied by 1, 1.5, 2, 3, 4, to show how the join slot depends on the consumption
level (joining at slot t needs the group's savings over t slots to exceed twice its
switching fees, because WFA counts the fee in Opt_{i,g} and again in C_i(g)).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from mpc.cli import PLOT_SUFFIXES, ArgumentParser, CliError, check_output_path, guarded, write_text_file
from protocols.energy.reference.outcome_costs import accumulate
from protocols.energy.reference.report import NANO, scenario_summary
from protocols.energy.scenarios.loader import ScenarioError, load_scenario, parse_scenario, scenario_to_json

SWEEP = (1, 1.5, 2, 3, 4)

STYLES = {
    "standalone": ("standalone plan", "black", ":"),
    "no_compensation": ("no compensation (step 2)", "tab:gray", "-"),
    "registered_egalitarian": ("MC egalitarian, all registered", "tab:blue", "-"),
    "registered_proportional": ("MC proportional, all registered", "tab:orange", "-"),
    "mechanism_egalitarian": ("MC egalitarian, §2.5 subset", "tab:blue", "--"),
    "mechanism_proportional": ("MC proportional, §2.5 subset", "tab:orange", "--"),
}


def plot(summary: dict, scenario, out: Path) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D

    users = summary["users"]
    fig, axes = plt.subplots(2, len(users), figsize=(4.2 * len(users), 8.2), squeeze=False)
    days = list(range(1, summary["n_slots"] + 1))
    for k, user in enumerate(scenario.users):
        ax = axes[0][k]
        for p, period in enumerate(scenario.periods):
            ax.bar([d + (p - 0.5) * 0.4 for d in days], [row[p] / 1000 for row in user.energy_wh],
                   width=0.4, label=period.name)
        ax.axhline(0, color="black", linewidth=0.5)
        ax.set_title(f"{user.id}: net energy per day")
        ax.set_xlabel("day")
        ax.set_ylabel("kWh (negative = export)")
        ax.legend(fontsize=7)
        ax = axes[1][k]
        for name, (label, color, style) in STYLES.items():
            v = summary["variants"][name]
            ax.plot(days, [c / NANO for c in accumulate(v["slot_costs"][k])], style, color=color, label=label)
            if v["join_slot"] and user.id in v["members"]:
                ax.axvline(v["join_slot"], color=color, linestyle=style, alpha=0.25)
        ax.set_title(f"{user.id}: accumulated cost")
        ax.set_xlabel("day")
        ax.set_ylabel("$")
    # One legend for the cost panels, below them, so that every curve is named once and
    # the faint vertical lines are explained (a variant's join slot, same colour and style).
    handles, labels = axes[1][0].get_legend_handles_labels()
    handles.append(Line2D([], [], color="gray", alpha=0.4))
    labels.append("vertical line: that variant's join slot (user is a member)")
    fig.legend(handles, labels, loc="lower center", ncol=min(4, len(labels)), fontsize=8, frameon=False)
    fig.tight_layout(rect=(0, 0.08, 1, 1))
    fig.savefig(out, dpi=110)
    plt.close(fig)


def consumption_sweep(scenario) -> list[dict]:
    """Join slots and savings per variant with all energy values scaled by each factor of SWEEP."""
    base = scenario_to_json(scenario)
    out = []
    for factor in SWEEP:
        data = json.loads(json.dumps(base))
        for user in data["users"]:
            user["energy_wh"] = [[round(a * factor) for a in row] for row in user["energy_wh"]]
        variants = scenario_summary(parse_scenario(data))["variants"]
        out.append({"factor": factor, "variants": {
            name: {"join_slot": v["join_slot"], "members": v["members"], "saving_vs_standalone": v["saving_vs_standalone"]}
            for name, v in variants.items() if name != "standalone"}})
        reg = variants["registered_egalitarian"]
        savings = ", ".join(f"{u}={100 * x:.1f}%" for u, x in reg["saving_vs_standalone"].items() if x is not None)
        print(f"[energy_reference] sweep ×{factor}: no MC joins at {variants['no_compensation']['join_slot']}, "
              f"MC (all registered) at {reg['join_slot']} with savings {savings}", file=sys.stderr)
    return out


@guarded
def main(argv: list[str] | None = None) -> int:
    parser = ArgumentParser(prog="python -m benchmarks.energy_reference", description=__doc__.split("\n\n")[0],
                            epilog="Exit status: 0 success, 2 bad usage or scenario (one line naming the option "
                                   "or field).")
    parser.add_argument("--scenario", default="table2", help="scenario file or built-in name (default table2)")
    parser.add_argument("--json", required=True, metavar="OUT", help="numbers: join slots, members, per-user costs (n$)")
    parser.add_argument("--plot", required=True, metavar="OUT.png", help="Figure 4/6 analogue")
    args = parser.parse_args(argv)
    check_output_path(args.json, "--json")
    check_output_path(args.plot, "--plot", PLOT_SUFFIXES)
    try:
        scenario = load_scenario(args.scenario)
    except ScenarioError as exc:
        raise CliError(f"--scenario {args.scenario}: {exc}") from None
    start = time.perf_counter()
    print(f"[energy_reference] scenario {args.scenario}: {len(scenario.users)} users, {scenario.n_slots} slots",
          file=sys.stderr)
    summary = scenario_summary(scenario)
    summary["scenario"] = args.scenario
    summary["consumption_sweep"] = consumption_sweep(scenario)
    summary["seconds"] = round(time.perf_counter() - start, 3)
    for name, v in summary["variants"].items():
        totals = ", ".join(f"{u}={v['total_cost'][u] / NANO:.2f}$" for u in summary["users"])
        print(f"[energy_reference] {name:24s} join_slot={v['join_slot']} members={v['members']} {totals}",
              file=sys.stderr)
    write_text_file(args.json, "--json", json.dumps(summary, indent=1) + "\n")
    plot(summary, scenario, Path(args.plot))
    print(f"[energy_reference] wrote {args.json} and {args.plot}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
