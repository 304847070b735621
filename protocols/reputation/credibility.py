"""BlockCom credibility score and the removal vote (seed: blockcom-double-auction.txt §III;
docs/specs/markets.md).

A history is a list of reports "node X's side of a transaction with Y succeeded/failed",
each made by the counterparty Y. For node X:

* credibility score = (successes + 1) / (successes + failures + 2) — Laplace's rule, so a
  node without history scores 1/2 and one report never drives it to 0 or 1;
* when the score falls below the threshold (default 3/10) the validating nodes — every
  node that reported a transaction with X — vote. Each votes "remove" iff its own
  observed success rate with X (successes / transactions in its own reports) is below the
  threshold. X is removed when more than two thirds of the validators vote remove (the
  byzantine quorum 3*votes > 2*validators; exactly two thirds is not enough).

Scores and the threshold are exact fractions (the threshold is read from its decimal
string, so 0.3 means 3/10), which keeps votes at the boundary reproducible.

CLI: ``python -m protocols.reputation.credibility --history FILE [--threshold T] --json OUT``
with ``{"reports": [{"node": "n1", "by": "n2", "success": true}, ...]}``.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from fractions import Fraction
from typing import Iterable
from mpc.cli import (ArgumentParser, CliError, check_not_input, check_output_path, guarded, read_json_file,
                     write_json_file)

DEFAULT_THRESHOLD = Fraction(3, 10)


class HistoryError(ValueError):
    """A history file is malformed; the message names the offending field."""


@dataclass(frozen=True)
class Report:
    node: str  # the node whose conduct is reported
    by: str  # the counterparty that reports it
    success: bool


@dataclass(frozen=True)
class VoteOutcome:
    node: str
    score: Fraction
    vote_held: bool
    validators: tuple[str, ...]
    remove_votes: tuple[str, ...]
    removed: bool


def credibility_score(successes: int, failures: int) -> Fraction:
    """(successes + 1) / (successes + failures + 2)."""
    if successes < 0 or failures < 0:
        raise ValueError("counts must be non-negative")
    return Fraction(successes + 1, successes + failures + 2)


def byzantine_quorum(votes: int, voters: int) -> bool:
    """True iff strictly more than two thirds of the voters agree (3*votes > 2*voters)."""
    return voters > 0 and 3 * votes > 2 * voters


def _counts(reports: Iterable[Report]) -> dict[str, dict[str, list[int]]]:
    """node -> reporter -> [successes, failures]."""
    table: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    for r in reports:
        table[r.node][r.by][0 if r.success else 1] += 1
    return table


def scores(reports: Iterable[Report]) -> dict[str, Fraction]:
    """Credibility score of every node that appears in the history (reported or reporting)."""
    reports = list(reports)
    table = _counts(reports)
    names = {r.node for r in reports} | {r.by for r in reports}
    result = {}
    for name in sorted(names):
        per = table.get(name, {})
        result[name] = credibility_score(sum(c[0] for c in per.values()), sum(c[1] for c in per.values()))
    return result


def removal_vote(reports: Iterable[Report], node: str, threshold: Fraction = DEFAULT_THRESHOLD,
                 counts: dict[str, dict[str, list[int]]] | None = None) -> VoteOutcome:
    """Score of ``node`` and, when it is below ``threshold``, the validators' vote on removal.
    ``counts`` (``_counts(reports)``) may be passed when voting on many nodes of one history,
    which is then counted once instead of once per node (quadratic on a large file)."""
    per = (counts if counts is not None else _counts(reports)).get(node, {})
    score = credibility_score(sum(c[0] for c in per.values()), sum(c[1] for c in per.values()))
    if score >= threshold:
        return VoteOutcome(node, score, False, (), (), False)
    validators = tuple(sorted(v for v in per if v != node))
    remove = tuple(v for v in validators if Fraction(per[v][0], per[v][0] + per[v][1]) < threshold)
    return VoteOutcome(node, score, True, validators, remove, byzantine_quorum(len(remove), len(validators)))


def history_from_dict(data) -> list[Report]:
    """Validate a history object; HistoryError names the field (unknown fields included, so
    a misspelt "sucess" is not silently read as a missing report)."""
    if not isinstance(data, dict) or not isinstance(data.get("reports"), list):
        raise HistoryError("history: expected an object with a 'reports' list")
    extra = sorted(set(data) - {"reports"})
    if extra:
        raise HistoryError(f"{extra[0]}: unknown field (a history holds only 'reports')")
    reports = []
    for index, r in enumerate(data["reports"]):
        where = f"reports[{index}]"
        if not isinstance(r, dict):
            raise HistoryError(f"{where}: expected an object")
        extra = sorted(set(r) - {"node", "by", "success"})
        if extra:
            raise HistoryError(f"{where}.{extra[0]}: unknown field (expected node, by, success)")
        for key in ("node", "by"):
            if not isinstance(r.get(key), str) or not r[key]:
                raise HistoryError(f"{where}.{key}: expected a non-empty node id")
        if r["node"] == r["by"]:
            raise HistoryError(f"{where}.by: a node cannot report on itself")
        if not isinstance(r.get("success"), bool):
            raise HistoryError(f"{where}.success: expected true or false")
        reports.append(Report(r["node"], r["by"], r["success"]))
    return reports


def parse_threshold(text: str) -> Fraction:
    try:
        if len(text) > 40:  # a fraction of two huge integers costs quadratic time to read
            raise ValueError
        value = Fraction(text)
    except (ValueError, ZeroDivisionError) as exc:
        raise HistoryError(f"--threshold: not a number: {text!r}") from exc
    if not 0 < value < 1:
        raise HistoryError(f"--threshold: must be in (0, 1), got {text}")
    return value


@guarded
def main(argv: list[str] | None = None) -> int:
    parser = ArgumentParser(
        prog="python -m protocols.reputation.credibility",
        description="BlockCom credibility scores from transaction reports, and the byzantine "
        "(more than two thirds) removal vote for every node scoring below the threshold.",
        epilog="Exit status: 0 success, 2 bad usage or input (one line naming the option or field).",
    )
    parser.add_argument("--history", required=True, help="history JSON (see module docstring)")
    parser.add_argument("--threshold", default="0.3",
                        help="removal-vote threshold, a decimal or fraction in (0, 1) (default 0.3)")
    parser.add_argument("--json", required=True, help="where to write scores and votes")
    args = parser.parse_args(argv)
    check_output_path(args.json, "--json")
    check_not_input(args.json, {"--history": args.history}, "--json")
    try:
        threshold = parse_threshold(args.threshold)
        reports = history_from_dict(read_json_file(args.history, "--history"))
    except HistoryError as exc:
        raise CliError(str(exc) if str(exc).startswith("--") else f"--history {args.history}: {exc}") from None
    table = scores(reports)
    counts = _counts(reports)
    votes = [removal_vote(reports, name, threshold, counts) for name in table]
    payload = {
        "threshold": str(threshold),
        "nodes": [
            {"node": v.node, "score": str(v.score), "vote_held": v.vote_held, "validators": list(v.validators),
             "remove_votes": list(v.remove_votes), "removed": v.removed}
            for v in votes
        ],
    }
    write_json_file(args.json, "--json", payload)
    removed = [v.node for v in votes if v.removed]
    print(f"{len(votes)} node(s) scored; removed: {', '.join(removed) or 'none'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
