"""The utility operator's receipts: right integers committed, signed root on the ledger, every forgery caught."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger_cases import GROUP, create_ledger, keys_of
from protocols.energy.model import Plan
from protocols.energy.utility_operator import (Receipt, ReceiptInvalid, ReceiptValues, UtilityOperator,
                                       check_receipt, receipt_values, verify_receipt)
from protocols.energy.scenarios.loader import load_scenario, parse_scenario
from protocols.energy.reference.two_state import two_state_inputs
from protocols.ledger import LedgerRejected
from protocols.ledger.issuance import authorise_operator
from zkp.merkle import InclusionProof, MerkleTree
from zkp.signatures import generate_operator_key, sign_root

SCENARIO = load_scenario("table2")
NO_LEDGER = bytes(16)  # receipts checked against the operator's key only, without a ledger


def authorisation(ledger, op: UtilityOperator):
    return authorise_operator(keys_of(ledger).issuer, ledger.ledger_id, op.operator_id, op.public_key)


@pytest.fixture
def published(tmp_path):
    ledger = create_ledger(tmp_path / "ledger.sqlite")
    op = UtilityOperator(GROUP, "utility")
    epoch = op.issue_epoch(SCENARIO, 1, 5, timestamp=1_800_000_000, ledger_id=ledger.ledger_id, epoch=1)
    op.publish(ledger, epoch, authorisation(ledger, op))
    yield ledger, op, epoch
    ledger.close()


def _export_scenario():
    """Two users, one of them exporting in the off-peak period, with a non-zero export price."""
    return parse_scenario({
        "timeslot": "day",
        "periods": [{"name": "peak", "hours": list(range(8, 20))},
                    {"name": "offpeak", "hours": list(range(0, 8)) + list(range(20, 24))}],
        "plans": [
            {"id": "standard", "import_price": {"peak": 1600000, "offpeak": 1000000},
             "export_price": {"peak": 50000, "offpeak": 40000}, "connection_fee": 2000,
             "disconnection_fee": 16000000, "contract_slots": 2, "min_users": 1},
            {"id": "group", "import_price": {"peak": 600000, "offpeak": 300000},
             "export_price": {"peak": 0, "offpeak": 0}, "connection_fee": 0,
             "disconnection_fee": 30000000, "contract_slots": 365, "min_users": 1},
        ],
        "group_plan": "group",
        "users": [{"id": "a", "initial_plan": "standard", "slots_on_plan": 1, "energy_wh": [[100, -250], [0, 7], [3, 4]]},
                  {"id": "b", "initial_plan": "standard", "slots_on_plan": 0, "energy_wh": [[5, 6], [7, 8], [9, 10]]}],
        "scheme": "egalitarian",
    })


def test_committed_integers_match_the_reference_inputs():
    sc = _export_scenario()
    values = receipt_values(sc)
    inputs = two_state_inputs(sc)
    a = values["a"]
    assert a[0] == ReceiptValues(a=(100, -250), beta=(1, 0), kappa=100 * 1600000 - 250 * 40000, mu=2_000_000,
                                 v=16_000_000_000)
    assert a[0].as_list() == [100, -250, 1, 0, 150_000_000, 2_000_000, 16_000_000_000]
    assert a[2].v == 0  # slots_on_plan 1 + 2 elapsed > contract_slots 2
    for i, uid in enumerate(inputs.user_ids):
        for t, rv in enumerate(values[uid]):
            assert (rv.kappa, rv.mu, rv.v) == (inputs.kappa[i][t], inputs.mu[i], inputs.v[i][t])
            assert ReceiptValues.from_list(rv.as_list()) == rv


def test_negative_values_are_committed_mod_q():
    op = UtilityOperator(GROUP)
    epoch = op.issue_epoch(_export_scenario(), timestamp=1, ledger_id=NO_LEDGER, epoch=1)
    r = epoch.receipts["a"][1]
    assert r.values.a[1] == -250
    assert GROUP.decode(r.commitments[1]) == GROUP.commit_point(GROUP.order - 250, r.randomness[1])
    check_receipt(op.public_key, epoch.signed_root, r, group=GROUP)


def test_every_receipt_verifies_against_the_ledger(published):
    ledger, op, epoch = published
    assert epoch.tree.size == 4 * 5
    assert ledger.latest_root("utility") == epoch.signed_root
    for uid, per_slot in epoch.receipts.items():
        assert sorted(per_slot) == [1, 2, 3, 4, 5]
        for r in per_slot.values():
            assert verify_receipt(ledger, "utility", r) == epoch.signed_root
            assert len(r.commitments) == 2 * 2 + 3 and len(r.proof.path) <= 5  # ≤ ⌈log2 20⌉


def test_receipts_of_several_epochs(published):
    ledger, op, first = published
    second = op.issue_epoch(SCENARIO, 6, 14, timestamp=1_800_000_100, ledger_id=ledger.ledger_id, epoch=2)
    op.publish(ledger, second)
    assert ledger.roots("utility") == [first.signed_root, second.signed_root]
    verify_receipt(ledger, "utility", first.receipts["u2"][3])
    verify_receipt(ledger, "utility", second.receipts["u2"][14])


def _expect(ledger, receipt, check, **kw):
    with pytest.raises(ReceiptInvalid) as info:
        verify_receipt(ledger, "utility", receipt, **kw)
    assert info.value.check == check, str(info.value)


def test_wrong_merkle_path_is_refused(published):
    ledger, _, epoch = published
    r = epoch.receipts["u1"][2]
    path = list(r.proof.path)
    path[1] = bytes([path[1][0] ^ 1]) + path[1][1:]
    _expect(ledger, dataclasses.replace(r, proof=InclusionProof(r.proof.index, r.proof.tree_size, tuple(path))),
            "merkle-path")
    # another leaf's path, and the right path with the wrong index
    _expect(ledger, dataclasses.replace(r, proof=epoch.receipts["u1"][3].proof), "merkle-path")
    _expect(ledger, dataclasses.replace(r, proof=InclusionProof(r.proof.index ^ 1, r.proof.tree_size, r.proof.path)),
            "merkle-path")
    _expect(ledger, dataclasses.replace(r, proof=InclusionProof(r.proof.index, r.proof.tree_size + 1, r.proof.path)),
            "tree-size")


def test_a_leaf_cannot_be_claimed_by_another_user_or_slot(published):
    ledger, _, epoch = published
    r = epoch.receipts["u1"][2]
    _expect(ledger, dataclasses.replace(r, user_id="u2"), "merkle-path")
    _expect(ledger, dataclasses.replace(r, slot=3), "merkle-path")


def test_changed_commitment_or_value_is_refused(published):
    ledger, _, epoch = published
    r = epoch.receipts["u3"][1]
    cms = list(r.commitments)
    cms[4] = GROUP.commit_point(0, 1).to_bytes()  # a cheaper κ
    _expect(ledger, dataclasses.replace(r, commitments=tuple(cms)), "merkle-path")
    cheaper = dataclasses.replace(r.values, kappa=r.values.kappa - 1)
    _expect(ledger, dataclasses.replace(r, values=cheaper), "opening")
    # others see commitments only and do not check openings
    verify_receipt(ledger, "utility", dataclasses.replace(r, values=cheaper), check_openings=False)


def test_inconsistent_beta_is_refused():
    """An operator that commits β ≠ 1{a ≥ 0} is caught by the receipt's owner."""
    op = UtilityOperator(GROUP)
    import protocols.energy.utility_operator.utility as mod
    orig = mod.receipt_values

    def wrong(sc):
        vals = orig(sc)
        vals["b"][0] = dataclasses.replace(vals["b"][0], beta=(0, 1))
        return vals
    mod.receipt_values = wrong
    try:
        epoch = op.issue_epoch(_export_scenario(), timestamp=5, ledger_id=NO_LEDGER, epoch=1)
    finally:
        mod.receipt_values = orig
    with pytest.raises(ReceiptInvalid) as info:
        check_receipt(op.public_key, epoch.signed_root, epoch.receipts["b"][1], group=GROUP)
    assert info.value.check == "beta"


