"""Each rejection the SQLite ledger makes, as an attack on an EVM ledger.

Every function builds fresh accounts on the given ledger and makes one bad submission; it
returns normally if the ledger accepts it.  Against the real contract each raises
LedgerRejected with the reason ``expected(name, mode)`` gives.  test_evm_rejections.py checks
those reasons; test_evm_mutations.py deletes the contract line tagged with the check and
shows the attack then succeeds (or, for the point check, fails only by burning its gas), so
each rejection test depends on its check.
"""

from __future__ import annotations

import hashlib

from evm_cases import GROUP, batch, fresh_ids, open_holders

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from protocols.ledger import authorise_operator
from protocols.ledger.evm import encoding as enc
from protocols.ledger.evm.contract import GAS
from protocols.ledger.evm import scheme
from protocols.ledger.evm.ledger import EvmLedger
from protocols.ledger.transactions import raw_public_key
from zkp import evm_proofs
from zkp.merkle import MerkleTree
from zkp.signatures import sign_root

OFF_CURVE = (1).to_bytes(32, "big") + (3).to_bytes(32, "big")  # 3² ≠ 1³ + 3


def replay(ledger: EvmLedger) -> None:
    """The same batch twice (SQLite: "nonce")."""
    a, b = fresh_ids("replay", 2)
    holders = open_holders(ledger, {a: 100, b: 0})
    mtx, _ = batch(ledger, holders, {a: 40, b: -40})
    ledger.submit_multi_transaction(mtx)
    ledger.submit_multi_transaction(mtx)


def wrong_signature(ledger: EvmLedger) -> None:
    """b's signature made with a key that is not b's (SQLite: "signature")."""
    a, b = fresh_ids("sig", 2)
    holders = open_holders(ledger, {a: 100, b: 0})
    mtx, _ = batch(ledger, holders, {a: 40, b: -40})
    stranger = scheme.EvmAccountHolder.fresh(GROUP, b, 0)
    mtx.signatures[b] = scheme.sign_digest(stranger.key, scheme.signing_digest(ledger.tag, mtx, ledger.mode))
    ledger.submit_multi_transaction(mtx)


def bad_sum_proof(ledger: EvmLedger) -> None:
    """a pays 40, b receives 30 (not zero-sum), with the zero-sum proof of an honest batch (SQLite: "sum-proof")."""
    a, b = fresh_ids("sum", 2)
    holders = open_holders(ledger, {a: 100, b: 0})
    honest, _ = batch(ledger, holders, {a: 40, b: -40})
    mtx, _ = _unbalanced(ledger, holders, a, b)
    mtx.sum_proof = honest.sum_proof
    ledger.submit_multi_transaction(mtx)


def _unbalanced(ledger, holders, a, b):
    """A batch paying 40 and receiving 30, signed and range-proven, without a zero-sum proof (none exists)."""
    r = {a: GROUP.random_scalar(), b: GROUP.random_scalar()}
    mtx = scheme.MultiTransaction([scheme.Transfer(a, GROUP.commit_point(40, r[a]).to_bytes()),
                                   scheme.Transfer(b, GROUP.commit_point(-30, r[b]).to_bytes())],
                                  nonces={a: 0, b: 0}, context=b"unbalanced", ledger_id=ledger.ledger_id)
    for aid, phi in ((a, 40), (b, -30)):
        mtx.solvency_proofs[aid] = scheme.prove_solvency(GROUP, ledger.tag, mtx, holders[aid], phi, r[aid],
                                                         ledger.account(aid).balance_commitment)
    digest = scheme.signing_digest(ledger.tag, mtx, ledger.mode)
    for aid in (a, b):
        mtx.signatures[aid] = scheme.sign_digest(holders[aid].key, digest)
    return mtx, r


def overdraft(ledger: EvmLedger) -> None:
    """a holds 5 and pays 10; the honest prover refuses, so a proves against an invented balance
    of 100 (SQLite: "solvency-proof")."""
    a, b = fresh_ids("overdraft", 2)
    holders = open_holders(ledger, {a: 5, b: 0})
    try:
        batch(ledger, holders, {a: 10, b: -10})
    except ValueError:
        pass
    else:
        raise AssertionError("the honest prover proved an overdraft")
    real = holders[a].balance
    holders[a].balance = 100
    cms = {a: holders[a].balance_commitment(GROUP), b: ledger.account(b).balance_commitment}
    mtx, _ = scheme.build_evm_multi_transaction(GROUP, ledger.tag, ledger.mode, holders, {a: 10, b: -10},
                                                {a: 0, b: 0}, cms, b"overdraft")
    holders[a].balance = real
    ledger.submit_multi_transaction(mtx)


