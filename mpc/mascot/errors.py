"""Named aborts of the MASCOT preprocessing: one class per check, all MPCAbort subclasses."""
from ..errors import MacCheckFailure, MalformedMessage, MPCAbort


class BaseOTFailure(MPCAbort):
    """A base-OT message was malformed or its proof of knowledge did not verify."""

    check = "base OT (proof of knowledge of the sender's key)"


class OTExtensionCheckFailure(MPCAbort):
    """The KOS correlation check failed: a receiver used inconsistent choice bits."""

    check = "OT extension consistency check (KOS)"


class AuthenticationCheckFailure(MPCAbort):
    """The random-combination MAC check of freshly authenticated values failed (COPE)."""

    check = "MAC authentication check (COPE)"


class SacrificeFailure(MPCAbort):
    """A random combination of sacrificed triples did not open to zero."""

    check = "triple sacrifice"


class PreprocessingMacCheckFailure(MacCheckFailure):
    """The MAC check on values opened inside the preprocessing failed."""

    check = "preprocessing MAC check"


class BitGenerationFailure(MPCAbort):
    """An opened square had no square root (only possible after a deviation)."""

    check = "random bit generation (square root)"


# status codes exchanged after pairwise checks, so that every honest party aborts
STATUS_CODES = {1: BaseOTFailure, 2: OTExtensionCheckFailure, 3: MalformedMessage}
