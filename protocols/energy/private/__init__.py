"""Private group purchasing: Stages 0–4 in one SPDZ session with zero-knowledge proofs.

Each module is the private twin of a reference module or a stage of the session:
- `bills` (Stage 1): bill data shared under the operator's signed Merkle root, Π_dzkpCm;
- `two_state` (Stage 2): the social two-state rule on shares (twin of reference.two_state);
- `compensation` (Stage 3): the compensations with the reference's rounding (twin of
  reference.compensation);
- `payments` (Stages 0 and 4): accounts and the confidential multi-transaction;
- `wallet`: a user's account secrets and their file;
- `session`: one party's whole run (`group_purchase`);
- `local`: every party in one process (tests, benchmarks).
The command line on top is `protocols.energy.run`.
"""
