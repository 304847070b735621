"""End to end on the ledger with the plaintext reference standing in for the MPC:
operator receipts → decision → concealed payment of the net compensations φ_i."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ledger_cases import GROUP, create_ledger, keys_of
from protocols.energy.utility_operator import UtilityOperator, verify_receipt
from protocols.energy.scenarios.loader import load_scenario
from protocols.energy.reference.two_state import decide_join, decision_to_json, two_state_inputs
from protocols.ledger import SQLiteLedger, authorise_issuance, authorise_operator, open_account_request
from protocols.ledger.transactions import PartySecrets, build_multi_transaction, next_balance_opening, raw_public_key

DEPOSIT = 100 * 10**9  # 100 $ in n$


@pytest.mark.parametrize("scheme", ["egalitarian", "proportional"])
def test_table2_settles_on_the_ledger(tmp_path, scheme):
    scenario = load_scenario("table2")
    ledger = create_ledger(tmp_path / "energy.sqlite")
    issuer = keys_of(ledger).issuer
    op = UtilityOperator(GROUP, "utility")
    epoch = op.issue_epoch(scenario, timestamp=1_800_000_000, ledger_id=ledger.ledger_id, epoch=1)
    op.publish(ledger, epoch, authorise_operator(issuer, ledger.ledger_id, "utility", op.public_key))

    decision = decide_join(two_state_inputs(scenario), scheme)
    assert decision.join_slot is not None
    # every user's inputs up to the join slot are backed by a published receipt
    for uid in decision.user_ids:
        for t in range(1, decision.join_slot + 1):
            verify_receipt(ledger, "utility", epoch.receipts[uid][t])
    result = decision_to_json(decision)
    phi = result["net_compensation"]
    assert sum(phi.values()) == 0 and any(v > 0 for v in phi.values())

    keys, r_bal = {}, {}
    for uid in decision.user_ids:
        keys[uid] = Ed25519PrivateKey.generate()
        r_bal[uid] = GROUP.random_scalar()
        issued = authorise_issuance(issuer, GROUP, ledger.ledger_id, uid, raw_public_key(keys[uid]), DEPOSIT,
                                    r_bal[uid])
        ledger.open_account(open_account_request(GROUP, ledger.ledger_id, uid, keys[uid], DEPOSIT, r_bal[uid], issued))
    r_phi = {uid: GROUP.random_scalar() for uid in decision.user_ids}
    parties = {uid: PartySecrets(phi[uid], r_phi[uid], DEPOSIT, r_bal[uid], keys[uid]) for uid in decision.user_ids}
    mtx = build_multi_transaction(GROUP, parties, {u: 0 for u in parties}, context=f"energy/{scheme}".encode(),
                                  ledger_id=ledger.ledger_id)
    ledger.submit_multi_transaction(mtx)
    ledger.record_decision("energy.group-purchase", {k: result[k] for k in ("join_slot", "scheme", "group")})

    for uid in decision.user_ids:
        bal, r = next_balance_opening(GROUP, DEPOSIT, r_bal[uid], phi[uid], r_phi[uid])
        assert bal == DEPOSIT - phi[uid]
        assert ledger.account(uid).balance_commitment == GROUP.commit_point(bal, r).to_bytes()
    ledger.close()
    with SQLiteLedger(tmp_path / "energy.sqlite", GROUP) as again:
        assert [e.kind for e in again.entries()][-2:] == ["multi_transaction", "decision"]
