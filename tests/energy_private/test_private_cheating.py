"""Every check of the private group purchase fires: the honest parties abort naming it, nothing is recorded.

The accounts are opened before the session (tokens bought beforehand), so after an abort the
ledger holds exactly the entries it had before the session started.
"""

from __future__ import annotations

import dataclasses

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from mpc.errors import InputOutOfRange, MacCheckFailure, ProofFailure
from mpc.testing import cheating_factory, tampering_factory
from mpc.field import PrimeField
from private_cases import LedgerWithRoot, reference_json, run_private, table2_dict
from protocols.energy.scenarios.loader import parse_scenario
from protocols.ledger import default_group
from protocols.ledger.api import LedgerRejected
from zkp.merkle import InclusionProof
from zkp.signatures import SignedRoot, sign_root

DATA = table2_dict(days=6)          # 4 users, join at slot 6
CHEATER = 1


def _assert_all_honest_abort(results, exc_type, *needles, cheater=CHEATER):
    for pid, r in enumerate(results):
        if pid == cheater:
            continue
        assert isinstance(r, exc_type), f"party {pid} returned {r!r}"
        for needle in needles:
            assert needle in str(r), f"party {pid}: {r}"


def _assert_ledger_untouched(ledger, before):
    assert len(ledger.entries()) == before
    assert all(ledger.account(f"u{k}").nonce == 0 for k in range(1, 5))


def test_reference_joins_at_slot_6():
    assert reference_json(parse_scenario(DATA))["join_slot"] == 6


def test_user_sharing_other_values_than_its_committed_bill_is_caught_by_dzkpcm():
    def mutate(setups, epoch):
        setups[CHEATER].bill.values[2][0] += 1000   # one period's energy of slot 3
    results, ledger, before = run_private(DATA, mutate=mutate)
    _assert_all_honest_abort(results, ProofFailure, "dzkpCm", f"party {CHEATER}")
    _assert_ledger_untouched(ledger, before)


def test_wrong_merkle_path_aborts():
    def mutate(setups, epoch):
        p = setups[CHEATER].bill.proofs[0]
        bad = bytes([p.path[0][0] ^ 1]) + p.path[0][1:]
        setups[CHEATER].bill.proofs[0] = InclusionProof(p.index, p.tree_size, (bad,) + p.path[1:])
    results, ledger, before = run_private(DATA, mutate=mutate)
    _assert_all_honest_abort(results, ProofFailure, "Merkle inclusion", f"party {CHEATER}", "slot 1")
    _assert_ledger_untouched(ledger, before)


def test_receipts_of_another_slot_or_user_do_not_pass():
    def swap_slots(setups, epoch):
        b = setups[CHEATER].bill
        b.commitments[0], b.commitments[1] = b.commitments[1], b.commitments[0]
        b.proofs[0], b.proofs[1] = b.proofs[1], b.proofs[0]
    results, _, _ = run_private(DATA, mutate=swap_slots)
    _assert_all_honest_abort(results, ProofFailure, "Merkle inclusion", f"party {CHEATER}")

    def steal(setups, epoch):   # present user 3's leaves (valid under the root) as one's own
        victim = setups[2].bill
        setups[CHEATER].bill.commitments = [list(c) for c in victim.commitments]
        setups[CHEATER].bill.proofs = list(victim.proofs)
    results, _, _ = run_private(DATA, mutate=steal)
    _assert_all_honest_abort(results, ProofFailure, "Merkle inclusion", f"party {CHEATER}")


def test_forged_operator_signature_aborts_and_the_ledger_refuses_it():
    forger = Ed25519PrivateKey.generate()

    def mutate(setups, epoch):
        real = epoch.signed_root
        forged = sign_root(forger, epoch.tree, real.timestamp + 1, operator_id=real.operator_id,
                           ledger_id=real.ledger_id, epoch=real.epoch + 1)
        assert forged.root == real.root
        for s in setups:   # every party reads the forged root instead of the ledger's
            s.ledger = LedgerWithRoot(s.ledger, forged)
        mutate.forged = forged
    results, ledger, before = run_private(DATA, mutate=mutate)
    _assert_all_honest_abort(results, ProofFailure, "operator signature", cheater=None)
    _assert_ledger_untouched(ledger, before)
    with pytest.raises(LedgerRejected) as info:
        ledger.publish_root("utility", mutate.forged)
    assert info.value.reason == "operator-signature"
    tampered = dataclasses.replace(ledger.latest_root("utility"), timestamp=ledger.latest_root("utility").timestamp + 5)
    assert isinstance(tampered, SignedRoot)
    with pytest.raises(LedgerRejected):
        ledger.publish_root("utility", tampered)


@pytest.mark.parametrize("kind", ["value", "triple"])
def test_tampered_share_fails_the_mac_check(kind):
    factory = cheating_factory(kind, CHEATER, PrimeField(default_group().order))
    results, ledger, before = run_private(DATA, session_factory=factory)
    _assert_all_honest_abort(results, MacCheckFailure, "MAC check")
    _assert_ledger_untouched(ledger, before)


def _payer() -> int:
    phi = reference_json(parse_scenario(DATA))["net_compensation"]
    return max(range(4), key=lambda k: phi[f"u{k + 1}"])


def test_payment_that_overdraws_aborts_before_submission():
    payer = _payer()
    balances = [10**13] * 4
    balances[payer] = 1_000   # 1 µ$ of tokens, far below its φ
    results, ledger, before = run_private(DATA, balance=balances)
    _assert_all_honest_abort(results, InputOutOfRange, "solvency", f"u{payer + 1}", cheater=None)
    _assert_ledger_untouched(ledger, before)


def _commit_to_phi_plus_one(session, payload):
    """Stage 4's first point-sized broadcast is Cm(φ_i, r_i): send Cm(φ_i + 1, r_i) instead."""
    group = default_group()
    if session.meter.current == "stage4_payments" and len(payload) == group.point_size \
            and not getattr(session, "_done", False):
        session._done = True
        return (group.decode(payload) + group.G).to_bytes()
    return None


def _corrupt_solvency_proof(session, payload):
    """Stage 4's signature-and-proof broadcast (0x01 ‖ signature ‖ proof): flip a proof byte."""
    if session.meter.current == "stage4_payments" and payload[:1] == b"\x01" and len(payload) > 200:
        return payload[:100] + bytes([payload[100] ^ 1]) + payload[101:]
    return None


@pytest.mark.parametrize("tamper,exc,needle", [(_commit_to_phi_plus_one, ProofFailure, "dzkpCm"),
                                               (_corrupt_solvency_proof, ProofFailure, "solvency proof")])
def test_payment_cheats_abort(tamper, exc, needle):
    factory = tampering_factory(tamper, CHEATER, PrimeField(default_group().order))
    results, ledger, before = run_private(DATA, session_factory=factory)
    _assert_all_honest_abort(results, exc, needle)
    _assert_ledger_untouched(ledger, before)


def test_replayed_multi_transaction_is_refused():
    results, ledger, before = run_private(DATA)
    assert not any(isinstance(r, BaseException) for r in results)
    mtx = results[0].mtx
    assert mtx is not None and results[1].mtx is None
    n_entries = len(ledger.entries())
    assert n_entries == before + 2
    with pytest.raises(LedgerRejected) as info:
        ledger.submit_multi_transaction(mtx)
    assert info.value.reason == "nonce"
    assert len(ledger.entries()) == n_entries
    assert all(ledger.account(f"u{k}").nonce == 1 for k in range(1, 5))
