"""Staking and escrow: every check broken once, and a stateful test that no operation,
accepted or rejected, creates or loses a token."""

from __future__ import annotations

import dataclasses
import json

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from protocols.escrow.escrow import ROLES, Escrow, EscrowState, Parties
from protocols.escrow.simulate import ScenarioError, main, run_scenario
from protocols.escrow.staking import StakeRegistry
from protocols.escrow.statements import DeliveryRecord, ReturnAcceptance, ReturnIntent, sign
from protocols.escrow.tokens import Rejected, TokenLedger

PHOTO = "ab" * 32


def new_escrow(order="o1", amount=30, genesis=None):
    ledger = TokenLedger(genesis or {"cust": 100, "shop": 10})
    keys = {r: Ed25519PrivateKey.generate() for r in ROLES}
    escrow = Escrow(ledger, order, Parties("cust", "shop", {r: k.public_key() for r, k in keys.items()}), amount)
    return ledger, keys, escrow


def delivery(order="o1", present=True, photo=None):
    return DeliveryRecord(order, 1_700_000_000, 52_520_008, 13_404_954, present, photo)


def signed(record, keys, roles=None):
    return {r: sign(record, keys[r]) for r in (roles or record.required_roles())}


def test_happy_path_release_then_return():
    ledger, keys, escrow = new_escrow()
    escrow.pay_in()
    assert ledger.balance("escrow:o1") == 30 and escrow.state is EscrowState.FUNDED
    record = delivery()
    escrow.release(record, signed(record, keys))
    assert ledger.balance("shop") == 40 and escrow.state is EscrowState.RELEASED
    intent = ReturnIntent("o1", 1_700_000_100)
    escrow.request_return(intent, sign(intent, keys["customer"]))
    assert ledger.balance("shop") == 10 and ledger.balance("escrow:o1") == 30
    accept = ReturnAcceptance("o1", 1_700_000_200)
    escrow.accept_return(accept, sign(accept, keys["vendor"]))
    assert ledger.balance("cust") == 100 and escrow.state is EscrowState.REFUNDED
    assert ledger.total() == ledger.supply == 110


def test_absent_customer_needs_driver_node_and_photo():
    ledger, keys, escrow = new_escrow()
    escrow.pay_in()
    no_photo = delivery(present=False)
    with pytest.raises(Rejected, match="photo hash"):
        escrow.release(no_photo, signed(no_photo, keys))
    bad_photo = delivery(present=False, photo="xyz")
    with pytest.raises(Rejected, match="64 lowercase hex"):
        escrow.release(bad_photo, signed(bad_photo, keys))
    record = delivery(present=False, photo=PHOTO)
    assert record.required_roles() == ("driver", "node")
    escrow.release(record, signed(record, keys))
    assert escrow.state is EscrowState.RELEASED


@pytest.mark.parametrize("role", ["driver", "customer", "node"])
def test_each_missing_or_forged_delivery_signature_is_rejected(role):
    ledger, keys, escrow = new_escrow()
    escrow.pay_in()
    before = ledger.balances()
    record = delivery()
    sigs = signed(record, keys)
    del sigs[role]
    with pytest.raises(Rejected, match=f"missing signature of the {role}"):
        escrow.release(record, sigs)
    sigs = signed(record, keys)
    sigs[role] = sign(record, Ed25519PrivateKey.generate())
    with pytest.raises(Rejected, match=f"invalid signature of the {role}"):
        escrow.release(record, sigs)
    sigs = signed(record, keys)
    sigs[role] = bytes([sigs[role][0] ^ 1]) + sigs[role][1:]  # one flipped bit
    with pytest.raises(Rejected, match=f"invalid signature of the {role}"):
        escrow.release(record, sigs)
    assert ledger.balances() == before and escrow.state is EscrowState.FUNDED


def test_signed_record_cannot_be_altered_or_replayed():
    ledger, keys, escrow = new_escrow("o1")
    _, _, other = new_escrow("o2")
    escrow.pay_in()
    record = delivery()
    sigs = signed(record, keys)
    moved = dataclasses.replace(record, latitude_e6=record.latitude_e6 + 1)
    with pytest.raises(Rejected, match="invalid signature"):
        escrow.release(moved, sigs)
    other.pay_in()
    with pytest.raises(Rejected, match="for order 'o1'"):
        other.release(record, sigs)  # proof for o1 replayed against o2
    # a signature on another kind of statement for the same order never verifies as delivery
    accept = ReturnAcceptance("o1", record.timestamp)
    forged = {r: sign(accept, keys[r]) for r in record.required_roles()}
    with pytest.raises(Rejected, match="invalid signature"):
        escrow.release(record, forged)


