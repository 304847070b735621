"""benchmarks.preprocessing in its in-process quick mode: real figures in the JSON, a PNG."""
import json
import math
import subprocess
import sys

from tests.conftest import REPO


def test_quick_benchmark_writes_real_numbers(tmp_path):
    out, png = tmp_path / "prep.json", tmp_path / "prep.png"
    proc = subprocess.run([sys.executable, "-m", "benchmarks.preprocessing", "--quick", "--parties", "2",
                           "--triples", "16", "--bits", "8", "--masks", "16",
                           "--json", str(out), "--plot", str(png)],
                          cwd=REPO, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    res = json.loads(out.read_text())
    assert res["parties"] == 2 and len(res["per_party"]) == 2
    for b in ("dealer", "mascot"):
        r = res["backends"][b]
        for key in ("triples_per_second", "bits_per_second", "masks_per_second"):
            assert math.isfinite(r[key]) and r[key] > 0
        assert r["triples_made"] >= 16 and r["bits_made"] >= 8 and r["masks_made"] >= 16
        assert max(r["bytes_per_triple_per_party"]) > 0   # the dealer's receivers send nothing
    mz = res["backends"]["mascot"]
    # MASCOT sends per triple and peer at least the Gilboa and COPE corrections:
    # (3 + 5) * 254 field elements of 32 bytes
    assert min(mz["bytes_per_triple_per_party"]) > 8 * 254 * 32
    assert res["backends"]["dealer"]["triples_per_second"] > mz["triples_per_second"]
    assert png.stat().st_size > 10_000 and png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
