"""Readers, distance conventions and the independent evaluators, checked on the public files.

The strongest check: every reference solution shipped with the data re-evaluates, through
our readers and evaluators, to exactly the published best-known value.
"""

import csv
import math

import pytest
from hypothesis import given, settings, strategies as st

from protocols.routing.benchmark_files import (
    BenchmarkFormatError,
    detect_format,
    read_instance,
    read_lkh_tsptw,
    read_lopez_ibanez,
    read_solomon,
    solomon_as_tsptw,
    truncated_tenths,
)
from protocols.routing.best_known import benchmark_set, gap_percent, load_best_known
from protocols.routing.tsptw_model import InfeasibleRoute, evaluate
from protocols.routing.vrptw import evaluate_routes


def test_format_detection(routing_data):
    assert detect_format(routing_data / "tsptw/dumas/n20w20.002.txt") == "lopez_ibanez"
    assert detect_format(routing_data / "tsptw/potvin_bengio/rc_207.4.tsptw") == "lkh_tsptw"
    assert detect_format(routing_data / "tsptw/potvin_bengio_solomon_format/rc_207.4.txt") == "solomon"
    assert detect_format(routing_data / "vrptw/solomon_100/C103.txt") == "solomon"


def test_solomon_reader_matches_vrplib(routing_data):
    vrplib = pytest.importorskip("vrplib")
    for path in sorted((routing_data / "vrptw").glob("solomon_*/*.txt")):
        ours = read_solomon(path)
        ref = vrplib.read_instance(str(path), instance_format="solomon")
        assert ours.capacity == ref["capacity"]
        assert [list(p) for p in ours.coords()] == ref["node_coord"].tolist()
        assert list(ours.demand) == ref["demand"].tolist()
        assert [[a, b] for a, b in zip(ours.ready, ours.due)] == ref["time_window"].tolist()
        assert list(ours.service) == ref["service_time"].tolist()


def test_sizes_and_fleet(routing_data):
    assert read_solomon(routing_data / "vrptw/solomon_25/R106.txt").n == 25
    assert read_solomon(routing_data / "vrptw/solomon_50/R106.txt").n == 50
    c103 = read_solomon(routing_data / "vrptw/solomon_100/C103.txt")
    assert (c103.n, c103.vehicles, c103.capacity) == (100, 25, 200)
    dumas = read_lopez_ibanez(routing_data / "tsptw/dumas/n20w20.002.txt")
    assert dumas.n == 20 and dumas.due[0] == 318 and dumas.travel[1][2] == 25  # matrix kept as given
    lkh = read_lkh_tsptw(routing_data / "tsptw/potvin_bengio/rc_207.4.tsptw")
    assert lkh.n == 5 and lkh.due[0] == 9600000


@given(st.integers(-200, 200), st.integers(-200, 200))
@settings(max_examples=300, deadline=None)
def test_truncated_tenths_is_exact_floor(dx, dy):
    value = truncated_tenths(dx, dy)
    # floor(10 d) is the largest integer v with v^2 <= 100 d^2
    assert value * value <= 100 * (dx * dx + dy * dy) < (value + 1) ** 2
    assert abs(value - math.floor(10 * math.hypot(dx, dy))) <= 1


def _reference_routes(routing_data):
    with (routing_data / "vrptw/reference_solutions/routes.csv").open() as fh:
        rows = list(csv.reader(fh))[1:]
    for set_name, name, n, n_routes, value, conv, routes in rows:
        yield set_name, name, int(n), int(n_routes), float(value), conv, [
            [int(c) for c in part.split()] for part in routes.split("|")
        ]


def test_reference_vrptw_solutions_reproduce_best_known(routing_data):
    bks = load_best_known(routing_data)
    checked = 0
    for set_name, name, n, n_routes, _, conv, routes in _reference_routes(routing_data):
        inst = read_solomon(routing_data / f"vrptw/solomon_{n}/{name}.txt")
        convention = "dimacs" if conv == "trunc1" else "hierarchical"
        value = evaluate_routes(inst, routes, convention)
        best = bks[(set_name, name)]
        assert len(routes) == best.vehicles == n_routes
        assert round(value, best.decimals) == pytest.approx(best.objective, abs=1e-9)
        assert benchmark_set("solomon_vrptw", n, convention) == set_name
        checked += 1
    assert checked == 12


