"""Our own party-to-party network layer: TCP or TLS connections with authenticated party
identities (mpc.net.transport), the certificate binding (mpc.net.identity), the handshake
(mpc.net.handshake) and the framing (mpc.net.framing). Certificates: `python -m mpc.certs`."""
from .transport import NetTransport, is_loopback

__all__ = ["NetTransport", "is_loopback"]
