"""Σ-protocol skeleton: interactive prover/verifier, Fiat–Shamir, batch verification.

A protocol is a stateless object that supplies the algebra as separate small
steps (so that distributed provers can evaluate the same linear functions on
secret-shared witnesses):

* ``commit(stmt, witness)``        → (first message, prover state)
* ``respond(stmt, witness, state, c)`` → response (linear in the witness)
* ``equations(stmt, first, c, response, terms)`` → adds one random linear
  combination of all verification equations to ``terms``; the verifier
  accepts iff the combination is the identity.  Weights are fresh odd
  128-bit random numbers drawn at verification time, so a false equation
  slips through with probability at most 2^-127; ``well_formed`` rejects
  malformed shapes and unreduced scalars first.
* ``simulate(stmt, c)``            → (first, response) with the honest
  distribution for challenge c (honest-verifier zero knowledge)
* ``extract(stmt, first, c1, z1, c2, z2)`` → witness, for c1 ≠ c2 (special
  soundness)

``prove``/``verify`` make any protocol non-interactive with a
:class:`~zkp.transcript.Transcript` that binds the protocol name, group,
generators, context string, statement and first message.
"""

from __future__ import annotations

import secrets
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any, Generic, Sequence, TypeVar

from zkp.groups.base import Group, Point
from zkp.transcript import Transcript

S = TypeVar("S")  # statement
W = TypeVar("W")  # witness
A = TypeVar("A")  # first message
Z = TypeVar("Z")  # response

#: bits of the random weights of batch verification.
BATCH_WEIGHT_BITS = 128


class Terms:
    """An accumulating linear combination g·G + h·H + Σ k_i·P_i (scalars mod q)."""

    __slots__ = ("group", "points", "scalars", "g", "h")

    def __init__(self, group: Group) -> None:
        self.group = group
        self.points: list[Point] = []
        self.scalars: list[int] = []
        self.g = 0
        self.h = 0

    def add(self, k: int, p: Point) -> None:
        self.points.append(p)
        self.scalars.append(k % self.group.order)

    def is_zero(self) -> bool:
        return self.group.lincomb(self.points, self.scalars, self.g, self.h).is_identity()


def points_ok(group: Group, points: Sequence[Any]) -> bool:
    """All are points of ``group``."""
    return all(isinstance(p, Point) and p.group is group for p in points)


def scalars_ok(group: Group, scalars: Sequence[Any]) -> bool:
    """All are reduced scalars (integers in [0, q)), so a proof has exactly one valid form."""
    q = group.order
    return all(hasattr(k, "__index__") and not isinstance(k, bool) and 0 <= k < q for k in scalars)


def random_weight() -> int:
    """A nonzero batch-verification weight."""
    return secrets.randbits(BATCH_WEIGHT_BITS) | 1


class SigmaProtocol(ABC, Generic[S, W, A, Z]):
    """The algebra of one Σ-protocol; see the module docstring."""

    #: domain-separation name, also the serialisation tag.
    name: bytes

    @abstractmethod
    def group_of(self, stmt: S) -> Group: ...

    @abstractmethod
    def absorb_statement(self, t: Transcript, stmt: S) -> None: ...

    @abstractmethod
    def absorb_first(self, t: Transcript, stmt: S, first: A) -> None: ...

    @abstractmethod
    def validate_witness(self, stmt: S, witness: W) -> None:
        """Raise ValueError unless witness satisfies stmt (an honest prover's guard)."""

    @abstractmethod
    def commit(self, stmt: S, witness: W) -> tuple[A, Any]: ...

    @abstractmethod
    def respond(self, stmt: S, witness: W, state: Any, c: int) -> Z: ...

    @abstractmethod
    def well_formed(self, stmt: S, first: A, response: Z) -> bool:
        """Shapes match the statement: counts, points of the right group, reduced scalars."""

    @abstractmethod
    def equations(self, stmt: S, first: A, c: int, response: Z, terms: Terms) -> None:
        """Add a random combination of the verification equations to ``terms``."""

    @abstractmethod
    def simulate(self, stmt: S, c: int) -> tuple[A, Z]: ...

    @abstractmethod
    def extract(self, stmt: S, first: A, c1: int, z1: Z, c2: int, z2: Z) -> W: ...

    @abstractmethod
    def encode(self, stmt: S, first: A, response: Z) -> bytes: ...

    @abstractmethod
    def decode(self, stmt: S, data: bytes) -> tuple[A, Z]:
        """Inverse of encode; ValueError on any malformation."""

    # -- derived -------------------------------------------------------------------
    def check(self, stmt: S, first: A, c: int, response: Z) -> bool:
        """The verifier's decision for transcript (first, c, response)."""
        if not self.well_formed(stmt, first, response):
            return False
        terms = Terms(self.group_of(stmt))
        self.equations(stmt, first, c % terms.group.order, response, terms)
        return terms.is_zero()

    def challenge(self, stmt: S, first: A, context: bytes) -> int:
        """The Fiat–Shamir challenge for (stmt, first) under ``context``."""
        group = self.group_of(stmt)
        t = Transcript(b"sigma/" + self.name)
        t.append_group(group)
        t.append_bytes(b"context", context)
        self.absorb_statement(t, stmt)
        self.absorb_first(t, stmt, first)
        return t.challenge_scalar(b"challenge", group)


