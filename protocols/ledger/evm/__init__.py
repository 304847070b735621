"""An EVM ledger adapter: the :class:`~protocols.ledger.api.Ledger` interface over a contract.

The group-purchasing paper runs its payments as an Ethereum contract.  Here the contract is
``MultiTxLedger.vy`` (Vyper 0.4.3, EVM version Prague), run on an in-process eth-tester chain
(py-evm) or on any JSON-RPC node.  It stores the operator's signed Merkle roots, the accounts
(an owner key, a committed balance as a BN254 G1 point, a nonce), the group decisions, and a
SHA-256 hash chain over every entry (its head is in storage; the entries are in the event
logs), and it executes confidential multi-transactions: Cm(bal_i) ← Cm(bal_i) − Cm(φ_i).

* :mod:`~protocols.ledger.evm.ledger`   — :class:`EvmLedger`, the adapter (needs the evm extra)
* :mod:`~protocols.ledger.evm.scheme`   — secp256k1 keys, signatures and proofs of modes 1 and 2
* :mod:`~protocols.ledger.evm.encoding` — the contract's digests and keys, mirrored in Python
* :mod:`~protocols.ledger.evm.contract` — compiling and deploying, explicit gas limits
* :mod:`~protocols.ledger.evm.factory`  — ``open_ledger(spec)`` for ``--ledger``
* ``python -m benchmarks.ledger_gas``    — gas per payment and per user vs the paper

Trust model, per deployment mode (fixed when the contract is deployed; the mode is part of
the ledger tag that every signature and proof context contains, so nothing made for one
mode is accepted by another).  Common to all modes: the chain's consensus and the contract's
code are trusted for ordering and for executing what is written here; the *writer* (the
deploying account, also the token issuer) alone registers operators, publishes roots, opens
accounts (it decides how many tokens exist) and records decisions.  Operator roots carry the
operator's Ed25519 signature, which the EVM cannot check at a sane cost (no precompile): the
writer checks it before publishing and every reader checks it again (``verify_chain(deep=True)``).

1. ``onchain`` (issue mode a) — trusts nothing beyond the above and the cryptography
   (discrete log in BN254 G1, SHA-256 as a random oracle, ECDSA on secp256k1).  The contract
   checks, for every batch: each account holder's secp256k1 signature over the batch digest
   (``ecrecover``, low-s), each account's current nonce (replays), that every commitment is a
   curve point (before any precompile call, so a bad point costs little), no account twice,
   the zero-sum proof (compact Schnorr, ecAdd/ecMul), and each account's 64-bit range proof
   that Cm(bal_i) − Cm(φ_i) commits to a value in [0, 2^64) (bit decomposition: 64 OR-proofs,
   4 ecMul each, about 2.0M gas with calldata).  A block's gas limit (30M) does not hold many
   of those, so each range proof is its own ``proveSolvency`` transaction recording a verified
   fact keyed by (batch digest, transfer); ``execute`` then requires all of them.  Opening
   balances are range-proven on chain too (``openAccountProved``).
2. ``attested`` (issue mode b) — the contract checks signatures, nonces, points, no repeats
   and the zero-sum proof exactly as in mode 1, but not the range proofs: the account holders
   check every range proof of the batch off chain and sign a digest that includes the hash of
   all of them (``attest``).  Trusted in addition: that at least one signer of each batch
   verified the proofs before signing (every honest party does).  A batch whose signers *all*
   collude can drive a committed balance negative (mod q), i.e. mint tokens, and the chain
   alone cannot tell; anyone given the proof bundle can check it against ``attest``.  The
   issuer checks opening-balance proofs off chain.
3. ``writer`` (what today's energy stage 4 needs) — batches carry Ed25519 signatures and
   SHAKE-256 Fiat–Shamir proofs (:mod:`protocols.ledger.transactions`), which the EVM has no
   primitive for.  The writer verifies them off chain with the SQLite ledger's own rules; the
   contract enforces the writer's authority, nonces, no repeats, valid points and the
   homomorphic balance updates, and stores the hash of the full payload.  Trusted in
   addition: the writer, for signatures and proofs — the SQLite ledger's trust model, with
   the chain adding public ordering, availability of the state and an append-only history.

Proofs checked on chain use :mod:`zkp.evm_proofs` (SHA-256 hash-chain Fiat–Shamir,
:mod:`zkp.sha256_transcript`, compact (challenge, response) form), not the SHAKE-256
transcripts of :mod:`zkp.sigma`.
"""

from protocols.ledger.evm.factory import open_ledger, parse_spec

__all__ = ["open_ledger", "parse_spec"]