def bad_range_proof(ledger: EvmLedger) -> None:
    """a's range proof with its last response changed after signing (SQLite: "solvency-proof")."""
    a, b = fresh_ids("range", 2)
    holders = open_holders(ledger, {a: 100, b: 0})
    mtx, _ = batch(ledger, holders, {a: 40, b: -40})
    p = bytearray(mtx.solvency_proofs[a])
    p[-32:] = ((int.from_bytes(p[-32:], "big") + 1) % GROUP.order).to_bytes(32, "big")
    mtx.solvency_proofs[a] = bytes(p)
    ledger.submit_multi_transaction(mtx)


def invalid_point(ledger: EvmLedger) -> None:
    """b's amount is (1, 3), not on the curve; every signature is over it (SQLite: "bad-commitment")."""
    a, b = fresh_ids("point", 2)
    holders = open_holders(ledger, {a: 100, b: 0})
    mtx, r = batch(ledger, holders, {a: 40, b: -40})
    mtx.transfers[1].amount_commitment = OFF_CURVE
    # a's range proof is bound to the batch digest, which just changed: a proves again (mode 1)
    mtx.solvency_proofs[a] = scheme.prove_solvency(GROUP, ledger.tag, mtx, holders[a], 40, r[a],
                                                   ledger.account(a).balance_commitment)
    digest = scheme.signing_digest(ledger.tag, mtx, ledger.mode)
    for aid in (a, b):
        mtx.signatures[aid] = scheme.sign_digest(holders[aid].key, digest)
    ledger.submit_multi_transaction(mtx)


def invalid_opening_point(ledger: EvmLedger) -> None:
    """An account opened with a balance commitment off the curve, sent to the contract directly
    (the adapter's issuer check would refuse it first; SQLite: "bad-commitment")."""
    (a,) = fresh_ids("open-point", 1)
    h = scheme.EvmAccountHolder.fresh(GROUP, a, 1)
    ledger._send("openAccount", enc.account_key(a), a, ledger.w3.to_checksum_address("0x" + h.address.hex()),
                 h.public_key, list(enc.point_words(OFF_CURVE)), b"", gas=300_000)


def duplicate_transfer(ledger: EvmLedger) -> None:
    """a twice in one batch (mode 2), paying 60 twice out of 100, each covered by a range proof
    against the same balance (SQLite: "duplicate-transfer")."""
    a, b = fresh_ids("dup", 2)
    holders = open_holders(ledger, {a: 100, b: 0})
    rs = [GROUP.random_scalar() for _ in range(3)]
    moves = [(a, 60, rs[0]), (a, 60, rs[1]), (b, -120, rs[2])]
    transfers = [enc.ChainTransfer.of(aid, GROUP.commit_point(phi, r).to_bytes(), 0) for aid, phi, r in moves]
    attest = hashlib.sha256(b"the co-signers' proof bundle").digest()
    digest = enc.body_digest(ledger.tag, transfers, enc.context_hash(b"dup"), attest)
    sigs = [list(scheme.split_signature(scheme.sign_digest(holders[aid].key, digest))) for aid, _, _ in moves]
    D = GROUP.lincomb([GROUP.decode(enc.point_bytes(t.cm)) for t in transfers], [1, 1, 1])
    sp = evm_proofs.prove_zero_sum(GROUP, D, sum(rs) % GROUP.order, digest)
    ledger.execute({"transfers": [t.as_abi() for t in transfers], "context": enc.context_hash(b"dup"),
                    "attest": attest, "sum_proof": [int.from_bytes(sp[:32], "big"), int.from_bytes(sp[32:], "big")],
                    "signatures": sigs})


def unproven_batch(ledger: EvmLedger) -> None:
    """Mode 1: execute an honest batch without sending its range proofs first."""
    a, b = fresh_ids("unproven", 2)
    holders = open_holders(ledger, {a: 100, b: 0})
    mtx, _ = batch(ledger, holders, {a: 40, b: -40})
    ledger.execute(ledger.batch_args(mtx))


