"""Command line and functions that build a scenario file from BDEW H0 load profiles and a PV model.

    python -m protocols.energy.scenarios.generate --preset table2 --out protocols/energy/scenarios/table2.json
    python -m protocols.energy.scenarios.generate --households 6 --days 28 --pv 2,5 --seed 3 --out my.json

Tariffs are the seed's Table 2 (standalone 1.6/1.0 $/kWh, group 0.6/0.3 $/kWh, disconnection
16 $ and 30 $, no connection fee, no feed-in tariff since the seed gives none); peak is
08:00–20:00 and every other hour is off-peak (the seed's "9pm to 7am" leaves two hours
unassigned).  Slots are days.  The output is deterministic for a given seed.
"""

from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd

from mpc.cli import ArgumentParser, CliError, bounded_float, bounded_int, check_output_path, guarded, write_text_file
from protocols.energy.scenarios.load_profiles import energy_per_slot_and_period, household_consumption_kwh
from protocols.energy.model import SCHEMES, Period
from protocols.energy.scenarios.pv_model import pv_energy_kwh
from protocols.energy.scenarios.loader import ScenarioError, parse_scenario

PEAK_HOURS = list(range(8, 20))
#: the largest scenario the command generates (the client mode's benchmark goes to 10,000)
MAX_HOUSEHOLDS = 100_000
OFFPEAK_HOURS = [h for h in range(24) if h not in PEAK_HOURS]
MICRO = 1_000_000


def table2_plans(group_min_users: int = 3, contract_slots: int = 365) -> list[dict]:
    """The seed's Table 2 plans in the scenario format (prices µ$/kWh, fees µ$)."""
    def plan(pid: str, peak: float, offpeak: float, disconnect: float, min_users: int) -> dict:
        return {"id": pid,
                "import_price": {"peak": round(peak * MICRO), "offpeak": round(offpeak * MICRO)},
                "export_price": {"peak": 0, "offpeak": 0},
                "connection_fee": 0, "disconnection_fee": round(disconnect * MICRO),
                "contract_slots": contract_slots, "min_users": min_users}
    return [plan("standard", 1.6, 1.0, 16, 1), plan("group", 0.6, 0.3, 30, group_min_users)]


@dataclass(frozen=True)
class Household:
    """Parameters of one generated household."""

    id: str
    annual_kwh: float
    pv_kwp: float
    slots_on_plan: int


@dataclass(frozen=True)
class GeneratorSettings:
    """Where and when the data is taken from."""

    start: str = "2023-05-01"
    days: int = 14
    seed: int = 2024
    latitude_deg: float = 51.0     # central Germany, where the BDEW profiles come from
    group_min_users: int = 3
    scheme: str = "egalitarian"


TABLE2_HOUSEHOLDS = (
    Household("u1", 4800.0, 0.0, 120),
    Household("u2", 3200.0, 0.0, 45),
    Household("u3", 3600.0, 6.0, 200),
    Household("u4", 2400.0, 0.0, 300),
)


def generate_scenario(households: tuple[Household, ...] | list[Household],
                      settings: GeneratorSettings = GeneratorSettings()) -> dict:
    """A validated scenario JSON object for the households under the Table 2 tariffs."""
    start = pd.Timestamp(settings.start)
    if start != start.normalize():
        raise ValueError("start must be a date (midnight)")
    rng = np.random.default_rng(settings.seed)
    periods = (Period("peak", tuple(PEAK_HOURS)), Period("offpeak", tuple(OFFPEAK_HOURS)))
    users = []
    for house in households:
        load = household_consumption_kwh(start.year, house.annual_kwh, start, settings.days, rng)
        net = load
        if house.pv_kwp > 0:
            net = load - pv_energy_kwh(load.index, house.pv_kwp, settings.latitude_deg, rng)
        users.append({"id": house.id, "initial_plan": "standard", "slots_on_plan": house.slots_on_plan,
                      "energy_wh": energy_per_slot_and_period(net, periods)})
    scenario = {
        "timeslot": "day",
        "periods": [{"name": p.name, "hours": list(p.hours)} for p in periods],
        "plans": table2_plans(settings.group_min_users),
        "group_plan": "group",
        "users": users,
        "scheme": settings.scheme,
    }
    parse_scenario(scenario)  # the generator must never emit a file the loader rejects
    return scenario


def table2_scenario() -> dict:
    """The built-in `table2` scenario: four households, 14 days from 1 May 2023, u3 with 6 kWp PV."""
    return generate_scenario(TABLE2_HOUSEHOLDS, GeneratorSettings())


def dumps(scenario: dict) -> str:
    """Stable text form: one energy row per line keeps the committed file readable and diffable."""
    text = json.dumps(scenario, indent=1)
    # Put every list of plain numbers on one line.
    return re.sub(r"\[\s*(-?\d+(?:,\s*-?\d+)*)\s*\]",
                  lambda m: "[" + ", ".join(re.split(r",\s*", m.group(1))) + "]", text) + "\n"


