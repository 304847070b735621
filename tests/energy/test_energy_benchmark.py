"""The Figure 4/6 benchmark writes its numbers and plot (smoke test, not a timing)."""

import json

from benchmarks import energy_reference


def test_benchmark_writes_json_and_png(tmp_path):
    out, png = tmp_path / "b.json", tmp_path / "b.png"
    assert energy_reference.main(["--json", str(out), "--plot", str(png)]) == 0
    data = json.loads(out.read_text())
    assert data["variants"]["registered_egalitarian"]["join_slot"] == 6
    assert len(data["variants"]["standalone"]["slot_costs"][0]) == 14
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert energy_reference.main(["--scenario", str(tmp_path / "missing.json"), "--json", str(out),
                                  "--plot", str(png)]) == 2
