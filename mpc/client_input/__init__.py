"""Input-only clients: parties that secret-share values to the m computing parties
(and receive private outputs from them) without taking part in the computation.

Protocol (the client-input technique of Damgård, Damgård, Nielsen, Nordholt and
Toft, "Confidential benchmarking based on multiparty computation", FC 2016):

1. Offline, the servers reserve one Beaver triple ⟨a⟩, ⟨b⟩, ⟨c⟩ (c = a·b) per value
   of every registered client (the list of client ids and how many values each
   sends is public).
2. The client connects to every server; server i sends its *value* shares
   (a_i, b_i, c_i) of the client's triples — never MAC shares, which would relate
   α to the triple.
3. The client adds the shares up and checks c = a·b for every value. A server that
   changes its share of a, b or c passes this test only if it guesses the honest
   servers' shares (probability ≤ 2/q per value): a ≠ Σa_i would need
   δ_c = δ_a·b + δ_b·a + δ_a·δ_b for secret a, b. On failure the client sends
   nothing but a refusal and reports that a server cheated.
4. The client sends the same vector d = x − a to every server; each server sets
   ⟨x⟩ = ⟨a⟩ + d, an authenticated sharing of x.
5. The servers agree on what each client sent: every server broadcasts a hash of
   each client's d (or zeros if it got nothing valid), in one broadcast for all
   clients. A client is accepted iff all m hashes are equal and non-zero. So a client
   that sends different d to different servers (equivocation), a malformed message or
   nothing at all is excluded at every server, and the others go on. The broadcast
   enters the session's transcript, so a server that reports different hashes to
   different servers is caught at the next MAC check.

Outputs to a client y (length n): the servers compute ⟨v⟩ = ⟨r⟩·⟨y⟩ for a random ⟨r⟩
(one Beaver product), MAC-check everything opened so far, and send the client their
value shares of (y, r, v). The client checks v = r·y: a server that changes its share
of y by δ must change v by r·δ, and r is hidden from it. A public part (e.g. the
clearing price) travels in the same message; the client accepts it only if every
server sent the same bytes, which is correct as long as one server is honest.

What this guarantees (with at most m − 1 corrupt servers, the SPDZ model):
- privacy of the client's input: d = x − a with a uniform and unknown to any proper
  subset of servers;
- integrity: a corrupt server cannot change an accepted client's input (its share of
  ⟨a⟩ is authenticated, and d is agreed among servers) nor a client's output without
  the client or the MAC check noticing;
- the client learns nothing but its own outputs and the public part (a, b, c are
  fresh randomness it alone sees in the clear).
What it does not guarantee: that a client is included — one corrupt server can make any
client fail (by sending bad triple shares or lying about its hash); a dishonest-majority
protocol cannot guarantee delivery anyway. Client ids are not authenticated here (use TLS
client certificates in a deployment): whoever connects first with an id speaks for it.
The values' *meaning* (ranges, monotone curves) is not checked by this module; the
protocols above check what they need (e.g. by bit-decomposed inputs).

Modules: :mod:`.wire` (frames and message encodings: nothing is unpickled, every frame
is checked for type and exact length), :mod:`.channels` (asyncio TCP sockets or in-memory
channels for tests), :mod:`.client` (the client's side), :mod:`.server` (a computing
party's side). A command-line client lives in :mod:`mpc.client`.
"""
from .channels import (ClientChannel, MemoryChannel, MemoryHub, SocketChannel, connect_servers,
                       memory_channel_pair)
from .client import receive_output, submit_input
from .server import AgreedInputs, ClientInputServer
from .wire import (ACK, HELLO, INPUT, MASKS, MAX_FRAME, MAX_ID_BYTES, REFUSE, REJECT, RESULT,
                   ClientInputError, ClientProtocolError)

__all__ = ["ACK", "AgreedInputs", "ClientChannel", "ClientInputError", "ClientInputServer",
           "ClientProtocolError", "HELLO", "INPUT", "MASKS", "MAX_FRAME", "MAX_ID_BYTES", "MemoryChannel",
           "MemoryHub", "REFUSE", "REJECT", "RESULT", "SocketChannel", "connect_servers",
           "memory_channel_pair", "receive_output", "submit_input"]
