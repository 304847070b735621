"""VRPTW on PyVRP against the Solomon best-known values (checked by our own evaluator).

Default suite: the 25-customer files with a short time limit.  The full 30-second runs on
every file (and the hierarchical 100-customer convention) are ``slow``.
"""

import pytest

from protocols.routing.benchmark_files import read_solomon
from protocols.routing.best_known import benchmark_set, gap_percent, load_best_known
from protocols.routing.vrptw import build_model, evaluate_routes, solve_vrptw

NAMES = ["C103", "R106", "RC206"]


def _check(routing_data, size, name, convention, time_limit, max_gap):
    inst = read_solomon(routing_data / f"vrptw/solomon_{size}/{name}.txt")
    sol = solve_vrptw(inst, convention, time_limit)
    assert sol.feasible, sol.detail
    assert evaluate_routes(inst, sol.routes, convention) == pytest.approx(sol.distance)
    best = load_best_known(routing_data)[(benchmark_set("solomon_vrptw", size, convention), name)]
    gap = gap_percent(sol.distance, best.objective, best.decimals)
    assert gap <= max_gap, f"{name}/{size} {convention}: {sol.distance:.2f} vs {best.objective} ({gap:.2f} %)"
    assert sol.runtime <= time_limit + 2.0
    return sol, best


@pytest.mark.parametrize("name", NAMES)
def test_25_customer_dimacs_within_2_percent(routing_data, name):
    _check(routing_data, 25, name, "dimacs", 2.0, 2.0)


@pytest.mark.slow
@pytest.mark.parametrize("size", [25, 50, 100])
@pytest.mark.parametrize("name", NAMES)
def test_dimacs_within_2_percent_in_30_seconds(routing_data, size, name):
    _check(routing_data, size, name, "dimacs", 30.0, 2.0)


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_hierarchical_100_fleet_and_distance(routing_data, name):
    sol, best = _check(routing_data, 100, name, "hierarchical", 30.0, 2.0)
    assert sol.vehicles == best.vehicles


def test_integer_model_matches_the_convention(routing_data):
    inst = read_solomon(routing_data / "vrptw/solomon_25/RC206.txt")
    data = build_model(inst, "dimacs").data()
    dist = data.distance_matrix(0)
    # (0,1): depot (40,50) to customer 1; floor(10*euclid) exactly
    dx, dy = inst.x[1] - inst.x[0], inst.y[1] - inst.y[0]
    assert dist[0, 1] == int((100 * (dx * dx + dy * dy)) ** 0.5 // 1)
    assert data.client(0).tw_late == 10 * inst.due[1]
    hier = build_model(inst, "hierarchical").data()
    # durations rounded up so PyVRP's schedules stay feasible with exact times
    assert hier.duration_matrix(0)[0, 1] >= 1000 * ((dx * dx + dy * dy) ** 0.5)
    assert hier.vehicle_type(0).fixed_cost > hier.distance_matrix(0).sum()


def test_bad_convention_and_time_limit(routing_data):
    inst = read_solomon(routing_data / "vrptw/solomon_25/RC206.txt")
    with pytest.raises(ValueError, match="convention"):
        solve_vrptw(inst, "manhattan", 1.0)
    with pytest.raises(ValueError, match="time_limit"):
        solve_vrptw(inst, "dimacs", 0)
