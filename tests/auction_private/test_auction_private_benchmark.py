"""The benchmark CLI runs (smoke sizes) and writes its JSON and PNG."""
import json
import subprocess
import sys

import pytest

from tests.conftest import REPO


@pytest.mark.slow
def test_quick_benchmark_writes_json_and_png(tmp_path):
    out, png = tmp_path / "b.json", tmp_path / "b.png"
    res = subprocess.run([sys.executable, "-m", "benchmarks.auction_private", "--quick", "--json", str(out),
                          "--plot", str(png)], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    rows = json.loads(out.read_text())["rows"]
    assert {r["mechanism"] for r in rows} == {"uniform", "dantm"}
    assert all(r["seconds"] > 0 and r["bytes"] > 0 and r["rounds"] > 0 for r in rows)
    assert png.stat().st_size > 1000