def test_forged_operator_signature_is_refused(published):
    ledger, op, epoch = published
    impostor = generate_operator_key()
    fake_tree = MerkleTree([b"fake"])
    forged = sign_root(impostor, fake_tree, 1_900_000_000, operator_id="utility", ledger_id=ledger.ledger_id, epoch=2)
    with pytest.raises(LedgerRejected) as info:
        ledger.publish_root("utility", forged)
    assert info.value.reason == "operator-signature"
    # the genuine signature on a different root
    swapped = dataclasses.replace(epoch.signed_root, root=fake_tree.root, epoch=2,
                                  timestamp=epoch.signed_root.timestamp + 1)
    with pytest.raises(LedgerRejected) as info:
        ledger.publish_root("utility", swapped)
    assert info.value.reason == "operator-signature"
    assert ledger.roots("utility") == [epoch.signed_root]
    # a receipt checked against a forged signed root fails too
    r = epoch.receipts["u1"][1]
    bad = dataclasses.replace(epoch.signed_root, signature=bytes(64))
    with pytest.raises(ReceiptInvalid) as e:
        check_receipt(op.public_key, bad, r, group=GROUP)
    assert e.value.check == "operator-signature"


def test_root_rules(published, tmp_path):
    ledger, op, epoch = published
    with pytest.raises(LedgerRejected) as info:  # the same root again: an old root cannot become "latest"
        ledger.publish_root("utility", epoch.signed_root)
    assert info.value.reason == "root-epoch"
    later_same_epoch = op.issue_epoch(SCENARIO, 1, 1, timestamp=1_900_000_000, ledger_id=ledger.ledger_id, epoch=1)
    with pytest.raises(LedgerRejected) as info:
        ledger.publish_root("utility", later_same_epoch.signed_root)
    assert info.value.reason == "root-epoch"
    earlier = op.issue_epoch(SCENARIO, 1, 1, timestamp=1_700_000_000, ledger_id=ledger.ledger_id, epoch=2)
    with pytest.raises(LedgerRejected) as info:
        ledger.publish_root("utility", earlier.signed_root)
    assert info.value.reason == "root-timestamp"
    with pytest.raises(LedgerRejected) as info:
        ledger.publish_root("nobody", epoch.signed_root)
    assert info.value.reason == "unknown-operator"
    with pytest.raises(LedgerRejected) as info:
        ledger.register_operator(authorisation(ledger, op))
    assert info.value.reason == "duplicate-operator"
    with pytest.raises(LedgerRejected) as info:
        ledger.latest_root("other")
    assert info.value.reason == "no-root"
    other = create_ledger(tmp_path / "other.sqlite")
    r = epoch.receipts["u1"][1]
    with pytest.raises(ReceiptInvalid) as e:
        verify_receipt(other, "utility", r)
    assert e.value.check == "unknown-operator"
    op2 = UtilityOperator(GROUP, "utility")
    op2.publish(other, op2.issue_epoch(SCENARIO, 1, 1, timestamp=3, ledger_id=other.ledger_id, epoch=1),
                authorisation(other, op2))
    with pytest.raises(ReceiptInvalid) as e:
        verify_receipt(other, "utility", r)
    assert e.value.check == "root-not-published"
    with pytest.raises(ValueError, match="another key"):
        op.publish(other, epoch)
    other.close()
    fresh = create_ledger(tmp_path / "fresh.sqlite")
    with pytest.raises(ValueError, match="no issuer authorisation"):
        op.publish(fresh, epoch)
    fresh.close()


