"""An account holder checks its own transfer with a Merkle path and signs the short body;
the ledger accepts exactly those signatures and proofs."""
from __future__ import annotations

import dataclasses

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ledger_cases import GROUP
from protocols.ledger.transactions import (Transfer, commit_amount, new_multi_transaction, prove_solvency,
                                           prove_solvency_for_body, verify_signature, verify_solvency_proof)

LEDGER_ID = b"L" * 16


def _mtx(n: int = 5):
    cms = {f"a{i}": commit_amount(GROUP, 7 * i - 14) for i in range(n)}
    mtx = new_multi_transaction([Transfer(a, c) for a, (c, _) in cms.items()], {a: i for i, a in enumerate(cms)},
                                context=b"ctx", ledger_id=LEDGER_ID)
    return mtx, cms


def test_a_request_yields_the_body_and_proofs_verify_against_the_full_transaction():
    mtx, cms = _mtx()
    key = Ed25519PrivateKey.generate()
    req = mtx.signing_request("a3")
    body = req.body_bytes()
    assert body == mtx.body_bytes() and len(req.path) <= 3
    mtx.signatures["a3"] = key.sign(body)
    from protocols.ledger.transactions import raw_public_key
    assert verify_signature(raw_public_key(key), mtx, "a3")
    phi, opening = 7 * 3 - 14, cms["a3"][1]
    proof = prove_solvency_for_body(GROUP, body, "a3", req.amount_commitment, 100, 5, phi, int(opening.r))
    mtx.solvency_proofs["a3"] = proof
    assert verify_solvency_proof(GROUP, mtx, "a3", GROUP.commit_point(100, 5).to_bytes())
    assert prove_solvency(GROUP, mtx, "a3", 100, 5, phi, int(opening.r))   # the same statement from the whole tx


@pytest.mark.parametrize("field,value", [("amount_commitment", None), ("nonce", 99), ("index", 2),
                                         ("account_id", "a2")])
def test_a_request_that_misstates_the_accounts_transfer_is_refused(field, value):
    mtx, cms = _mtx()
    req = mtx.signing_request("a3")
    if field == "amount_commitment":
        value = cms["a2"][0]
    bad = dataclasses.replace(req, **{field: value})
    with pytest.raises(ValueError, match="not in the body"):
        bad.body_bytes()


def test_every_transfer_moves_the_body():
    mtx, cms = _mtx()
    before = mtx.body_bytes()
    mtx.nonces["a1"] += 1
    assert mtx.body_bytes() != before
