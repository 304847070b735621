"""The energy flagship's private session (all four Table 2 households, stages 0–4) on the EVM ledger.

``protocols.energy.private_local.prepare`` opens a SQLite file itself, so `prepare_on` below
repeats its steps on any Ledger (the lead wires ``--ledger`` through ``open_ledger``); the
session itself is the unmodified ``run_local`` → ``group_purchase``.  Today's stage 4 signs with
Ed25519 and proves with SHAKE-256 transcripts, so the contract runs in mode "writer".
"""

from __future__ import annotations

import pytest

pytest.importorskip("web3")
pytest.importorskip("vyper")

from protocols.energy.operator import UtilityOperator  # noqa: E402
from protocols.energy.private_inputs import own_bill_from_receipts, public_info  # noqa: E402
from protocols.energy.private_local import DEFAULT_BALANCE, run_local  # noqa: E402
from protocols.energy.private_payments import Wallet  # noqa: E402
from protocols.energy.private_session import PartySetup  # noqa: E402
from protocols.energy.two_state import decide_join, decision_to_json, two_state_inputs  # noqa: E402
from protocols.energy.scenario import load_scenario  # noqa: E402
from protocols.ledger.evm import open_ledger  # noqa: E402
from protocols.ledger.transactions import prove_initial_balance  # noqa: E402


def prepare_on(ledger, scenario, scheme=None, operator_id="utility"):
    """private_local.prepare with the ledger given instead of a SQLite path."""
    group = ledger.group
    op = UtilityOperator(group, operator_id)
    epoch = op.issue_epoch(scenario)
    op.publish(ledger, epoch)
    info = public_info(scenario)
    wallets = [Wallet.fresh(group, uid, DEFAULT_BALANCE) for uid in info.user_ids]
    for w in wallets:
        ledger.open_account(w.account_id, w.public_key, w.balance_commitment(group),
                            prove_initial_balance(group, w.account_id, w.public_key, w.balance, w.r_balance))
    setups = [PartySetup(info, scheme or scenario.scheme, group, own_bill_from_receipts(uid, epoch.receipts[uid].values()),
                         w, ledger, operator_id, True) for uid, w in zip(info.user_ids, wallets)]
    return setups, wallets


def test_table2_private_session_settles_on_the_evm_ledger():
    scenario = load_scenario("table2")
    ledger = open_ledger("evm")
    assert ledger.mode_name == "writer"
    setups, wallets = prepare_on(ledger, scenario)
    results = run_local(setups, timeout=120.0)
    for r in results:
        assert not isinstance(r, BaseException), repr(r)
    expected = decision_to_json(decide_join(two_state_inputs(scenario), scenario.scheme))
    phi = results[0].result["net_compensation"]
    assert results[0].result["join_slot"] == expected["join_slot"]
    assert phi == expected["net_compensation"] and sum(phi.values()) == 0

    kinds = [e.kind for e in ledger.entries()]
    assert kinds[-2:] == ["multi_transaction", "decision"]
    batch = ledger.entries()[-2].payload
    assert [t["account_id"] for t in batch["transfers"]] == list(phi)
    assert all(n == 0 for n in batch["nonces"].values())
    decision = ledger.entries()[-1].payload
    assert decision["payload"]["join_slot"] == expected["join_slot"]
    # the contract's committed balances are Cm(bal) − Cm(φ): each user's new opening matches them
    for r, w in zip(results, wallets):
        new_bal, new_r = r.new_balance
        st = ledger.account(w.account_id)
        assert st.nonce == 1
        assert st.balance_commitment == ledger.group.commit_point(new_bal, new_r).to_bytes()
        assert new_bal == DEFAULT_BALANCE - phi[w.account_id]
    ledger.verify_chain(deep=True)
    assert ledger.latest_root("utility") == ledger.roots("utility")[-1]
