"""The zkp benchmark CLI runs end to end on a tiny configuration and rejects bad arguments."""

import json

import pytest

from benchmarks.zkp import main


def test_tiny_run_writes_json_and_plot(tmp_path):
    out, png = tmp_path / "z.json", tmp_path / "z.png"
    assert main(["--groups", "secp256k1", "--reps", "1", "--bits", "8", "--set-size", "2",
                 "--sum-terms", "2", "--batch", "2", "--json", str(out), "--plot", str(png)]) == 0
    report = json.loads(out.read_text())
    proofs = {r["proof"] for r in report["results"]}
    assert proofs == {"primitives", "zkpCm", "zkpMbs", "zkpNN", "zkpSum", "dzkpCm", "dzkpSum"}
    nn = next(r for r in report["results"] if r["proof"] == "zkpNN")
    assert nn["prove_ms"] > 0 and nn["verify_ms"] > 0 and nn["proof_bytes"] > 0
    assert "8-bit zkpNN" in report["note"]
    assert png.stat().st_size > 0


@pytest.mark.parametrize("args", [["--groups", "p256"], ["--bits", "0"], ["--reps", "0"], ["--parties", "0"],
                                  ["--json", "/nonexistent-dir/x.json"]])
def test_bad_arguments_exit_2(args, capsys):
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1
