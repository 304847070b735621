"""Every rejection of the SQLite ledger, made by the contract (modes 1 and 2), plus the honest path."""

from __future__ import annotations

import dataclasses

import pytest

pytest.importorskip("web3")
pytest.importorskip("vyper")

from evm_attacks import ATTACKS  # noqa: E402
from evm_cases import GROUP, batch, fresh_ids, issued_opening, open_holders, settle  # noqa: E402

from protocols.ledger.api import LedgerRejected  # noqa: E402
from protocols.ledger.evm import scheme  # noqa: E402
from protocols.ledger.evm.ledger import EvmLedger  # noqa: E402

_LEDGERS: dict[str, EvmLedger] = {}


def ledger_for(mode: str) -> EvmLedger:
    """One chain per mode for the module: rejected submissions leave the state unchanged."""
    if mode not in _LEDGERS:
        _LEDGERS[mode] = EvmLedger.in_process(mode=mode)
    return _LEDGERS[mode]


# mode 1 verifies every range proof on py-evm (about 2 s each): those cases are marked slow
CASES = [pytest.param(name, mode, id=f"{name}-{mode}",
                      marks=[pytest.mark.slow, pytest.mark.timeout(1800)] if mode == "onchain" else [])
         for name, (_, modes, _) in ATTACKS.items() for mode in modes]
MODES = [pytest.param("attested"), pytest.param("onchain", marks=[pytest.mark.slow, pytest.mark.timeout(1800)])]


@pytest.mark.parametrize("name,mode", CASES)
def test_contract_rejects(name, mode):
    attack, _, reasons = ATTACKS[name]
    ledger = ledger_for(mode)
    with pytest.raises(LedgerRejected) as info:
        attack(ledger)
    assert info.value.reason == reasons[mode], str(info.value)
    if name in ("invalid_point", "invalid_opening_point"):
        # the explicit curve check refuses before any precompile call, which would burn all the gas
        # it is given (the transaction's whole limit); what is left is mostly calldata
        limit = ledger.w3.eth.get_transaction(ledger.last_receipt.transactionHash)["gas"]
        assert ledger.last_receipt.gasUsed < limit // 2, (ledger.last_receipt.gasUsed, limit)


@pytest.mark.parametrize("mode", MODES)
def test_honest_batches_move_committed_balances(mode):
    ledger = ledger_for(mode)
    a, b, c = fresh_ids("honest", 3)
    holders = open_holders(ledger, {a: 100, b: 50, c: 0})
    for phis in ({a: 30, b: -10, c: -20}, {a: -5, b: 25, c: -20}):
        mtx, r = batch(ledger, holders, phis)
        seq = ledger.submit_multi_transaction(mtx)
        settle(holders, phis, r)
        assert ledger.entries()[-1].kind == "multi_transaction" and ledger.head()[0] == seq
    for aid, bal in ((a, 75), (b, 35), (c, 40)):
        assert holders[aid].balance == bal
        st = ledger.account(aid)
        assert st.balance_commitment == holders[aid].balance_commitment(GROUP) and st.nonce == 2
        assert st.public_key == holders[aid].public_key
    ledger.verify_chain()


def test_attested_cosigner_refuses_an_overdraft_but_the_contract_trusts_its_cosigners():
    """Mode 2's trust boundary: the honest co-signer's off-chain check is what stops an overdraft."""
    ledger = ledger_for("attested")
    a, b = fresh_ids("trust", 2)
    holders = open_holders(ledger, {a: 5, b: 0})
    real = holders[a].balance
    holders[a].balance = 100  # a proves against an invented balance
    forged = {a: holders[a].balance_commitment(GROUP), b: ledger.account(b).balance_commitment}
    onchain = {aid: ledger.account(aid).balance_commitment for aid in (a, b)}
    mtx, r_phi = scheme.build_evm_multi_transaction(GROUP, ledger.tag, ledger.mode, holders, {a: 10, b: -10},
                                                    {a: 0, b: 0}, forged, b"trust", attesters=[])
    holders[a].balance = real
    assert scheme.verify_solvency(GROUP, ledger.tag, mtx, b, onchain[b])
    assert not scheme.verify_solvency(GROUP, ledger.tag, mtx, a, onchain[a])  # b checks this and refuses
    # if b signs anyway (colludes), the contract accepts: a's committed balance is now 5 − 10 mod q
    ledger.submit_multi_transaction(mtx)
    negative = GROUP.commit_point(-5, holders[a].r_balance - r_phi[a]).to_bytes()
    assert ledger.account(a).balance_commitment == negative


@pytest.mark.slow
@pytest.mark.timeout(1800)
def test_onchain_mode_refuses_an_unproven_opening_balance_and_checks_the_proof_on_chain():
    ledger = ledger_for("onchain")
    (a,) = fresh_ids("open", 1)
    h = scheme.EvmAccountHolder.fresh(GROUP, a, 10)
    other = scheme.EvmAccountHolder.fresh(GROUP, a, 11)
    good = issued_opening(ledger, h)
    for proof in (other.opening_proof(GROUP, ledger.tag), b""):
        with pytest.raises(LedgerRejected) as info:
            ledger.open_account(dataclasses.replace(good, balance_proof=proof))
        assert info.value.reason == "balance-proof"
    ledger.open_account(good)
    ledger.verify_chain()


def test_mode_is_bound_into_every_signature():
    """A batch signed for the attested deployment does not verify on the on-chain one (another ledger tag)."""
    att, onc = ledger_for("attested"), ledger_for("onchain")
    assert att.tag != onc.tag
    a, b = fresh_ids("cross", 2)
    holders = open_holders(att, {a: 100, b: 0})
    mtx, _ = batch(att, holders, {a: 10, b: -10})
    with pytest.raises(LedgerRejected):
        onc.submit_multi_transaction(mtx)  # a and b do not even exist there
