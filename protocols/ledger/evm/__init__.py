"""An EVM ledger adapter: the :class:`~protocols.ledger.api.Ledger` interface over a contract.

The group-purchasing paper runs its payments as an Ethereum contract.  Here the contract is
``MultiTxLedger.vy`` (Vyper 0.4.3, EVM version Prague), run on an in-process eth-tester chain
(py-evm) or, for runs of several processes, on such a chain served by
:mod:`~protocols.ledger.evm.node`.  It stores the operator's signed Merkle roots, the accounts
(an owner key, a committed balance as a BN254 G1 point, a nonce), the group decisions, and a
SHA-256 hash chain over every entry (its head is in storage; the entries are in the event
logs), and it executes confidential multi-transactions: Cm(bal_i) ← Cm(bal_i) − Cm(φ_i).

* :mod:`~protocols.ledger.evm.ledger`   — :class:`EvmLedger`, the adapter (needs the evm extra)
* :mod:`~protocols.ledger.evm.scheme`   — secp256k1 keys, signatures and proofs of modes 1 and 2
* :mod:`~protocols.ledger.evm.encoding` — the contract's digests and keys, mirrored in Python
* :mod:`~protocols.ledger.evm.contract` — compiling and deploying, explicit gas limits
* :mod:`~protocols.ledger.evm.payment_scheme` — ``payment_scheme(ledger)``: what holders sign and prove with
* :mod:`~protocols.ledger.evm.factory`  — ``open_ledger(spec)`` for ``--ledger``
* ``python -m protocols.ledger.evm.node`` — a local chain for multi-process runs (JSON-RPC on 127.0.0.1)
* ``python -m benchmarks.ledger_gas``    — gas per payment and per user vs the paper

Identity and keys, fixed when the contract is deployed: the *mode*, the *writer* (an Ethereum
account: the ledger service; in the energy flagship party 0 holds its key during the session),
the *issuer* (an Ed25519 key, as the SQLite ledger's) and a random salt.  The ledger tag is
SHA-256 over the chain id, the contract address, those and the salt; every signature and proof
context contains it, and its first 16 bytes are :attr:`Ledger.ledger_id`, which issuance
authorisations, operator registrations, signed roots and multi-transactions name exactly as on
the SQLite ledger.  Nothing made for one deployment (or one mode) is accepted by another.

Trust model, per mode.  Common to all modes: the chain's consensus and the contract's code are
trusted for ordering, availability and for executing what is written here (on the run
folder's node, :mod:`~protocols.ledger.evm.node`, that chain is one eth-tester process hosted
by party 0: its host could stop it or rewrite its memory — a dev chain, not a consensus of
independent nodes).  The contract enforces that only the writer registers operators, publishes
roots, opens accounts and records decisions; that roots' epochs and timestamps increase; that
accounts and operators are unique; that every commitment is a curve point; that every batch
names each account once with its current nonce; and the homomorphic balance updates.  What the
EVM cannot check (Ed25519 has no precompile) — the issuer's signature on every opening and
registration, the holder's consent, the operator's root signature, operator and ledger ids in
roots — the writer checks before it sends, with the SQLite ledger's rules, and every reader
checks again from the logs and calldata (``verify_chain()``); a writer that skips them gets a
history every reader refuses (it cannot hide it: the chain records what it sent), as on SQLite.

1. ``onchain`` (issue mode a) — for payments trusts nothing beyond the above and the
   cryptography (discrete log in BN254 G1, SHA-256 as a random oracle, ECDSA on secp256k1).
   The contract checks, for every batch: each account holder's secp256k1 signature over the
   batch digest (``ecrecover``, low-s), nonces (replays), that every commitment is a curve
   point (before any precompile call, so a bad point costs little), no account twice, the
   zero-sum proof (compact Schnorr, ecAdd/ecMul), and each account's 64-bit range proof that
   Cm(bal_i) − Cm(φ_i) commits to a value in [0, 2^64) (bit decomposition: 64 OR-proofs,
   4 ecMul each, about 2.0M gas with calldata).  A block's gas limit (30M) does not hold many
   of those, so each range proof is its own ``proveSolvency`` transaction recording a verified
   fact keyed by (batch digest, transfer); ``execute`` then requires all of them.  Opening
   balances are range-proven on chain too (``openAccountProved``).
2. ``attested`` (issue mode b) — the contract checks signatures, nonces, points, no repeats
   and the zero-sum proof exactly as in mode 1, but not the range proofs: the account holders
   check every range proof of the batch off chain and only then sign a digest that includes
   the hash of all of them (``attest``).  Trusted in addition: that at least one signer of each
   batch verified the proofs before signing (every honest party does: the energy flagship's
   Stage 4 checks all proofs before anyone signs).  A batch whose signers *all* collude can
   drive a committed balance negative (mod q), i.e. mint tokens, and the chain alone cannot
   tell; anyone given the proof bundle can check it against ``attest``.  Opening-balance range
   proofs are checked by the writer and by readers, not on chain.
3. ``writer`` — batches carry Ed25519 signatures and SHAKE-256 Fiat–Shamir proofs
   (:mod:`protocols.ledger.transactions`), which the EVM has no primitive for.  The writer
   verifies them off chain with the SQLite ledger's own rules; the contract enforces the
   writer's authority, nonces, no repeats, valid points and the homomorphic balance updates,
   and stores the hash of the full payload.  Trusted in addition: the writer, for those
   signatures and proofs; the payloads stay with the writer (too large for calldata: about
   19 KB of proofs per account), so other readers cannot re-check them — weaker than the
   SQLite replicas, where every household re-verifies every entry.

Which keys and proofs holders use is the ledger's choice, ``ledger.payment_scheme()``
(:mod:`~protocols.ledger.evm.payment_scheme`): modes 1 and 2 take secp256k1 keys derived from
the holder's wallet seed and SHA-256 proofs; mode 3 the SQLite ledger's Ed25519 / SHAKE-256.

Proofs checked on chain use :mod:`zkp.evm_proofs` (SHA-256 hash-chain Fiat–Shamir,
:mod:`zkp.sha256_transcript`, compact (challenge, response) form), not the SHAKE-256
transcripts of :mod:`zkp.sigma`.
"""

from protocols.ledger.evm.factory import open_ledger, parse_spec

__all__ = ["open_ledger", "parse_spec"]
