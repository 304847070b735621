"""Smoke test: the auction benchmark runs end to end on the smallest size and writes its files."""

import json

from benchmarks.auction import main


def test_benchmark_writes_json_and_png(tmp_path, capsys):
    out, png = tmp_path / "a.json", tmp_path / "a.png"
    assert main(["--json", str(out), "--plot", str(png), "--max-bidders", "30", "--repeats", "2"]) == 0
    rows = json.loads(out.read_text())["rows"]
    assert {(r["mechanism"], r["bidders"]) for r in rows} == {
        (m, n) for m in ("dantm-vickrey", "dantm-uniform", "dadpm") for n in (10, 30)}
    assert all(r["budget_per_bidder"] >= 0 for r in rows)
    assert png.stat().st_size > 1000
    assert main(["--json", str(out), "--plot", str(png), "--max-bidders", "5"]) == 2
