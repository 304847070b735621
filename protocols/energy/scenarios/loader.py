"""Scenario file of `docs/specs/energy.md`: parsing with validation that names the offending field.

`load_scenario` accepts a path or the name of a built-in scenario (a JSON file in
`protocols/energy/scenarios/`, e.g. ``table2``).  Every malformed input raises
`ScenarioError` whose message starts with the JSON path of the field at fault
(``users[2].energy_wh[5]: ...``), so a CLI can print it and exit 2.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mpc.cli import CliError, read_json_file, safe_id
from protocols.energy.model import NANO_PER_MICRO, SCHEMES, Period, Plan, Scenario, User

BUILTIN_DIR = Path(__file__).resolve().parent
VALUE_BOUND = 2**64
"""Every linear intermediate (costs, Opt, C, their sums over users) must stay below this in absolute value."""

_TOP_KEYS = {"timeslot", "periods", "plans", "group_plan", "users", "scheme"}
_PLAN_KEYS = {"id", "import_price", "export_price", "connection_fee", "disconnection_fee",
              "contract_slots", "min_users"}
_USER_KEYS = {"id", "initial_plan", "slots_on_plan", "energy_wh"}


class ScenarioError(ValueError):
    """A scenario that cannot be used; `field` is the JSON path of the culprit."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field


def builtin_scenarios() -> list[str]:
    """Names of the scenarios shipped in `protocols/energy/scenarios/`."""
    return sorted(p.stem for p in BUILTIN_DIR.glob("*.json"))


def _exists(path: Path) -> bool:
    try:
        return path.exists()
    except OSError:  # e.g. a name longer than the file system allows: let the reader say so
        return True


def load_scenario(source: str | Path) -> Scenario:
    """Read and validate a scenario from a file path or a built-in name."""
    path = Path(source)
    if not _exists(path) and str(source) in builtin_scenarios():
        path = BUILTIN_DIR / f"{source}.json"
    if not _exists(path):
        known = ", ".join(builtin_scenarios()) or "none"
        raise ScenarioError("scenario", f"no file {str(source)!r} and no built-in scenario of that name (built-in: {known})")
    try:
        data = read_json_file(path, "file")
    except CliError as exc:
        raise ScenarioError("file", str(exc).removeprefix(f"file {path}: ")) from None
    return parse_scenario(data)


def _int(value: Any, field: str, *, minimum: int | None = None) -> int:
    # bool is an int subclass in Python; a JSON true is never a valid amount.
    if isinstance(value, bool) or not isinstance(value, int):
        raise ScenarioError(field, f"must be an integer, got {type(value).__name__} {value!r:.40}")
    if abs(value) >= VALUE_BOUND:
        raise ScenarioError(field, f"|{value}| is not below the bound 2^64")
    if minimum is not None and value < minimum:
        raise ScenarioError(field, f"must be ≥ {minimum}, got {value}")
    return value


def _str(value: Any, field: str) -> str:
    if not isinstance(value, str) or not value:
        raise ScenarioError(field, f"must be a non-empty string, got {value!r:.40}")
    return value


def _id(value: Any, field: str) -> str:
    """A user or plan id. User ids name files (wallets, receipts: <folder>/<id>.json), so
    every id is held to a safe character set before it can touch a path: "../../pwned"
    must never become a file outside the ledger's folder."""
    try:
        return safe_id(value, field)
    except CliError as exc:
        raise ScenarioError(field, str(exc).split(": ", 1)[1]) from None


def _obj(value: Any, field: str, keys: set[str]) -> dict:
    if not isinstance(value, dict):
        raise ScenarioError(field or "scenario", f"must be an object, got {type(value).__name__}")
    missing = sorted(keys - value.keys())
    if missing:
        raise ScenarioError(f"{field}.{missing[0]}" if field else missing[0], "missing field")
    extra = sorted(set(value) - keys)
    if extra:
        raise ScenarioError(f"{field}.{extra[0]}" if field else extra[0], "unknown field")
    return value


