"""What each user actually pays, slot by slot, once a group decision is taken (n$).

Used for the seed's Figure 4 analogue: accumulated cost per user with and without
compensations, against staying on the initial plan.
"""

from __future__ import annotations

from protocols.energy.reference.two_state import GroupDecision, TwoStateInputs


def registered_group_costs(inputs: TwoStateInputs, decision: GroupDecision) -> list[list[int]]:
    """Per user and slot: κ_i on the initial plan before the join slot; at the join slot κ_{i,g}
    plus the switching cost c(g) + v_i plus the net compensation φ_i (so θ_i in all); κ_{i,g} after.
    Without a join every slot costs κ_i.
    """
    out = []
    for i in range(inputs.n_users):
        row = []
        for t in range(1, inputs.n_slots + 1):
            if decision.join_slot is None or t < decision.join_slot:
                row.append(inputs.kappa[i][t - 1])
            elif t == decision.join_slot:
                assert decision.compensation is not None
                row.append(inputs.kappa_g[i][t - 1] + inputs.c_g + inputs.v[i][t - 1] + decision.compensation.phi[i])
            else:
                row.append(inputs.kappa_g[i][t - 1])
        out.append(row)
    return out


def accumulate(row: list[int] | tuple[int, ...]) -> list[int]:
    """Running totals of a per-slot cost row."""
    total, out = 0, []
    for x in row:
        total += x
        out.append(total)
    return out
