"""Replay a staking-and-escrow scenario with real Ed25519 signatures and report every step.

    python -m protocols.escrow.simulate --scenario FILE --json OUT

Scenario file::

    {"balances": {"alice": 100, "shop": 5, "md1": 60},
     "orders": [{"id": "o1", "customer": "alice", "vendor": "shop", "amount": 30}],
     "steps": [
       {"action": "stake", "node": "md1", "amount": 40},
       {"action": "stock", "node": "md1", "value": 30},
       {"action": "pay_in", "order": "o1"},
       {"action": "deliver", "order": "o1", "customer_present": false, "photo": "porch.jpg bytes",
        "signers": ["driver", "node"], "forged": []},
       {"action": "request_return", "order": "o1"},
       {"action": "accept_return", "order": "o1"},
       {"action": "unstake", "node": "md1", "amount": 10}]}

Each order's customer, vendor, driver and node get fresh Ed25519 keys (simulation only:
the keys live and die in this process). ``signers`` lists who signs the proof of delivery
(default: the roles the record requires) and ``forged`` the roles whose signature is made
with a wrong key, so rejected steps can be shown. Every step reports ok or the rejection
reason and the balances after it; the total supply is checked after every step.
"""

from __future__ import annotations

import argparse
import hashlib

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from protocols.escrow.escrow import ROLES, Escrow, Parties
from protocols.escrow.staking import StakeRegistry
from protocols.escrow.statements import DeliveryRecord, ReturnAcceptance, ReturnIntent, sign
from protocols.escrow.tokens import Rejected, TokenLedger
from mpc.cli import (ArgumentParser, CliError, check_not_input, check_output_path, guarded, read_json_file,
                     write_json_file)


class ScenarioError(ValueError):
    """The scenario file is malformed; the message names the offending field."""


#: Token amounts, balances and inventory values: integers below 2^63 (a real token ledger's
#: unsigned 64-bit range with room for sums), so that a typo with 30 digits is refused.
MAX_AMOUNT = 2**63 - 1
#: steps and orders of one scenario: each step may sign and verify a few Ed25519 signatures,
#: so 100,000 steps replay in well under a minute; a bigger file is a mistake, not a test
MAX_STEPS = 100_000

_TOP_KEYS = ("balances", "orders", "steps")
_ORDER_KEYS = ("id", "customer", "vendor", "amount")
#: per action: required fields, then optional ones (with their types)
_STEP_FIELDS: dict[str, tuple[dict[str, type], dict[str, type]]] = {
    "stake": ({"node": str, "amount": int}, {}),
    "unstake": ({"node": str, "amount": int}, {}),
    "stock": ({"node": str, "value": int}, {}),
    "unstock": ({"node": str, "value": int}, {}),
    "pay_in": ({"order": str}, {}),
    "deliver": ({"order": str}, {"customer_present": bool, "photo": str, "latitude_e6": int, "longitude_e6": int,
                                 "signers": list, "forged": list}),
    "request_return": ({"order": str}, {"forged": list}),
    "accept_return": ({"order": str}, {"forged": list}),
}


def _require(entry: dict, key: str, kind, where: str):
    if key not in entry:
        raise ScenarioError(f"{where}: missing field '{key}'")
    return _typed(entry[key], kind, f"{where}.{key}")


def _typed(value, kind, where: str):
    # bool is an int subclass in Python; a JSON true is not an amount.
    if isinstance(value, bool) and kind is not bool or not isinstance(value, kind):
        raise ScenarioError(f"{where}: expected {kind.__name__}, got {value!r:.40}")
    if kind is int and not -MAX_AMOUNT <= value <= MAX_AMOUNT:
        raise ScenarioError(f"{where}: must be below 2^63 in absolute value, got {value}")
    return value


def _only(entry: dict, allowed, where: str) -> None:
    extra = sorted(set(entry) - set(allowed))
    if extra:
        raise ScenarioError(f"{where}.{extra[0]}: unknown field (expected {', '.join(allowed)})")


