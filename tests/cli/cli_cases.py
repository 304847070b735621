"""The table of malformed invocations of every command-line entry point (issue 13).

`all_cases()` builds several hundred `Case`s: for every entry point a valid base
invocation, then that base broken in one way at a time — malformed JSON files, input and
output paths that cannot be used, out-of-range or non-finite numbers, semantically wrong
files that used to succeed, and the specific reports of issues 13 and 20. Cases marked
`core` run in the default suite (`test_bad_input.py`); the whole table runs with
`-m slow` or `python -m tests.cli.fuzz`.

Classes (`Case.kind`), as in issue 13: path (a file name built from input), records
(records left after a failure), traceback, hang, success (a wrong exit 0), processes
(processes left behind), hidden (the failing party does not say why), usage (everything
else a careless user types).
"""
from __future__ import annotations

import dataclasses
import fnmatch
import json
import os
from pathlib import Path
from typing import Iterable

from tests.cli.harness import Case

# -- valid inputs ----------------------------------------------------------------------
MARKET = {"buyers": [{"id": "b1", "bid": 74, "quality": 3, "quantity": 12},
                     {"id": "b2", "bid": 61, "quality": 1, "quantity": 5}],
          "sellers": [{"id": "s1", "ask": 40, "quality": 4, "quantity": 10},
                      {"id": "s2", "ask": 45, "quality": 3, "quantity": 30}]}
UNIFORM = {"prices": [10, 20, 30], "buyers": [{"id": "b1", "demand": [5, 3, 1]}],
           "sellers": [{"id": "s1", "supply": [1, 3, 5]}]}
BLOCKCOM = {"consumers": [{"id": "c1", "c_min": 1, "c_max": 6}],
            "suppliers": [{"id": "d1", "d_max": 5, "l1": 0.05, "psi": 0.1}]}
ESCROW = {"balances": {"alice": 100, "shop": 5, "md1": 60},
          "orders": [{"id": "o1", "customer": "alice", "vendor": "shop", "amount": 30}],
          "steps": [{"action": "stake", "node": "md1", "amount": 40}, {"action": "pay_in", "order": "o1"}]}
HISTORY = {"reports": [{"node": "n1", "by": "n2", "success": True}, {"node": "n2", "by": "n1", "success": False}]}
RATINGS = {"pretrusted": ["a"], "ratings": [{"from": "a", "to": "b", "sat": 3, "unsat": 1},
                                            {"from": "b", "to": "a", "sat": 1, "unsat": 0}]}
SOLOMON = """tiny
VEHICLE
NUMBER     CAPACITY
  {vehicles}         200
CUSTOMER
CUST NO.  XCOORD.   YCOORD.    DEMAND   READY TIME  DUE DATE   SERVICE TIME
    0      40         50          0          0       1236          0
    {c1}      45         68         10        0       1127         90
    2      45         70         30        0       1125         90
    3      42         66         10        0       1129         90
"""
LKH = """NAME : tiny
TYPE : TSPTW
DIMENSION : 3
EDGE_WEIGHT_TYPE : EXPLICIT
EDGE_WEIGHT_FORMAT : FULL_MATRIX
EDGE_WEIGHT_SECTION
0 10 20
10 0 10
20 10 0
TIME_WINDOW_SECTION
1 0 1000
2 0 1000
3 0 1000
DEPOT_SECTION
1
-1
EOF
"""
LOPEZ = "3\n0 1 2\n1 0 1\n2 1 0\n0 100\n0 100\n0 100\n"


def scenario_json(ids=("u1", "u2", "u3"), slots=2) -> dict:
    """A small valid energy scenario (the format of docs/specs/energy.md)."""
    plan = lambda pid, imp, fee, mu: {"id": pid, "import_price": {"all": imp}, "export_price": {"all": 0},  # noqa: E731
                                      "connection_fee": 0, "disconnection_fee": fee, "contract_slots": 365,
                                      "min_users": mu}
    return {"timeslot": "day", "periods": [{"name": "all", "hours": list(range(24))}],
            "plans": [plan("standard", 1_000_000, 1_000_000, 1), plan("group", 500_000, 2_000_000, 3)],
            "group_plan": "group",
            "users": [{"id": u, "initial_plan": "standard", "slots_on_plan": 10,
                       "energy_wh": [[5000 + 100 * k] for k in range(slots)]} for u in ids],
            "scheme": "egalitarian"}


def dumps(obj) -> str:
    return json.dumps(obj)


# -- malformed files and paths ------------------------------------------------------------
JSON_GARBAGE: dict[str, bytes] = {
    "binary": b"\x89PNG\r\n\x1a\n\x00\xff\xfe\xfd garbage",
    "empty": b"",
    "deep-list": b"[" * 100_000 + b"]" * 100_000,
    "deep-object": b'{"a":' * 50_000 + b"0" + b"}" * 50_000,
    "long-integer": b'{"x": ' + b"7" * 5000 + b"}",
    "nan": b'{"x": NaN}',
    "huge-float": b'{"x": 1e999}',
    "truncated": b'{"buyers": [{"id": "b1", ',
    "top-level-list": b"[1, 2, 3]",
    "top-level-null": b"null",
    "utf16": '{"buyers": []}'.encode("utf-16"),
    "lone-surrogate-key": b'{"\\ud800": 1}',
}


def mkfifo(path: Path) -> None:
    os.mkfifo(path)


def json_file_cases(prefix: str, module: str, base: list[str], option: str, files: dict, *,
                    target: str, timeout: float = 30.0, ports: int = 0, core: Iterable[str] = ()) -> list[Case]:
    """`base` with the file given to `option` (named `target` in `files`) replaced by each
    malformed content, then by unusable paths."""
    out = []
    core = set(core)
    for what, content in JSON_GARBAGE.items():
        out.append(Case(f"{prefix}/{option}-{what}", module, tuple(base), {**files, target: content},
                        needle=option, kind="traceback", timeout=timeout, ports=ports, core=what in core))
    for what, value, extra in (("missing", "nosuch.json", {}), ("directory", ".", {}), ("name-too-long", "y" * 300, {}),
                               ("fifo", "pipe.json", {"pipe.json": mkfifo}), ("empty-name", "", {})):
        args = [value if a == target else a for a in base]
        out.append(Case(f"{prefix}/{option}-{what}", module, tuple(args), {**files, **extra}, needle=option,
                        kind="hang" if what == "fifo" else "usage", timeout=timeout, ports=ports,
                        core=what in core))
    return out


OUTPUT_BAD = (("name-too-long", "x" * 300 + ".json", {}, "too long"),
              ("missing-folder", "no/such/dir/out.json", {}, "does not exist"),
              ("directory", ".", {}, "directory"),
              ("fifo", "pipe.out", {"pipe.out": mkfifo}, "not a regular file"),
              ("parent-is-file", "taken.txt/out.json", {"taken.txt": "x"}, "not a folder"),
              ("empty-name", "", {}, ""))


def output_cases(prefix: str, module: str, base: list[str], option: str, files: dict, *, target: str,
                 timeout: float = 60.0, ports: int = 0, core: Iterable[str] = (), input_file: str = "") -> list[Case]:
    """`base` with the output path `target` (the value after `option`) made unusable; with
    `input_file`, also the output given as that input file (it must not be overwritten)."""
    out = []
    core = set(core)
    if input_file:
        args = [input_file if a == target else a for a in base]
        out.append(Case(f"{prefix}/{option}-is-the-input", module, tuple(args), files, needle=option, kind="records",
                        timeout=timeout, ports=ports))
    for what, value, extra, _ in OUTPUT_BAD:
        args = [value if a == target else a for a in base]
        out.append(Case(f"{prefix}/{option}-{what}", module, tuple(args), {**files, **extra}, needle=option,
                        kind="records", timeout=timeout, ports=ports, core=what in core))
    return out


def number_cases(prefix: str, module: str, base: list[str], option: str, bad: Iterable[str], files: dict, *,
                 timeout: float = 30.0, ports: int = 0, kind: str = "usage", core: Iterable[str] = ()) -> list[Case]:
    """`base` with `option VALUE` appended (argparse keeps the last), for each bad VALUE."""
    core = set(core)
    return [Case(f"{prefix}/{option}={v[:12] or 'empty'}", module, (*base, f"{option}={v}"), files, needle=option,
                 kind=kind, timeout=timeout, ports=ports, core=v in core) for v in bad]


