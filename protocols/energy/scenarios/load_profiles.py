"""Household consumption from the BDEW H0 standard load profile (demandlib), per household with seeded noise.

demandlib scales the H0 profile to an annual total and returns the energy of each
15-minute interval of the year (kWh).  A household here is that profile scaled to its
own annual consumption, times a per-day factor (lognormal, σ = 0.15: some days busier
than others) and a per-interval factor (lognormal, σ = 0.35: appliances switching), both
with mean 1 so the annual total is kept in expectation.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from protocols.energy.model import Period

DAY_SIGMA = 0.15
INTERVAL_SIGMA = 0.35


@lru_cache(maxsize=8)
def h0_profile(year: int) -> pd.Series:
    """BDEW H0 profile of `year` scaled to 1 kWh per year (kWh per 15-minute interval)."""
    import demandlib.bdew as bdew  # imported here: it is slow and only the generator needs it

    profile = bdew.ElecSlp(year).get_scaled_profiles({"h0": 1.0})["h0"]
    return profile.astype(float)


def _lognormal_mean_one(rng: np.random.Generator, sigma: float, size: int) -> np.ndarray:
    return rng.lognormal(mean=-sigma**2 / 2, sigma=sigma, size=size)


def household_consumption_kwh(year: int, annual_kwh: float, start: pd.Timestamp, days: int,
                              rng: np.random.Generator) -> pd.Series:
    """15-minute consumption (kWh) of one household over `days` days from `start` (a midnight)."""
    profile = h0_profile(year)
    window = profile[(profile.index >= start) & (profile.index < start + pd.Timedelta(days=days))]
    if len(window) != days * 96:
        raise ValueError(f"{days} days from {start.date()} do not fit in the {year} profile")
    day_factor = np.repeat(_lognormal_mean_one(rng, DAY_SIGMA, days), 96)
    interval_factor = _lognormal_mean_one(rng, INTERVAL_SIGMA, len(window))
    return window * annual_kwh * day_factor * interval_factor


def energy_per_slot_and_period(net_kwh: pd.Series, periods: tuple[Period, ...]) -> list[list[int]]:
    """Net energy (Wh, rounded) per day and tariff period from 15-minute values; export is negative.

    Imports and exports inside one period net out (the bill applies β = 1{a ≥ 0} per period).
    """
    hour_to_period = {h: k for k, p in enumerate(periods) for h in p.hours}
    frame = pd.DataFrame({"wh": net_kwh.to_numpy() * 1000.0,
                          "day": net_kwh.index.normalize(),
                          "period": [hour_to_period[h] for h in net_kwh.index.hour]})
    table = frame.groupby(["day", "period"])["wh"].sum().unstack(fill_value=0.0)
    return [[int(round(table.loc[day].get(k, 0.0))) for k in range(len(periods))] for day in table.index]
