"""Stage 0 (accounts) and Stage 4 (confidential payments) of the private group purchase (seed Appendix D.2).

Stage 0: every user brings an account: an Ed25519 key and a committed token balance with a
zkpNN that it lies in [0, 2^64), signed by the user and authorised by the token issuer
(protocols.ledger.issuance).  Users broadcast these account openings; the party that hosts
the ledger opens the accounts that are not on it yet.

Stage 4, after Π_MC left ⟨φ_i⟩ shared and told user i its φ_i:
1. user i commits Cm(φ_i, r_i) and broadcasts it;
2. Π_dzkpCm proves, for all users at once, that each Cm(φ_i, r_i) holds the shared ⟨φ_i⟩ —
   without it two colluding users could shift money between their commitments and keep the
   total at zero;
3. the users share r_i and open ρ = Σ r_i: then ΣCm(φ_i, r_i) = ρ·H is checked by everyone
   and the ledger's zkpSum is a Schnorr proof for the witness ρ.  Opening ρ leaks nothing
   about any single φ_i: with two or more honest users each r_i stays uniform given ρ;
4. every user proves solvency (nzkpNN that Cm(bal_i) − Cm(φ_i) is in [0, 2^64)); the proofs are
   broadcast and checked by every party, *then* every user signs the multi-transaction and the
   signatures are broadcast and checked, so an overdraft or a bad proof aborts the session
   before anything is signed or submitted (on an attested EVM ledger the signature covers
   every range proof: it is the signer's word that it checked them);
5. the ledger host submits the multi-transaction (the ledger checks everything again and
   refuses replays by nonce), records the decision, and tells every party the outcome.

Keys, signatures and proofs are the ledger's choice (``payment_scheme(ledger)``): Ed25519 and
SHAKE-256 on the SQLite ledger, secp256k1 and SHA-256 on an EVM ledger that checks them on
chain; this module never asks what kind of ledger it pays on.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Optional

from mpc.errors import ActionRefused, InputOutOfRange, MalformedMessage, ProofFailure
from mpc.session import Session
from mpc.shares import AuthVector
from zkp.distributed import dzkp_commitments_many
from zkp.groups.base import Group
from zkp.pedersen import Commitment

from protocols.energy.private.wallet import Wallet
from protocols.ledger.api import WRITE_FAILURES, Ledger, LedgerRejected
from protocols.ledger.evm.payment_scheme import payment_scheme
from protocols.ledger.issuance import AccountOpening
from protocols.ledger.transactions import (MultiTransaction, Transfer, commit_amount, new_multi_transaction,
                                           next_balance_opening)


#: the largest account signature of any scheme (Ed25519: 64 bytes; recoverable ECDSA: 65)
_MAX_SIGNATURE = 128


async def open_accounts(session: Session, group: Group, ledger: Optional[Ledger], user_ids: tuple[str, ...],
                        wallet: Wallet, host: int = 0) -> None:
    """Stage 0: make sure every user's account is on the ledger (the host writes, everyone checks)."""
    if wallet.account_id != user_ids[session.pid]:
        raise ValueError(f"party {session.pid} holds the wallet of {wallet.account_id!r}, "
                         f"expected {user_ids[session.pid]!r}")
    opening = payment_scheme(ledger).open_account_request(group, ledger.ledger_id, wallet.account_id,
                                                          wallet.signing_key, wallet.balance, wallet.r_balance,
                                                          wallet.issuance)
    got = await session.broadcast_variable(opening.to_bytes())

    def open_missing() -> bytes:
        for p, msg in enumerate(got):
            uid = user_ids[p]
            try:
                theirs = AccountOpening.from_bytes(msg)
            except ValueError as exc:
                raise LedgerRejected("malformed", f"party {p} sent an unreadable account opening ({exc})")
            if theirs.account_id != uid:
                raise LedgerRejected("account", f"party {p} sent the opening of {theirs.account_id!r}, not {uid!r}")
            try:
                acc = ledger.account(uid)
            except LedgerRejected:
                ledger.open_account(theirs)
                continue
            if acc.public_key != theirs.public_key or acc.balance_commitment != theirs.balance_commitment:
                raise LedgerRejected("account", f"account {uid!r} exists with another key or balance (stale wallet?)")
        return b""

    await session.act_and_agree(host, open_missing, WRITE_FAILURES, "account setup refused by the ledger",
                                ActionRefused)


@dataclass
class PaymentOutcome:
    """The submitted multi-transaction (host only), its ledger sequence number, and this user's new balance."""

    mtx: Optional[MultiTransaction]
    seq: int
    phi_commitment: bytes
    new_balance: tuple[int, int]