NONFINITE = ("nan", "inf", "-inf", "1e400")
NOT_A_NUMBER = ("abc", "", "0x10")
HUGE_INT = ("1" + "0" * 12, "9" * 5000)
SECONDS_BAD = (*NONFINITE, "0", "-1", "1e12", *NOT_A_NUMBER)
COUNT_BAD = ("0", "-3", *HUGE_INT, "2.5", *NOT_A_NUMBER)


# -- per entry point ---------------------------------------------------------------------
def dantm_cases() -> list[Case]:
    mod, files = "protocols.auction.reference.dantm", {"m.json": dumps(MARKET)}
    base = ["--market", "m.json", "--json", "out.json"]
    out = [Case("auction.dantm/good", mod, tuple(base), files, exit=0, may_write=("w/d/out.json",))]
    out += json_file_cases("auction.dantm", mod, base, "--market", files, target="m.json",
                           core=("binary", "fifo"))
    out += output_cases("auction.dantm", mod, base, "--json", files, target="out.json", input_file="m.json", core=("missing-folder",))
    dp = [*base, "--dp", "--seed", "1"]
    out += number_cases("auction.dantm", mod, dp, "--epsilon", (*NONFINITE, "0", "-0.5", "1e300", *NOT_A_NUMBER),
                        files, kind="success", core=("inf",))
    out += number_cases("auction.dantm", mod, dp, "--seed", ("abc", "9" * 5000, "-1"), files)
    out.append(Case("auction.dantm/market-lone-surrogate-id", mod, tuple(base),
                    {"m.json": dumps({**MARKET, "buyers": [{**MARKET["buyers"][0], "id": "b\ud800"}]})},
                    needle="not valid Unicode"))
    out.append(Case("auction.dantm/market-duplicate-key", mod, tuple(base),
                    {"m.json": '{"buyers": [], "buyers": [], "sellers": []}'}, needle="duplicate key"))
    out.append(Case("auction.dantm/market-duplicate-id", mod, tuple(base),
                    {"m.json": dumps({**MARKET, "sellers": [{**MARKET["sellers"][0], "id": "b1"}]})},
                    needle="sellers[0].id", kind="success"))
    out.append(Case("auction.dantm/market-with-byte-order-mark", mod, tuple(base),
                    {"m.json": b"\xef\xbb\xbf" + dumps(MARKET).encode()}, exit=0, may_write=("w/d/out.json",)))
    # the plaintext reference computes with exact integers (docs/specs/markets.md: any
    # integer >= 0); only the private version bounds prices to [0, 2^32)
    out.append(Case("auction.dantm/market-huge-bid-is-exact", mod, tuple(base),
                    {"m.json": dumps({**MARKET, "buyers": [{**MARKET["buyers"][0], "bid": 2**200}]})},
                    exit=0, may_write=("w/d/out.json",)))
    out.append(Case("auction.dantm/unknown-option", mod, (*base, "--bogus"), files, needle="--bogus"))
    out.append(Case("auction.dantm/no-arguments", mod, (), {}, needle="--market"))
    return out


def uniform_cases() -> list[Case]:
    mod, files = "protocols.auction.reference.uniform_price", {"u.json": dumps(UNIFORM)}
    base = ["--market", "u.json", "--json", "out.json"]
    out = [Case("auction.uniform/good", mod, tuple(base), files, exit=0, may_write=("w/d/out.json",))]
    out += json_file_cases("auction.uniform", mod, base, "--market", files, target="u.json",
                           core=("deep-object",))
    out += output_cases("auction.uniform", mod, base, "--json", files, target="out.json", input_file="u.json")
    gen = ["--json", "g.json"]
    for what, counts, needle in (("huge-levels", ("2", "2", "1000000000000"), "--generate"),
                                 ("huge-bidders", ("1000000000000", "2", "5"), "--generate"),
                                 ("negative", ("-1", "2", "5"), "--generate"),
                                 ("zero-levels", ("2", "2", "0"), "--generate"),
                                 ("not-integers", ("a", "2", "5"), "--generate"),
                                 ("long-integer", ("9" * 5000, "2", "5"), "--generate")):
        out.append(Case(f"auction.uniform/generate-{what}", mod, ("--generate", *counts, *gen), {}, needle=needle,
                        kind="hang", timeout=30, core=what == "huge-levels"))
    out.append(Case("auction.uniform/generate-without-json", mod, ("--generate", "2", "2", "5"), {},
                    needle="--json"))
    out.append(Case("auction.uniform/generate-good", mod, ("--generate", "2", "2", "5", *gen), {}, exit=0,
                    may_write=("w/d/g.json",)))
    out.append(Case("auction.uniform/no-market", mod, ("--json", "out.json"), {}, needle="--market"))
    out.append(Case("auction.uniform/prices-not-increasing", mod, tuple(base),
                    {"u.json": dumps({**UNIFORM, "prices": [10, 10, 30]})}, needle="prices[1]"))
    out.append(Case("auction.uniform/too-many-levels", mod, tuple(base),
                    {"u.json": dumps({"prices": list(range(1, 200_002)), "buyers": [], "sellers": []})},
                    needle="prices"))
    return out


def blockcom_cases() -> list[Case]:
    mod, files = "protocols.auction.reference.blockcom", {"s.json": dumps(BLOCKCOM)}
    base = ["--scenario", "s.json", "--json", "out.json"]
    out = [Case("auction.blockcom/good", mod, tuple(base), files, exit=0, may_write=("w/d/out.json",))]
    out += json_file_cases("auction.blockcom", mod, base, "--scenario", files, target="s.json",
                           core=("huge-float",))
    out += output_cases("auction.blockcom", mod, base, "--json", files, target="out.json", input_file="s.json")
    sup = BLOCKCOM["suppliers"][0]
    for what, data, needle, kind in (
            ("psi-2^300", {**BLOCKCOM, "suppliers": [{**sup, "psi": 2**300}]}, "suppliers[0].psi", "traceback"),
            ("l1-2^300", {**BLOCKCOM, "suppliers": [{**sup, "l1": 2**300}]}, "suppliers[0].l1", "traceback"),
            ("d_max-1e308", {**BLOCKCOM, "suppliers": [{**sup, "d_max": 1e308}]}, "suppliers[0].d_max", "traceback"),
            ("tiny-tolerance-1e9-iterations", {**BLOCKCOM, "tolerance": 1e-300, "max_iterations": 10**9},
             "tolerance", "hang"),
            ("1e9-iterations", {**BLOCKCOM, "max_iterations": 10**9}, "max_iterations", "hang"),
            ("tolerance-denormal", {**BLOCKCOM, "tolerance": 5e-324}, "tolerance", "hang"),
            ("tau-1e308", {**BLOCKCOM, "tau": 1e308}, "tau", "traceback"),
            ("unknown-field", {**BLOCKCOM, "rounds": 3}, "rounds", "success"),
            ("consumer-unknown-field", {**BLOCKCOM, "consumers": [{**BLOCKCOM["consumers"][0], "cmin": 1}]},
             "consumers[0]", "success"),
            ("many-pairs", {"consumers": [{"id": f"c{i}", "c_min": 0, "c_max": 1} for i in range(300)],
                            "suppliers": [{"id": f"d{i}", "d_max": 1, "l1": 0.1, "psi": 0.1} for i in range(300)]},
             "consumers", "hang")):
        out.append(Case(f"auction.blockcom/{what}", mod, tuple(base), {"s.json": dumps(data)}, needle=needle,
                        kind=kind, timeout=30, core=what in ("psi-2^300", "tiny-tolerance-1e9-iterations",
                                                             "unknown-field")))
    return out


