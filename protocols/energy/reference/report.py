"""A plain-text and a JSON summary of a scenario under every variant of the decision (for the CLI and benchmark)."""

from __future__ import annotations

from protocols.energy.reference.mechanism import run_mechanism, standalone_costs
from protocols.energy.model import SCHEMES, Scenario
from protocols.energy.reference.outcome_costs import registered_group_costs
from protocols.energy.reference.two_state import decide_join, two_state_inputs

NANO = 10**9


def scenario_summary(scenario: Scenario) -> dict:
    """Join slots and per-user totals (n$) for: staying put, §2.5 without compensations (step 2 only),
    the two-state social rule over all registered users with each scheme (what the private protocol
    decides), and the full §2.5 mechanism with subset search and each scheme."""
    ids = [u.id for u in scenario.users]
    stay = standalone_costs(scenario)
    variants: dict[str, dict] = {"standalone": {"join_slot": None, "members": [], "slot_costs": stay}}
    base = run_mechanism(scenario, compensations=False)
    variants["no_compensation"] = {"join_slot": base.join_slot, "members": list(base.members),
                                   "late_joins": base.late_joins, "slot_costs": [list(r) for r in base.slot_costs]}
    inputs = two_state_inputs(scenario)
    for scheme in SCHEMES:
        d = decide_join(inputs, scheme)
        variants[f"registered_{scheme}"] = {
            "join_slot": d.join_slot, "members": list(ids) if d.join_slot else [],
            "net_compensation": dict(zip(ids, d.compensation.phi)) if d.compensation else {},
            "refused_slots": [s for s, _ in d.refusals],
            "slot_costs": registered_group_costs(inputs, d)}
        m = run_mechanism(scenario, compensations=True, scheme=scheme)
        variants[f"mechanism_{scheme}"] = {
            "join_slot": m.join_slot, "members": list(m.members), "step": m.step, "late_joins": m.late_joins,
            "net_compensation": dict(zip(m.members, m.compensation.phi)) if m.compensation else {},
            "slot_costs": [list(r) for r in m.slot_costs]}
    for v in variants.values():
        v["total_cost"] = dict(zip(ids, (sum(r) for r in v["slot_costs"])))
        v["saving_vs_standalone"] = {
            uid: (1 - v["total_cost"][uid] / sum(s)) if sum(s) > 0 else None for uid, s in zip(ids, stay)}
    return {"users": ids, "n_slots": scenario.n_slots, "unit": "nano-dollar", "variants": variants}


def text_report(scenario: Scenario, scheme: str | None = None) -> str:
    """Human-readable table of `scenario_summary` (dollars)."""
    summary = scenario_summary(scenario)
    lines = [f"{len(summary['users'])} users, {summary['n_slots']} slots; totals in $ (saving vs standalone)"]
    for name, v in summary["variants"].items():
        cells = []
        for uid in summary["users"]:
            saving = v["saving_vs_standalone"][uid]
            pct = "" if saving is None else f" ({100 * saving:+.1f}%)"
            cells.append(f"{uid}={v['total_cost'][uid] / NANO:.2f}{pct}")
        lines.append(f"  {name:26s} join_slot={str(v['join_slot']):4s} members={','.join(v['members']) or '-'}")
        lines.append("      " + "  ".join(cells))
    return "\n".join(lines)
