"""TSPTW: the seed's MILP, the exact DP and brute force agree; benchmark optima are hit exactly.

Also keeps the counterexample to the seed's MILP as written: with a zero-time cycle
between customers, constraints (3)-(11) admit a disconnected "route".
"""

import math
import random

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from protocols.routing.benchmark_files import read_lkh_tsptw, read_lopez_ibanez, read_solomon, solomon_as_tsptw
from protocols.routing.best_known import load_best_known
from protocols.routing.tsptw import solve_brute_force, solve_pyvrp_single, solve_tsptw
from protocols.routing.tsptw_dp import LabelBudgetExceeded, solve_dp
from protocols.routing.tsptw_milp import SubtourInSolution, solve_milp
from protocols.routing.tsptw_model import InfeasibleRoute, TSPTWInstance, evaluate, from_matrix

INF = math.inf


def _cases(folder):
    yield "tsptw_dumas", read_lopez_ibanez(folder / "tsptw/dumas/n20w20.002.txt"), 1
    yield "tsptw_dumas", read_lopez_ibanez(folder / "tsptw/dumas/n20w100.002.txt"), 1
    yield "tsptw_potvin_bengio", read_lkh_tsptw(folder / "tsptw/potvin_bengio/rc_207.4.tsptw"), 10_000
    inst = solomon_as_tsptw(read_solomon(folder / "tsptw/potvin_bengio_solomon_format/rc_207.4.txt"))
    yield "tsptw_potvin_bengio_travel", inst, 1


@pytest.mark.parametrize("method", ["dp", "milp"])
def test_benchmark_tsptw_gap_zero(routing_data, method):
    bks = load_best_known(routing_data)
    for set_name, inst, scale in _cases(routing_data):
        res = solve_tsptw(inst, method, time_limit=120)
        best = bks[(set_name, inst.name)]
        assert res.status == "optimal"
        assert round(res.cost / scale, best.decimals) == best.objective, (set_name, inst.name)


