"""EigenTrust against an independent dense eigen-solve; credibility score and removal vote."""

from __future__ import annotations

import json
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from protocols.reputation import credibility, eigentrust
from protocols.reputation.credibility import (
    Report,
    byzantine_quorum,
    credibility_score,
    history_from_dict,
    removal_vote,
    scores,
)
from protocols.reputation.eigentrust import RatingsError, local_trust, ratings_from_dict


def dense_stationary(n, raters, ratees, sat, unsat, pretrusted, alpha):
    """Independent reference: build the full column-stochastic matrix
    M = (1-a) C_full^T + a p 1^T (dangling rows of C replaced by p) and take the
    eigenvector of eigenvalue 1 with numpy's dense eigen-solver."""
    s = np.zeros((n, n))
    for i, j, a, b in zip(raters, ratees, sat, unsat):
        s[i, j] += a - b
    p = np.zeros(n)
    if pretrusted:
        p[list(pretrusted)] = 1
    else:
        p[:] = 1
    p /= p.sum()
    pos = np.maximum(s, 0)
    c = np.array([row / row.sum() if row.sum() > 0 else p for row in pos])
    m = (1 - alpha) * c.T + alpha * np.outer(p, np.ones(n))
    values, vectors = np.linalg.eig(m)
    k = int(np.argmin(np.abs(values - 1)))
    v = np.real(vectors[:, k])
    return v / v.sum()


@st.composite
def rating_graphs(draw):
    n = draw(st.integers(1, 7))
    k = draw(st.integers(0, 20))
    peer = st.integers(0, n - 1)
    edges = [(draw(peer), draw(peer), draw(st.integers(0, 5)), draw(st.integers(0, 5))) for _ in range(k)]
    edges = [e for e in edges if e[0] != e[1]]
    pre = draw(st.lists(peer, max_size=2, unique=True))
    alpha = draw(st.sampled_from([0.05, 0.15, 0.5, 1.0]))
    return n, edges, pre, alpha


@settings(max_examples=150, deadline=None)
@given(rating_graphs())
def test_eigentrust_equals_dense_stationary_vector(graph):
    n, edges, pre, alpha = graph
    cols = list(zip(*edges)) if edges else ([], [], [], [])
    result = eigentrust.eigentrust(local_trust(n, *cols), pre, alpha)
    expected = dense_stationary(n, *cols, pre, alpha)
    assert result.trust.sum() == pytest.approx(1.0, abs=1e-12)
    assert (result.trust >= 0).all()
    assert np.abs(result.trust - expected).max() < 1e-8


def test_eigentrust_hand_example_and_negative_trust_ignored():
    # a and b rate each other well; c is rated badly by both and rates a well.
    cols = ([0, 1, 0, 1, 2], [1, 0, 2, 2, 0], [5, 5, 0, 1, 3], [0, 0, 4, 6, 0])
    local = local_trust(3, *cols)
    assert local[0, 2] == -4  # negative local trust exists ...
    trust = eigentrust.eigentrust(local, [], 0.15).trust
    # ... but only positive trust flows: c gets only the teleport share a/3.
    assert trust[2] == pytest.approx(0.15 / 3)
    assert trust[0] > trust[1]  # a also receives c's positive trust


def test_eigentrust_rejects_bad_alpha_and_handles_empty():
    with pytest.raises(ValueError):
        eigentrust.eigentrust(local_trust(2, [0], [1], [1], [0]), [], 0.0)
    assert eigentrust.eigentrust(local_trust(0, [], [], [], []), []).trust.size == 0


def test_eigentrust_scales_to_1e5_peers_and_1e6_ratings():
    rng = np.random.default_rng(0)
    n, m = 100_000, 1_000_000
    raters, ratees = rng.integers(0, n, m), rng.integers(0, n, m)
    local = local_trust(n, raters, ratees, rng.integers(0, 5, m), rng.integers(0, 3, m))
    result = eigentrust.eigentrust(local, list(range(10)))
    assert result.trust.sum() == pytest.approx(1.0) and result.residual < 1e-10
    assert result.iterations < 400


@pytest.mark.parametrize("data, field", [
    ({"ratings": [{"from": "a", "to": "b", "sat": -1, "unsat": 0}]}, "ratings[0].sat"),
    ({"ratings": [{"from": "a", "to": "b", "sat": 1}]}, "ratings[0]: missing field 'unsat'"),
    ({"ratings": [{"from": "", "to": "b", "sat": 1, "unsat": 0}]}, "ratings[0].from"),
    ({"ratings": [{"from": "a", "to": "b", "sat": 1, "unsat": 0}], "pretrusted": ["z"]}, "pretrusted[0]"),
    ({"ratings": {}}, "ratings: expected a list"),
])
def test_ratings_validation_names_the_field(data, field):
    with pytest.raises(RatingsError, match=field.replace("[", r"\[").replace("]", r"\]")):
        ratings_from_dict(data)