def test_return_needs_customer_intent_and_vendor_acceptance():
    ledger, keys, escrow = new_escrow()
    escrow.pay_in()
    record = delivery()
    escrow.release(record, signed(record, keys))
    intent = ReturnIntent("o1", 5)
    with pytest.raises(Rejected, match="invalid signature of the customer"):
        escrow.request_return(intent, sign(intent, keys["vendor"]))
    escrow.request_return(intent, sign(intent, keys["customer"]))
    accept = ReturnAcceptance("o1", 6)
    with pytest.raises(Rejected, match="invalid signature of the vendor"):
        escrow.accept_return(accept, sign(accept, keys["customer"]))
    with pytest.raises(Rejected, match="for order"):
        escrow.accept_return(ReturnAcceptance("o9", 6), sign(ReturnAcceptance("o9", 6), keys["vendor"]))
    escrow.accept_return(accept, sign(accept, keys["vendor"]))


def test_out_of_order_actions_and_insufficient_funds_are_rejected():
    ledger, keys, escrow = new_escrow(amount=30, genesis={"cust": 20, "shop": 0})
    record = delivery()
    with pytest.raises(Rejected, match="cannot release funds while awaiting payment"):
        escrow.release(record, signed(record, keys))
    with pytest.raises(Rejected, match="cust holds 20 tokens, needs 30"):
        escrow.pay_in()
    ledger, keys, escrow = new_escrow(amount=30)
    escrow.pay_in()
    with pytest.raises(Rejected, match="cannot pay in while funded"):
        escrow.pay_in()
    escrow.release(record, signed(record, keys))
    ledger.transfer("shop", "cust", 35)  # the vendor spent the proceeds
    intent = ReturnIntent("o1", 7)
    with pytest.raises(Rejected, match="shop holds 5 tokens"):
        escrow.request_return(intent, sign(intent, keys["customer"]))
    assert escrow.state is EscrowState.RELEASED


def test_escrow_construction_checks():
    ledger = TokenLedger({"a": 1})
    keys = {r: Ed25519PrivateKey.generate().public_key() for r in ROLES if r != "node"}
    with pytest.raises(ValueError, match="node"):
        Escrow(ledger, "o", Parties("a", "b", keys), 1)
    with pytest.raises(ValueError):
        TokenLedger({"a": -1})
    with pytest.raises(Rejected):
        ledger.transfer("a", "b", 0)


def test_staking_limits_inventory_and_withdrawals():
    ledger = TokenLedger({"md": 50})
    reg = StakeRegistry(ledger)
    reg.deposit("md", 40)
    reg.accept_inventory("md", 25)
    assert reg.can_hold("md", 15) and not reg.can_hold("md", 16)
    with pytest.raises(Rejected, match="more than its stake 40"):
        reg.accept_inventory("md", 16)
    with pytest.raises(Rejected, match="below inventory worth 25"):
        reg.withdraw("md", 16)
    reg.withdraw("md", 15)
    with pytest.raises(Rejected, match="cannot release 26"):
        reg.release_inventory("md", 26)
    reg.release_inventory("md", 25)
    reg.withdraw("md", 25)
    assert ledger.balance("md") == 50 and ledger.total() == 50
    with pytest.raises(Rejected, match="md holds 50 tokens, needs 51"):
        reg.deposit("md", 51)


