"""Market-file validation (every check broken once) and the auction CLI contract."""

from __future__ import annotations

import json
import subprocess
import sys
from fractions import Fraction

import pytest

from protocols.auction.reference.dantm import main, run_dantm
from protocols.auction.market_file import (
    MarketFileError,
    format_price,
    load_market,
    market_from_dict,
    market_to_dict,
    result_from_dict,
    result_to_dict,
)

GOOD = {
    "buyers": [{"id": "b1", "bid": 74, "quality": 3, "quantity": 12},
               {"id": "b2", "bid": 61, "quality": 1, "quantity": 5},
               {"id": "b3", "bid": 50, "quality": 1, "quantity": 4}],
    "sellers": [{"id": "s1", "ask": 40, "quality": 4, "quantity": 10},
                {"id": "s2", "ask": 45, "quality": 3, "quantity": 30},
                {"id": "s3", "ask": 48, "quality": 1, "quantity": 3}],
}


def _with(path, value):
    data = json.loads(json.dumps(GOOD))
    side, index, key = path
    if value is KeyError:
        del data[side][index][key]
    else:
        data[side][index][key] = value
    return data


@pytest.mark.parametrize("data, field", [
    (_with(("buyers", 1, "bid"), "61"), "buyers[1].bid"),
    (_with(("buyers", 1, "bid"), -1), "buyers[1].bid"),
    (_with(("buyers", 0, "bid"), True), "buyers[0].bid"),
    (_with(("buyers", 0, "bid"), 7.5), "buyers[0].bid"),
    (_with(("sellers", 2, "ask"), KeyError), "sellers[2]: missing field 'ask'"),
    (_with(("sellers", 0, "quantity"), 0), "sellers[0].quantity"),
    (_with(("sellers", 0, "quality"), None), "sellers[0].quality"),
    (_with(("sellers", 1, "id"), "b1"), "sellers[1].id: duplicate"),
    (_with(("sellers", 1, "id"), ""), "sellers[1].id"),
    (_with(("buyers", 2, "price"), 3), "buyers[2]: unknown field"),
    ({"buyers": []}, "missing field 'sellers'"),
    ({"buyers": {}, "sellers": []}, "buyers: expected a list"),
    ({"buyers": [3], "sellers": []}, "buyers[0]: expected an object"),
    ({"buyers": [], "sellers": [], "slot": 1}, "unknown field"),
    ([], "expected a JSON object"),
])
def test_each_validation_check_fires_and_names_the_field(data, field):
    with pytest.raises(MarketFileError) as info:
        market_from_dict(data)
    assert field in str(info.value)


def test_round_trips():
    market = market_from_dict(GOOD)
    assert market_from_dict(market_to_dict(market)) == market
    for pricing in ("vickrey", "uniform"):
        result = run_dantm(market, pricing)
        assert result_from_dict(json.loads(json.dumps(result_to_dict(result)))) == result
    assert format_price(Fraction(123, 2)) == "123/2" and format_price(Fraction(61)) == "61"


def test_cli_writes_the_spec_result(tmp_path, capsys):
    src = tmp_path / "market.json"
    src.write_text(json.dumps(GOOD))
    out = tmp_path / "out.json"
    assert main(["--market", str(src), "--json", str(out)]) == 0
    data = json.loads(out.read_text())
    assert data["pricing"] == "vickrey"
    first = data["trades"][0]
    assert first == {"buyer": "b1", "quantity": 12, "satisfied": True, "buyer_price": "61",
                     "sellers": [{"seller": "s1", "quantity": 10, "start": 0, "seller_price": "45"},
                                 {"seller": "s2", "quantity": 2, "start": 0, "seller_price": "45"}]}
    assert main(["--market", str(src), "--pricing", "uniform", "--json", str(out)]) == 0
    assert json.loads(out.read_text())["pricing"] == "uniform"
    assert main(["--market", str(src), "--dp", "--epsilon", "0.5", "--seed", "3", "--json", str(out)]) == 0
    first_run = out.read_text()
    assert main(["--market", str(src), "--dp", "--epsilon", "0.5", "--seed", "3", "--json", str(out)]) == 0
    assert out.read_text() == first_run  # a seed makes the simulation reproducible


def test_cli_errors_exit_2_with_the_field_named(tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(_with(("buyers", 1, "bid"), "x")))
    assert main(["--market", str(bad), "--json", str(tmp_path / "o.json")]) == 2
    assert "buyers[1].bid" in capsys.readouterr().err
    assert main(["--market", str(tmp_path / "missing.json"), "--json", str(tmp_path / "o.json")]) == 2
    (tmp_path / "nojson.json").write_text("{")
    assert main(["--market", str(tmp_path / "nojson.json"), "--json", str(tmp_path / "o.json")]) == 2
    assert "not valid JSON" in capsys.readouterr().err
    good = tmp_path / "good.json"
    good.write_text(json.dumps(GOOD))
    assert main(["--market", str(good), "--dp", "--epsilon", "0", "--json", str(tmp_path / "o.json")]) == 2
    assert main(["--market", str(good), "--json", str(tmp_path / "nodir" / "o.json")]) == 2


def test_cli_as_a_process_help_and_error():
    run = subprocess.run([sys.executable, "-m", "protocols.auction.reference.dantm", "--help"],
                         capture_output=True, text=True)
    assert run.returncode == 0 and "--pricing" in run.stdout and "DADPM" in run.stdout
    run = subprocess.run([sys.executable, "-m", "protocols.auction.reference.dantm", "--market", "/nonexistent",
                          "--json", "/tmp/x.json"], capture_output=True, text=True)
    assert run.returncode == 2 and "Traceback" not in run.stderr and "/nonexistent" in run.stderr


def test_load_market_reads_files(tmp_path):
    path = tmp_path / "m.json"
    path.write_text(json.dumps(GOOD))
    assert len(load_market(path).buyers) == 3
