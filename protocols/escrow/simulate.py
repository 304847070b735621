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
from mpc.cli import CliError, fail, read_json_file, write_json_file


class ScenarioError(ValueError):
    """The scenario file is malformed; the message names the offending field."""


def _require(entry: dict, key: str, kind, where: str):
    if key not in entry:
        raise ScenarioError(f"{where}: missing field '{key}'")
    value = entry[key]
    if isinstance(value, bool) and kind is not bool or not isinstance(value, kind):
        raise ScenarioError(f"{where}.{key}: expected {kind.__name__}, got {value!r}")
    return value


def run_scenario(data: dict) -> dict:
    """Replay the scenario; returns the step log and final balances."""
    if not isinstance(data, dict):
        raise ScenarioError("scenario: expected a JSON object")
    balances = data.get("balances")
    if not isinstance(balances, dict):
        raise ScenarioError("balances: expected an object of account -> tokens")
    try:
        ledger = TokenLedger(balances)
    except ValueError as exc:
        raise ScenarioError(f"balances: {exc}") from exc
    stakes = StakeRegistry(ledger)
    escrows: dict[str, Escrow] = {}
    private: dict[str, dict[str, Ed25519PrivateKey]] = {}
    for index, order in enumerate(data.get("orders", [])):
        where = f"orders[{index}]"
        if not isinstance(order, dict):
            raise ScenarioError(f"{where}: expected an object")
        oid = _require(order, "id", str, where)
        if oid in escrows:
            raise ScenarioError(f"{where}.id: duplicate order {oid!r}")
        keys = {role: Ed25519PrivateKey.generate() for role in ROLES}
        parties = Parties(_require(order, "customer", str, where), _require(order, "vendor", str, where),
                          {role: k.public_key() for role, k in keys.items()})
        try:
            escrows[oid] = Escrow(ledger, oid, parties, _require(order, "amount", int, where))
        except ValueError as exc:
            raise ScenarioError(f"{where}: {exc}") from exc
        private[oid] = keys
    log = []
    for index, step in enumerate(data.get("steps", [])):
        where = f"steps[{index}]"
        if not isinstance(step, dict):
            raise ScenarioError(f"{where}: expected an object")
        action = _require(step, "action", str, where)
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
            oid, timestamp, int(step.get("latitude_e6", 52_520_008)), int(step.get("longitude_e6", 13_404_954)),
            bool(step.get("customer_present", True)),
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m protocols.escrow.simulate", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scenario", required=True, help="scenario JSON")
    parser.add_argument("--json", required=True, help="where to write the step log")
    args = parser.parse_args(argv)
    try:
        result = run_scenario(read_json_file(args.scenario, "--scenario"))
    except (CliError, ScenarioError) as exc:
        return fail(exc)
    for s in result["steps"]:
        print(f"step {s['step']}: {s['action']}: {'ok' if s['ok'] else 'REJECTED: ' + s['reason']}")
    try:
        write_json_file(args.json, "--json", result)
    except CliError as exc:
        return fail(exc)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
