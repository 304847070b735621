"""The energy flagship's private session (all four Table 2 households, stages 0–4) on the EVM ledger,
in each mode: the unmodified ``run_local`` → ``group_purchase``; the households sign and prove
with whatever scheme the ledger asks for (``ledger.payment_scheme()``)."""

from __future__ import annotations

import pytest

pytest.importorskip("web3")
pytest.importorskip("vyper")

from protocols.energy.market import public_info  # noqa: E402
from protocols.energy.private.bills import own_bill_from_receipts  # noqa: E402
from protocols.energy.private.local import DEFAULT_BALANCE, run_local  # noqa: E402
from protocols.energy.private.session import PartySetup  # noqa: E402
from protocols.energy.private.wallet import Wallet  # noqa: E402
from protocols.energy.reference.two_state import decide_join, decision_to_json, two_state_inputs  # noqa: E402
from protocols.energy.scenarios.loader import load_scenario  # noqa: E402
from protocols.energy.utility_operator import UtilityOperator  # noqa: E402
from protocols.ledger import authorise_issuance, authorise_operator  # noqa: E402
from protocols.ledger.evm import open_ledger  # noqa: E402
from protocols.ledger.evm.payment_scheme import payment_scheme  # noqa: E402


def prepare_on(ledger, scenario, operator_id="utility", open_now=False):
    """private.local.prepare on any Ledger: the operator publishes, the issuer authorises every
    wallet's opening balance (under the key the ledger's scheme uses); Stage 0 opens the accounts
    unless ``open_now``."""
    group, issuer, scheme = ledger.group, ledger.dev_issuer, payment_scheme(ledger)
    op = UtilityOperator(group, operator_id)
    epoch = op.issue_epoch(scenario, ledger_id=ledger.ledger_id, epoch=1)
    op.publish(ledger, epoch, authorise_operator(issuer, ledger.ledger_id, operator_id, op.public_key))
    info = public_info(scenario)
    wallets = [Wallet.fresh(group, uid, DEFAULT_BALANCE) for uid in info.user_ids]
    for w in wallets:
        w.issuance = authorise_issuance(issuer, group, ledger.ledger_id, w.account_id,
                                        scheme.public_key(w.signing_key), w.balance, w.r_balance)
        if open_now:
            ledger.open_account(scheme.open_account_request(group, ledger.ledger_id, w.account_id, w.signing_key,
                                                            w.balance, w.r_balance, w.issuance))
    setups = [PartySetup(info, scenario.scheme, group, own_bill_from_receipts(uid, epoch.receipts[uid].values()),
                         w, ledger, operator_id, True) for uid, w in zip(info.user_ids, wallets)]
    return setups, wallets


# writer mode and the range-proof test run in the EVM step of .ci/run (-m ""): the default suite keeps one flagship
MODES = [pytest.param("attested"), pytest.param("writer", marks=pytest.mark.slow),
         pytest.param("onchain", marks=[pytest.mark.slow, pytest.mark.timeout(3600)])]