@dataclass(frozen=True)
class NIProof(Generic[S, A, Z]):
    """A non-interactive proof: first message and response (the challenge is recomputed)."""

    protocol: SigmaProtocol
    first: Any
    response: Any

    def to_bytes(self, stmt: Any) -> bytes:
        return self.protocol.encode(stmt, self.first, self.response)

    @classmethod
    def from_bytes(cls, protocol: SigmaProtocol, stmt: Any, data: bytes) -> "NIProof":
        first, response = protocol.decode(stmt, data)
        return cls(protocol, first, response)


def prove(protocol: SigmaProtocol, stmt: Any, witness: Any, context: bytes = b"") -> NIProof:
    """Fiat–Shamir proof of ``stmt`` (ValueError if the witness does not satisfy it)."""
    protocol.validate_witness(stmt, witness)
    first, state = protocol.commit(stmt, witness)
    c = protocol.challenge(stmt, first, context)
    return NIProof(protocol, first, protocol.respond(stmt, witness, state, c))


def verify(protocol: SigmaProtocol, stmt: Any, proof: NIProof, context: bytes = b"") -> bool:
    """Whether ``proof`` is a valid non-interactive proof of ``stmt`` under ``context``."""
    if not isinstance(proof, NIProof) or proof.protocol is not protocol:
        return False
    if not protocol.well_formed(stmt, proof.first, proof.response):
        return False
    c = protocol.challenge(stmt, proof.first, context)
    return protocol.check(stmt, proof.first, c, proof.response)


def verify_batch(items: Sequence[tuple[SigmaProtocol, Any, NIProof, bytes]]) -> bool:
    """Verify many non-interactive proofs (any protocols, one group) with one multi-scalar multiplication.

    Accepts iff all verify, except with probability 2^-128 per false proof.
    """
    if not items:
        return True
    group = items[0][0].group_of(items[0][1])
    terms = Terms(group)
    for protocol, stmt, proof, context in items:
        if protocol.group_of(stmt) is not group:
            raise ValueError("verify_batch: all statements must be over one group")
        if not isinstance(proof, NIProof) or proof.protocol is not protocol:
            return False
        if not protocol.well_formed(stmt, proof.first, proof.response):
            return False
        c = protocol.challenge(stmt, proof.first, context)
        protocol.equations(stmt, proof.first, c, proof.response, terms)
    return terms.is_zero()


class Prover(Generic[S, W, A, Z]):
    """The prover's side of the interactive protocol: one first message, one response.

    Answering two different challenges with one nonce would hand out the
    witness (special soundness), so ``respond`` refuses a second call.
    """

    def __init__(self, protocol: SigmaProtocol, stmt: S, witness: W) -> None:
        protocol.validate_witness(stmt, witness)
        self.protocol, self.stmt, self.witness = protocol, stmt, witness
        self._first, self._state = protocol.commit(stmt, witness)
        self._answered = False

    def first_message(self) -> A:
        return self._first

    def respond(self, c: int) -> Z:
        if self._answered:
            raise RuntimeError("this prover already answered a challenge; start a new run")
        self._answered = True
        group = self.protocol.group_of(self.stmt)
        return self.protocol.respond(self.stmt, self.witness, self._state, group.scalar(c))


class Verifier(Generic[S, A, Z]):
    """The verifier's side: receives the first message, sends a uniform challenge, decides."""

    def __init__(self, protocol: SigmaProtocol, stmt: S) -> None:
        self.protocol, self.stmt = protocol, stmt
        self._first: Any = None
        self._c: int | None = None

    def challenge(self, first: A) -> int:
        if self._c is not None:
            raise RuntimeError("challenge already issued")
        self._first = first
        self._c = self.protocol.group_of(self.stmt).random_scalar()
        return self._c

    def verify(self, response: Z) -> bool:
        if self._c is None:
            raise RuntimeError("no challenge issued yet")
        return self.protocol.check(self.stmt, self._first, self._c, response)
