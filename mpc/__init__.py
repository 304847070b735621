"""SPDZ-style secure multi-party computation engine.

Status: ready (online phase, trusted-dealer preprocessing, in-memory and TCP/TLS transports,
comparisons). API summary for code built on top (e.g. zkp.distributed):

    from mpc.local import run_parties            # all parties in one process (tests)
    from mpc.launch import run_party             # one party per process (mpc.net, MPyC-style options)
    from mpc.session import Session              # one party's view of a session
    from mpc.shares import AuthVector            # this party's authenticated shares of a vector
    from mpc.errors import MPCAbort, ProofFailure, ...   # one exception family for aborts

    results = run_parties(m, program, field=PrimeField(q))   # program: async def program(s: Session)

Inside `program(s)` every party makes the same calls in the same order:
    s.pid, s.m, s.field (PrimeField; s.field.q is the modulus = commitment group order)
    x = await s.input(owner, values_or_None, n)          -> AuthVector (length n)
    xs = await s.input_many({s.pid: mine}, {i: n_i ...}) -> {owner: AuthVector}, one round
    x = await s.input(owner, values, n, bits=k)          # range-checked signed k-bit values:
                                          # InputOutOfRange naming the owner otherwise
    x + y, x - y, x * c, x + c, c - x (c public int or list), x[i:j], AuthVector.concat([...])
    z = await s.mul(x, y)                 # element-wise Beaver product, one round
    v = await s.open(x)                   # list[mpz]; MAC-checked at the next check: never
                                          # branch on it
    v = await s.open_checked(x)           # open + MAC check (2 more rounds): for values that
                                          # decide what happens next (stop bits, branches)
    v = await s.output(x)                 # open + MAC check before returning (list[int])
    v = await s.output_to(owner, x)       # only owner gets values, others None
    await s.mac_check()
    seed = await s.coin_toss()            # 32 joint random bytes, commit-then-reveal
    msgs = await s.broadcast_bytes(payload, size)   # list of every party's payload (size bytes),
                                          # consistency compared at the next MAC check
    raise s.abort(ProofFailure("..."))    # abort the session with a named check; any
                                          # exception inside a session method latches the
                                          # abort, and every later call raises
    from mpc import comparison: less_than, equal, minimum, trunc, divide_public, ... (k-bit signed)

Input-only clients (bidders who are not computing parties): mpc.client_input (servers' side,
triple-checked masks after Damgård et al., FC 2016) and `python -m mpc.client`.
The seed paper's multiplicative-blinding comparisons: mpc.blinded (a named variant, leaks).

The field for proofs over a group is PrimeField(group.order); mpc.field has BN254_ORDER
(default) and SECP256K1_ORDER.
"""