def validate_scenario(data) -> None:
    """Check the whole scenario before anything is replayed: required and unknown fields,
    types, amounts below 2^63, customers, vendors and nodes that hold an account in
    `balances`, steps that name a known order and known roles. ScenarioError names the field."""
    if not isinstance(data, dict):
        raise ScenarioError("scenario: expected a JSON object")
    _only(data, _TOP_KEYS, "scenario")
    balances = data.get("balances")
    if not isinstance(balances, dict):
        raise ScenarioError("balances: expected an object of account -> tokens")
    for account, amount in balances.items():
        if not account:
            raise ScenarioError("balances: an account name is empty")
        _typed(amount, int, f"balances.{account}")
    orders = data.get("orders")
    if not isinstance(orders, list):
        raise ScenarioError("orders: expected a list of orders" if "orders" in data else "scenario: missing field 'orders'")
    if len(orders) > MAX_STEPS:
        raise ScenarioError(f"orders: at most {MAX_STEPS:,} orders, got {len(orders):,}")
    ids = set()
    for index, order in enumerate(orders):
        where = f"orders[{index}]"
        if not isinstance(order, dict):
            raise ScenarioError(f"{where}: expected an object")
        _only(order, _ORDER_KEYS, where)
        for key in _ORDER_KEYS:
            if key not in order:
                raise ScenarioError(f"{where}: missing field '{key}'")
        oid = _require(order, "id", str, where)
        if oid in ids:
            raise ScenarioError(f"{where}.id: duplicate order {oid!r}")
        ids.add(oid)
        for role in ("customer", "vendor"):
            name = _require(order, role, str, where)
            if name not in balances:
                raise ScenarioError(f"{where}.{role}: unknown account {name!r:.40} (not in balances)")
        if order["customer"] == order["vendor"]:
            raise ScenarioError(f"{where}.vendor: the customer cannot be its own vendor")
        _require(order, "amount", int, where)
    steps = data.get("steps")
    if not isinstance(steps, list) or not steps:
        raise ScenarioError("steps: expected a non-empty list of steps" if "steps" in data
                            else "scenario: missing field 'steps'")
    if len(steps) > MAX_STEPS:
        raise ScenarioError(f"steps: at most {MAX_STEPS:,} steps, got {len(steps):,}")
    for index, step in enumerate(steps):
        where = f"steps[{index}]"
        if not isinstance(step, dict):
            raise ScenarioError(f"{where}: expected an object")
        action = _require(step, "action", str, where)
        if action not in _STEP_FIELDS:
            raise ScenarioError(f"{where}.action: unknown action {action!r:.40} (one of {', '.join(_STEP_FIELDS)})")
        required, optional = _STEP_FIELDS[action]
        _only(step, ["action", *required, *optional], where)
        for key, kind in required.items():
            _require(step, key, kind, where)
        for key, kind in optional.items():
            if key in step:
                _typed(step[key], kind, f"{where}.{key}")
        if "node" in required and step["node"] not in balances:
            raise ScenarioError(f"{where}.node: unknown account {step['node']!r:.40} (not in balances)")
        if "order" in required and step["order"] not in ids:
            raise ScenarioError(f"{where}.order: unknown order {step['order']!r:.40}")
        for key in ("signers", "forged"):
            for k, role in enumerate(step.get(key, [])):
                if role not in ROLES:
                    raise ScenarioError(f"{where}.{key}[{k}]: unknown role {role!r:.40} (one of {', '.join(ROLES)})")