class EscrowMachine(RuleBasedStateMachine):
    """Random sequences of escrow and staking operations, honest or forged. After every
    step the token total equals the genesis supply and each escrow account holds exactly
    what its state says."""

    @initialize()
    def setup(self):
        self.ledger = TokenLedger({"cust": 60, "shop": 5, "md": 40})
        self.reg = StakeRegistry(self.ledger)
        self.keys = {r: Ed25519PrivateKey.generate() for r in ROLES}
        parties = Parties("cust", "shop", {r: k.public_key() for r, k in self.keys.items()})
        self.escrows = [Escrow(self.ledger, f"o{i}", parties, a) for i, a in enumerate((20, 50))]

    def _attempt(self, op):
        before = self.ledger.balances()
        try:
            op()
        except Rejected:
            assert self.ledger.balances() == before  # a rejection changes nothing

    def _key(self, role, forge):
        return Ed25519PrivateKey.generate() if forge else self.keys[role]

    @rule(i=st.integers(0, 1))
    def pay_in(self, i):
        self._attempt(self.escrows[i].pay_in)

    @rule(i=st.integers(0, 1), present=st.booleans())
    def deliver(self, i, present):
        record = delivery(f"o{i}", present, PHOTO)
        self._attempt(lambda: self.escrows[i].release(record, signed(record, self.keys)))

    @rule(i=st.integers(0, 1), present=st.booleans(), photo=st.booleans(),
          forge=st.sampled_from([None, "driver", "customer", "node"]), drop=st.sampled_from([None, "driver", "node"]))
    def deliver_with_faults(self, i, present, photo, forge, drop):
        record = delivery(f"o{i}", present, PHOTO if photo else None)
        sigs = {r: sign(record, self._key(r, r == forge)) for r in record.required_roles() if r != drop}
        self._attempt(lambda: self.escrows[i].release(record, sigs))

    @rule(i=st.integers(0, 1))
    def request_return(self, i):
        intent = ReturnIntent(f"o{i}", 1)
        self._attempt(lambda: self.escrows[i].request_return(intent, sign(intent, self.keys["customer"])))

    @rule(i=st.integers(0, 1), signer=st.sampled_from(["forger", "vendor", "driver"]))
    def request_return_not_by_customer(self, i, signer):
        intent = ReturnIntent(f"o{i}", 1)
        key = self.keys.get(signer) or Ed25519PrivateKey.generate()
        self._attempt(lambda: self.escrows[i].request_return(intent, sign(intent, key)))

    @rule(i=st.integers(0, 1))
    def accept_return(self, i):
        accept = ReturnAcceptance(f"o{i}", 2)
        self._attempt(lambda: self.escrows[i].accept_return(accept, sign(accept, self.keys["vendor"])))

    @rule(i=st.integers(0, 1), signer=st.sampled_from(["forger", "customer", "node"]))
    def accept_return_not_by_vendor(self, i, signer):
        accept = ReturnAcceptance(f"o{i}", 2)
        key = self.keys.get(signer) or Ed25519PrivateKey.generate()
        self._attempt(lambda: self.escrows[i].accept_return(accept, sign(accept, key)))

    @rule(amount=st.integers(-5, 50))
    def stake(self, amount):
        self._attempt(lambda: self.reg.deposit("md", amount))

    @rule(amount=st.integers(-5, 50))
    def unstake(self, amount):
        self._attempt(lambda: self.reg.withdraw("md", amount))

    @rule(value=st.integers(-5, 50))
    def stock(self, value):
        self._attempt(lambda: self.reg.accept_inventory("md", value))

    @rule(value=st.integers(-5, 50))
    def unstock(self, value):
        self._attempt(lambda: self.reg.release_inventory("md", value))

    @invariant()
    def conserved(self):
        assert self.ledger.total() == self.ledger.supply == 105
        assert all(v >= 0 for v in self.ledger.balances().values())
        for e in self.escrows:
            held = e.amount if e.state in (EscrowState.FUNDED, EscrowState.RETURN_PENDING) else 0
            assert self.ledger.balance(e.account) == held
        assert self.reg.inventory.get("md", 0) <= self.reg.stake("md")


TestEscrowMachine = EscrowMachine.TestCase
TestEscrowMachine.settings = settings(max_examples=100, stateful_step_count=40, deadline=None)


def test_simulation_cli(tmp_path, capsys):
    scenario = {"balances": {"alice": 100, "shop": 5, "md1": 60},
                "orders": [{"id": "o1", "customer": "alice", "vendor": "shop", "amount": 30}],
                "steps": [{"action": "stake", "node": "md1", "amount": 40},
                          {"action": "stock", "node": "md1", "value": 41},
                          {"action": "pay_in", "order": "o1"},
                          {"action": "deliver", "order": "o1", "customer_present": False, "signers": ["driver", "node"]},
                          {"action": "deliver", "order": "o1", "forged": ["node"]},
                          {"action": "deliver", "order": "o1", "customer_present": False, "photo": "porch"},
                          {"action": "request_return", "order": "o1"},
                          {"action": "accept_return", "order": "o1"}]}
    src, out = tmp_path / "s.json", tmp_path / "o.json"
    src.write_text(json.dumps(scenario))
    assert main(["--scenario", str(src), "--json", str(out)]) == 0
    result = json.loads(out.read_text())
    assert [s["ok"] for s in result["steps"]] == [True, False, True, False, False, True, True, True]
    assert "photo hash" in result["steps"][3]["reason"] and "node" in result["steps"][4]["reason"]
    assert result["orders"] == {"o1": "refunded to customer"}
    assert all(sum(s["balances"].values()) == 165 for s in result["steps"])
    scenario["steps"].append({"action": "teleport", "order": "o1"})
    src.write_text(json.dumps(scenario))
    assert main(["--scenario", str(src), "--json", str(out)]) == 2
    assert "steps[8].action" in capsys.readouterr().err
    with pytest.raises(ScenarioError, match=r"orders\[0\]: missing field 'amount'"):
        run_scenario({"balances": {}, "orders": [{"id": "x", "customer": "a", "vendor": "b"}]})


def test_conservation_invariant_catches_a_leaking_ledger():
    """Break the thing checked: a ledger whose transfers lose one token is caught."""
    from hypothesis.stateful import run_state_machine_as_test

    class LeakyLedger(TokenLedger):
        def transfer(self, source, destination, amount):
            super().transfer(source, destination, amount)
            if amount > 1:
                self._balances[destination] -= 1

    class LeakyMachine(EscrowMachine):
        @initialize()
        def setup(self):
            super().setup()
            leaky = LeakyLedger(self.ledger.balances())
            self.ledger = self.reg.ledger = leaky
            for e in self.escrows:
                e.ledger = leaky

    with pytest.raises(AssertionError):
        run_state_machine_as_test(LeakyMachine, settings=settings(max_examples=50, deadline=None))