def escrow_cases() -> list[Case]:
    mod, files = "protocols.escrow.simulate", {"e.json": dumps(ESCROW)}
    base = ["--scenario", "e.json", "--json", "out.json"]
    out = [Case("escrow/good", mod, tuple(base), files, exit=0, may_write=("w/d/out.json",))]
    out += json_file_cases("escrow", mod, base, "--scenario", files, target="e.json")
    out += output_cases("escrow", mod, base, "--json", files, target="out.json", input_file="e.json")
    order = ESCROW["orders"][0]
    for what, data, needle in (
            ("missing-steps", {k: v for k, v in ESCROW.items() if k != "steps"}, "steps"),
            ("missing-orders", {k: v for k, v in ESCROW.items() if k != "orders"}, "orders"),
            ("unknown-customer", {**ESCROW, "orders": [{**order, "customer": "mallory"}]}, "orders[0].customer"),
            ("unknown-vendor", {**ESCROW, "orders": [{**order, "vendor": "nobody"}]}, "orders[0].vendor"),
            ("unknown-top-field", {**ESCROW, "extra": 1}, "extra"),
            ("unknown-step-field", {**ESCROW, "steps": [{"action": "pay_in", "order": "o1", "oder": "x"}]},
             "steps[0]"),
            ("steps-not-list", {**ESCROW, "steps": {"a": 1}}, "steps"),
            ("orders-not-list", {**ESCROW, "orders": "o1"}, "orders"),
            ("amount-huge", {**ESCROW, "orders": [{**order, "amount": 10**30}]}, "orders[0].amount"),
            ("balance-huge", {**ESCROW, "balances": {**ESCROW["balances"], "alice": 10**30}}, "balances"),
            ("latitude-float", {**ESCROW, "steps": [{"action": "pay_in", "order": "o1"},
                                                    {"action": "deliver", "order": "o1", "latitude_e6": 1e300}]},
             "steps[1].latitude_e6"),
            ("latitude-string", {**ESCROW, "steps": [{"action": "pay_in", "order": "o1"},
                                                     {"action": "deliver", "order": "o1", "latitude_e6": "north"}]},
             "steps[1].latitude_e6"),
            ("signers-not-list", {**ESCROW, "steps": [{"action": "pay_in", "order": "o1"},
                                                      {"action": "deliver", "order": "o1", "signers": 5}]},
             "steps[1].signers"),
            ("unknown-signer-role", {**ESCROW, "steps": [{"action": "pay_in", "order": "o1"},
                                                         {"action": "deliver", "order": "o1", "signers": ["king"]}]},
             "steps[1].signers"),
            ("forged-not-list", {**ESCROW, "steps": [{"action": "pay_in", "order": "o1"},
                                                     {"action": "deliver", "order": "o1", "forged": 3}]},
             "steps[1].forged"),
            ("customer-present-string", {**ESCROW, "steps": [{"action": "pay_in", "order": "o1"},
                                                             {"action": "deliver", "order": "o1",
                                                              "customer_present": "no"}]},
             "steps[1].customer_present"),
            ("unknown-action", {**ESCROW, "steps": [{"action": "teleport", "order": "o1"}]}, "steps[0].action"),
            ("too-many-steps", {**ESCROW, "steps": [{"action": "pay_in", "order": "o1"}] * 100_001}, "steps")):
        out.append(Case(f"escrow/{what}", mod, tuple(base), {"e.json": dumps(data)}, needle=needle,
                        kind="success", core=what in ("missing-steps", "unknown-customer")))
    return out


def credibility_cases() -> list[Case]:
    mod, files = "protocols.reputation.credibility", {"h.json": dumps(HISTORY)}
    base = ["--history", "h.json", "--json", "out.json"]
    out = [Case("credibility/good", mod, tuple(base), files, exit=0, may_write=("w/d/out.json",))]
    # 20,000 nodes that each failed once: every node is voted on; counted once per node this
    # was quadratic (minutes), counted once it takes a second
    many = {"reports": [{"node": f"n{i}", "by": f"n{i + 1}", "success": False} for i in range(20_000)]}
    out.append(Case("credibility/large-history", mod, tuple(base), {"h.json": dumps(many)}, exit=0, kind="hang",
                    timeout=60, may_write=("w/d/out.json",)))
    out += json_file_cases("credibility", mod, base, "--history", files, target="h.json")
    out += output_cases("credibility", mod, base, "--json", files, target="out.json", input_file="h.json")
    for v in ("nan", "inf", "0", "1", "-0.5", "abc", "", "1/0", "9" * 5000 + "/7"):
        out.append(Case(f"credibility/--threshold={v[:10] or 'empty'}", mod, (*base, f"--threshold={v}"), files,
                        needle="--threshold", core=v == "1/0"))
    rep = HISTORY["reports"][0]
    for what, data, needle in (("unknown-report-field", {"reports": [{**rep, "weight": 2}]}, "reports[0]"),
                               ("unknown-top-field", {**HISTORY, "nodes": []}, "nodes"),
                               ("success-as-int", {"reports": [{**rep, "success": 1}]}, "reports[0].success")):
        out.append(Case(f"credibility/{what}", mod, tuple(base), {"h.json": dumps(data)}, needle=needle,
                        kind="success", core=what == "unknown-report-field"))
    return out


def eigentrust_cases() -> list[Case]:
    mod, files = "protocols.reputation.eigentrust", {"r.json": dumps(RATINGS)}
    base = ["--ratings", "r.json", "--json", "out.json"]
    out = [Case("eigentrust/good", mod, tuple(base), files, exit=0, may_write=("w/d/out.json",))]
    out += json_file_cases("eigentrust", mod, base, "--ratings", files, target="r.json")
    out += output_cases("eigentrust", mod, base, "--json", files, target="out.json", input_file="r.json")
    out += number_cases("eigentrust", mod, base, "--alpha", ("1e-320", "1e-300", *NONFINITE, "0", "-0.1", "1.5",
                                                             *NOT_A_NUMBER), files, core=("1e-320",))
    rating = RATINGS["ratings"][0]
    for what, data, needle in (("sat-huge", {**RATINGS, "ratings": [{**rating, "sat": 10**30}]}, "ratings[0].sat"),
                               ("unknown-field", {**RATINGS, "weights": 1}, "weights"),
                               ("unknown-rating-field", {**RATINGS, "ratings": [{**rating, "stars": 5}]},
                                "ratings[0]"),
                               ("peers-not-list", {**RATINGS, "peers": "a"}, "peers"),
                               ("self-rating", {**RATINGS, "ratings": [{**rating, "to": "a"}]}, "ratings[0]")):
        out.append(Case(f"eigentrust/{what}", mod, tuple(base), {"r.json": dumps(data)}, needle=needle,
                        kind="success"))
    return out


