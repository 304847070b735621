"""Rooftop PV output from a clear-sky model with seeded daily cloudiness.

Model (deliberately simple and fully stated):
- Solar declination by Cooper (1969): δ = 23.45° · sin(2π (284 + n) / 365), n = day of year.
- Hour angle ω = 15° · (h − 12) with h the local clock time at the middle of the interval;
  the equation of time, the longitude offset inside the time zone and daylight-saving
  time are ignored (they shift the curve by well under two hours at mid latitudes).
- cos θ_z = sin φ sin δ + cos φ cos δ cos ω.
- Clear-sky global horizontal irradiance by Haurwitz (1945):
  GHI = 1098 · cos θ_z · exp(−0.059 / cos θ_z) W/m² when the sun is up, else 0.
- AC output = kWp · GHI / 1000 W/m² · performance ratio (0.8) · clearness of the day, the
  panel taken as horizontal; the clearness is drawn per day from Beta(4, 2), so about
  two thirds of the clear-sky energy on average.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

PERFORMANCE_RATIO = 0.8


def clear_sky_ghi(index: pd.DatetimeIndex, latitude_deg: float, interval_hours: float) -> np.ndarray:
    """Haurwitz clear-sky GHI (W/m²) at the middle of each interval starting at `index`."""
    day = index.dayofyear.to_numpy()
    hour = index.hour.to_numpy() + index.minute.to_numpy() / 60.0 + interval_hours / 2
    decl = np.radians(23.45) * np.sin(2 * np.pi * (284 + day) / 365.0)
    omega = np.radians(15.0 * (hour - 12.0))
    lat = np.radians(latitude_deg)
    cos_z = np.sin(lat) * np.sin(decl) + np.cos(lat) * np.cos(decl) * np.cos(omega)
    ghi = np.zeros_like(cos_z)
    up = cos_z > 0.01
    ghi[up] = 1098.0 * cos_z[up] * np.exp(-0.059 / cos_z[up])
    return ghi


def pv_energy_kwh(index: pd.DatetimeIndex, kwp: float, latitude_deg: float, rng: np.random.Generator,
                  interval_hours: float = 0.25) -> pd.Series:
    """Energy (kWh) a horizontal `kwp` system produces in each interval of `index`, with seeded cloudiness."""
    ghi = clear_sky_ghi(index, latitude_deg, interval_hours)
    days = index.normalize()
    unique_days = days.unique()
    clearness = dict(zip(unique_days, rng.beta(4.0, 2.0, size=len(unique_days))))
    factor = np.array([clearness[d] for d in days])
    return pd.Series(kwp * ghi / 1000.0 * PERFORMANCE_RATIO * factor * interval_hours, index=index)
