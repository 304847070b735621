"""Multi-process commands: the relative-path hang of issue 20, and issue 13's classes 6
(processes left behind) and 7 (a failing party that does not say why).

Every test runs the real command through tests/cli/harness.py: a fresh working folder, its
own session (so every process it starts is found afterwards), and the checks that no file
is left behind and no process outlives the command (one in-process test checks the
command line the children are given).
"""
import json

from protocols.auction.market_file import load_market, result_to_dict
from protocols.auction.reference.dantm import run_dantm
from tests.cli.cli_cases import dumps, scenario_json
from tests.cli.harness import REPO, Case, run_case
from tests.conftest import free_base_port

EXAMPLE_MARKET = REPO / "examples" / "auction" / "market.json"


def _ports():
    """A free party port range and an offset whose bidder ports are free as well."""
    base = free_base_port(3)
    return base, free_base_port(3) - base


# -- issue 20 -------------------------------------------------------------------------------
def test_readme_auction_command_with_a_relative_market_path(tmp_path):
    """The README's auction command (with the dealer, for time: MASCOT makes the same run
    take about a minute), run from another folder with a relative market path, finishes
    with the plaintext result (the simulator used to be started where it could not
    find the file, and the servers waited for bidders for ten minutes)."""
    base, offset = _ports()
    case = Case("issue20/readme-command", "protocols.auction.run",
                ("-M3", "--market", "D.json", "--mechanism", "dantm", "--json", "out.json",
                 "-B", str(base), "--client-port-offset", str(offset), "--preprocessing", "dealer"),
                {"D.json": EXAMPLE_MARKET.read_text()}, exit=0, one_line=False, timeout=180,
                may_write=("w/d/out.json",))
    outcome = run_case(case, tmp_path / "root")
    assert not outcome.problems, outcome.describe()
    got = json.loads((tmp_path / "root" / "w" / "d" / "out.json").read_text())
    assert got["result"] == result_to_dict(run_dantm(load_market(EXAMPLE_MARKET), "vickrey"))
    assert set(got["bidders"].values()) == {"accepted"} and len(got["bidders"]) == 8
    assert got["parties"] == 3 and got["mechanism"] == "dantm"


def test_a_missing_relative_market_path_fails_at_once(tmp_path):
    base, offset = _ports()
    case = Case("issue20/missing-market", "protocols.auction.run",
                ("-M3", "--market", "D.json", "--mechanism", "dantm", "--json", "out.json",
                 "-B", str(base), "--client-port-offset", str(offset)), {}, needle="--market", timeout=30)
    outcome = run_case(case, tmp_path / "root")
    assert not outcome.problems, outcome.describe()
    assert "No such file" in outcome.stderr
    assert outcome.seconds < 15  # refused while parsing, before any party or helper starts


def test_when_the_simulator_dies_every_server_stops_and_party_0_names_the_cause(tmp_path):
    """The servers accept bidders on 127.0.0.2 (--client-host) while the simulator, started
    by party 0, dials 127.0.0.1 for the other servers: no bidder gets through, the simulator
    exits 1, party 0 aborts with the simulator's last line, and every process is gone when
    the command returns (the others stop when party 0 closes the session, not after the
    600 s bidder window)."""
    base, offset = _ports()
    case = Case("issue20/simulator-dies", "protocols.auction.run",
                ("-M3", "--market", "D.json", "--json", "out.json", "-B", str(base),
                 "--client-port-offset", str(offset), "--client-host", "127.0.0.2", "--timeout", "5",
                 "--preprocessing", "dealer"),
                {"D.json": EXAMPLE_MARKET.read_text()}, exit=1, one_line=False, timeout=120,
                needle="bidder simulator exited with status 1")
    outcome = run_case(case, tmp_path / "root")
    assert not outcome.problems, outcome.describe()
    abort = [ln for ln in outcome.stderr.splitlines() if ln.startswith("ABORT (party 0)")]
    assert len(abort) == 1 and "could not reach the servers" in abort[0], outcome.stderr
    assert outcome.seconds < 60, outcome.describe()


# -- issue 13, class 6: processes left behind -----------------------------------------------
def test_a_silent_cheater_is_stopped_with_the_session(tmp_path):
    base = free_base_port(3)
    case = Case("class6/silent", "mpc.demo", ("-M3", "-B", str(base), "--cheat", "silent", "--timeout", "3"), {},
                exit=1, one_line=False, timeout=90, needle="ABORT (party 0): liveness (timeout) failed")
    outcome = run_case(case, tmp_path / "root")
    assert not outcome.problems, outcome.describe()
    assert outcome.seconds < 40, outcome.describe()  # used to leave party 1 running for about 90 s