@pytest.mark.timeout(1800)
@pytest.mark.parametrize("mode", MODES)
def test_table2_private_session_settles_on_the_evm_ledger(mode):
    scenario = load_scenario("table2")
    ledger = open_ledger(f"evm:{mode}")
    setups, wallets = prepare_on(ledger, scenario)
    results = run_local(setups, timeout=600.0)
    for r in results:
        assert not isinstance(r, BaseException), repr(r)
    expected = decision_to_json(decide_join(two_state_inputs(scenario), scenario.scheme))
    phi = results[0].result["net_compensation"]
    assert results[0].result["join_slot"] == expected["join_slot"]
    assert phi == expected["net_compensation"] and sum(phi.values()) == 0

    entries = ledger.entries()
    assert [e.kind for e in entries].count("open_account") == 4        # opened in Stage 0
    assert [e.kind for e in entries[-2:]] == ["multi_transaction", "decision"]
    batch = entries[-2].payload
    assert [t["account_id"] for t in batch["transfers"]] == list(phi)
    assert all(n == 0 for n in batch["nonces"].values())
    assert entries[-1].payload["payload"]["join_slot"] == expected["join_slot"]
    scheme = payment_scheme(ledger)
    # the contract's committed balances are Cm(bal) − Cm(φ): each user's new opening matches them
    for r, w in zip(results, wallets):
        new_bal, new_r = r.new_balance
        st = ledger.account(w.account_id)
        assert st.nonce == 1 and st.public_key == scheme.public_key(w.signing_key)
        assert st.balance_commitment == ledger.group.commit_point(new_bal, new_r).to_bytes()
        assert new_bal == DEFAULT_BALANCE - phi[w.account_id]
    if mode != "writer":  # the batch carries one secp256k1 signature per household, checked by ecrecover
        assert ledger.gas_log[-2][0] == "execute"
        assert [f for f, _ in ledger.gas_log].count("proveSolvency") == (4 if mode == "onchain" else 0)
    ledger.verify_chain()
    assert ledger.latest_root("utility") == ledger.roots("utility")[-1]


def test_every_household_refuses_a_chain_holding_an_entry_the_contract_could_not_check():
    """The contract cannot check Ed25519: an opening the issuer never signed is recorded if the
    writer sends it; every household re-verifies what it reads and the session aborts at all."""
    from protocols.ledger.evm import encoding as enc
    from protocols.ledger.evm import scheme as evm_scheme
    from protocols.ledger.evm.contract import GAS
    from protocols.ledger.replica import LedgerDivergence

    ledger = open_ledger("evm:attested")
    setups, _ = prepare_on(ledger, load_scenario("table2"))
    h = evm_scheme.EvmAccountHolder.fresh(ledger.group, "minted", 10**15)
    forged = h.account_opening(ledger.group, ledger.tag, bytes(64))   # no issuer signature: minted
    blob = forged.to_bytes()
    ledger._send("openAccount", enc.account_key("minted"), "minted", ledger.w3.to_checksum_address(
        "0x" + h.address.hex()), h.public_key, list(enc.point_words(forged.balance_commitment)), blob,
        gas=GAS["openAccount"](len(blob)))
    results = run_local(setups, timeout=600.0)
    assert all(isinstance(r, LedgerDivergence) for r in results), results
    assert all("issuer" in str(r) for r in results)
    assert [e.kind for e in ledger.entries()].count("multi_transaction") == 0


@pytest.mark.slow
def test_attested_households_sign_only_after_every_range_proof_checks():
    """Mode (b): household 1's range proof arrives corrupted; the others abort before any
    signature is broadcast (the signature would vouch for that proof), nothing is submitted."""
    from mpc.errors import ProofFailure
    from mpc.field import PrimeField
    from mpc.testing import TamperingSession

    ledger = open_ledger("evm:attested")
    setups, _ = prepare_on(ledger, load_scenario("table2"))
    signatures_sent = []

    def watch(session, payload):   # every party's outgoing broadcasts; party 1 corrupts its proof
        if session.meter.current != "stage4_payments":
            return None
        if len(payload) == 65 and session.pid != 1:
            signatures_sent.append(session.pid)
        if session.pid == 1 and payload[:1] == b"\x01" and len(payload) > 1000:   # 0x01 ‖ compact range proof
            return payload[:100] + bytes([payload[100] ^ 1]) + payload[101:]
        return None

    field = PrimeField(ledger.group.order)
    results = run_local(setups, timeout=600.0, session_factory=lambda pid, transport, prep: TamperingSession(
        transport, prep, field, open_mode="auto", tamper=watch))
    for pid, r in enumerate(results):
        if pid != 1:
            assert isinstance(r, ProofFailure) and "solvency proof" in str(r) and "u2" in str(r), repr(r)
    assert signatures_sent == []
    assert [e.kind for e in ledger.entries()].count("multi_transaction") == 0