def _list(value: Any, field: str, *, nonempty: bool = True) -> list:
    if not isinstance(value, list):
        raise ScenarioError(field, f"must be a list, got {type(value).__name__}")
    if nonempty and not value:
        raise ScenarioError(field, "must not be empty")
    return value


def _periods(raw: Any) -> tuple[Period, ...]:
    periods = []
    seen_hours: dict[int, str] = {}
    for k, item in enumerate(_list(raw, "periods")):
        f = f"periods[{k}]"
        item = _obj(item, f, {"name", "hours"})
        name = _str(item["name"], f"{f}.name")
        if any(p.name == name for p in periods):
            raise ScenarioError(f"{f}.name", f"duplicate period name {name!r}")
        hours = []
        for h, hour in enumerate(_list(item["hours"], f"{f}.hours")):
            hour = _int(hour, f"{f}.hours[{h}]", minimum=0)
            if hour > 23:
                raise ScenarioError(f"{f}.hours[{h}]", f"hour {hour} is not in 0..23")
            if hour in seen_hours:
                raise ScenarioError(f"{f}.hours[{h}]", f"hour {hour} already belongs to period {seen_hours[hour]!r}")
            seen_hours[hour] = name
            hours.append(hour)
        periods.append(Period(name, tuple(hours)))
    missing = sorted(set(range(24)) - seen_hours.keys())
    if missing:
        raise ScenarioError("periods", f"hours {missing} belong to no period")
    return tuple(periods)


def _prices(raw: Any, field: str, periods: tuple[Period, ...]) -> tuple[int, ...]:
    names = {p.name for p in periods}
    raw = _obj(raw, field, names)
    return tuple(_int(raw[p.name], f"{field}.{p.name}", minimum=0) for p in periods)


def _plans(raw: Any, periods: tuple[Period, ...]) -> tuple[Plan, ...]:
    plans: list[Plan] = []
    for k, item in enumerate(_list(raw, "plans")):
        f = f"plans[{k}]"
        item = _obj(item, f, _PLAN_KEYS)
        pid = _id(item["id"], f"{f}.id")
        if any(p.id == pid for p in plans):
            raise ScenarioError(f"{f}.id", f"duplicate plan id {pid!r}")
        plans.append(Plan(
            id=pid,
            import_price=_prices(item["import_price"], f"{f}.import_price", periods),
            export_price=_prices(item["export_price"], f"{f}.export_price", periods),
            connection_fee=_int(item["connection_fee"], f"{f}.connection_fee", minimum=0) * NANO_PER_MICRO,
            disconnection_fee=_int(item["disconnection_fee"], f"{f}.disconnection_fee", minimum=0) * NANO_PER_MICRO,
            contract_slots=_int(item["contract_slots"], f"{f}.contract_slots", minimum=0),
            min_users=_int(item["min_users"], f"{f}.min_users", minimum=1),
        ))
    return tuple(plans)


def _users(raw: Any, plans: tuple[Plan, ...], group_plan: str, n_periods: int) -> tuple[User, ...]:
    plan_ids = {p.id for p in plans}
    users: list[User] = []
    n_slots = None
    for k, item in enumerate(_list(raw, "users")):
        f = f"users[{k}]"
        item = _obj(item, f, _USER_KEYS)
        uid = _id(item["id"], f"{f}.id")
        if any(u.id == uid for u in users):
            raise ScenarioError(f"{f}.id", f"duplicate user id {uid!r}")
        initial = _str(item["initial_plan"], f"{f}.initial_plan")
        if initial not in plan_ids:
            raise ScenarioError(f"{f}.initial_plan", f"unknown plan id {initial!r} (plans: {sorted(plan_ids)})")
        if initial == group_plan:
            raise ScenarioError(f"{f}.initial_plan", "users register from an individual plan, not the group plan")
        rows = _list(item["energy_wh"], f"{f}.energy_wh")
        if n_slots is None:
            n_slots = len(rows)
        elif len(rows) != n_slots:
            raise ScenarioError(f"{f}.energy_wh", f"has {len(rows)} slots, users[0] has {n_slots}")
        energy = []
        for t, row in enumerate(rows):
            row = _list(row, f"{f}.energy_wh[{t}]")
            if len(row) != n_periods:
                raise ScenarioError(f"{f}.energy_wh[{t}]", f"has {len(row)} values, expected one per period ({n_periods})")
            energy.append(tuple(_int(a, f"{f}.energy_wh[{t}][{p}]") for p, a in enumerate(row)))
        users.append(User(uid, initial, _int(item["slots_on_plan"], f"{f}.slots_on_plan", minimum=0), tuple(energy)))
    return tuple(users)