def routing_cases() -> list[Case]:
    mod = "protocols.routing.solve"
    files = {"i.txt": SOLOMON.format(vehicles=1, c1=1)}
    base = ["i.txt", "--json", "out.json", "--time-limit", "5"]
    out = [Case("routing.solve/good-solomon", mod, tuple(base), files, exit=0, may_write=("w/d/out.json",)),
           Case("routing.solve/good-lkh", mod, ("l.tsptw", "--json", "out.json"), {"l.tsptw": LKH}, exit=0,
                may_write=("w/d/out.json",)),
           Case("routing.solve/good-lopez", mod, ("p.txt", "--json", "out.json"), {"p.txt": LOPEZ}, exit=0,
                may_write=("w/d/out.json",))]
    out += output_cases("routing.solve", mod, base, "--json", files, target="out.json", input_file="i.txt", core=("fifo",))
    out += number_cases("routing.solve", mod, base, "--time-limit", SECONDS_BAD, files, kind="hang",
                        core=("inf",))
    for what, value, extra in (("missing", "nosuch.txt", {}), ("directory", ".", {}),
                               ("fifo", "pipe.txt", {"pipe.txt": mkfifo}), ("empty-name", "", {}),
                               ("name-too-long", "i" * 300, {}),
                               ("binary", "b.txt", {"b.txt": b"\x00\xff\xfe garbage \x89"})):
        out.append(Case(f"routing.solve/instance-{what}", mod, (value, "--json", "out.json"), extra,
                        needle="INSTANCE", timeout=30, kind="hang" if what == "fifo" else "usage"))
    lkh_lines = LKH.splitlines(keepends=True)
    solomon_lines = SOLOMON.format(vehicles=1, c1=1).splitlines(keepends=True)
    bad_files = {
        "solomon-truncated-after-vehicle": ("".join(solomon_lines[:2]), "not a Solomon"),
        "solomon-truncated-fleet": ("".join(solomon_lines[:3]) + "CUSTOMER\n", "NUMBER CAPACITY"),
        "solomon-zero-vehicles": (SOLOMON.format(vehicles=0, c1=1), "vehicles"),
        "solomon-negative-vehicles": (SOLOMON.format(vehicles=-3, c1=1), "vehicles"),
        "solomon-huge-vehicles": (SOLOMON.format(vehicles=10**30, c1=1), "line 4"),
        "solomon-many-vehicles": (SOLOMON.format(vehicles=10**6, c1=1), "vehicles"),
        "solomon-duplicate-customer": (SOLOMON.format(vehicles=1, c1=2), "duplicate"),
        "solomon-huge-coordinate": (SOLOMON.format(vehicles=1, c1=1).replace(" 45         68", " 1" + "0" * 400 + " 68"),
                                    "line 8"),
        "solomon-large-coordinate": (SOLOMON.format(vehicles=1, c1=1).replace(" 45         68", " 1" + "0" * 15 + " 68"),
                                     "customer 1"),
        "solomon-huge-capacity": (SOLOMON.format(vehicles=1, c1=1).replace("200", "9" * 400), "line 4"),
        "solomon-large-capacity": (SOLOMON.format(vehicles=1, c1=1).replace("200", "9" * 15), "CAPACITY"),
        "solomon-several-vehicles-huge-coordinate": (
            SOLOMON.format(vehicles=3, c1=1).replace(" 45         68", " 1" + "0" * 30 + " 68"), "line 8"),
        "solomon-negative-coordinate-ok": (SOLOMON.format(vehicles=1, c1=1).replace(" 45         68",
                                                                                    " -45         68"), None),
        "lkh-truncated-time-windows": ("".join(lkh_lines[:11]), "TIME_WINDOW_SECTION"),
        "lkh-truncated-depot": ("".join(lkh_lines[:14]), "DEPOT_SECTION"),
        "lkh-truncated-matrix": ("".join(lkh_lines[:7]) + "".join(lkh_lines[9:]), "DIMENSION"),
        "lkh-huge-dimension": (LKH.replace("DIMENSION : 3", "DIMENSION : 1" + "0" * 12), "DIMENSION"),
        "lkh-dimension-not-integer": (LKH.replace("DIMENSION : 3", "DIMENSION : three"), "DIMENSION"),
        "lkh-huge-entry": (LKH.replace("0 10 20", "0 1e400 20"), "line 7"),
        "lkh-nan-entry": (LKH.replace("0 10 20", "0 nan 20"), "line 7"),
        "lkh-bad-depot": (LKH.replace("DEPOT_SECTION\n1", "DEPOT_SECTION\n9"), "DEPOT_SECTION"),
        "lopez-truncated": (LOPEZ[:10], "numbers"),
        "lopez-huge-size": ("1" + "0" * 12 + "\n0\n", "n ="),
        "lopez-nan": (LOPEZ.replace("0 1 2", "0 nan 2"), "finite"),
        "lopez-inf-window": (LOPEZ.replace("0 100\n0 100\n0 100", "0 inf\n0 100\n0 100"), "finite"),
        "lopez-size-zero": ("0\n", "n ="),
    }
    for what, (text, needle) in bad_files.items():
        if needle is None:
            out.append(Case(f"routing.solve/{what}", mod, ("x.txt", "--json", "out.json"), {"x.txt": text},
                            exit=0, may_write=("w/d/out.json",)))
            continue
        out.append(Case(f"routing.solve/{what}", mod, ("x.txt", "--json", "out.json", "--time-limit", "5"),
                        {"x.txt": text}, needle=needle, timeout=40,
                        kind="success" if "vehicles" in what or "duplicate" in what else "traceback",
                        core=what in ("solomon-truncated-fleet", "solomon-zero-vehicles", "solomon-duplicate-customer",
                                      "lkh-truncated-depot", "solomon-huge-coordinate")))
    return out


def energy_reference_cases() -> list[Case]:
    mod, files = "protocols.energy.reference", {"s.json": dumps(scenario_json())}
    base = ["--scenario", "s.json", "--json", "out.json"]
    out = [Case("energy.reference/good", mod, tuple(base), files, exit=0, may_write=("w/d/out.json",))]
    out += json_file_cases("energy.reference", mod, base, "--scenario", files, target="s.json")
    out += output_cases("energy.reference", mod, base, "--json", files, target="out.json", input_file="s.json")
    return out


def scenario_id_cases(prefix: str, module: str, base: list[str], ports: int = 0, **kw) -> list[Case]:
    """Scenario user and plan ids that would make a path (issue 13 class 1)."""
    out = []
    for what, ident in (("dotdot", "../../pwned"), ("slash", "a/b"), ("absolute", "/tmp/pwned"),
                        ("dot", "."), ("hidden", ".u1"), ("too-long", "u" * 65), ("nul", "u\u0000"),
                        ("space", "u 1"), ("backslash", "..\\..\\x")):
        out.append(Case(f"{prefix}/user-id-{what}", module, tuple(base),
                        {"s.json": dumps(scenario_json(ids=(ident, "u2", "u3")))}, needle="users[0].id",
                        kind="path", ports=ports, core=what == "dotdot", **kw))
    data = scenario_json()
    data["plans"][0]["id"] = "../plan"
    data["users"] = [{**u, "initial_plan": "../plan"} for u in data["users"]]
    out.append(Case(f"{prefix}/plan-id-dotdot", module, tuple(base), {"s.json": dumps(data)}, needle="plans[0].id",
                    kind="path", ports=ports, **kw))
    return out


def energy_generate_cases() -> list[Case]:
    mod = "protocols.energy.scenarios.generate"
    base = ["--out", "s.json", "--households", "3", "--days", "2"]
    out = [Case("energy.generate/good", mod, tuple(base), {}, exit=0, may_write=("w/d/s.json",))]
    out += output_cases("energy.generate", mod, base, "--out", {}, target="s.json")
    for what, value, kind in (("empty", "", "traceback"), ("words", "yesterday", "usage"),
                              ("not-midnight", "2023-05-01T13:00", "usage"), ("year-0", "0000-01-01", "usage"),
                              ("far-future", "9999-12-31", "usage"), ("huge-year", "99999-01-01", "usage")):
        out.append(Case(f"energy.generate/--start-{what}", mod, (*base, f"--start={value}"), {}, needle="--start",
                        kind=kind, core=what == "empty"))
    for what, value in (("out-of-range", "99"), ("zero", "0"), ("negative", "-1"), ("words", "x,y"),
                        ("long-integer", "9" * 5000)):
        out.append(Case(f"energy.generate/--pv-{what}", mod, (*base, f"--pv={value}"), {}, needle="--pv",
                        kind="success", core=what == "out-of-range"))
    out += number_cases("energy.generate", mod, base, "--households", COUNT_BAD, {})
    out += number_cases("energy.generate", mod, base, "--days", COUNT_BAD, {})
    out += number_cases("energy.generate", mod, base, "--seed", ("-1", "9" * 5000, "2.5", "abc", "1" + "0" * 30), {})
    out += number_cases("energy.generate", mod, base, "--min-users", ("0", "-1", "4", *HUGE_INT, "abc"), {})
    return out


def energy_run_cases() -> list[Case]:
    mod, files = "protocols.energy.run", {"s.json": dumps(scenario_json())}
    base = ["-M3", "-B", "{port}", "--scenario", "s.json", "--workdir", "run", "--timeout", "20"]
    out = scenario_id_cases("energy.run", mod, base, ports=3, timeout=60)
    out.append(Case("energy.run/user-id-trailing-newline", mod, tuple(base),
                    {"s.json": dumps(scenario_json(ids=("u1\n", "u2", "u3")))}, needle="users[0].id", kind="path",
                    ports=3))
    out += json_file_cases("energy.run", mod, base, "--scenario", files, target="s.json", ports=3,
                           core=("deep-list",))
    out += output_cases("energy.run", mod, [*base, "--json", "out.json"], "--json", files, target="out.json",
                        ports=3)
    out += output_cases("energy.run", mod, [*base, "--stats", "st.json"], "--stats", files, target="st.json",
                        ports=3)
    out.append(Case("energy.run/wrong-party-count", mod, ("-M4", *base[1:]), files, needle="-M4", ports=4,
                    kind="records"))
    out += number_cases("energy.run", mod, base, "--balance", ("nan", "inf", "-1", "1e300", "abc"), files, ports=3)
    out += number_cases("energy.run", mod, base, "--timeout", SECONDS_BAD, files, ports=3, kind="hang")
    out.append(Case("energy.run/ledger-missing-folder", mod, (*base, "--ledger", "no/such/dir/L.sqlite"), files,
                    needle="--ledger", kind="records", ports=3))
    out.append(Case("energy.run/workdir-missing-parent", mod, (*base, "--workdir", "no/such/run"), files,
                    needle="--workdir", kind="records", ports=3))
    out.append(Case("energy.run/--workdir-name-too-long", mod, (*base, "--workdir", "w" * 300), files,
                    needle="--workdir", ports=3))
    out.append(Case("energy.run/--ledger-name-too-long", mod, (*base, "--ledger", "l" * 300), files,
                    needle="--ledger", ports=3))
    out.append(Case("energy.run/no-market-file", mod, ("-M3", "-B", "{port}", "--workdir", "run"), {},
                    needle="--workdir", ports=3))
    out.append(Case("energy.run/scenario-with-I", mod, (*base, "-I", "1"), files, needle="--scenario", ports=3))
    out.append(Case("energy.run/scheme-without-scenario", mod, ("-M3", "-B", "{port}", "--scheme", "egalitarian"),
                    {}, needle="--scheme", ports=3))
    return out