def _instance(
    rng: random.Random, n: int, width: int, shared_depot: bool, asymmetric: bool, planted: bool = True
) -> TSPTWInstance:
    """Random integer instance in the seed's numbering: 0 end, 1..n customers, n+1 start, n+2 center.

    ``planted``: windows are drawn around the schedule of a random order, so at least
    that order is feasible and the comparison of methods is not vacuous.
    """
    pts = [(rng.randint(0, 40), rng.randint(0, 40)) for _ in range(n + 3)]
    if shared_depot:
        pts[n + 1] = pts[n + 2] = pts[0]
    travel = [[0 if i == j else round(math.dist(pts[i], pts[j])) for j in range(n + 3)] for i in range(n + 3)]
    if asymmetric:
        travel = [[0 if i == j else max(0, v + rng.randint(-3, 6)) for j, v in enumerate(row)] for i, row in enumerate(travel)]
    service = [0] + [rng.randint(0, 10) for _ in range(n)] + [0, rng.randint(0, 10)]
    horizon = 60 * n + 100
    ready = [0] * (n + 3)
    due = [horizon] * (n + 3)
    due[n + 1] = 0  # the start is left at time 0
    if planted:
        order = list(range(1, n + 1))
        rng.shuffle(order)
        clock, here = travel[n + 1][n + 2] + service[n + 2], n + 2
        for k in order:
            clock += travel[here][k]
            ready[k] = max(0, clock - rng.randint(0, width))
            due[k] = clock + rng.randint(0, width)
            clock, here = max(clock, ready[k]) + service[k], k
        due[0] = max(horizon, clock + travel[here][0])
    else:
        for i in range(1, n + 1):
            ready[i] = rng.randint(0, horizon // 2)
            due[i] = ready[i] + rng.randint(0, width)
    return TSPTWInstance(tuple(map(tuple, travel)), tuple(ready), tuple(due), tuple(service))


instances = st.builds(
    lambda seed, n, width, shared, asym, planted: _instance(random.Random(seed), n, width, shared, asym, planted),
    st.integers(0, 2**32 - 1),
    st.integers(0, 8),
    st.sampled_from([0, 10, 40, 120, 400]),
    st.booleans(),
    st.booleans(),
    st.sampled_from([True, True, True, False]),
)


@given(instances)
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_milp_dp_and_brute_force_agree(inst):
    brute = solve_brute_force(inst)
    dp = solve_dp(inst)
    milp = solve_milp(inst)
    assert dp.status == milp.status == brute.status
    if brute.feasible:
        assert dp.cost == milp.cost == brute.cost
        # each method's route really has the cost it claims and meets the windows
        for res in (dp, milp):
            assert evaluate(inst, res.order).cost == res.cost


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_agreement_at_n8(seed):
    rng = random.Random(seed)
    inst = _instance(rng, 8, 60, seed % 2 == 0, seed == 3)
    brute = solve_brute_force(inst)
    assert brute.feasible  # planted windows: not a vacuous comparison
    assert solve_dp(inst).cost == solve_milp(inst).cost == brute.cost


def test_dp_scales_and_matches_the_milp_where_the_milp_finishes():
    from protocols.routing.synthetic import dumas_style

    mid = dumas_style(40, 60, seed=1)
    assert solve_dp(mid).cost == solve_milp(mid, time_limit=60).cost == 908
    big = dumas_style(100, 60, seed=1)
    exact = solve_tsptw(big, "dp")
    assert exact.status == "optimal" and evaluate(big, exact.order).cost == exact.cost
    assert exact.cost <= solve_pyvrp_single(big, time_limit=0.5).cost


def test_infeasible_windows_give_a_clear_result():
    # two customers far apart whose windows both close at time 5
    travel = [[0, 3, 100], [3, 0, 100], [100, 100, 0]]
    inst = from_matrix(travel, [0, 0, 0], [1000, 5, 5])
    for method in ("dp", "milp", "brute_force", "auto"):
        res = solve_tsptw(inst, method)
        assert res.status == "infeasible" and res.order == () and res.cost == INF
        assert not res.feasible


def test_label_budget_falls_back_to_pyvrp():
    rng = random.Random(3)
    inst = _instance(rng, 12, 10**4, True, False)  # very loose windows: many labels
    with pytest.raises(LabelBudgetExceeded):
        solve_dp(inst, max_labels=50)
    res = solve_tsptw(inst, "auto", time_limit=1, max_labels=50)
    assert res.method == "pyvrp" and res.status == "feasible"
    assert res.cost >= solve_dp(inst).cost


def test_pyvrp_single_vehicle_is_feasible_on_benchmarks(routing_data):
    for _, inst, _ in _cases(routing_data):
        res = solve_pyvrp_single(inst, time_limit=0.5)
        assert res.status == "feasible"
        assert evaluate(inst, res.order).cost == res.cost


def test_schedule_check_fires_on_a_late_customer(routing_data):
    inst = read_lopez_ibanez(routing_data / "tsptw/dumas/n20w20.002.txt")
    best = solve_dp(inst)
    broken = list(best.order)
    broken[0], broken[-1] = broken[-1], broken[0]
    with pytest.raises(InfeasibleRoute, match="after its due time"):
        evaluate(inst, broken)
    with pytest.raises(InfeasibleRoute, match="exactly once"):
        evaluate(inst, best.order[:-1])


def _zero_time_cycle_instance() -> TSPTWInstance:
    """Customers 1 and 2 share a far-away spot and have no service time; 3 is near the depot.

    The only real routes go out to the far spot and back (cost >= 200); the seed's MILP
    without ordering constraints can instead close 1 <-> 2 into a cycle of zero time and
    send the route depot -> 3 -> depot.
    """
    far, near = (100, 0), (1, 0)
    pts = [(0, 0), far, far, near, (0, 0), (0, 0)]
    travel = tuple(tuple(float(math.dist(p, q)) for q in pts) for p in pts)
    return TSPTWInstance(travel, (0,) * 6, (1000, 1000, 1000, 1000, 0, 1000), (0,) * 6)


def test_seed_milp_admits_a_subtour_counterexample():
    inst = _zero_time_cycle_instance()
    with pytest.raises(SubtourInSolution) as info:
        solve_milp(inst, order_cuts=False)
    succ = info.value.successors
    assert succ[1] == 2 and succ[2] == 1  # the zero-time cycle
    fixed = solve_milp(inst)  # order cuts added automatically for such instances
    assert fixed.status == "optimal" and fixed.cost == pytest.approx(solve_brute_force(inst).cost)
    assert fixed.cost >= 200


def test_instance_validation_names_fields():
    with pytest.raises(ValueError, match="ready\\[1\\] > due\\[1\\]"):
        TSPTWInstance(((0,) * 4,) * 4, (0, 5, 0, 0), (9, 4, 0, 9), (0,) * 4)
    with pytest.raises(ValueError, match="travel\\[0\\]\\[1\\]"):
        TSPTWInstance(((0, -1, 0, 0),) + ((0,) * 4,) * 3, (0,) * 4, (9,) * 4, (0,) * 4)
    with pytest.raises(ValueError, match="service"):
        TSPTWInstance(((0,) * 4,) * 4, (0,) * 4, (9,) * 4, (0,) * 3)


@given(instances)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_dp_cost_bound_prunes_without_losing_the_optimum(inst):
    plain = solve_dp(inst)
    if not plain.feasible:
        return
    assert solve_dp(inst, upper_bound=plain.cost).cost == plain.cost
    assert solve_dp(inst, upper_bound=plain.cost + 50).cost == plain.cost
    if inst.n > 0:
        # a wrong bound never yields a wrong answer, only a clear error
        with pytest.raises(ValueError, match="upper_bound"):
            solve_dp(inst, upper_bound=plain.cost - 1)
