"""A verifying, append-only, writer-signed ledger for the market protocols (seed paper §4.1, Appendix D.2).

* :mod:`protocols.ledger.api`           — the interface (:class:`Ledger`) and its exceptions
* :mod:`protocols.ledger.transactions`  — multi-transactions with committed amounts, their proofs and signatures
* :mod:`protocols.ledger.issuance`      — issuer-authorised account openings and operator registrations
* :mod:`protocols.ledger.rules`         — the acceptance rules, on the canonical bytes of each entry
* :mod:`protocols.ledger.chain`         — the signed hash chain, the genesis, the canonical encoding
* :mod:`protocols.ledger.replay`        — the verified chain every reader, writer and replica runs
* :mod:`protocols.ledger.sqlite_ledger` — the embedded default on SQLite
* :mod:`protocols.ledger.pins`          — pinned heads (truncation and replacement detection)
* :mod:`protocols.ledger.replica`       — the ledger replicated within a session, one file per party
* :mod:`protocols.ledger.keys`          — key files for the command lines
* ``python -m protocols.ledger.inspect PATH`` — verify a ledger file and print its entries

Trust model
-----------
Keys, each fixed in the genesis entry (with a random ledger id) and so for the ledger's lifetime:

* the **writer** key — held by the one party that appends (in the energy flagship, the host
  party 0).  It signs every entry.  It cannot make the others accept an entry that breaks a
  rule: every reader re-checks every signature and proof; what the writer can do is refuse or
  delay writes (liveness), and, if it is also a party, what that party can do;
* the **issuer** key — held by whoever sells tokens and admits utility operators.  Every
  account opening (with its committed opening balance) and every operator registration must
  carry its signature, after it checked the opening of the commitment.  The issuer can mint
  (that is its job) but cannot move anyone's tokens;
* **operator** keys — registered by the issuer; sign Merkle roots bound to the operator id,
  the ledger id and a strictly increasing epoch;
* **account** keys — one per account; consent to the account's opening and sign every
  multi-transaction that touches the account.

A reader (any party; ``inspect``) verifies on every open, by default, the whole history:
schema, links, hashes, writer signatures, canonical payloads and every rule with every
signature and zero-knowledge proof.  ``check_proofs=False`` (``inspect --fast``) trusts the
writer's signature for the proofs and signatures inside entries.

Someone with write access to a ledger *file* but not the writer key can still:

* **truncate** it to a prefix, or restore an older copy: every remaining entry is validly
  signed.  Caught by a **pinned head** — a small file per party (path given by the caller, kept
  where the ledger's writer-by-file cannot write) that records the last head the party
  verified; a later open whose history does not extend it fails — and, in a session, by the
  other parties' replicas (their heads disagree);
* **delete** the file, or swap in another ledger (even one under an attacker's writer key):
  caught by the pinned head (another genesis) or by ``expect_writer`` (the writer key the
  reader trusts);
* **corrupt** it so that it no longer opens: a denial of service, not a forgery.
  Everything else — changed, inserted, dropped or reordered entries, planted triggers — is
  reported as :class:`LedgerCorrupted` on open.

Across hosts each party keeps its own file: :func:`protocols.ledger.replica.replicate` sends
the writer's new entries to every party, each verifies them under the same rules and appends
them to its own file, and the stage ends only when all heads agree.
"""

from protocols.ledger.api import AccountState, Entry, Ledger, LedgerCorrupted, LedgerRejected
from protocols.ledger.issuance import (AccountOpening, OperatorRegistration, authorise_issuance, authorise_operator,
                                       open_account_request)
from protocols.ledger.sqlite_ledger import SQLiteLedger, default_group
from protocols.ledger.transactions import MultiTransaction, Transfer

__all__ = ["AccountState", "Entry", "Ledger", "LedgerCorrupted", "LedgerRejected", "SQLiteLedger", "default_group",
           "MultiTransaction", "Transfer", "AccountOpening", "OperatorRegistration", "authorise_issuance",
           "authorise_operator", "open_account_request"]
