"""Realistic data: the committed table2 scenario is what the generator produces; the PV and load models behave."""

import json

import numpy as np
import pandas as pd
import pytest

from protocols.energy.scenarios import generate as gen
from protocols.energy.scenarios.load_profiles import energy_per_slot_and_period, h0_profile, household_consumption_kwh
from protocols.energy.model import Period
from protocols.energy.scenarios.pv_model import clear_sky_ghi, pv_energy_kwh
from protocols.energy.scenarios.loader import BUILTIN_DIR, parse_scenario


def test_committed_table2_is_reproduced_by_the_generator():
    committed = (BUILTIN_DIR / "table2.json").read_text(encoding="utf-8")
    assert gen.dumps(gen.table2_scenario()) == committed, \
        "regenerate with: python -m protocols.energy.scenarios.generate --preset table2 --out protocols/energy/scenarios/table2.json"


def test_table2_scenario_shape_and_tariffs():
    data = json.loads((BUILTIN_DIR / "table2.json").read_text())
    s = parse_scenario(data)
    assert [u.id for u in s.users] == ["u1", "u2", "u3", "u4"] and s.n_slots == 14
    std, grp = s.plan("standard"), s.plan("group")
    assert std.import_price == (1_600_000, 1_000_000) and grp.import_price == (600_000, 300_000)
    assert (std.disconnection_fee, grp.disconnection_fee) == (16 * 10**9, 30 * 10**9)
    assert std.connection_fee == grp.connection_fee == 0 and grp.min_users == 3
    # u3 has PV: it exports at peak on most days; the others only import.
    assert sum(row[0] < 0 for row in s.users[2].energy_wh) >= 10
    assert all(a > 0 for u in (s.users[0], s.users[1], s.users[3]) for row in u.energy_wh for a in row)


def test_h0_profile_is_demandlib_bdew_normalised():
    profile = h0_profile(2023)
    assert len(profile) == 365 * 96
    assert profile.sum() == pytest.approx(1.0)
    evening = profile[profile.index.hour == 19].mean()
    night = profile[profile.index.hour == 3].mean()
    assert evening > 2 * night       # the household profile peaks in the evening


def test_household_consumption_scale_and_noise():
    start = pd.Timestamp("2023-05-01")
    a = household_consumption_kwh(2023, 3650.0, start, 14, np.random.default_rng(1))
    b = household_consumption_kwh(2023, 3650.0, start, 14, np.random.default_rng(2))
    assert len(a) == 14 * 96 and (a > 0).all()
    assert 5 < a.sum() / 14 < 15             # about 10 kWh a day in May for 3650 kWh a year
    assert not np.allclose(a.to_numpy(), b.to_numpy())
    with pytest.raises(ValueError):
        household_consumption_kwh(2023, 3650.0, pd.Timestamp("2023-12-25"), 14, np.random.default_rng(1))


def test_clear_sky_pv_is_zero_at_night_and_peaks_at_noon():
    index = pd.date_range("2023-06-21", periods=96, freq="15min")
    ghi = clear_sky_ghi(index, 51.0, 0.25)
    assert ghi[:12].max() == 0 and ghi[-12:].max() == 0          # 00:00–03:00 and 21:00–24:00
    assert 900 < ghi.max() < 1000 and abs(int(np.argmax(ghi)) - 47.5) <= 1
    winter = clear_sky_ghi(pd.date_range("2023-12-21", periods=96, freq="15min"), 51.0, 0.25)
    assert winter.max() < 0.5 * ghi.max()
    pv = pv_energy_kwh(index, 6.0, 51.0, np.random.default_rng(0))
    assert 0 < pv.sum() < 6.0 * ghi.sum() / 1000 * 0.25        # clearness and performance ratio < 1


def test_aggregation_to_periods_keeps_energy_and_nets_export():
    index = pd.date_range("2023-05-01", periods=2 * 96, freq="15min")
    series = pd.Series(0.01, index=index)
    series[(index.hour >= 10) & (index.hour < 14)] = -0.1     # exporting around noon
    periods = (Period("peak", tuple(range(8, 20))), Period("offpeak", tuple(h for h in range(24) if h not in range(8, 20))))
    rows = energy_per_slot_and_period(series, periods)
    assert rows == [[8 * 4 * 10 - 16 * 100, 48 * 10]] * 2


def test_generator_cli(tmp_path, capsys):
    out = tmp_path / "s.json"
    assert gen.main(["--out", str(out), "--households", "3", "--days", "5", "--pv", "2", "--seed", "5"]) == 0
    s = parse_scenario(json.loads(out.read_text()))
    assert len(s.users) == 3 and s.n_slots == 5
    assert gen.main(["--out", str(out), "--start", "not-a-date"]) == 2
    assert gen.main(["--out", str(out), "--days", "0"]) == 2
    assert gen.main(["--out", str(tmp_path / "none" / "x.json"), "--days", "2"]) == 2
    err = capsys.readouterr().err
    assert "--start" in err and "--days" in err and "--out" in err and "Traceback" not in err