def operator_cases() -> list[Case]:
    mod, files = "protocols.energy.utility_operator", {"s.json": dumps(scenario_json())}
    base = ["publish", "--scenario", "s.json", "--workdir", "run"]
    out = json_file_cases("energy.operator", mod, base, "--scenario", files, target="s.json")
    out += scenario_id_cases("energy.operator", mod, base)
    out += number_cases("energy.operator", mod, base, "--timestamp", ("-1", "9" * 5000, "nan", "abc"), files,
                        core=("-1",))
    for v in ("2:1", "0:1", "1:99", "a:b", "1", "9" * 5000 + ":1"):
        out.append(Case(f"energy.operator/--slots={v[:10]}", mod, (*base, f"--slots={v}"), files, needle="--slots",
                        kind="records"))
    out.append(Case("energy.operator/--workdir-missing-parent", mod, (*base[:-1], "no/such/run"), files,
                    needle="--workdir", kind="records"))
    out.append(Case("energy.operator/--ledger-missing-folder", mod, (*base, "--ledger", "no/such/L.sqlite"), files,
                    needle="--ledger", kind="records"))
    out.append(Case("energy.operator/no-command", mod, (), {}, needle="publish"))
    out.append(Case("energy.operator/--workdir-name-too-long", mod, (*base[:-1], "w" * 300), files,
                    needle="--workdir", kind="records"))
    verify = ["verify", "--ledger", "L.sqlite", "r.json"]
    for what, content in JSON_GARBAGE.items():
        out.append(Case(f"energy.operator/verify-{what}", mod, tuple(verify), {"r.json": content,
                                                                             "L.sqlite": _empty_ledger},
                        needle="r.json", kind="traceback", timeout=30, core=what == "deep-list"))
    out.append(Case("energy.operator/verify-fifo", mod, tuple(verify), {"r.json": mkfifo, "L.sqlite": _empty_ledger},
                    needle="r.json", kind="hang", timeout=20))
    out.append(Case("energy.operator/verify-missing-ledger", mod, tuple(verify), {"r.json": "{}"},
                    needle="--ledger", kind="records"))
    out.append(Case("energy.operator/verify-foreign-sqlite", mod, tuple(verify), {"r.json": "{}",
                                                                                  "L.sqlite": _foreign_sqlite},
                    needle="--ledger", kind="records"))
    return out


def published_folder(cwd: Path) -> None:
    """A run folder as the operator leaves it (three households), built in-process."""
    from protocols.energy.utility_operator.cli import main as operator_main

    (cwd / "s.json").write_text(dumps(scenario_json()))
    assert operator_main(["publish", "--scenario", str(cwd / "s.json"), "--workdir", str(cwd / "run"),
                          "--timestamp", "1700000000"]) == 0


def published_folder_with_accounts(cwd: Path) -> None:
    """published_folder, and every household's account opened (what a household client needs)."""
    from protocols.energy.accounts import main as accounts_main

    published_folder(cwd)
    for household in ("u1", "u2", "u3"):
        assert accounts_main(["open", "--workdir", str(cwd / "run"), "--household", household]) == 0


def accounts_cases() -> list[Case]:
    mod = "protocols.energy.accounts"
    folder = published_folder

    base = ["open", "--workdir", "run", "--household", "u1"]
    out = [Case("energy.accounts/good", mod, tuple(base), {"": folder}, exit=0,
                may_write=("w/d/run/households/u1/wallet.json", "w/d/run/ledger/"))]
    for what, ident in (("dotdot", "../../pwned"), ("slash", "a/b"), ("hidden", ".u1"), ("newline", "u1\n"),
                        ("too-long", "u" * 65), ("unknown", "u9")):
        out.append(Case(f"energy.accounts/--household-{what}", mod, (*base[:-1], ident), {"": folder},
                        needle="--household" if what != "unknown" else "u9", kind="path"))
    out += number_cases("energy.accounts", mod, base, "--dollars", (*NONFINITE, "-1", "1e300", "abc"), {"": folder})
    out.append(Case("energy.accounts/--workdir-missing", mod, ("open", "--workdir", "nosuch", "--household", "u1"), {},
                    needle="--workdir", kind="records"))
    out.append(Case("energy.accounts/--workdir-name-too-long", mod, ("open", "--workdir", "w" * 300, "--household",
                                                                     "u1"), {}, needle="--workdir"))
    out.append(Case("energy.accounts/no-command", mod, (), {}, needle="open"))
    return out


def certs_cases() -> list[Case]:
    mod = "mpc.certs"
    base = ["-M", "3", "--out", "certs"]
    out = [Case("mpc.certs/good", mod, tuple(base), {}, exit=0, one_line=False, may_write=("w/d/certs/",))]
    out += number_cases("mpc.certs", mod, base, "-M", ("0", "1", "65", "-3", *HUGE_INT, "abc"), {})
    out += number_cases("mpc.certs", mod, base, "--days", ("0", "-1", *HUGE_INT, "nan", "abc"), {})
    out += number_cases("mpc.certs", mod, base, "--party", ("3", "-1", "abc"), {})
    for what, value, extra in (("is-a-file", "f.txt", {"f.txt": "x"}), ("missing-parent", "no/such/certs", {}),
                               ("empty-name", "", {}), ("name-too-long", "c" * 300, {})):
        out.append(Case(f"mpc.certs/--out-{what}", mod, ("-M", "3", "--out", value), extra, needle="--out",
                        kind="records"))
    out.append(Case("mpc.certs/files-in-the-way", mod, tuple(base), {"certs/ca.crt": "old"}, needle="certs",
                    kind="records"))
    return out


def energy_serve_cases() -> list[Case]:
    mod, files = "protocols.energy.serve", {"s.json": dumps(scenario_json())}
    base = ["-M3", "-B", "{port}", "--scenario", "s.json", "--workdir", "run", "--timeout", "20"]
    out = scenario_id_cases("energy.serve", mod, base, ports=3, timeout=60)
    out += json_file_cases("energy.serve", mod, base, "--scenario", files, target="s.json", ports=3)
    out += output_cases("energy.serve", mod, [*base, "--json", "out.json"], "--json", files, target="out.json",
                        ports=3)
    out += number_cases("energy.serve", mod, base, "--window", SECONDS_BAD, files, ports=3, kind="hang")
    out += number_cases("energy.serve", mod, base, "--balance", ("nan", "inf", "-1", "1e300", "abc"), files, ports=3)
    out += number_cases("energy.serve", mod, base, "--client-port-offset", ("70000", "-70000", "abc"), files, ports=3)
    out.append(Case("energy.serve/--client-host-bad", mod, (*base, "--client-host", "no such host!"), files,
                    needle="--client-host", ports=3))
    out.append(Case("energy.serve/client-port-below-1024", mod, (*base[:2], "2000", *base[3:],
                                                                 "--client-port-offset=-1500"),
                    files, needle="--client-port-offset", kind="records"))
    out.append(Case("energy.serve/no-market-file", mod, ("-M3", "-B", "{port}", "--workdir", "run"), {},
                    needle="--workdir", ports=3))
    out.append(Case("energy.serve/--workdir-name-too-long", mod, ("-M3", "-B", "{port}", "--workdir", "w" * 300), {},
                    needle="--workdir", ports=3))
    return out


