"""Party identities bound to certificates, and the TLS contexts that check them.

Every party's certificate (made by `python -m mpc.certs`) carries exactly one subject
alternative name of the form ``urn:mpc-markets:party:<i>:of:<m>``: the party index and
the session's number of parties. A connection is accepted only when the certificate
(signed by the session's CA) names the very party the peer claims to be, in a session
of the same size; a name in any other form, or two such names, identify nobody.
"""
from __future__ import annotations

import re
import ssl
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

PARTY_URI_PREFIX = "urn:mpc-markets:party:"
_PARTY_URI = re.compile(r"^urn:mpc-markets:party:(0|[1-9][0-9]{0,3}):of:([1-9][0-9]{0,3})$")


def party_uri(pid: int, m: int) -> str:
    return f"{PARTY_URI_PREFIX}{pid}:of:{m}"


def parse_party_uri(uri: str) -> Optional[tuple[int, int]]:
    """(pid, m) of a well-formed party URI with 0 ≤ pid < m, else None."""
    match = _PARTY_URI.match(uri)
    if not match:
        return None
    pid, m = int(match.group(1)), int(match.group(2))
    return (pid, m) if pid < m else None


def identity_from_uris(uris: list[str]) -> Optional[tuple[int, int]]:
    """The party a certificate names: exactly one party URI among its URIs, well formed."""
    named = [u for u in uris if u.startswith(PARTY_URI_PREFIX)]
    if len(named) != 1:
        return None
    return parse_party_uri(named[0])


def peer_identity(ssl_object) -> Optional[tuple[int, int]]:
    """(pid, m) bound to the verified certificate of a TLS peer, or None."""
    if ssl_object is None:
        return None
    cert = ssl_object.getpeercert()
    if not cert:
        return None
    uris = [value for kind, value in cert.get("subjectAltName", ()) if kind == "URI"]
    return identity_from_uris(uris)


@dataclass(frozen=True)
class CertPaths:
    """Where one party finds the CA certificate and its own certificate and key."""

    ca: Path
    cert: Path
    key: Path

    @classmethod
    def in_folder(cls, folder: str | Path, pid: int) -> "CertPaths":
        d = Path(folder)
        return cls(d / "ca.crt", d / f"party{pid}.crt", d / f"party{pid}.key")


def _context(purpose: int, paths: CertPaths) -> ssl.SSLContext:
    ctx = ssl.SSLContext(purpose)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.verify_mode = ssl.CERT_REQUIRED
    ctx.load_verify_locations(cafile=str(paths.ca))
    ctx.load_cert_chain(str(paths.cert), str(paths.key))
    return ctx


def server_context(paths: CertPaths) -> ssl.SSLContext:
    """TLS for the listening side: the peer must present a certificate signed by the CA."""
    return _context(ssl.PROTOCOL_TLS_SERVER, paths)


def client_context(paths: CertPaths) -> ssl.SSLContext:
    """TLS for the dialling side. Host names are not checked: the certificate's party
    URI is, against the party this address should belong to."""
    ctx = _context(ssl.PROTOCOL_TLS_CLIENT, paths)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_REQUIRED
    return ctx