MAX_DAYS = 366
#: the BDEW profiles (demandlib) cover these years; outside them the calendar has no holidays
FIRST_YEAR, LAST_YEAR = 1990, 2100


def _parser() -> ArgumentParser:
    p = ArgumentParser(
        prog="python -m protocols.energy.scenarios.generate",
        description="Generate a group-purchasing scenario (docs/specs/energy.md) from BDEW H0 household load "
                    "profiles (demandlib) with seeded per-household noise and a clear-sky PV model for "
                    "some households, under the seed's Table 2 tariffs.",
        epilog="Exit status: 0 written, 2 bad usage (one line naming the option); nothing is written then.")
    p.add_argument("--out", required=True, help="where to write the scenario JSON")
    p.add_argument("--preset", choices=["table2"], default=None,
                   help="reproduce a built-in scenario exactly (other options are then ignored)")
    p.add_argument("--households", type=bounded_int(1, MAX_HOUSEHOLDS), default=4,
                   help=f"number of households, 1..{MAX_HOUSEHOLDS} (default 4)")
    p.add_argument("--days", type=bounded_int(1, MAX_DAYS), default=14,
                   help=f"number of daily slots, 1..{MAX_DAYS} (default 14)")
    p.add_argument("--start", default="2023-05-01",
                   help=f"first day, YYYY-MM-DD, years {FIRST_YEAR}..{LAST_YEAR} (default 2023-05-01)")
    p.add_argument("--seed", type=bounded_int(0, 2**63 - 1, "a seed"), default=2024, help="random seed (default 2024)")
    p.add_argument("--pv", default="3",
                   help="comma-separated 1-based indices of households with 6 kWp PV, each in 1..--households, "
                        "or 'none' (default 3)")
    p.add_argument("--pv-share", type=bounded_float(0.0, 1.0, low_inclusive=True, what="a fraction"), default=None, metavar="FRACTION",
                   help="instead of --pv: this fraction of the households (chosen with the seed) has 6 kWp PV")
    p.add_argument("--min-users", type=bounded_int(1, MAX_HOUSEHOLDS), default=3,
                   help="N(g) of the group plan, at most --households (default 3)")
    p.add_argument("--scheme", choices=SCHEMES, default="egalitarian", help="compensation scheme (default egalitarian)")
    return p


def parse_start(text: str) -> str:
    """--start as an ISO date string; CliError unless it is a calendar date YYYY-MM-DD
    within the years the load profiles cover."""
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise CliError(f"--start {text!r}: expected a date YYYY-MM-DD") from None
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise CliError(f"--start {text}: the year must be in {FIRST_YEAR}..{LAST_YEAR}")
    return day.isoformat()


def parse_pv(text: str, households: int) -> set[int]:
    """--pv as a set of 1-based household indices; CliError unless each is in 1..households."""
    if text.strip().lower() == "none":
        return set()
    out = set()
    for part in text.split(","):
        part = part.strip()
        if not part.isdigit() or len(part) > 6 or not 1 <= int(part) <= households:
            raise CliError(f"--pv {text[:40]!r}: each entry must be a household index in 1..{households}")
        out.add(int(part))
    return out


@guarded
def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    check_output_path(args.out, "--out")
    if args.preset == "table2":
        scenario = table2_scenario()
    else:
        start = parse_start(args.start)
        last = date.fromisoformat(start) + timedelta(days=args.days - 1)
        if last.year != date.fromisoformat(start).year:
            raise CliError(f"--days {args.days}: from {start} the slots run into {last.year}; the load profiles "
                           "are per calendar year, so start earlier or use fewer days")
        rng = np.random.default_rng(args.seed)
        if args.pv_share is not None:
            chosen = rng.choice(args.households, size=round(args.pv_share * args.households), replace=False)
            pv = {int(k) + 1 for k in chosen}
        else:
            pv = parse_pv(args.pv, args.households)
        if args.min_users > args.households:
            raise CliError(f"--min-users {args.min_users}: more than the {args.households} households "
                           "(the group plan could never be joined)")
        rng = np.random.default_rng(args.seed)
        houses = [Household(f"u{k}", float(round(rng.uniform(2000, 6000))), 6.0 if k in pv else 0.0,
                            int(rng.integers(0, 300))) for k in range(1, args.households + 1)]
        settings = GeneratorSettings(start=start, days=args.days, seed=args.seed,
                                     group_min_users=args.min_users, scheme=args.scheme)
        try:
            scenario = generate_scenario(houses, settings)
        except ScenarioError as exc:  # e.g. energy values beyond the 2^64 bound: say which
            raise CliError(f"the generated scenario is not valid: {exc}") from None
    write_text_file(args.out, "--out", dumps(scenario))
    print(f"wrote {args.out}: {len(scenario['users'])} households, {len(scenario['users'][0]['energy_wh'])} slots",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