def run_scenario(data: dict) -> dict:
    """Validate the scenario (validate_scenario), then replay it; returns the step log and
    final balances."""
    validate_scenario(data)
    balances = data["balances"]
    try:
        ledger = TokenLedger(balances)
    except ValueError as exc:
        raise ScenarioError(f"balances: {exc}") from exc
    stakes = StakeRegistry(ledger)
    escrows: dict[str, Escrow] = {}
    private: dict[str, dict[str, Ed25519PrivateKey]] = {}
    for index, order in enumerate(data["orders"]):
        where = f"orders[{index}]"
        oid = order["id"]
        keys = {role: Ed25519PrivateKey.generate() for role in ROLES}
        parties = Parties(order["customer"], order["vendor"], {role: k.public_key() for role, k in keys.items()})
        try:
            escrows[oid] = Escrow(ledger, oid, parties, order["amount"])
        except ValueError as exc:
            raise ScenarioError(f"{where}: {exc}") from exc
        private[oid] = keys
    log = []
    for index, step in enumerate(data["steps"]):
        where = f"steps[{index}]"
        action = step["action"]
        try:
            _apply(action, step, where, ledger, stakes, escrows, private, index)
            outcome = {"step": index, "action": action, "ok": True}
        except Rejected as exc:
            outcome = {"step": index, "action": action, "ok": False, "reason": exc.reason}
        if ledger.total() != ledger.supply:  # the conservation invariant, checked every step
            raise AssertionError(f"token supply changed at {where}")
        outcome["balances"] = ledger.balances()
        log.append(outcome)
    return {"supply": ledger.supply, "steps": log,
            "orders": {oid: e.state.value for oid, e in escrows.items()},
            "stakes": {n: {"stake": stakes.stake(n), "inventory": v} for n, v in stakes.inventory.items()}}


def _apply(action, step, where, ledger, stakes, escrows, private, index) -> None:
    if action in ("stake", "unstake", "stock", "unstock"):
        node = _require(step, "node", str, where)
        if action == "stake":
            stakes.deposit(node, _require(step, "amount", int, where))
        elif action == "unstake":
            stakes.withdraw(node, _require(step, "amount", int, where))
        elif action == "stock":
            stakes.accept_inventory(node, _require(step, "value", int, where))
        else:
            stakes.release_inventory(node, _require(step, "value", int, where))
        return
    oid = _require(step, "order", str, where)
    if oid not in escrows:
        raise ScenarioError(f"{where}.order: unknown order {oid!r}")
    escrow, keys = escrows[oid], private[oid]
    forged = set(step.get("forged", []))

    def key_of(role):
        return Ed25519PrivateKey.generate() if role in forged else keys[role]

    timestamp = 1_700_000_000 + index
    if action == "pay_in":
        escrow.pay_in()
    elif action == "deliver":
        photo = step.get("photo")
        record = DeliveryRecord(
            oid, timestamp, step.get("latitude_e6", 52_520_008), step.get("longitude_e6", 13_404_954),
            step.get("customer_present", True),
            hashlib.sha256(photo.encode()).hexdigest() if isinstance(photo, str) else None,
        )
        signers = step.get("signers", list(record.required_roles()))
        escrow.release(record, {role: sign(record, key_of(role)) for role in signers})
    elif action == "request_return":
        intent = ReturnIntent(oid, timestamp)
        escrow.request_return(intent, sign(intent, key_of("customer")))
    elif action == "accept_return":
        acceptance = ReturnAcceptance(oid, timestamp)
        escrow.accept_return(acceptance, sign(acceptance, key_of("vendor")))
    else:
        raise ScenarioError(f"{where}.action: unknown action {action!r}")


@guarded
def main(argv: list[str] | None = None) -> int:
    parser = ArgumentParser(prog="python -m protocols.escrow.simulate", description=__doc__,
                            formatter_class=argparse.RawDescriptionHelpFormatter,
                            epilog="Exit status: 0 the scenario was replayed (rejected steps included), 2 bad usage "
                                   "or a malformed scenario (one line naming the field; nothing is replayed).")
    parser.add_argument("--scenario", required=True, help="scenario JSON")
    parser.add_argument("--json", required=True, help="where to write the step log")
    args = parser.parse_args(argv)
    check_output_path(args.json, "--json")
    check_not_input(args.json, {"--scenario": args.scenario}, "--json")
    try:
        result = run_scenario(read_json_file(args.scenario, "--scenario"))
    except ScenarioError as exc:
        raise CliError(f"--scenario {args.scenario}: {exc}") from None
    for s in result["steps"]:
        print(f"step {s['step']}: {s['action']}: {'ok' if s['ok'] else 'REJECTED: ' + s['reason']}")
    write_json_file(args.json, "--json", result)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