def energy_household_cases() -> list[Case]:
    mod = "protocols.energy.household"
    # two servers (the protocol needs at least two), nothing listening on either
    base = ["--workdir", "run", "--user", "u1", "--servers", "127.0.0.1:{port},127.0.0.1:1", "--timeout", "1"]
    files = {"": published_folder_with_accounts}
    out = [Case("energy.household/no-market-file", mod, tuple(base), {}, needle="market file", ports=1)]
    out += number_cases("energy.household", mod, base, "--timeout", SECONDS_BAD, files, ports=1, kind="hang")
    out += number_cases("energy.household", mod, base, "--wait", SECONDS_BAD, files, ports=1, kind="hang")
    out += number_cases("energy.household", mod, base, "--concurrency", COUNT_BAD, files, ports=1, kind="hang")
    for v in ("1/0", "2/2", "-1/3", "a/b", "9" * 5000 + "/1", "1"):
        out.append(Case(f"energy.household/--shard={v[:10]}", mod, (*base[:2], "--all", *base[4:], f"--shard={v}"),
                        files, needle="--shard", ports=1))
    for what, value in (("no-port", "127.0.0.1"), ("port-0", "h:0"), ("empty", ""), ("bad-host", "h h:1")):
        out.append(Case(f"energy.household/--servers-{what}", mod, (*base, f"--servers={value}"), files,
                        needle="--servers", ports=1))
    for what, ident in (("dotdot", "../../pwned"), ("unknown", "u9"), ("newline", "u1\n")):
        out.append(Case(f"energy.household/--user-{what}", mod, (*base[:2], "--user", ident, *base[4:]), files,
                        needle="--user", kind="path", ports=1))
    out.append(Case("energy.household/unreachable-servers", mod, tuple(base), files, exit=1, one_line=False,
                    needle="could not", ports=1, kind="success"))
    out += output_cases("energy.household", mod, [*base, "--json", "out.json"], "--json", files, target="out.json",
                        ports=1)
    return out


def ledger_inspect_cases() -> list[Case]:
    mod = "protocols.ledger.inspect"
    out = []
    out.append(Case("ledger.inspect/missing", mod, ("L.sqlite",), {}, needle="PATH"))
    # a file that is not a ledger is reported as a corrupted ledger (exit 1), as the
    # command's help says, and left untouched
    for what, content in (("garbage", b"\x00\xff not sqlite" * 100), ("json", b"{}"), ("empty", b"")):
        out.append(Case(f"ledger.inspect/{what}", mod, ("L.sqlite",), {"L.sqlite": content}, exit=1,
                        needle="CORRUPTED", kind="records"))
    out.append(Case("ledger.inspect/directory", mod, (".",), {}, needle="PATH"))
    out.append(Case("ledger.inspect/name-too-long", mod, ("z" * 300,), {}, needle="PATH"))
    out.append(Case("ledger.inspect/fifo", mod, ("p.sqlite",), {"p.sqlite": mkfifo}, needle="PATH", kind="hang",
                    timeout=20))
    out.append(Case("ledger.inspect/foreign-sqlite", mod, ("f.sqlite",), {"f.sqlite": _foreign_sqlite}, exit=1,
                    needle="CORRUPTED", kind="records"))
    for v in ("abc", "1:zz", "-1:00", "9" * 5000 + ":00", ":"):
        out.append(Case(f"ledger.inspect/--head={v[:10]}", mod, ("L.sqlite", f"--head={v}"),
                        {"L.sqlite": _empty_ledger}, needle="--head"))
    for v in ("abc", "00" * 31, "zz" * 32):
        out.append(Case(f"ledger.inspect/--writer={v[:10]}", mod, ("L.sqlite", f"--writer={v}"),
                        {"L.sqlite": _empty_ledger}, needle="--writer"))
    out.append(Case("ledger.inspect/--pin-fifo", mod, ("L.sqlite", "--pin", "p.json"),
                    {"L.sqlite": _empty_ledger, "p.json": mkfifo}, needle="--pin", kind="hang", timeout=20))
    for what, content in (("garbage", b"\x00\xff"), ("deep-list", JSON_GARBAGE["deep-list"]), ("empty", b"")):
        out.append(Case(f"ledger.inspect/--pin-{what}", mod, ("L.sqlite", "--pin", "p.json"),
                        {"L.sqlite": _empty_ledger, "p.json": content}, needle="--pin", kind="traceback"))
    return out


def _foreign_sqlite(path: Path) -> None:
    import sqlite3

    con = sqlite3.connect(path)
    con.execute("CREATE TABLE photos (id INTEGER PRIMARY KEY, name TEXT)")
    con.execute("INSERT INTO photos (name) VALUES ('cat.jpg')")
    con.commit()
    con.close()


