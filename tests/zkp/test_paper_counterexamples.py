"""Where the seed paper's printed protocols do not have the properties it claims.

1. Algorithm 5 (Π_zkpMbs) as printed answers every branch with z_r = r' + ψ·r using the
   *global* challenge ψ, while the check uses the branch challenge ψ_j: honest proofs fail
   (completeness is lost).
2. Repairing that (z_r = r' + ψ_j·r) does not give a membership proof: every branch is answered
   with the real witness, so anyone who can open C — whatever the value — passes.  It proves
   knowledge of an opening, not membership.  zkp.sigma.membership therefore implements the
   standard OR-composition instead (simulated branches with self-chosen challenges).
3. Algorithm 12 (Π_dzkpSum) derives its challenge as β = H(C') only.  The proof then also
   verifies for other statements with the same Σ C_i − y·G, e.g. (C_1 + G, C_2, …; y + 1): the
   proof is not bound to its statement.  Our transcripts bind the commitments and y.
4. Algorithms 1 and 12 (step "reveal z and its MAC to all users") open the MAC of an opened
   value in the middle of the session (Stage 1 runs before the decision is computed).  The
   MAC of z is α·z for the global SPDZ key α, so anyone who sees both computes α = MAC·z⁻¹
   and can from then on forge MACs for tampered values.  zkp.distributed opens z
   with Session.output, whose MAC check combines all opened values with random coefficients
   and reveals only committed check values that sum to zero, never a MAC.
"""

import hashlib

from zkp.groups import get_group
from zkp.pedersen import commit
from zkp.sigma import SUM, SumStatement, SumWitness, prove, verify


def _paper_mbs_prove(g, C, values, x, r, challenge_fn, repaired):
    """Algorithm 5 as printed (repaired=False) or with ψ_j in z_r (repaired=True).

    With repaired=True the prover uses the j≠i formula on every branch, which needs no index i
    with x = x_i at all.
    """
    n = len(values)
    nonces = [(g.random_scalar(), g.random_scalar()) for _ in range(n)]
    A = [g.commit_point(a, b) for a, b in nonces]
    real = values.index(x) if x in values else n - 1
    psi_j = {j: g.random_scalar() for j in range(n) if j != real}
    psi = challenge_fn(A)
    psi_j[real] = (psi - sum(psi_j.values())) % g.order
    z_x = [(nonces[j][0] + psi_j[j] * (x - values[j])) % g.order for j in range(n)]
    z_r = [(nonces[j][1] + (psi_j[j] if repaired else psi) * r) % g.order for j in range(n)]
    return A, psi, [psi_j[j] for j in range(n)], z_x, z_r


def _paper_mbs_verify(g, C, values, A, psi, psi_j, z_x, z_r):
    if sum(psi_j) % g.order != psi % g.order:
        return False
    return all(
        g.commit_point(z_x[j], z_r[j]) == A[j] + (C.point - g.mul_g(values[j])) * psi_j[j]
        for j in range(len(values))
    )


def test_algorithm5_as_printed_rejects_honest_provers():
    g = get_group("secp256k1")
    values = [10, 20, 30]
    C, o = commit(g, 20)
    transcript = _paper_mbs_prove(g, C, values, 20, o.r, lambda A: g.random_scalar(), repaired=False)
    assert not _paper_mbs_verify(g, C, values, *transcript)


def test_algorithm5_repaired_accepts_a_value_outside_the_set():
    g = get_group("secp256k1")
    values = [10, 20, 30]
    C, o = commit(g, 999)  # 999 is not in the set
    transcript = _paper_mbs_prove(g, C, values, 999, o.r, lambda A: g.random_scalar(), repaired=True)
    assert _paper_mbs_verify(g, C, values, *transcript)


def test_algorithm12_challenge_does_not_bind_the_statement():
    g = get_group("secp256k1")
    (c1, o1), (c2, o2) = commit(g, 5), commit(g, 7)
    rho = (o1.r + o2.r) % g.order
    k = g.random_scalar()
    C_prime = g.commit_point(0, k)
    beta = int.from_bytes(hashlib.sha256(C_prime.to_bytes()).digest(), "big") % g.order
    z = (k + beta * rho) % g.order

    def paper_check(cs, y):
        total = cs[0].point
        for c in cs[1:]:
            total = total + c.point
        return g.mul_g(beta * y) + g.commit_point(0, z) == C_prime + total * beta

    assert paper_check([c1, c2], 12)
    assert paper_check([c1 + 1, c2], 13)  # another statement, same proof: accepted
    ours = prove(SUM, SumStatement((c1, c2), 12), SumWitness(rho))
    assert verify(SUM, SumStatement((c1, c2), 12), ours)
    assert not verify(SUM, SumStatement((c1 + 1, c2), 13), ours)


def test_revealing_the_mac_of_an_opened_value_reveals_the_mac_key():
    """Counterexample 4: additive shares of α, z and m = α·z; opening z and m gives α, then forgery."""
    import secrets

    from mpc.field import BN254_ORDER

    q = int(BN254_ORDER)
    parties = 3

    def share(v):
        parts = [secrets.randbelow(q) for _ in range(parties - 1)]
        return parts + [(v - sum(parts)) % q]

    alpha = secrets.randbelow(q)
    z = secrets.randbelow(q - 1) + 1
    z_shares, m_shares = share(z), share(alpha * z % q)
    opened_z, opened_m = sum(z_shares) % q, sum(m_shares) % q  # as Algorithm 1 step 6 prescribes
    recovered = opened_m * pow(opened_z, -1, q) % q
    assert recovered == alpha
    # with α known, party 0 shifts the value by δ and its MAC share by α·δ: the MAC relation holds
    delta = 12345
    z_shares[0] = (z_shares[0] + delta) % q
    m_shares[0] = (m_shares[0] + recovered * delta) % q
    assert sum(m_shares) % q == alpha * (sum(z_shares) % q) % q
    assert sum(z_shares) % q != z
