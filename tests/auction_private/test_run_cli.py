"""The private auction CLI with real processes: three computing parties through MPyC's
launcher and the bidder simulator over TCP."""
import json
import subprocess
import sys

from protocols.auction.market_file import Buyer, Market, Seller, market_to_dict, result_to_dict
from protocols.auction.reference.slot_literal import literal_dantm
from protocols.auction.reference.uniform_price import clear_uniform, random_uniform_market, uniform_market_to_dict
from tests.conftest import REPO, free_base_port
import random


def start(market_file, out, extra, m=3):
    base = free_base_port(m)
    offset = free_base_port(m) - base
    procs = []
    for i in range(m):
        cmd = [sys.executable, "-m", "protocols.auction.run", f"-M{m}", "--preprocessing", "dealer", "-I", str(i), "-B", str(base),
               "--no-log", "--market", str(market_file), "--json", str(out), "--timeout", "20",
               "--client-port-offset", str(offset), *extra]
        procs.append(subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
    res = []
    for p in procs:
        o, e = p.communicate(timeout=180)
        res.append((p.returncode, o, e))
    return res


MARKET = Market((Buyer("b1", 74, 3, 12), Buyer("b2", 61, 1, 5), Buyer("b3", 55, 2, 8), Buyer("b4", 30, 1, 4)),
                (Seller("s1", 40, 4, 30), Seller("s2", 35, 1, 6), Seller("s3", 52, 3, 7), Seller("s4", 80, 5, 9)))


def test_dantm_over_processes_equals_plaintext_and_excludes_a_malformed_bidder(tmp_path):
    f = tmp_path / "market.json"
    f.write_text(json.dumps(market_to_dict(MARKET)))
    out = tmp_path / "out.json"
    res = start(f, out, ["--pricing", "uniform", "--bidder-cheat", "b3:malformed"])
    for rc, _, err in res:
        assert rc == 0, err
    got = json.loads(out.read_text())
    keep = Market(tuple(b for b in MARKET.buyers if b.id != "b3"), MARKET.sellers)
    assert got["result"] == result_to_dict(literal_dantm(keep, "uniform"))
    assert "malformed input" in got["excluded"]["b3"]
    assert got["bidders"]["b3"]["rejected"] and got["bidders"]["b1"] == "accepted"
    assert got["traffic"]["bytes"] > 0 and got["traffic"]["rounds"] > 0


def test_uniform_over_processes_equals_reference(tmp_path):
    m = random_uniform_market(6, 5, 12, random.Random(9))
    f = tmp_path / "market.json"
    f.write_text(json.dumps(uniform_market_to_dict(m)))
    out = tmp_path / "out.json"
    res = start(f, out, ["--mechanism", "uniform"])
    for rc, _, err in res:
        assert rc == 0, err
    got = json.loads(out.read_text())
    ref = clear_uniform(m)
    assert got["result"]["price"] == ref.price and got["bidders"] == ref.allocations


def test_cheating_server_process_makes_the_honest_ones_abort(tmp_path):
    f = tmp_path / "market.json"
    f.write_text(json.dumps(market_to_dict(MARKET)))
    res = start(f, tmp_path / "out.json", ["--cheat", "value"])
    for pid in (0, 2):
        rc, _, err = res[pid]
        assert rc == 1 and f"ABORT (party {pid}): MAC check failed" in err
    assert not (tmp_path / "out.json").exists()


def test_bad_market_file_exits_2_naming_the_field(tmp_path):
    f = tmp_path / "bad.json"
    f.write_text('{"buyers": [{"id": "b1", "bid": -3, "quality": 1, "quantity": 2}], "sellers": []}')
    res = subprocess.run([sys.executable, "-m", "protocols.auction.run", "-M3", "--no-log", "--market", str(f),
                          "--json", str(tmp_path / "o.json")], cwd=REPO, capture_output=True, text=True)
    assert res.returncode == 2 and "buyers[0].bid" in res.stderr and "Traceback" not in res.stderr


def test_external_bidders_connect_to_servers_started_by_the_launcher(tmp_path):
    """Servers wait (--external-bidders); two separate bidder processes, each playing some
    bidders from its own file, connect over TCP; one bidder never shows up and is excluded
    when the input window closes."""
    f = tmp_path / "market.json"
    f.write_text(json.dumps(market_to_dict(MARKET)))
    out = tmp_path / "out.json"
    base = free_base_port(3)
    offset = free_base_port(3) - base
    servers = ",".join(f"127.0.0.1:{base + offset + i}" for i in range(3))
    procs = [subprocess.Popen([sys.executable, "-m", "protocols.auction.run", "-M3", "--preprocessing", "dealer", "-I", str(i), "-B", str(base),
                               "--no-log", "--market", str(f), "--json", str(out), "--timeout", "20",
                               "--client-port-offset", str(offset), "--external-bidders", "--window", "6"],
                              cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for i in range(3)]
    groups = [["b1", "s1", "s2"], ["b2", "b3", "s3"]]  # b4 and s4 never connect
    bidders = [subprocess.Popen([sys.executable, "-m", "protocols.auction.private.simulator", "--market", str(f),
                                 "--servers", servers, "--json", str(tmp_path / f"v{k}.json"),
                                 *sum((["--only", b] for b in g), [])], cwd=REPO, stderr=subprocess.PIPE, text=True)
               for k, g in enumerate(groups)]
    for p in procs + bidders:
        p.communicate(timeout=120)
        assert p.returncode == 0
    got = json.loads(out.read_text())
    keep = Market(MARKET.buyers[:3], MARKET.sellers[:3])
    assert got["result"] == result_to_dict(literal_dantm(keep, "vickrey"))
    assert set(got["excluded"]) == {"b4", "s4"} and "input window closed" in got["excluded"]["b4"]
    views = json.loads((tmp_path / "v1.json").read_text())["bidders"]
    assert [v["public"] for v in views] == [got["result"]] * 3
