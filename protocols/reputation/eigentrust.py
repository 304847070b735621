"""EigenTrust reputation on sparse matrices (Buying.com §5.4, Kamvar et al. 2003; docs/specs/markets.md).

Local trust of peer i in peer j is s_ij = sat_ij - unsat_ij over their transactions.
Normalised trust c_ij = max(s_ij, 0) / sum_j max(s_ij, 0); a peer that trusts nobody
positively (a "dangling" row) uses the pre-trusted distribution p instead. The global
trust vector is the fixed point of

    t <- (1 - a) * C^T t + a * p

iterated from t = p until ||t_new - t||_1 < tol (1e-10). C stays a scipy CSR matrix and the
dangling rows are handled as a rank-one correction, so 10^5 peers with 10^6 ratings take
a few hundred sparse products. p is uniform over the pre-trusted peers, or over all peers
when none is named. The result sums to 1.

CLI: ``python -m protocols.reputation.eigentrust --ratings FILE [--alpha A] --json OUT``
with a ratings file ``{"pretrusted": ["a"], "ratings": [{"from": "a", "to": "b", "sat": 3,
"unsat": 1}, ...]}`` (optional ``"peers"`` lists peers that have no rating at all).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
import scipy.sparse as sp
from mpc.cli import (ArgumentParser, CliError, bounded_float, check_not_input, check_output_path, guarded,
                     read_json_file, write_json_file)

DEFAULT_ALPHA = 0.15  # weight of the pre-trusted distribution (as PageRank's teleport)
DEFAULT_TOLERANCE = 1e-10


class RatingsError(ValueError):
    """A ratings file is malformed; the message names the offending field."""


@dataclass(frozen=True)
class TrustResult:
    trust: np.ndarray
    iterations: int
    residual: float


def local_trust(n: int, raters: Sequence[int], ratees: Sequence[int], sat: Sequence[int], unsat: Sequence[int]) -> sp.csr_matrix:
    """Sparse s_ij = sum of (sat - unsat) over all ratings of j by i (duplicates add up)."""
    values = np.asarray(sat, dtype=float) - np.asarray(unsat, dtype=float)
    return sp.coo_matrix((values, (np.asarray(raters), np.asarray(ratees))), shape=(n, n)).tocsr()


def pretrusted_distribution(n: int, pretrusted: Sequence[int] = ()) -> np.ndarray:
    """Uniform over the pre-trusted peers, or over everyone when there are none."""
    p = np.zeros(n)
    if len(pretrusted):
        p[np.asarray(pretrusted)] = 1.0
    else:
        p[:] = 1.0
    return p / p.sum()


def normalise(local: sp.csr_matrix) -> tuple[sp.csr_matrix, np.ndarray]:
    """Row-normalised positive trust C and the mask of dangling rows (no positive trust)."""
    positive = local.copy()
    positive.data = np.maximum(positive.data, 0.0)
    positive.eliminate_zeros()
    sums = np.asarray(positive.sum(axis=1)).ravel()
    dangling = sums == 0
    inverse = np.where(dangling, 0.0, 1.0 / np.where(dangling, 1.0, sums))
    return sp.diags(inverse) @ positive, dangling


def eigentrust(
    local: sp.csr_matrix,
    pretrusted: Sequence[int] = (),
    alpha: float = DEFAULT_ALPHA,
    tol: float = DEFAULT_TOLERANCE,
    max_iterations: int = 10_000,
) -> TrustResult:
    """Global trust vector of the peers whose local trust matrix is ``local``.

    Raises ValueError for alpha outside (0, 1] or when max_iterations pass without the
    L1 change dropping below tol (cannot happen for alpha > 0: the map contracts by 1-alpha).
    """
    if not 0 < alpha <= 1:
        raise ValueError("alpha must be in (0, 1]")
    n = local.shape[0]
    if n == 0:
        return TrustResult(np.zeros(0), 0, 0.0)
    p = pretrusted_distribution(n, pretrusted)
    c, dangling = normalise(local)
    ct = c.T.tocsr()
    t = p.copy()
    for iteration in range(1, max_iterations + 1):
        # Dangling rows behave as if they were p: their mass is spread along p.
        new = (1 - alpha) * (ct @ t + p * t[dangling].sum()) + alpha * p
        residual = float(np.abs(new - t).sum())
        t = new
        if residual < tol:
            return TrustResult(t, iteration, residual)
    raise ValueError(f"EigenTrust did not converge in {max_iterations} iterations (residual {residual:.3g})")


#: transaction counts: exact as floats (the sparse matrix is float64)
MAX_COUNT = 2**53
#: the CLI's smallest alpha: the iteration contracts by 1 − alpha, so reaching the
#: tolerance from the start takes about 23 / alpha iterations (2,300 at 0.01, within the
#: 10,000 allowed; 1e-320 would never get there)
MIN_ALPHA = 0.01


def ratings_from_dict(data) -> tuple[list[str], list[int], tuple[list[int], list[int], list[int], list[int]]]:
    """Parse a ratings object into (peer ids, pre-trusted indices, (from, to, sat, unsat));
    RatingsError names the field (unknown fields included)."""
    if not isinstance(data, dict):
        raise RatingsError("ratings file: expected a JSON object")
    extra = sorted(set(data) - {"ratings", "peers", "pretrusted"})
    if extra:
        raise RatingsError(f"{extra[0]}: unknown field (expected ratings, peers, pretrusted)")
    ratings = data.get("ratings")
    if not isinstance(ratings, list):
        raise RatingsError("ratings: expected a list")
    if not isinstance(data.get("peers", []), list):
        raise RatingsError("peers: expected a list of peer ids")
    peers: dict[str, int] = {}

    def peer(name, where):
        if not isinstance(name, str) or not name:
            raise RatingsError(f"{where}: expected a non-empty peer id string, got {name!r}")
        return peers.setdefault(name, len(peers))

    for index, name in enumerate(data.get("peers", [])):
        peer(name, f"peers[{index}]")
    raters, ratees, sat, unsat = [], [], [], []
    for index, r in enumerate(ratings):
        where = f"ratings[{index}]"
        if not isinstance(r, dict):
            raise RatingsError(f"{where}: expected an object")
        for key in ("from", "to", "sat", "unsat"):
            if key not in r:
                raise RatingsError(f"{where}: missing field '{key}'")
        extra = sorted(set(r) - {"from", "to", "sat", "unsat"})
        if extra:
            raise RatingsError(f"{where}.{extra[0]}: unknown field (expected from, to, sat, unsat)")
        for key in ("sat", "unsat"):
            if isinstance(r[key], bool) or not isinstance(r[key], int) or not 0 <= r[key] <= MAX_COUNT:
                raise RatingsError(f"{where}.{key}: expected an integer in [0, 2^53], got {r[key]!r:.40}")
        if r["from"] == r["to"]:
            raise RatingsError(f"{where}.to: a peer cannot rate itself")
        raters.append(peer(r["from"], f"{where}.from"))
        ratees.append(peer(r["to"], f"{where}.to"))
        sat.append(r["sat"])
        unsat.append(r["unsat"])
    pre = data.get("pretrusted", [])
    if not isinstance(pre, list):
        raise RatingsError("pretrusted: expected a list of peer ids")
    pretrusted = []
    for index, name in enumerate(pre):
        if name not in peers:
            raise RatingsError(f"pretrusted[{index}]: unknown peer {name!r}")
        pretrusted.append(peers[name])
    return list(peers), pretrusted, (raters, ratees, sat, unsat)


@guarded
def main(argv: list[str] | None = None) -> int:
    parser = ArgumentParser(
        prog="python -m protocols.reputation.eigentrust",
        description="EigenTrust global reputation from pairwise satisfied/unsatisfied transaction "
        "counts; writes each peer's trust (summing to 1) and the iteration count.",
        epilog="Exit status: 0 success, 2 bad usage or input (one line naming the option or field).",
    )
    parser.add_argument("--ratings", required=True, help="ratings JSON (see module docstring)")
    parser.add_argument("--alpha", type=bounded_float(MIN_ALPHA, 1.0, low_inclusive=True, what="a weight"),
                        default=DEFAULT_ALPHA,
                        help=f"weight of the pre-trusted peers, in [{MIN_ALPHA:g}, 1] (default {DEFAULT_ALPHA:g})")
    parser.add_argument("--json", required=True, help="where to write the trust vector")
    args = parser.parse_args(argv)
    check_output_path(args.json, "--json")
    check_not_input(args.json, {"--ratings": args.ratings}, "--json")
    try:
        peers, pretrusted, (raters, ratees, sat, unsat) = ratings_from_dict(read_json_file(args.ratings, "--ratings"))
    except RatingsError as exc:
        raise CliError(f"--ratings {args.ratings}: {exc}") from None
    result = eigentrust(local_trust(len(peers), raters, ratees, sat, unsat), pretrusted, args.alpha)
    payload = {"alpha": args.alpha, "iterations": result.iterations,
               "trust": {name: float(result.trust[i]) for i, name in enumerate(peers)}}
    write_json_file(args.json, "--json", payload)
    print(f"{len(peers)} peers, converged in {result.iterations} iterations")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