def test_a_party_count_above_the_maximum_is_refused_before_any_process(tmp_path):
    from mpc.launch import MAX_PARTIES

    case = Case("class6/-M1000", "mpc.demo", ("-M1000", "-B", "20000"), {}, needle=f"2..{MAX_PARTIES}")
    outcome = run_case(case, tmp_path / "root")
    assert not outcome.problems, outcome.describe()


def _published_run_folder(cwd):
    """A run folder as the operator and the households leave it before a session (three
    households, each with its account opened), built in-process."""
    from protocols.energy.accounts import main as accounts_main
    from protocols.energy.utility_operator.cli import main as operator_main

    (cwd / "s.json").write_text(dumps(scenario_json()))
    assert operator_main(["publish", "--scenario", str(cwd / "s.json"), "--workdir", str(cwd / "run"),
                          "--timestamp", "1700000000"]) == 0
    for household in ("u1", "u2", "u3"):
        assert accounts_main(["open", "--workdir", str(cwd / "run"), "--household", household]) == 0


def test_a_corrupt_ledger_is_refused_before_any_party_starts(tmp_path):
    """Party 0 writes through the ledger service's copy; a corrupt one used to start every
    party and abort them as 'zero-knowledge proof failed'. It is opened while the command
    line is checked: exit 2, one line naming the file."""
    def folder(cwd):
        _published_run_folder(cwd)
        (cwd / "run" / "ledger" / "ledger.sqlite").write_bytes(b"garbage" * 100)  # the writer's copy

    base = free_base_port(3)
    case = Case("class6/corrupt-ledger", "protocols.energy.run", ("-M3", "-B", str(base), "--workdir", "run",
                                                                  "--timeout", "5"),
                {"": folder}, needle="ledger/ledger.sqlite", timeout=60)
    outcome = run_case(case, tmp_path / "root")
    assert not outcome.problems, outcome.describe()


# -- issue 13, class 7: the failing party says why ------------------------------------------
def _missing_receipts_case(may_write=()):
    def folder(cwd):
        _published_run_folder(cwd)
        (cwd / "run" / "households" / "u2" / "receipts.json").unlink()

    base = free_base_port(3)
    return Case("class7/missing-receipts", "protocols.energy.run", ("-M3", "-B", str(base), "--workdir", "run",
                                                                    "--timeout", "5"),
                {"": folder}, exit=1, one_line=False, timeout=90, may_write=may_write,
                needle="party 1 exited with status 1: ABORT (party 1): zero-knowledge proof failed: receipts of u2")


#: what a household keeps between runs whatever their outcome: its verified replica of the
#: public ledger and the head it pinned (protocols/energy/run_folder.py); not a result
REPLICAS = tuple(f"w/d/run/households/{u}/{f}" for u in ("u1", "u2", "u3") for f in ("ledger.sqlite", "ledger.pin"))


def test_a_household_without_receipts_is_named_in_party_0s_terminal(tmp_path):
    outcome = run_case(_missing_receipts_case(REPLICAS), tmp_path / "root")
    assert not outcome.problems, outcome.describe()


def test_ssl_without_certificates_is_refused_before_launch(tmp_path):
    """Every party's certificate files are checked before any is started (the children used
    to die with a bare FileNotFoundError while party 0 waited for its connect timeout)."""
    base = free_base_port(3)
    case = Case("class7/ssl-no-certificates", "mpc.demo", ("-M3", "-B", str(base), "--ssl", "--timeout", "5"), {},
                needle="--ssl", timeout=60)
    outcome = run_case(case, tmp_path / "root")
    assert not outcome.problems, outcome.describe()
    assert "ca.crt" in outcome.stderr and "python -m mpc.certs" in outcome.stderr, outcome.stderr


def test_output_file_keeps_the_other_parties_logs(tmp_path):
    """--output-file is the launcher's own option: the children do not get it (they used to
    refuse it, so every -M run with --output-file failed)."""
    base = free_base_port(3)
    case = Case("class7/output-file", "mpc.demo", ("-M3", "-B", str(base), "--output-file", "--length", "2",
                                                   "--preprocessing", "dealer", "--timeout", "10"), {},
                exit=0, one_line=False, timeout=90, may_write=("w/d/party3_1.log", "w/d/party3_2.log"))
    outcome = run_case(case, tmp_path / "root")
    assert not outcome.problems, outcome.describe()
    log = (tmp_path / "root" / "w" / "d" / "party3_1.log").read_text()
    assert '"party": 1' in log and '"ok": true' in log



def test_launcher_only_options_are_not_passed_to_the_children():
    """The children get the command line without the launcher's own options: those with a
    value (both spellings) and the flags (--output-file), whose next argument stays."""
    from mpc.launch import strip_options

    argv = ["-M3", "--output-file", "--length", "2", "--scenario", "s.json", "--scenario=t.json", "--json", "o.json"]
    assert strip_options(argv, {"--scenario"}) == ["-M3", "--length", "2", "--json", "o.json"]