def test_eigentrust_cli(tmp_path, capsys):
    src, out = tmp_path / "r.json", tmp_path / "o.json"
    src.write_text(json.dumps({"peers": ["lonely"], "pretrusted": ["a"],
                               "ratings": [{"from": "a", "to": "b", "sat": 3, "unsat": 1},
                                           {"from": "b", "to": "a", "sat": 2, "unsat": 0}]}))
    assert eigentrust.main(["--ratings", str(src), "--json", str(out)]) == 0
    trust = json.loads(out.read_text())["trust"]
    assert set(trust) == {"lonely", "a", "b"} and sum(trust.values()) == pytest.approx(1)
    assert trust["lonely"] == 0  # nobody trusts it and it is not pre-trusted
    assert eigentrust.main(["--ratings", str(src), "--alpha", "2", "--json", str(out)]) == 2
    src.write_text(json.dumps({"ratings": [{"from": "a", "to": "b", "sat": "x", "unsat": 0}]}))
    assert eigentrust.main(["--ratings", str(src), "--json", str(out)]) == 2
    assert "ratings[0].sat" in capsys.readouterr().err


# --- credibility --------------------------------------------------------------------------


@settings(max_examples=100, deadline=None)
@given(st.integers(0, 1000), st.integers(0, 1000))
def test_score_bounds_and_monotonicity(s, f):
    score = credibility_score(s, f)
    assert 0 < score < 1
    assert credibility_score(s + 1, f) > score > credibility_score(s, f + 1)
    assert credibility_score(s, s) == Fraction(1, 2)


def test_quorum_is_strictly_more_than_two_thirds():
    assert not byzantine_quorum(2, 3) and byzantine_quorum(3, 3)
    assert not byzantine_quorum(4, 6) and byzantine_quorum(5, 6)
    assert not byzantine_quorum(0, 0)


def _reports(node, per_validator):
    out = []
    for v, (succ, fail) in per_validator.items():
        out += [Report(node, v, True)] * succ + [Report(node, v, False)] * fail
    return out


def test_removal_vote_counts_each_validators_own_rate():
    # x: 1 success, 9 failures overall -> score 2/12 < 0.3: vote held by a, b, c.
    reports = _reports("x", {"a": (0, 4), "b": (0, 3), "c": (1, 2)})
    outcome = removal_vote(reports, "x")
    assert outcome.vote_held and outcome.score == Fraction(2, 12)
    assert outcome.validators == ("a", "b", "c")
    # c saw 1/3 >= 0.3 success and votes to keep: 2 of 3 is not more than two thirds.
    assert outcome.remove_votes == ("a", "b") and not outcome.removed
    reports = _reports("x", {"a": (0, 4), "b": (0, 3), "c": (0, 2)})
    assert removal_vote(reports, "x").removed


def test_no_vote_above_threshold_and_threshold_is_exact():
    # score (2+1)/(2+6+2) = 3/10 exactly: not below 0.3, no vote.
    reports = _reports("y", {"a": (2, 3), "b": (0, 3)})
    outcome = removal_vote(reports, "y")
    assert outcome.score == Fraction(3, 10) and not outcome.vote_held and not outcome.removed
    assert removal_vote(reports, "y", Fraction(31, 100)).vote_held


@settings(max_examples=100, deadline=None)
@given(st.dictionaries(st.sampled_from("abcdefg"), st.tuples(st.integers(0, 4), st.integers(0, 4)).filter(sum), max_size=7))
def test_removal_matches_the_rule(per_validator):
    reports = _reports("x", per_validator)
    outcome = removal_vote(reports, "x")
    succ = sum(s for s, _ in per_validator.values())
    fail = sum(f for _, f in per_validator.values())
    assert outcome.score == Fraction(succ + 1, succ + fail + 2) == scores(reports).get("x", Fraction(1, 2))
    if outcome.score >= Fraction(3, 10):
        assert not outcome.vote_held and not outcome.removed
        return
    against = [v for v, (s, f) in per_validator.items() if Fraction(s, s + f) < Fraction(3, 10)]
    assert set(outcome.remove_votes) == set(against)
    assert outcome.removed == (3 * len(against) > 2 * len(per_validator))


@pytest.mark.parametrize("data, field", [
    ({"reports": [{"node": "a", "by": "a", "success": True}]}, "reports[0].by"),
    ({"reports": [{"node": "a", "by": "b", "success": 1}]}, "reports[0].success"),
    ({"reports": [{"node": "", "by": "b", "success": True}]}, "reports[0].node"),
    ({"reports": {}}, "history"),
])
def test_history_validation_names_the_field(data, field):
    with pytest.raises(credibility.HistoryError, match=field.replace("[", r"\[").replace("]", r"\]")):
        history_from_dict(data)


def test_credibility_cli(tmp_path, capsys):
    reports = [{"node": "x", "by": v, "success": False} for v in "abc" for _ in range(3)]
    reports.append({"node": "a", "by": "x", "success": True})
    src, out = tmp_path / "h.json", tmp_path / "o.json"
    src.write_text(json.dumps({"reports": reports}))
    assert credibility.main(["--history", str(src), "--json", str(out)]) == 0
    nodes = {n["node"]: n for n in json.loads(out.read_text())["nodes"]}
    assert nodes["x"]["removed"] and nodes["x"]["score"] == "1/11"
    assert not nodes["a"]["vote_held"] and nodes["a"]["score"] == "2/3"
    assert "removed: x" in capsys.readouterr().out
    assert credibility.main(["--history", str(src), "--threshold", "1.5", "--json", str(out)]) == 2
    assert credibility.main(["--history", str(src), "--threshold", "abc", "--json", str(out)]) == 2
    assert "--threshold" in capsys.readouterr().err
