"""MASCOT: dealer-free, actively secure preprocessing from oblivious transfer.

Modules, bottom up: `baseot` (Chou–Orlandi base OTs with a proof of knowledge, secp256k1),
`otext` (KOS15 OT extension and its correlation check), `fieldvec` (bulk GF(q) arithmetic on
numpy limbs), `cope` (correlated OT with errors: MACs under α), `triples` (Gilboa products),
`sqrt` (square roots for random bits), `wire` (messages, coins, MAC checks), `backend` (the
`Preprocessing` backend registered as "mascot"), `errors` (one abort per check) and
`testing` (test-only deviating parties).
"""