def test_root_signature_binds_operator_ledger_and_epoch(published, tmp_path):
    """Finding 7: one key registered under two ids, on two ledgers: a root is accepted only where it was
    signed for — its operator id, its ledger id — and only once per epoch."""
    ledger, op, epoch = published
    ledger.register_operator(authorise_operator(keys_of(ledger).issuer, ledger.ledger_id, "grid", op.public_key))
    later = op.issue_epoch(SCENARIO, 6, 7, timestamp=1_800_000_200, ledger_id=ledger.ledger_id, epoch=2)
    with pytest.raises(LedgerRejected) as info:  # utility's root presented as grid's
        ledger.publish_root("grid", later.signed_root)
    assert info.value.reason == "operator-id"
    relabelled = dataclasses.replace(later.signed_root, operator_id="grid")
    with pytest.raises(LedgerRejected) as info:  # ... or relabelled: the signature covers the id
        ledger.publish_root("grid", relabelled)
    assert info.value.reason == "operator-signature"
    other = create_ledger(tmp_path / "other.sqlite", keys_of(ledger))  # same writer and issuer, another ledger
    op.publish(other, op.issue_epoch(SCENARIO, 1, 1, timestamp=5, ledger_id=other.ledger_id, epoch=1),
               authorisation(other, op))
    with pytest.raises(LedgerRejected) as info:  # a root of the first ledger replayed on the second
        other.publish_root("utility", later.signed_root)
    assert info.value.reason == "ledger-id"
    with pytest.raises(LedgerRejected) as info:
        other.publish_root("utility", dataclasses.replace(later.signed_root, ledger_id=other.ledger_id))
    assert info.value.reason == "operator-signature"
    ledger.publish_root("utility", later.signed_root)
    other.close()