def linear_value_bound(scenario: Scenario) -> int:
    """An upper bound on |x| for every cost, Opt, C and sum over users the mechanism forms (n$).

    Each Opt is at most the never-switch cost and at least minus the largest credit, and a
    candidate adds one slot's cost and at most two fees; C adds two more fees.
    """
    fee = max(p.connection_fee + p.disconnection_fee for p in scenario.plans)
    total = 0
    for user in scenario.users:
        per_user = sum(max(abs(p.operational_cost(row)) for p in scenario.plans) for row in user.energy_wh)
        total += per_user + 4 * fee
    return total


def parse_scenario(data: Any) -> Scenario:
    """Validate a decoded scenario JSON object and build the model (fees converted to n$)."""
    data = _obj(data, "", _TOP_KEYS)
    timeslot = _str(data["timeslot"], "timeslot")
    periods = _periods(data["periods"])
    plans = _plans(data["plans"], periods)
    group_plan = _str(data["group_plan"], "group_plan")
    if group_plan not in {p.id for p in plans}:
        raise ScenarioError("group_plan", f"unknown plan id {group_plan!r}")
    if len(plans) < 2:
        raise ScenarioError("plans", "need the group plan and at least one individual plan")
    scheme = _str(data["scheme"], "scheme")
    if scheme not in SCHEMES:
        raise ScenarioError("scheme", f"must be one of {list(SCHEMES)}, got {scheme!r}")
    users = _users(data["users"], plans, group_plan, len(periods))
    group = next(p for p in plans if p.id == group_plan)
    if len(users) < group.min_users:
        raise ScenarioError("users", f"{len(users)} users registered, the group plan needs min_users = {group.min_users}")
    scenario = Scenario(timeslot, periods, plans, group_plan, users, scheme)
    bound = linear_value_bound(scenario)
    if bound >= VALUE_BOUND:
        raise ScenarioError("users", f"costs could reach {bound} n$, not below the bound 2^64; use fewer slots or smaller values")
    return scenario


def scenario_to_json(scenario: Scenario) -> dict:
    """The scenario as the spec's JSON object (fees back in µ$)."""
    def prices(values: tuple[int, ...]) -> dict:
        return {p.name: v for p, v in zip(scenario.periods, values)}

    return {
        "timeslot": scenario.timeslot,
        "periods": [{"name": p.name, "hours": list(p.hours)} for p in scenario.periods],
        "plans": [{
            "id": p.id, "import_price": prices(p.import_price), "export_price": prices(p.export_price),
            "connection_fee": p.connection_fee // NANO_PER_MICRO,
            "disconnection_fee": p.disconnection_fee // NANO_PER_MICRO,
            "contract_slots": p.contract_slots, "min_users": p.min_users,
        } for p in scenario.plans],
        "group_plan": scenario.group_plan,
        "users": [{"id": u.id, "initial_plan": u.initial_plan, "slots_on_plan": u.slots_on_plan,
                   "energy_wh": [list(row) for row in u.energy_wh]} for u in scenario.users],
        "scheme": scenario.scheme,
    }
