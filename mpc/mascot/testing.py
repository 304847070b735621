"""FOR TESTS ONLY: a MASCOT party that deviates from the protocol in one chosen way.

`DeviatingMascot` overrides the backend's two hooks (`_outgoing`, `_check_sigma`) to tamper
with exactly one kind of message, towards one victim where the protocol step is pairwise.
The tests assert that every honest party then aborts with the check named in DEVIATIONS.
Production code never constructs this class.
"""
from __future__ import annotations

import numpy as np

from ..errors import MalformedMessage
from ..field import BN254_ORDER
from . import errors as E
from .backend import MascotPreprocessing
from .otext import KAPPA

Q = int(BN254_ORDER)

# deviation -> (what the corrupt party does, the abort every honest party must raise)
DEVIATIONS = {
    "base-ot": ("sends a base-OT key A whose proof of knowledge does not verify", E.BaseOTFailure),
    "kos": ("flips one OT's choice bit in half of the KOS columns", E.OTExtensionCheckFailure),
    "cope": ("adds 1 to every COPE correction word of one value", E.AuthenticationCheckFailure),
    "gilboa": ("uses b + 1 instead of b in the Gilboa corrections of one product", E.SacrificeFailure),
    "mac": ("reports a MAC-check value off by one", E.PreprocessingMacCheckFailure),
    "sacrifice": ("opens a wrong share of ρ in the sacrifice", E.SacrificeFailure),
    "bit": ("opens a wrong share of the square a² in bit generation", E.PreprocessingMacCheckFailure),
    "malformed": ("sends a truncated Gilboa correction message", MalformedMessage),
}


def _add_one_mod_q(data: bytes, indices) -> bytes:
    v = bytearray(data)
    for i in indices:
        x = (int.from_bytes(v[32 * i:32 * i + 32], "little") + 1) % Q
        v[32 * i:32 * i + 32] = x.to_bytes(32, "little")
    return bytes(v)


class DeviatingMascot(MascotPreprocessing):
    """A corrupt party: honest except for one `deviation` aimed at `victim`."""

    def __init__(self, field, transport, deviation: str, victim: int):
        if deviation not in DEVIATIONS:
            raise ValueError(f"unknown deviation {deviation!r}")
        super().__init__(field, transport)
        self.deviation = deviation
        self.victim = victim
        self.done = False
        self.step = None      # the step tampered with (a broadcast is tampered towards everyone alike)

    def _outgoing(self, step: str, peer: int, payload: bytes) -> bytes:
        d = self.deviation
        if self.done and step != self.step:
            return payload
        if peer != self.victim and d in ("base-ot", "kos", "cope", "gilboa", "malformed"):
            return payload
        self.step = step
        if d == "base-ot" and step == "base-ot/sender":
            self.done = True
            return payload[:-1] + bytes([payload[-1] ^ 1])          # the Schnorr response s
        if d == "kos" and step == "triple/ot/u":
            self.done = True
            u = np.frombuffer(payload, dtype=np.uint8).reshape(KAPPA, -1).copy()
            u[:KAPPA // 2, 0] ^= 1                                   # OT 0, columns 0..63
            return u.tobytes()
        if d == "cope" and step == "triple/auth/cope":
            self.done = True
            n = len(payload) // 32 // 254
            return _add_one_mod_q(payload, [h * n for h in range(254)])   # value 0, every row
        if d == "gilboa" and step == "triple/gilboa":
            self.done = True
            n = len(payload) // 32 // 254
            return _add_one_mod_q(payload, [h * n for h in range(254)])   # column 0, every bit
        if d == "malformed" and step == "triple/gilboa":
            self.done = True
            return payload[:-1]
        if d == "sacrifice" and step == "triple/rho":
            self.done = True          # the same wrong share to everyone (no equivocation)
            return _add_one_mod_q(payload, [0])
        if d == "bit" and step == "bit/square":
            self.done = True
            return _add_one_mod_q(payload, [0])
        return payload

    def _check_sigma(self, step: str, sigma):
        if self.deviation == "mac" and step == "triple/mac" and not self.done:
            self.done = True
            return (sigma + 1) % Q
        return sigma