def _empty_ledger(path: Path) -> None:
    """A valid ledger holding only its genesis entry."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from protocols.ledger import SQLiteLedger, default_group
    from protocols.ledger.transactions import raw_public_key

    SQLiteLedger.create(path, default_group(), Ed25519PrivateKey.generate(),
                        raw_public_key(Ed25519PrivateKey.generate())).close()


def simulator_cases() -> list[Case]:
    mod, files = "protocols.auction.private.simulator", {"m.json": dumps(MARKET)}
    servers = "127.0.0.1:{port}"
    base = ["--market", "m.json", "--servers", servers, "--json", "out.json", "--timeout", "1"]
    out = [Case("auction.bidders/unreachable-servers", mod, tuple(base), files, exit=1, needle="could not reach",
                kind="success", ports=1, one_line=False, core=True)]
    out += json_file_cases("auction.bidders", mod, base, "--market", files, target="m.json", ports=1,
                           core=("long-integer",))
    out += output_cases("auction.bidders", mod, base, "--json", files, target="out.json", input_file="m.json", ports=1)
    out += number_cases("auction.bidders", mod, base, "--concurrency", COUNT_BAD, files, ports=1, kind="hang",
                        core=("0",))
    out += number_cases("auction.bidders", mod, base, "--timeout", SECONDS_BAD, files, ports=1, kind="hang")
    out += number_cases("auction.bidders", mod, base, "--range-bits", ("0", "33", "-1", "abc"), files, ports=1)
    for what, value in (("no-port", "127.0.0.1"), ("port-0", "127.0.0.1:0"), ("port-huge", "127.0.0.1:70000"),
                        ("empty", ""), ("empty-entry", "127.0.0.1:1,"), ("bad-host", "ho st:1"),
                        ("long-port", "h:" + "9" * 5000)):
        args = [value if a == servers else a for a in base]
        out.append(Case(f"auction.bidders/--servers-{what}", mod, tuple(args), files, needle="--servers", ports=1))
    out.append(Case("auction.bidders/--only-unknown", mod, (*base, "--only", "zz"), files, needle="--only", ports=1))
    out.append(Case("auction.bidders/--cheat-bad", mod, (*base, "--cheat", "b1:fly"), files, needle="--cheat",
                    ports=1))
    return out


def client_cases() -> list[Case]:
    mod = "mpc.client"
    base = ["--servers", "127.0.0.1:{port}", "--id", "alice", "--values", "1,2", "--timeout", "1"]
    out = [Case("mpc.client/unreachable", mod, tuple(base), {}, exit=1, needle="could not connect", ports=1,
                one_line=False)]
    out += number_cases("mpc.client", mod, base, "--timeout", SECONDS_BAD, {}, ports=1, kind="hang", core=("nan",))
    out += number_cases("mpc.client", mod, base, "--result-timeout", SECONDS_BAD, {}, ports=1, kind="hang")
    out += output_cases("mpc.client", mod, [*base, "--json", "out.json"], "--json", {}, target="out.json", ports=1,
                        core=("missing-folder",))
    for what, value in (("empty", ""), ("words", "a,b"), ("long-integer", "9" * 5000), ("huge", str(2**300)),
                        ("float", "1.5"), ("trailing-comma", "1,2,")):
        out.append(Case(f"mpc.client/--values-{what}", mod, (*base, f"--values={value}"), {}, needle="--values",
                        ports=1))
    for what, value in (("no-port", "127.0.0.1"), ("empty", ""), ("port-0", "h:0"), ("bad-host", "h h:1")):
        out.append(Case(f"mpc.client/--servers-{what}", mod, (*base, f"--servers={value}"), {}, needle="--servers",
                        ports=1))
    out.append(Case("mpc.client/--id-empty", mod, (*base, "--id="), {}, needle="--id", ports=1))
    out.append(Case("mpc.client/--id-huge", mod, (*base, "--id=" + "x" * 100_000), {}, needle="--id", ports=1))
    return out


def session_launcher_cases(prefix: str, module: str, base: list[str], files: dict, m: int) -> list[Case]:
    """The launcher options every session CLI shares (issue 13: -I 5, -P nohostport, -M-1, -B 70000 ...)."""
    rest = [a for a in base if a not in (f"-M{m}",)]
    out = []
    for what, args, needle, kind in (
            ("-I-out-of-range", [*base, "-I", "5"], "-I", "traceback"),
            ("-I-negative", [*base, "-I", "-1"], "-I", "usage"),
            ("-P-no-port", [*rest, "-P", "nohostport", "-P", ":1", "-P", "h:2"], "-P", "traceback"),
            ("-M-negative", ["-M-1", *rest], "-M", "traceback"),
            ("-M-zero", ["-M0", *rest], "-M", "usage"),
            ("-M-one", ["-M1", *rest], "-M", "usage"),
            ("-M-1000", ["-M1000", *rest], "-M", "processes"),
            ("-M-words", ["-Mthree", *rest], "-M", "usage"),
            ("-B-70000", [*base, "-B", "70000"], "-B", "success"),
            ("-B-0", [*base, "-B", "0"], "-B", "usage"),
            ("-B-and-P", [*rest, "-P", ":11365", "-P", "h:1", "-B", "12000"], "-B", "usage"),
            ("-P-port-huge", [*rest, "-P", ":99999", "-P", "h:1"], "-P", "usage"),
            ("-P-bad-host", [*rest, "-P", ":1", "-P", "h h:1"], "-P", "usage"),
            ("-K-ignored", [*base, "-K", "1"], "-K", "usage"),
            ("-T-ignored", [*base, "-T", "1"], "-T", "usage"),
            ("-L-ignored", [*base, "-L", "64"], "-L", "usage"),
            ("output-file-with-I", [*base, "-I", "1", "--output-file"], "--output-file", "usage"),
            ("--preprocessing-unknown", [*base, "--preprocessing", "oracle"], "--preprocessing", "usage"),
            ("--cheat-unknown", [*base, "--cheat", "lie"], "--cheat", "usage")):
        out.append(Case(f"{prefix}/{what}", module, tuple(args), files, needle=needle, kind=kind, ports=m,
                        core=prefix == "mpc.demo" and what in ("-I-out-of-range", "-P-no-port", "-M-1000",
                                                                "-B-70000", "-K-ignored")))
    out += number_cases(prefix, module, base, "--timeout", SECONDS_BAD, files, ports=m, kind="hang")
    out += output_cases(prefix, module, [*base, "--stats", "st.json"], "--stats", files, target="st.json", ports=m)
    return out


def demo_cases() -> list[Case]:
    mod = "mpc.demo"
    base = ["-M3", "-B", "{port}", "--timeout", "20"]
    out = [Case("mpc.demo/good", mod, (*base, "--length", "2"), {}, exit=0, one_line=False, ports=3, timeout=90)]
    out += session_launcher_cases("mpc.demo", mod, base, {}, 3)
    out += number_cases("mpc.demo", mod, base, "--length", COUNT_BAD, {}, ports=3, kind="hang",
                        core=("1" + "0" * 12,))
    out += number_cases("mpc.demo", mod, base, "--bits", ("0", "1", "129", "1000", "abc"), {}, ports=3)
    out += output_cases("mpc.demo", mod, [*base, "--json", "out.json"], "--json", {}, target="out.json", ports=3)
    return out


def auction_run_cases() -> list[Case]:
    mod, files = "protocols.auction.run", {"m.json": dumps(MARKET)}
    base = ["-M3", "-B", "{port}", "--market", "m.json", "--json", "out.json", "--timeout", "20"]
    out = session_launcher_cases("auction.run", mod, base, files, 3)
    out += json_file_cases("auction.run", mod, base, "--market", files, target="m.json", ports=3,
                           core=("nan",))
    out += output_cases("auction.run", mod, base, "--json", files, target="out.json", ports=3,
                        core=("missing-folder",))
    out += number_cases("auction.run", mod, base, "--window", SECONDS_BAD, files, ports=3, kind="success",
                        core=("nan",))
    out += number_cases("auction.run", mod, base, "--client-port-offset", ("70000", "-70000", "abc", "nan"), files,
                        ports=3)
    out.append(Case("auction.run/client-port-below-1024", mod, (*base[:2], "2000", *base[3:],
                                                                "--client-port-offset=-1500"),
                    files, needle="--client-port-offset"))
    out.append(Case("auction.run/--client-host-bad", mod, (*base, "--client-host", "no such host!"), files,
                    needle="--client-host", ports=3))
    out += number_cases("auction.run", mod, base, "--range-bits", ("0", "33", "abc"), files, ports=3)
    out.append(Case("auction.run/empty-market", mod, tuple(base), {"m.json": dumps({"buyers": [], "sellers": []})},
                    needle="--market", kind="traceback", ports=3, core=True))
    out.append(Case("auction.run/only-buyers", mod, tuple(base),
                    {"m.json": dumps({"buyers": MARKET["buyers"], "sellers": []})}, needle="--market",
                    kind="traceback", ports=3))
    out.append(Case("auction.run/empty-uniform-market", mod, (*base, "--mechanism", "uniform"),
                    {"m.json": dumps({"prices": [1, 2], "buyers": [], "sellers": []})}, needle="--market",
                    kind="traceback", ports=3))
    out.append(Case("auction.run/bidder-cheat-unknown-id", mod, (*base, "--bidder-cheat", "zz:silent"), files,
                    needle="--bidder-cheat", ports=3))
    out.append(Case("auction.run/--window-excludes-every-bidder", mod, (*base, "--window", "0.01"), files, exit=1,
                    needle="every one of the 4 bidders was excluded", one_line=False, ports=3, kind="success",
                    timeout=90))
    out.append(Case("auction.run/too-many-levels", mod, (*base, "--mechanism", "uniform"),
                    {"m.json": dumps({"prices": list(range(1, 1002)), "buyers": [{"id": "b", "demand": [1] * 1001}],
                                      "sellers": [{"id": "s", "supply": [1] * 1001}]})}, needle="prices", ports=3,
                    kind="hang"))
    out.append(Case("auction.run/too-many-bidders", mod, tuple(base),
                    {"m.json": dumps({"buyers": [{"id": f"b{i}", "bid": 1, "quality": 1, "quantity": 1}
                                                 for i in range(50_001)],
                                      "sellers": [{"id": "s", "ask": 1, "quality": 1, "quantity": 1}]})},
                    needle="bidders", ports=3, kind="hang"))
    out.append(Case("auction.run/json-is-the-market", mod, (*base[:6], "m.json", *base[7:]), files, needle="--json",
                    ports=3, kind="records"))
    out.append(Case("auction.run/missing-relative-market", mod, (*base[:4], "nosuch/m.json", *base[5:]), {},
                    needle="--market", ports=3, core=True))
    return out


# -- benchmarks ----------------------------------------------------------------------------
def bench_online_cases() -> list[Case]:
    mod = "benchmarks.online"
    base = ["-M3", "-B", "{port}", "--batch", "10", "--json", "o.json", "--skip-mpyc", "--timeout", "30"]
    out = number_cases("bench.online", mod, base, "--bits", ("0", "1", "63", "1000", "abc"), {}, ports=3,
                       kind="traceback", core=("1000",))
    out += number_cases("bench.online", mod, base, "--batch", COUNT_BAD, {}, ports=3)
    out += output_cases("bench.online", mod, base, "--json", {}, target="o.json", ports=3)
    out.append(Case("bench.online/-M-1000", mod, ("-M1000", *base[1:]), {}, needle="-M", kind="processes", ports=3))
    return out


def bench_zkp_cases() -> list[Case]:
    mod = "benchmarks.zkp"
    base = ["--json", "z.json", "--plot", "z.png", "--reps", "1", "--parties", "1", "--batch", "1",
            "--groups", "secp256k1"]
    out = output_cases("bench.zkp", mod, base, "--json", {}, target="z.json")
    out += output_cases("bench.zkp", mod, base, "--plot", {}, target="z.png")
    for opt in ("--reps", "--bits", "--set-size", "--sum-terms", "--parties", "--batch"):
        out += number_cases("bench.zkp", mod, base, opt, ("0", "-1", *HUGE_INT, "abc"), {})
    out.append(Case("bench.zkp/--groups-unknown", mod, (*base, "--groups", "p256"), {}, needle="--groups"))
    out.append(Case("bench.zkp/--groups-empty", mod, (*base, "--groups", ","), {}, needle="--groups"))
    return out


def bench_energy_reference_cases() -> list[Case]:
    mod, files = "benchmarks.energy_reference", {"s.json": dumps(scenario_json())}
    base = ["--scenario", "s.json", "--json", "e.json", "--plot", "e.png"]
    out = json_file_cases("bench.energy_reference", mod, base, "--scenario", files, target="s.json")
    out += output_cases("bench.energy_reference", mod, base, "--json", files, target="e.json")
    out += output_cases("bench.energy_reference", mod, base, "--plot", files, target="e.png")
    return out


def bench_auction_cases() -> list[Case]:
    mod = "benchmarks.auction"
    base = ["--json", "a.json", "--plot", "a.png", "--max-bidders", "10", "--repeats", "1"]
    out = output_cases("bench.auction", mod, base, "--json", {}, target="a.json")
    out += output_cases("bench.auction", mod, base, "--plot", {}, target="a.png")
    out += number_cases("bench.auction", mod, base, "--epsilon", (*NONFINITE, "0", "-1", "abc"), {})
    out += number_cases("bench.auction", mod, base, "--max-bidders", ("0", "9", "-5", *HUGE_INT, "abc"), {})
    out += number_cases("bench.auction", mod, base, "--repeats", ("0", "-1", *HUGE_INT, "abc"), {})
    out += number_cases("bench.auction", mod, base, "--seed", ("9" * 5000, "abc"), {})
    return out


def bench_routing_cases() -> list[Case]:
    mod = "benchmarks.routing"
    base = ["--json", "r.json", "--plot", "r.png", "--only", "no-such-instance", "--no-scaling",
            "--time-limit", "1"]
    out = output_cases("bench.routing", mod, base, "--json", {}, target="r.json")
    out += output_cases("bench.routing", mod, base, "--plot", {}, target="r.png")
    out += number_cases("bench.routing", mod, base, "--time-limit", SECONDS_BAD, {}, kind="hang")
    out += number_cases("bench.routing", mod, base, "--milp-limit", SECONDS_BAD, {}, kind="hang")
    out.append(Case("bench.routing/--data-missing", mod, (*base, "--data", "nosuch"), {}, needle="--data"))
    out.append(Case("bench.routing/--data-name-too-long", mod, (*base, "--data", "d" * 300), {}, needle="--data"))
    out.append(Case("bench.routing/--only-matches-nothing", mod, tuple(base), {}, needle="--only", kind="success"))
    out.append(Case("bench.routing/--plot-suffix", mod, (*base, "--plot", "r.txt"), {}, needle="--plot"))
    return out


def bench_energy_users_cases() -> list[Case]:
    mod = "benchmarks.energy_users"
    base = ["--users", "3", "--days", "2", "--json", "eu.json", "--plot", "eu.png"]
    out = output_cases("bench.energy_users", mod, base, "--json", {}, target="eu.json")
    out += output_cases("bench.energy_users", mod, base, "--plot", {}, target="eu.png")
    for v in ("", "2", "3,x", "1000", "9" * 5000, "-3"):
        out.append(Case(f"bench.energy_users/--users={v[:10] or 'empty'}", mod, (*base, f"--users={v}"), {},
                        needle="--users"))
    out += number_cases("bench.energy_users", mod, base, "--days", ("0", "1", "400", "abc", *HUGE_INT), {})
    out += number_cases("bench.energy_users", mod, base, "--timeout", SECONDS_BAD, {}, kind="hang")
    return out


def bench_auction_private_cases() -> list[Case]:
    mod = "benchmarks.auction_private"
    base = ["--json", "ap.json", "--plot", "ap.png", "--quick"]
    out = output_cases("bench.auction_private", mod, base, "--json", {}, target="ap.json")
    out += output_cases("bench.auction_private", mod, base, "--plot", {}, target="ap.png")
    for v in ("5000", "0x100", "1x0", "x", "9" * 5000 + "x2", "-4x3", "1000000x1000000"):
        out.append(Case(f"bench.auction_private/--scale={v[:10]}", mod, (*base, f"--scale={v}"), {},
                        needle="--scale", kind="hang"))
    out += number_cases("bench.auction_private", mod, base, "--seed", ("9" * 5000, "abc"), {})
    return out


#: Cases that fail because of code another engineer owns: (name pattern, reason), each
#: "owned by <who>: <what must change>". The tests mark them xfail(strict=True) so that they
#: flip once the owner fixes them. Empty: every case of the table is ours to pass.
OWNED_ELSEWHERE: tuple[tuple[str, str], ...] = ()


def _mark_owned(cases: list[Case]) -> list[Case]:
    out = []
    for c in cases:
        reason = next((r for pattern, r in OWNED_ELSEWHERE if fnmatch.fnmatchcase(c.name, pattern)), None)
        out.append(dataclasses.replace(c, xfail=reason) if reason and c.xfail is None else c)
    return out


def bench_preprocessing_cases() -> list[Case]:
    mod = "benchmarks.preprocessing"
    quick = ["--quick", "--parties", "2", "--triples", "8", "--bits", "8", "--masks", "8", "--json", "p.json",
             "--plot", "p.png"]
    out = output_cases("bench.preprocessing", mod, quick, "--json", {}, target="p.json")
    out += output_cases("bench.preprocessing", mod, quick, "--plot", {}, target="p.png")
    for opt in ("--triples", "--bits", "--masks"):
        out += number_cases("bench.preprocessing", mod, quick, opt, ("0", "-1", *HUGE_INT, "abc"), {}, kind="hang",
                            core=("1" + "0" * 12,) if opt == "--triples" else ())
    out += number_cases("bench.preprocessing", mod, quick, "--parties", ("1", "10", "abc"), {})
    out.append(Case("bench.preprocessing/--combine-without-plot", mod, ("--combine", "r.json"), {"r.json": "{}"},
                    needle="--combine"))
    for what, content in (*((k, v) for k, v in JSON_GARBAGE.items() if k in ("binary", "deep-list", "truncated")),
                          ("not-a-run", b'{"parties": 3}')):
        out.append(Case(f"bench.preprocessing/--combine-{what}", mod, ("--combine", "r.json", "--plot", "c.png"),
                        {"r.json": content}, needle="--combine", kind="traceback"))
    out.append(Case("bench.preprocessing/--combine-missing", mod, ("--combine", "nosuch.json", "--plot", "c.png"), {},
                    needle="--combine"))
    base = ["-M3", "-B", "{port}", "--triples", "8", "--bits", "8", "--masks", "8"]
    out += session_launcher_cases("bench.preprocessing", mod, base, {}, 3)
    return out


def bench_energy_clients_cases() -> list[Case]:
    mod = "benchmarks.energy_clients"
    base = ["--households", "3", "--json", "c.json", "--plot", "c.png"]
    out = output_cases("bench.energy_clients", mod, base, "--json", {}, target="c.json")
    out += output_cases("bench.energy_clients", mod, base, "--plot", {}, target="c.png")
    out += number_cases("bench.energy_clients", mod, base, "--households", ("2", "0", "-1", "abc", "3,,4", *HUGE_INT), {})
    out += number_cases("bench.energy_clients", mod, base, "--servers", ("1", "17", "abc"), {})
    out += number_cases("bench.energy_clients", mod, base, "--days", ("0", "1", "366", "abc"), {})
    out += number_cases("bench.energy_clients", mod, base, "--max-minutes", ("0", "-1", "nan", "inf"), {})
    return out


def all_cases() -> list[Case]:
    cases = [*dantm_cases(), *uniform_cases(), *blockcom_cases(), *escrow_cases(), *credibility_cases(),
             *eigentrust_cases(), *routing_cases(), *energy_reference_cases(), *energy_generate_cases(),
             *energy_run_cases(), *operator_cases(), *accounts_cases(), *energy_serve_cases(),
             *energy_household_cases(), *certs_cases(), *ledger_inspect_cases(), *simulator_cases(),
             *client_cases(), *demo_cases(), *auction_run_cases(), *bench_online_cases(), *bench_zkp_cases(),
             *bench_energy_reference_cases(), *bench_auction_cases(), *bench_routing_cases(),
             *bench_energy_users_cases(), *bench_auction_private_cases(), *bench_preprocessing_cases(),
             *bench_energy_clients_cases()]
    cases = _mark_owned(cases)
    names = [c.name for c in cases]
    dupes = {n for n in names if names.count(n) > 1}
    assert not dupes, f"duplicate case names: {sorted(dupes)}"
    return cases


def core_cases() -> list[Case]:
    return [c for c in all_cases() if c.core]