async def pay(session: Session, group: Group, ledger: Optional[Ledger], user_ids: tuple[str, ...],
              wallet: Wallet, phi_shared: AuthVector, own_phi: int, context: bytes,
              decision: dict, host: int = 0) -> PaymentOutcome:
    """Stage 4: commit, prove, sign and submit the multi-transaction of the net compensations.

    `decision` is recorded on the ledger after the transaction is accepted.  Every check
    failure aborts at every honest party before the host submits anything.
    """
    n, me = len(user_ids), session.pid
    cm_bytes, opening = commit_amount(group, own_phi)
    cms_raw = await session.broadcast_bytes(cm_bytes, group.point_size)
    try:
        cms = [Commitment.from_bytes(group, c) for c in cms_raw]
    except ValueError as exc:
        raise session.abort(MalformedMessage(f"a payment commitment is not a group element ({exc})"))
    await dzkp_commitments_many(session, group, {p: [cms[p]] for p in range(n)},
                                {p: phi_shared[p] for p in range(n)}, [opening], context=b"energy/stage4|" + context)
    r_shared = await session.input_many({me: [int(opening.r)]}, {p: 1 for p in range(n)})
    (rho,) = await session.output(AuthVector.concat([r_shared[p] for p in range(n)]).sum())
    total = group.lincomb([c.point for c in cms], [1] * n, h=-int(rho))
    if not total.is_identity():
        raise session.abort(ProofFailure("payment sum: the committed compensations do not add up to zero"))

    accounts = {uid: ledger.account(uid) for uid in user_ids}
    mtx = new_multi_transaction([Transfer(uid, c) for uid, c in zip(user_ids, cms_raw)],
                                {uid: accounts[uid].nonce for uid in user_ids}, context=context,
                                ledger_id=ledger.ledger_id)
    uid, scheme = user_ids[me], payment_scheme(ledger)
    try:
        mine = b"\x01" + scheme.prove_solvency(group, mtx, uid, wallet.balance, wallet.r_balance, own_phi, opening.r,
                                               accounts[uid].balance_commitment)
    except ValueError:
        mine = b"\x00"  # this user cannot pay: balance below φ_i (or a stale wallet)
    got = await session.broadcast_variable(mine)
    broke = [user_ids[p] for p, m in enumerate(got) if m[:1] != b"\x01"]
    if broke:
        raise session.abort(InputOutOfRange(
            f"solvency: the balance of {', '.join(broke)} does not cover the compensation to pay"))
    for p, m in enumerate(got):
        mtx.solvency_proofs[user_ids[p]] = m[1:]
    # one proof at a time: measured here, zkp.sigma.verify_batch is no faster on the fastecdsa backend
    bad = [u for u in user_ids if not scheme.verify_solvency(group, mtx, u, accounts[u].balance_commitment)]
    if bad:
        raise session.abort(ProofFailure(f"solvency proof (nzkpNN) of {', '.join(bad)} does not verify"))
    # only now sign: every proof is checked (an attested EVM ledger's signature vouches for them)
    sigs = await session.broadcast_variable(scheme.sign(mtx, uid, wallet.signing_key), limit=_MAX_SIGNATURE)
    for p, sig in enumerate(sigs):
        mtx.signatures[user_ids[p]] = sig
    bad = [u for u in user_ids if not scheme.verify_signature(accounts[u].public_key, mtx, u)]
    if bad:
        raise session.abort(ProofFailure(f"signature: invalid multi-transaction signature of {', '.join(bad)}"))

    def submit() -> bytes:
        mtx.sum_proof = scheme.prove_zero_sum(group, mtx, int(rho))
        seq = ledger.submit_multi_transaction(mtx)
        ledger.record_decision("energy-group-purchase", {**decision, "multi_transaction_seq": seq})
        return seq.to_bytes(8, "big")

    verdict = await session.act_and_agree(host, submit, WRITE_FAILURES,
                                          "the ledger refused the multi-transaction", ActionRefused)
    new_balance = next_balance_opening(group, wallet.balance, wallet.r_balance, own_phi, opening.r)
    return PaymentOutcome(mtx if me == host else None, int.from_bytes(verdict[:8], "big"), cm_bytes, new_balance)


def session_context(signed_root_bytes: bytes, scheme: str, join_slot: int) -> bytes:
    """Application context of the payment: binds every proof and signature to this epoch's signed
    root (by hash), the scheme and the join slot (replays are stopped by the account nonces)."""
    digest = hashlib.sha256(signed_root_bytes).hexdigest()
    return f"energy/{scheme}/slot-{join_slot}/root-{digest}".encode()