def test_reference_tsptw_tours_reproduce_best_known(routing_data):
    with (routing_data / "tsptw/reference_tours.csv").open() as fh:
        rows = list(csv.reader(fh))[1:]
    for set_name, name, value, tour in rows:
        nodes = [int(v) for v in tour.split()]
        assert nodes[0] == nodes[-1] == 0
        if set_name == "tsptw_dumas":
            inst = read_lopez_ibanez(routing_data / f"tsptw/dumas/{name}.txt")
            scale = 1
        else:
            inst = read_lkh_tsptw(routing_data / f"tsptw/potvin_bengio/{name}.tsptw")
            scale = 10_000
        # file node k (0-based, depot 0) is our customer k
        sched = evaluate(inst, nodes[1:-1])
        assert sched.cost / scale == pytest.approx(float(value), abs=1e-4)


def test_evaluator_rejects_broken_solutions(routing_data):
    inst = read_solomon(routing_data / "vrptw/solomon_25/C103.txt")
    good = [[20, 24, 25, 23, 22, 21], [7, 8, 10, 11, 9, 6, 4, 2, 1, 3, 5], [13, 17, 18, 19, 15, 16, 14, 12]]
    assert evaluate_routes(inst, good, "dimacs") == pytest.approx(190.3)
    with pytest.raises(InfeasibleRoute, match="exactly once"):
        evaluate_routes(inst, [good[0], good[1]], "dimacs")
    with pytest.raises(InfeasibleRoute, match="exactly once"):
        evaluate_routes(inst, [good[0] + [7], good[1], good[2]], "dimacs")
    with pytest.raises(InfeasibleRoute, match="capacity"):
        evaluate_routes(inst, [good[0] + good[1], good[2]], "dimacs")
    with pytest.raises(InfeasibleRoute, match="customer"):
        evaluate_routes(inst, [list(reversed(good[0])), good[1], good[2]], "dimacs")


def test_gap_uses_published_precision():
    assert gap_percent(119.6388, 119.64, 2) == 0.0
    assert gap_percent(1260.0, 1234.6) == pytest.approx(2.0573, abs=1e-4)


def test_malformed_files_name_the_problem(tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_text("X\n\nVEHICLE\nNUMBER CAPACITY\n 2 10\n\nCUSTOMER\nhdr\n0 0 0 0 0 100 0\n1 1 1 1 5\n")
    with pytest.raises(BenchmarkFormatError, match="line 10: expected 7 fields"):
        read_instance(bad)
    bad.write_text("X\n\nVEHICLE\nNUMBER CAPACITY\n 2 10\n\nCUSTOMER\nhdr\n0 0 0 0 0 100 0\n1 1 1 1 50 40 0\n")
    with pytest.raises(BenchmarkFormatError, match="READY 50 > DUE 40"):
        read_instance(bad)
    bad.write_text("3\n0 1 2\n1 0 1\n2 1 0\n0 10\n0 10\n")
    with pytest.raises(BenchmarkFormatError, match="window bounds"):
        read_instance(bad)
    bad.write_text("hello world")
    with pytest.raises(BenchmarkFormatError, match="not a Solomon"):
        read_instance(bad)
    with pytest.raises(BenchmarkFormatError, match="(?i)no such file"):
        read_instance(tmp_path / "missing.txt")


def test_single_vehicle_solomon_capacity_is_checked(routing_data, tmp_path):
    text = (routing_data / "tsptw/potvin_bengio_solomon_format/rc_207.4.txt").read_text()
    small = tmp_path / "small.txt"
    small.write_text(text.replace("1         1000", "1         10"))
    with pytest.raises(ValueError, match="exceeds the capacity"):
        solomon_as_tsptw(read_solomon(small))


def test_lkh_tours_reproduce_their_stated_cost(routing_data):
    from protocols.routing.benchmark_files import read_lkh_tour

    bks = load_best_known(routing_data)
    tours = sorted((routing_data / "vrptw/reference_solutions/lkh3_tours").glob("*/*.tour"))
    assert len(tours) == 12
    for path in tours:
        name, size, vehicles, cost = path.name.split(".")[:4]
        exact = path.parent.name.endswith("EXACT")
        inst = read_solomon(routing_data / f"vrptw/solomon_{size}/{name}.txt")
        routes = read_lkh_tour(path, inst.n)
        convention = "hierarchical" if exact else "dimacs"
        value = evaluate_routes(inst, routes, convention)
        assert len(routes) == int(vehicles)
        # file names carry the cost x10 (truncated convention: exact) or x1000 as LKH-3
        # computed it (its own per-arc rounding: within 0.01 of double precision)
        if exact:
            assert abs(value - int(cost) / 1000) < 0.01
        else:
            assert round(value * 10) == int(cost)
        best = bks[(benchmark_set("solomon_vrptw", inst.n, convention), name)]
        assert round(value, best.decimals) == best.objective
