"""One exception family for every reason a session aborts.

Every honest party that detects a deviation raises a subclass of :class:`MPCAbort`
whose message names the check that failed. After an abort the session releases no
further output.
"""


class MPCAbort(Exception):
    """Base class: the session was aborted; no output may be trusted or released."""

    check = "abort"

    def __init__(self, detail: str = ""):
        msg = f"{self.check} failed" + (f": {detail}" if detail else "")
        super().__init__(msg)
        self.detail = detail


class MacCheckFailure(MPCAbort):
    """The batched MAC check over opened values did not sum to zero."""

    check = "MAC check"


class CommitmentMismatch(MPCAbort):
    """A party revealed a value that does not match what it committed to."""

    check = "commitment of check values"


class BroadcastInconsistency(MPCAbort):
    """Honest parties saw different values for something that was broadcast (equivocation)."""

    check = "broadcast consistency"


class MalformedMessage(MPCAbort):
    """A peer sent bytes that do not decode to what the protocol expects."""

    check = "message format"


class PeerTimeout(MPCAbort):
    """A peer did not send an expected message within the session timeout."""

    check = "liveness (timeout)"


class PeerDisconnected(MPCAbort):
    """The connection to a peer was lost before the session finished."""

    check = "liveness (connection lost)"


class ProofFailure(MPCAbort):
    """A zero-knowledge proof presented in the session did not verify."""

    check = "zero-knowledge proof"


class InputOutOfRange(MPCAbort):
    """A party's input lies outside the declared range of a computation."""

    check = "input range"


class SessionFailure(MPCAbort):
    """An exception inside a session operation (a local error, a cancellation) left the
    session in an unknown state; it refuses to go on."""

    check = "session state"


class AuthenticationFailure(MPCAbort):
    """A peer could not prove the party identity it claimed (certificate, handshake)."""

    check = "peer authentication"


class ActionRefused(MPCAbort):
    """An action a party performed for the session outside it (e.g. a ledger write) was refused."""

    check = "external action"
