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
   different servers is caught at the next MAC check. The servers that lack a client
   then broadcast why (each saw its own failure: a hang-up, a malformed input, silence),
   and every server records the same reason, naming each of them; a result that quotes
   the reasons is then the same at every server.

Outputs to a client y (length k ≤ n, the number of values it sent): the key is the b of
the client's own triples, which the client alone knows in the clear and checked in step
3 (a server that shifted its share of b would have failed c = a·b). The servers open
z = y + b among themselves with `Session.open_checked` — z is a one-time pad of y, and
the MAC check (over everything opened so far) makes a corrupt server's change to z an
abort before anything is sent — and every server sends the client z and the public part.
The client accepts only if all servers sent exactly the same bytes, and computes
y = z − b. A corrupt server can still make the client refuse, by sending something else,
but it knows only z, so whether the client accepts never depends on y (an earlier
version checked v = r·y on shares the servers chose, which let a corrupt server make
acceptance depend on a guess of y).

Limits against hostile connections: a frame is refused from its header when its type is
not expected at that point or its length exceeds that type's limit (a HELLO is at most
256 bytes, an INPUT exactly the client's n field elements), before any payload is read;
at most `max_pending` connections that have not yet named a registered client are kept
(more are closed at once; by default 64 or the number of registered clients, whichever is
larger, so that every registered client may connect at the same moment), each with
`hello_timeout` seconds to do so; every message
must arrive whole within the timeout; and a client that stops reading what a server
sends (its result) is cut off after the timeout, without holding up the other clients.

What this guarantees (with at most m − 1 corrupt servers, the SPDZ model):
- privacy of the client's input: d = x − a with a uniform and unknown to any proper
  subset of servers;
- integrity: a corrupt server cannot change an accepted client's input (its share of
  ⟨a⟩ is authenticated, and d is agreed among servers) nor a client's output without
  the MAC check or the client noticing, and the client's acceptance reveals nothing
  about its output;
- the client learns nothing but its own outputs and the public part (a, b, c are
  fresh randomness it alone sees in the clear).
What it does not guarantee: that a client is included — one corrupt server can make any
client fail (by sending bad triple shares or lying about its hash); a dishonest-majority
protocol cannot guarantee delivery anyway. Client ids are not authenticated here (use TLS
client certificates in a deployment): whoever connects first with an id speaks for it.
The values' *meaning* (ranges, monotone curves) is not checked by this module; the
protocols above check what they need (e.g. by bit-decomposed inputs).

Options a protocol may switch on: authenticated clients (`authenticate=` on the server,
`sign=` on the client: before it gets anything, a client signs the server's fresh nonce,
bound to the session's context and the server's index, with the key the protocol has
registered for it; a failed attempt does not take the client's place); public attachments
to an input (`attachment_limit=`, `attach=`), agreed on with the input; one more
question-and-answer round with the accepted clients (`exchange` / `answer_request`), agreed
on like inputs, within a window that may be longer than the servers' timeout; and a final public notice (`notify` / `receive_notice`).

Modules: :mod:`.wire` (frames and message encodings: nothing is unpickled, every frame
is checked for type and exact length), :mod:`.channels` (asyncio TCP sockets or in-memory
channels for tests), :mod:`.client` (the client's side), :mod:`.server` (a computing
party's side). A command-line client lives in :mod:`mpc.client`.
"""
from .channels import (ClientChannel, MemoryChannel, MemoryHub, SocketChannel, connect_servers,
                       memory_channel_pair)
from .client import answer_request, receive_notice, receive_output, submit_input
from .server import AgreedInputs, AgreedReplies, ClientInputServer
from .wire import (ACK, AUTH, CHALLENGE, HELLO, INPUT, MASKS, MAX_FRAME, MAX_ID_BYTES, MAX_REASON, NOTICE, REFUSE,
                   REJECT, REPLY, REQUEST, RESULT, ClientInputError, ClientProtocolError)

__all__ = ["ACK", "AUTH", "AgreedInputs", "AgreedReplies", "CHALLENGE", "MAX_REASON", "NOTICE", "REPLY", "REQUEST",
           "answer_request", "receive_notice", "ClientChannel", "ClientInputError", "ClientInputServer",
           "ClientProtocolError", "HELLO", "INPUT", "MASKS", "MAX_FRAME", "MAX_ID_BYTES", "MemoryChannel",
           "MemoryHub", "REFUSE", "REJECT", "RESULT", "SocketChannel", "connect_servers",
           "memory_channel_pair", "receive_output", "submit_input"]
