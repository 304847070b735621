"""Command line and functions that build a scenario file from BDEW H0 load profiles and a PV model.

    python -m protocols.energy.scenarios.generate --preset table2 --out protocols/energy/scenarios/table2.json
    python -m protocols.energy.scenarios.generate --households 6 --days 28 --pv 2,5 --seed 3 --out my.json

Tariffs are the seed's Table 2 (standalone 1.6/1.0 $/kWh, group 0.6/0.3 $/kWh, disconnection
16 $ and 30 $, no connection fee, no feed-in tariff since the seed gives none); peak is
08:00–20:00 and every other hour is off-peak (the seed's "9pm to 7am" leaves two hours
unassigned).  Slots are days.  The output is deterministic for a given seed.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

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


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m protocols.energy.scenarios.generate",
        description="Generate a group-purchasing scenario (docs/specs/energy.md) from BDEW H0 household load "
                    "profiles (demandlib) with seeded per-household noise and a clear-sky PV model for "
                    "some households, under the seed's Table 2 tariffs.")
    p.add_argument("--out", required=True, help="where to write the scenario JSON")
    p.add_argument("--preset", choices=["table2"], default=None,
                   help="reproduce a built-in scenario exactly (other options are then ignored)")
    p.add_argument("--households", type=int, default=4, help="number of households (default 4)")
    p.add_argument("--days", type=int, default=14, help="number of daily slots (default 14)")
    p.add_argument("--start", default="2023-05-01", help="first day, YYYY-MM-DD (default 2023-05-01)")
    p.add_argument("--seed", type=int, default=2024, help="random seed (default 2024)")
    p.add_argument("--pv", default="3", help="comma-separated 1-based indices of households with 6 kWp PV (default 3)")
    p.add_argument("--pv-share", type=float, default=None, metavar="FRACTION",
                   help="instead of --pv: this fraction of the households (chosen with the seed) has 6 kWp PV")
    p.add_argument("--min-users", type=int, default=3, help="N(g) of the group plan (default 3)")
    p.add_argument("--scheme", choices=SCHEMES, default="egalitarian")
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.preset == "table2":
            scenario = table2_scenario()
        else:
            if not 1 <= args.households <= MAX_HOUSEHOLDS:
                raise ValueError(f"--households must be in 1..{MAX_HOUSEHOLDS}")
            if not 1 <= args.days <= 366:
                raise ValueError("--days must be in 1..366")
            rng = np.random.default_rng(args.seed)
            if args.pv_share is not None:
                if not 0.0 <= args.pv_share <= 1.0:
                    raise ValueError("--pv-share must be a fraction in [0, 1]")
                chosen = rng.choice(args.households, size=round(args.pv_share * args.households), replace=False)
                pv = {int(k) + 1 for k in chosen}
            else:
                try:
                    pv = {int(x) for x in args.pv.split(",") if x.strip()}
                except ValueError:
                    raise ValueError(f"--pv must be comma-separated integers, got {args.pv!r}") from None
            houses = [Household(f"u{k}", float(round(rng.uniform(2000, 6000))), 6.0 if k in pv else 0.0,
                                int(rng.integers(0, 300))) for k in range(1, args.households + 1)]
            try:
                start = pd.Timestamp(args.start)
            except ValueError:
                raise ValueError(f"--start must be a date YYYY-MM-DD, got {args.start!r}") from None
            settings = GeneratorSettings(start=str(start.date()), days=args.days, seed=args.seed,
                                         group_min_users=args.min_users, scheme=args.scheme)
            scenario = generate_scenario(houses, settings)
        Path(args.out).write_text(dumps(scenario), encoding="utf-8")
    except (ValueError, ScenarioError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"error: --out {args.out}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    print(f"wrote {args.out}: {len(scenario['users'])} households, {len(scenario['users'][0]['energy_wh'])} slots",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
