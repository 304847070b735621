"""Scenario validation (every check fires with the field named), fuzzed bad files, and the reference CLI."""

import copy
import json
import subprocess
import sys

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from energy_strategies import scenario_dict
from protocols.energy.reference import cli as reference
from protocols.energy.scenarios.loader import (ScenarioError, builtin_scenarios, load_scenario, parse_scenario,
                                       scenario_to_json)

BASE = scenario_dict([[[5000, 3000], [4000, 2000]], [[1000, 500], [-3000, 800]], [[7000, 1000], [6000, 900]]],
                     min_users=3)


def _mutated(path, value):
    data = copy.deepcopy(BASE)
    node = data
    for key in path[:-1]:
        node = node[key]
    if value is _DELETE:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return data


_DELETE = object()

BAD = [
    (("users", 0, "initial_plan"), "premium", "users[0].initial_plan", "unknown plan id"),
    (("users", 1, "energy_wh", 1), [1, 2, 3], "users[1].energy_wh[1]", "one per period"),
    (("users", 2, "energy_wh"), [[1, 2]], "users[2].energy_wh", "slots"),
    (("users", 0, "slots_on_plan"), _DELETE, "users[0].slots_on_plan", "missing field"),
    (("plans", 1, "export_price"), _DELETE, "plans[1].export_price", "missing field"),
    (("users", 0, "energy_wh", 0, 0), 2**64, "users[0].energy_wh[0][0]", "2^64"),
    (("users", 0, "energy_wh", 0, 0), 2**63, "users", "2^64"),
    (("plans", 1, "min_users"), 4, "users", "min_users = 4"),
    (("plans", 0, "import_price", "peak"), -1, "plans[0].import_price.peak", "≥ 0"),
    (("plans", 0, "import_price", "peak"), 1.5, "plans[0].import_price.peak", "integer"),
    (("plans", 0, "disconnection_fee"), True, "plans[0].disconnection_fee", "integer"),
    (("plans", 1, "id"), "standard", "plans[1].id", "duplicate"),
    (("users", 1, "id"), "u1", "users[1].id", "duplicate"),
    (("group_plan",), "nope", "group_plan", "unknown plan id"),
    (("scheme",), "lottery", "scheme", "must be one of"),
    (("periods", 0, "hours"), [8, 9, 25], "periods[0].hours[2]", "0..23"),
    (("periods", 0, "hours"), [8, 9], "periods", "belong to no period"),
    (("periods", 1, "hours"), [0, 1, 8], "periods[1].hours[2]", "already belongs"),
    (("users", 0, "initial_plan"), "group", "users[0].initial_plan", "individual plan"),
    (("users", 0, "surname"), "x", "users[0].surname", "unknown field"),
    (("users",), [], "users", "must not be empty"),
    (("plans",), {"id": "x"}, "plans", "must be a list"),
]


@pytest.mark.parametrize("path,value,field,text", BAD, ids=[b[2] + ":" + b[3] for b in BAD])
def test_each_validation_names_the_field(path, value, field, text):
    parse_scenario(BASE)  # the base is valid
    with pytest.raises(ScenarioError) as err:
        parse_scenario(_mutated(path, value))
    assert err.value.field == field
    assert text in str(err.value)
    assert str(err.value).startswith(field + ":")


def test_round_trip_and_builtin():
    assert "table2" in builtin_scenarios()
    s = load_scenario("table2")
    assert len(s.users) == 4 and s.n_slots == 14
    assert parse_scenario(scenario_to_json(s)) == s
    assert s.group.disconnection_fee == 30_000_000_000        # 30 $ = 30·10^6 µ$ = 30·10^9 n$


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-2**70, 2**70) | st.floats(allow_nan=False) | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=6)


def _paths(node, prefix=()):
    yield prefix
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _paths(v, prefix + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _paths(v, prefix + (i,))


ALL_PATHS = [p for p in _paths(BASE) if p]


@st.composite
def fuzzed(draw):
    data = copy.deepcopy(BASE)
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(ALL_PATHS))
        node = data
        try:
            for key in path[:-1]:
                node = node[key]
            if draw(st.booleans()) and isinstance(node, dict):
                node.pop(path[-1], None)
            else:
                node[path[-1]] = draw(json_values)
        except (KeyError, IndexError, TypeError):
            pass
    return data


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(fuzzed())
def test_fuzzed_scenarios_fail_only_with_scenario_error(data):
    try:
        parse_scenario(data)
    except ScenarioError as exc:
        assert exc.field and str(exc).startswith(exc.field)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(fuzzed() | st.binary(max_size=60).map(lambda b: b))
def test_cli_on_fuzzed_files_exits_2_with_one_line(tmp_path, capsys, data):
    path = tmp_path / "s.json"
    if isinstance(data, bytes):
        path.write_bytes(data)
    else:
        path.write_text(json.dumps(data))
    code = reference.main(["--scenario", str(path), "--json", str(tmp_path / "out.json")])
    err = capsys.readouterr().err
    assert code in (0, 2)
    if code == 2:
        assert err.startswith("error: --scenario") and "Traceback" not in err


@pytest.mark.parametrize("text", ["", "{", "[1,2]", "1" * 5000, "[" * 100000, '{"timeslot": NaN}'])
def test_unparseable_files_are_clear_errors(tmp_path, text):
    path = tmp_path / "bad.json"
    path.write_text(text)
    with pytest.raises(ScenarioError):
        load_scenario(path)


def test_missing_file_and_unknown_name():
    with pytest.raises(ScenarioError, match="no file"):
        load_scenario("/nonexistent/x.json")
    with pytest.raises(ScenarioError, match="built-in: .*table2"):
        load_scenario("table3")


def test_cli_writes_spec_json_and_honours_scheme(tmp_path, capsys):
    out = tmp_path / "r.json"
    assert reference.main(["--scenario", "table2", "--scheme", "proportional", "--json", str(out)]) == 0
    result = json.loads(out.read_text())
    assert result["scheme"] == "proportional" and result["join_slot"] == 6
    assert sum(result["net_compensation"].values()) == 0
    assert set(result["net_compensation"]) == {"u1", "u2", "u3", "u4"}
    assert reference.main(["--scenario", "table2"]) == 0
    assert json.loads(capsys.readouterr().out)["scheme"] == "egalitarian"


def test_cli_unwritable_output_is_a_clear_error(tmp_path, capsys):
    code = reference.main(["--scenario", "table2", "--json", str(tmp_path / "no" / "dir" / "r.json")])
    assert code == 2
    assert capsys.readouterr().err.startswith("error: --json")


def test_cli_as_a_process(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(_mutated(("users", 1, "energy_wh", 0), [1])))
    proc = subprocess.run([sys.executable, "-m", "protocols.energy.reference", "--scenario", str(bad)],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert proc.stderr.strip().startswith("error: --scenario") and "users[1].energy_wh[0]" in proc.stderr
    assert "Traceback" not in proc.stderr
    help_ = subprocess.run([sys.executable, "-m", "protocols.energy.reference", "--help"],
                           capture_output=True, text=True, timeout=60)
    assert help_.returncode == 0 and "nano-dollars" in help_.stdout and "table2" in help_.stdout