def test_receipt_json_round_trip(published):
    _, _, epoch = published
    r = epoch.receipts["u4"][5]
    assert Receipt.from_json(json.loads(json.dumps(r.to_json()))) == r


@settings(max_examples=10, deadline=None)
@given(st.lists(st.lists(st.integers(-20_000, 20_000), min_size=2, max_size=2), min_size=1, max_size=4),
       st.integers(0, 400))
def test_random_bills_open_and_price_correctly(rows, slots_on_plan):
    """Any energy rows: every receipt opens, β = 1{a ≥ 0}, and κ is the plan's price of a with that β."""
    sc = _export_scenario()
    user = dataclasses.replace(sc.users[0], energy_wh=tuple(tuple(r) for r in rows), slots_on_plan=slots_on_plan)
    sc = dataclasses.replace(sc, users=(user,))
    op = UtilityOperator(GROUP)
    epoch = op.issue_epoch(sc, timestamp=7, ledger_id=NO_LEDGER, epoch=1)
    plan: Plan = sc.plan("standard")
    for t, r in epoch.receipts["a"].items():
        check_receipt(op.public_key, epoch.signed_root, r, group=GROUP)
        v = r.values
        assert v.kappa == sum(a * (pi if b else pe) for a, b, pi, pe in
                              zip(v.a, v.beta, plan.import_price, plan.export_price))
        assert v.v == (plan.disconnection_fee if slots_on_plan + t - 1 <= plan.contract_slots else 0)


def test_operator_cli(tmp_path):
    work = tmp_path / "run"
    led = work / "ledger" / "ledger.sqlite"
    run = lambda *a: subprocess.run([sys.executable, "-m", "protocols.energy.utility_operator", *a],  # noqa: E731
                                    capture_output=True, text=True, timeout=120)
    ok = run("publish", "--scenario", "table2", "--workdir", str(work), "--slots", "1:3", "--timestamp", "100")
    assert ok.returncode == 0, ok.stderr
    assert "20 leaves" not in ok.stderr and "12 leaves" in ok.stderr
    homes = work / "households"
    assert sorted(p.name for p in homes.iterdir()) == ["u1", "u2", "u3", "u4"]
    assert all((h / "receipts.json").stat().st_mode & 0o077 == 0 for h in homes.iterdir())
    first = (homes / "u1" / "receipts.json").read_text()
    again = run("publish", "--scenario", "table2", "--workdir", str(work), "--slots", "4:6", "--timestamp", "200")
    assert again.returncode == 0, again.stderr
    (tmp_path / "u1-epoch1.json").write_text(first)
    v = run("verify", "--ledger", str(led), str(tmp_path / "u1-epoch1.json"), str(homes / "u2" / "receipts.json"))
    assert v.returncode == 0 and v.stdout.count("ok ") == 6, v.stdout + v.stderr
    doc = json.loads((homes / "u3" / "receipts.json").read_text())
    doc["receipts"][0]["values"][4] -= 1000  # claim a lower bill
    (homes / "u3" / "receipts.json").write_text(json.dumps(doc))
    bad = run("verify", "--ledger", str(led), str(homes / "u3" / "receipts.json"))
    assert bad.returncode == 1 and "INVALID" in bad.stdout and "opening" in bad.stdout
    stale = run("publish", "--scenario", "table2", "--workdir", str(work), "--timestamp", "150")
    assert stale.returncode == 2 and "root-timestamp" in stale.stderr
    for args, field in ((["--slots", "0:2"], "--slots"), (["--scenario", "nope"], "--scenario")):
        base = {"--scenario": "table2", "--slots": "1:2"}
        base.update(dict(zip(args[::2], args[1::2])))
        r = run("publish", "--workdir", str(work), *[x for kv in base.items() for x in kv])
        assert r.returncode == 2 and field in r.stderr and "Traceback" not in r.stderr
        assert len(r.stderr.strip().splitlines()) == 1
    (work / "operator" / "operator.key").write_text("zz")
    r = run("publish", "--scenario", "table2", "--workdir", str(work))
    assert r.returncode == 2 and "operator key" in r.stderr
