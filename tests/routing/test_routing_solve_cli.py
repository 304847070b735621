"""The ``python -m protocols.routing.solve`` command: objective per the data README, JSON, errors."""

import json
import subprocess
import sys

import pytest

from protocols.routing.solve import main


@pytest.mark.parametrize(
    "rel, objective",
    [
        ("tsptw/dumas/n20w20.002.txt", 286),
        ("tsptw/dumas/n20w100.002.txt", 222),
        ("tsptw/potvin_bengio/rc_207.4.tsptw", 119.64),
        ("tsptw/potvin_bengio_solomon_format/rc_207.4.txt", 69.64),
    ],
)
def test_tsptw_files_print_the_optimum(routing_data, rel, objective, tmp_path, capsys):
    out = tmp_path / "r.json"
    assert main([str(routing_data / rel), "--json", str(out)]) == 0
    text = capsys.readouterr().out
    assert "status optimal" in text and "gap 0.00 %" in text
    report = json.loads(out.read_text())
    assert report["problem"] == "tsptw" and round(report["objective"], 2) == objective
    assert len(report["routes"]) == 1 and report["gap_percent"] == 0


def test_vrptw_file_writes_routes(routing_data, tmp_path, capsys):
    out = tmp_path / "v.json"
    assert main([str(routing_data / "vrptw/solomon_25/R106.txt"), "--time-limit", "2", "--json", str(out)]) == 0
    report = json.loads(out.read_text())
    assert report["problem"] == "vrptw" and report["convention"] == "dimacs"
    assert sorted(c for r in report["routes"] for c in r) == list(range(1, 26))
    assert report["gap_percent"] <= 2.0
    assert "best known 465.4 with 5 vehicles" in capsys.readouterr().out


def test_milp_method_from_the_command_line(routing_data, capsys):
    assert main([str(routing_data / "tsptw/dumas/n20w20.002.txt"), "--method", "milp"]) == 0
    assert "objective 286" in capsys.readouterr().out


@pytest.mark.parametrize(
    "args, message",
    [
        (["/no/such/file.txt"], "No such file"),
        (["{tmp}/notes.txt"], "missing VEHICLE or CUSTOMER"),
        (["{data}/tsptw/dumas/n20w20.002.txt", "--convention", "dimacs"], "--convention"),
        (["{data}/tsptw/dumas/n20w20.002.txt", "--time-limit", "0"], "--time-limit"),
        (["{data}/vrptw/solomon_25/C103.txt", "--method", "milp"], "--method milp"),
        (["{data}/vrptw/solomon_25/C103.txt", "--convention", "matrix"], "--convention"),
    ],
)
def test_errors_exit_2_with_a_message(routing_data, args, message, tmp_path, capsys):
    # prose that names both Solomon blocks, so it is taken for a Solomon file, but has neither
    (tmp_path / "notes.txt").write_text("A Solomon file has a VEHICLE block and a CUSTOMER block.\n")
    argv = [a.format(data=routing_data, tmp=tmp_path) for a in args]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_help_and_bad_option_run_as_a_module():
    done = subprocess.run([sys.executable, "-m", "protocols.routing.solve", "--help"], capture_output=True, text=True)
    assert done.returncode == 0 and "Solomon" in done.stdout and "--time-limit" in done.stdout
    done = subprocess.run([sys.executable, "-m", "protocols.routing.solve", "x", "--method", "magic"],
                          capture_output=True, text=True)
    assert done.returncode == 2 and "invalid choice" in done.stderr