def not_the_writer(ledger: EvmLedger) -> None:
    """Another account registers an operator (only the writer appends roots, accounts, decisions)."""
    (op,) = fresh_ids("op", 1)
    ledger._send("registerOperator", enc.operator_key(op), op, bytes(range(32)), bytes(64), gas=250_000,
                 sender=ledger.w3.eth.accounts[1])


def stale_root(ledger: EvmLedger) -> None:
    """The writer republishes an operator's epoch-1 root as a later one (SQLite: "root-epoch"), sent to
    the contract directly (the adapter's own rules would refuse it first)."""
    (oid,) = fresh_ids("stale", 1)
    key = Ed25519PrivateKey.generate()
    ledger.register_operator(authorise_operator(ledger.dev_issuer, ledger.ledger_id, oid, raw_public_key(key)))
    first = sign_root(key, MerkleTree([b"a", b"b"]), 100, operator_id=oid, ledger_id=ledger.ledger_id, epoch=1)
    ledger.publish_root(oid, first)
    again = sign_root(key, MerkleTree([b"c", b"d"]), 200, operator_id=oid, ledger_id=ledger.ledger_id, epoch=1)
    ledger._send("publishRoot", enc.operator_key(oid), again.epoch, again.timestamp, again.to_bytes(),
                 gas=GAS["publishRoot"](300))


def unknown_account(ledger: EvmLedger) -> None:
    """A batch naming an account that was never opened (SQLite: "unknown-account"), sent to the contract
    directly with a signature by a key of the attacker's choosing."""
    a, ghost = fresh_ids("ghost", 2)
    holders = open_holders(ledger, {a: 100})
    holders[ghost] = scheme.EvmAccountHolder.fresh(GROUP, ghost, 0)
    r = {a: GROUP.random_scalar(), ghost: GROUP.random_scalar()}
    mtx = scheme.MultiTransaction([scheme.Transfer(a, GROUP.commit_point(5, r[a]).to_bytes()),
                                   scheme.Transfer(ghost, GROUP.commit_point(-5, r[ghost]).to_bytes())],
                                  nonces={a: 0, ghost: 0}, context=b"ghost", ledger_id=ledger.ledger_id)
    for aid in (a, ghost):
        mtx.solvency_proofs[aid] = b"\x00" * evm_proofs.range_proof_size(64)
    digest = scheme.signing_digest(ledger.tag, mtx, ledger.mode)
    for aid in (a, ghost):
        mtx.signatures[aid] = scheme.sign_digest(holders[aid].key, digest)
    mtx.sum_proof = scheme.prove_zero_sum(GROUP, ledger.tag, mtx, ledger.mode, (r[a] + r[ghost]) % GROUP.order)
    ledger.execute(ledger.batch_args(mtx))


#: name → (attack, modes it applies to, reason per mode)
ATTACKS = {
    "replay": (replay, ("attested", "onchain"), {"attested": "nonce", "onchain": "nonce"}),
    "wrong_signature": (wrong_signature, ("attested", "onchain"), {"attested": "signature", "onchain": "signature"}),
    "bad_sum_proof": (bad_sum_proof, ("attested", "onchain"), {"attested": "sum-proof", "onchain": "sum-proof"}),
    "overdraft": (overdraft, ("onchain",), {"onchain": "solvency-proof"}),
    # mode 2: the contract sees a bundle other than the one attested to, so the signatures fail
    "bad_range_proof": (bad_range_proof, ("attested", "onchain"), {"attested": "signature", "onchain": "solvency-proof"}),
    "invalid_point": (invalid_point, ("attested", "onchain"), {"attested": "bad-commitment", "onchain": "bad-commitment"}),
    "invalid_opening_point": (invalid_opening_point, ("attested",), {"attested": "bad-commitment"}),
    "duplicate_transfer": (duplicate_transfer, ("attested",), {"attested": "duplicate-transfer"}),
    "unproven_batch": (unproven_batch, ("onchain",), {"onchain": "solvency-proof"}),
    "not_the_writer": (not_the_writer, ("attested",), {"attested": "writer"}),
    "stale_root": (stale_root, ("attested",), {"attested": "root-epoch"}),
    "unknown_account": (unknown_account, ("attested",), {"attested": "unknown-account"}),
}
