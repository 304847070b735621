"""Private group purchasing with the households as input-only clients of m computing parties.

Every household being a computing party costs rounds and bytes that grow with the number
of parties squared. Here m servers (for example a consumer association, the utility and a
regulator; m ≥ 2) compute on behalf of N households that only send inputs and receive
outputs (mpc.client_input). Per household h (registered in the market file, with an
account on the ledger):

1. **Identity**: h connects to every server and signs each server's challenge with its
   account key, the Ed25519 key registered on the ledger; unknown households, wrong keys and
   second connections are refused (mpc.client_input's authentication).
2. **Inputs tied to the operator's commitments**: h inputs its committed bill values x (T
   slots × (2P + 3) values, leaf order) plus one uniform x', and attaches its leaves (the
   operator's commitments and inclusion proofs under the signed root) and the opening proof
   (A, R) of zkp.committed_client_input, bound by Fiat–Shamir to its masked input. The
   servers check every path (at h's own positions in the tree) and all households' opening
   proofs in one MAC-checked opening. A household whose inputs are anything else is
   excluded with its reason; the session goes on with the others, and the exclusions are
   recorded with the decision.
3. **Stages 2–3** run on the accepted households' shares exactly as in the peer protocol
   (protocols.energy.private.session.decide): each slot's join bit is MAC-checked before it
   is used.
4. **Outputs and payments**: the servers compute public commitments P_h = Cm(φ_h, r_h) to
   the shared compensations with shared random r_h (zkp.distributed.commit_shared), open
   ρ = Σ r_h for the zero-sum proof, and send each household (φ_h, r_h) privately, masked
   under a key only it holds. Each household then receives the multi-transaction's body
   root and its own transfer's inclusion path (protocols.ledger.transactions.SigningRequest),
   checks that its transfer commits to its φ_h, signs the body with its account key and
   proves its solvency; the servers agree on the answers, party `host` submits the
   multi-transaction (the ledger verifies every signature and proof) and records the
   decision, and every household is told the ledger entry.

What a corrupt server can still do: refuse to serve, or exclude a household (by sending it
bad mask shares or reporting it absent) — a dishonest-majority protocol guarantees no
delivery; it cannot change an accepted household's input or output, learn its bill, or make
the ledger record anything the checks refuse. A household that does not answer the payment
round blocks the payment (the servers abort; nothing is recorded): its φ is part of the
zero sum. What a household learns: the public decision and sums, and its own φ_h.
"""
from __future__ import annotations

import hashlib
import json
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Callable, Optional

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from mpc.cli import CliError, parse_json_text
from mpc.client_input import ClientInputServer, MemoryHub
from mpc.errors import ActionRefused, MPCAbort, ProofFailure
from mpc.session import Session
from mpc.shares import AuthVector
from zkp.committed_client_input import ClientClaim, OpeningProof, check_openings
from zkp.distributed import commit_shared
from zkp.groups.base import Group

from protocols.energy.market import PublicInfo
from protocols.energy.private.bills import (BadLeaf, arrange_bills, check_signed_root, decode_leaves, leaf_commitments,
                                            leaves_size, max_path)
from protocols.energy.private.session import _result_json, agree_on_market, decide, sync_ledger
from protocols.ledger.api import WRITE_FAILURES, Ledger, LedgerRejected
from protocols.ledger.transactions import SigningRequest, Transfer, new_multi_transaction, prove_zero_sum
from zkp.signatures import SignedRoot

CONTEXT_DOMAIN = b"mpc-markets/energy/client-mode/v1"
#: a household's answer in the payment round: Ed25519 signature ‖ solvency proof
MAX_ANSWER = 64 + (1 << 16)


def client_context(info: PublicInfo, scheme: str, signed_root: SignedRoot) -> bytes:
    """What binds a household's authentication and proofs to this session: the market, the
    scheme and the operator's signed root."""
    return hashlib.sha256(CONTEXT_DOMAIN + info.digest() + scheme.encode() + signed_root.to_bytes()).digest()


def inputs_per_household(info: PublicInfo) -> int:
    """x for every committed value of every slot, and the blinding x' of the opening proof."""
    return info.n_slots * info.leaf_width + 1


def attachment_size(info: PublicInfo, group: Group, tree_size: int) -> int:
    return leaves_size(info, group.point_size, max_path(tree_size)) + OpeningProof.size(group)


def encode_request(req: SigningRequest) -> bytes:
    return json.dumps({"ledger_id": req.ledger_id.hex(), "context": req.context.hex(), "count": req.count,
                       "root": req.root.hex(), "index": req.index, "path": [p.hex() for p in req.path],
                       "account_id": req.account_id, "amount_commitment": req.amount_commitment.hex(),
                       "nonce": req.nonce}, sort_keys=True).encode()


def decode_request(data: bytes) -> SigningRequest:
    """ValueError unless `data` is an encoded SigningRequest."""
    try:
        d = parse_json_text(data.decode("utf-8"), "signing request")
        return SigningRequest(bytes.fromhex(d["ledger_id"]), bytes.fromhex(d["context"]), int(d["count"]),
                              bytes.fromhex(d["root"]), int(d["index"]), tuple(bytes.fromhex(p) for p in d["path"]),
                              str(d["account_id"]), bytes.fromhex(d["amount_commitment"]), int(d["nonce"]))
    except (CliError, UnicodeDecodeError, KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ValueError(f"malformed signing request ({exc})") from None


@dataclass
class ServerSetup:
    """What a computing party brings: the public market, the ledger, and where clients connect."""

    info: PublicInfo
    scheme: str
    group: Group
    ledger: Ledger
    operator_id: str = "utility"
    host: int = 0
    progress: Optional[Callable[[str], None]] = None
    #: seconds the households have to send their inputs (the missing ones are excluded), and
    #: again to sign and prove their transfers (a missing one blocks the payment)
    window: float = 60.0
    #: seconds a household may take for one message of the protocol
    client_timeout: float = 60.0
    hub: Optional[MemoryHub] = None
    listen: Optional[tuple[str, int]] = None


@dataclass
class ServerResult:
    """A server's view: the public result (with the exclusions), sums, deficit, ledger entry, costs."""

    result: dict
    excluded: dict[str, str]
    stages: dict = field(default_factory=dict)
    sums: Optional[tuple[int, int]] = None
    deficit: Optional[int] = None
    ledger_seq: Optional[int] = None
    #: seconds of the named steps inside the stages (see Steps), for cost reports
    steps: dict = field(default_factory=dict)
    #: frames and bytes this server exchanged with households (ClientInputServer.client_traffic)
    client_traffic: dict = field(default_factory=dict)


class Steps:
    """Wall time of named steps inside the stages, so that a report can say where a stage's
    time goes: bringing every server's ledger replica to the host's head, verifying what it
    lacks (0_ledger_sync), the triples for the inputs (1_prepare), waiting for the
    households' inputs (1_collect), agreeing on them (1_agree), checking every household's
    leaves (1_leaves) and opening proofs (1_openings), committing to the compensations
    (4_commit), sending the outputs (4_outputs), waiting for the households' signatures and
    solvency proofs (4_answers), the ledger's verification and write (4_ledger_submit, at
    the host; the others wait for it), the replicas' verification (4_ledger_sync) and the
    final notice (4_notify)."""

    def __init__(self):
        self.seconds: dict[str, float] = {}

    @contextmanager
    def __call__(self, name: str):
        t0 = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - t0


def ledger_authenticator(ledger: Ledger) -> Callable[[str, bytes, bytes], bool]:
    """A household proves its identity with the account key the ledger holds for it."""
    def verify(ident: str, message: bytes, signature: bytes) -> bool:
        try:
            key = ledger.account(ident).public_key
            Ed25519PublicKey.from_public_bytes(key).verify(signature, message)
            return True
        except (LedgerRejected, InvalidSignature, ValueError):
            return False
    return verify


async def serve_group_purchase(session: Session, setup: ServerSetup) -> ServerResult:
    """One computing party's whole run; raises MPCAbort at every honest server on a failed check."""
    info, group, ledger = setup.info, setup.group, setup.ledger
    say = setup.progress or (lambda msg: None)
    steps = Steps()
    with session.stage("stage0_accounts"):
        await agree_on_market(session, info, setup.scheme)
        with steps("0_ledger_sync"):
            await sync_ledger(session, ledger, setup.host)
        signed_root = ledger.latest_root(setup.operator_id)
        check_signed_root(session, ledger.operator_key(setup.operator_id), signed_root)
    ctx = client_context(info, setup.scheme, signed_root)
    k = inputs_per_household(info)
    server = ClientInputServer(session, [(u, k) for u in info.user_ids], timeout=setup.client_timeout, log=say,
                               authenticate=ledger_authenticator(ledger), context=ctx,
                               attachment_limit=attachment_size(info, group, signed_root.tree_size))
    try:
        return await _serve(session, setup, server, signed_root, ctx, say, steps)
    except MPCAbort as exc:
        await server.close(f"the servers aborted: {exc}")
        raise
    finally:
        await server.close()


async def _serve(session: Session, setup: ServerSetup, server: ClientInputServer, signed_root: SignedRoot,
                 ctx: bytes, say, steps: Steps) -> ServerResult:
    info, group = setup.info, setup.group

    def done(**kw) -> ServerResult:
        return ServerResult(stages=session.stage_report(), steps=steps.seconds,
                            client_traffic=server.client_traffic(), **kw)

    with session.stage("stage1_inputs"):
        with steps("1_prepare"):
            await server.prepare()
        if setup.hub is not None:
            setup.hub.attach(session.pid, server)
        if setup.listen is not None:
            await server.listen(*setup.listen)
            say(f"accepting households on {setup.listen[0]}:{setup.listen[1]}")
        with steps("1_collect"):
            await server.collect(setup.window)
        with steps("1_agree"):
            agreed = await server.agree()
        excluded = dict(agreed.rejected)
        accepted = await _check_bills(session, group, info, agreed, signed_root, ctx, excluded, steps)
        for uid in sorted(set(agreed.inputs) - set(accepted)):
            await server.exclude(uid, excluded[uid])
    say(f"stage 1: {len(accepted)} households accepted, {len(excluded)} excluded")
    for uid, reason in sorted(excluded.items()):
        say(f"excluded {uid}: {reason}")
    sub = PublicInfo(tuple(accepted), info.n_slots, info.n_periods, info.group_import, info.group_export,
                     info.c_g, info.d_g)
    k = inputs_per_household(info) - 1
    decision = {"scheme": setup.scheme, "group": list(accepted), "excluded": dict(sorted(excluded.items())),
                "root": signed_root.root.hex()}
    if not accepted:
        result = {**_result_json(sub, setup.scheme, None, [], {}), "excluded": decision["excluded"]}
        seq = await _record(session, setup, {**decision, "join_slot": None, "per_slot": []})
        await server.send_outputs(json.dumps(result, sort_keys=True).encode(), {})
        await server.notify(json.dumps({"ledger_seq": seq}).encode())
        return done(result=result, excluded=excluded, ledger_seq=seq)
    bills = arrange_bills(sub, {i: agreed.inputs[u][:k] for i, u in enumerate(accepted)})
    per_slot, comp, join_slot = await decide(session, sub, bills, setup.scheme, say)
    result = {**_result_json(sub, setup.scheme, join_slot, per_slot, {}), "excluded": decision["excluded"]}
    decision.update(join_slot=join_slot, per_slot=per_slot)
    if comp is None:
        with session.stage("stage4_payments"):
            seq = await _record(session, setup, decision)
            await server.send_outputs(json.dumps(result, sort_keys=True).encode(), {})
            await server.notify(json.dumps({"ledger_seq": seq}).encode())
        return done(result=result, excluded=excluded, ledger_seq=seq)

    result.update(sum_group=comp.sum_group, sum_outside=comp.sum_outside, deficit=comp.deficit)
    decision.update(sum_group=comp.sum_group, sum_outside=comp.sum_outside, deficit=comp.deficit)
    with session.stage("stage4_payments"):
        say(f"stage 4: commitments to {len(accepted)} compensations, outputs, signatures and solvency proofs")
        seq = await _pay(session, setup, server, accepted, comp.phi, ctx, join_slot, decision, result, steps)
    say(f"stage 4: multi-transaction and decision recorded on the ledger (entry {seq})")
    return done(result=result, excluded=excluded, sums=(comp.sum_group, comp.sum_outside), deficit=comp.deficit,
                ledger_seq=seq)


async def _check_bills(session: Session, group: Group, info: PublicInfo, agreed, signed_root: SignedRoot,
                       ctx: bytes, excluded: dict[str, str], steps: Optional[Steps] = None) -> list[str]:
    """The agreed households whose leaves are theirs under the signed root and whose shared
    values open the commitments, in market order; the others go to `excluded` with a reason."""
    k = inputs_per_household(info) - 1
    path_len = max_path(signed_root.tree_size)
    leaf_bytes = leaves_size(info, group.point_size, path_len)
    steps = steps or Steps()
    claims = []
    with steps("1_leaves"):
        claims = _leaf_claims(group, info, agreed, signed_root, excluded, k, path_len, leaf_bytes)
    with steps("1_openings"):
        bad = await check_openings(session, group, claims, ctx)
    excluded.update(bad)
    return [u for u in info.user_ids if u in agreed.inputs and u not in excluded]


def _leaf_claims(group: Group, info: PublicInfo, agreed, signed_root: SignedRoot, excluded: dict[str, str], k: int,
                 path_len: int, leaf_bytes: int) -> list[ClientClaim]:
    """Every agreed household's claim (shared inputs, commitments, masked input, opening
    proof) whose leaves are its own under the signed root; the others go to `excluded`."""
    claims = []
    for owner, uid in enumerate(info.user_ids):
        if uid not in agreed.inputs:
            continue
        att = agreed.attachments[uid]
        try:
            if len(att) != leaf_bytes + OpeningProof.size(group):
                raise ValueError("attachment of the wrong size")
            leaves = decode_leaves(info, owner, att[:leaf_bytes], group.point_size, path_len)
            cms = [c.to_bytes() for c in leaf_commitments(group, info, owner, leaves, signed_root)]
            proof = OpeningProof.from_bytes(group, att[leaf_bytes:])
        except BadLeaf as exc:
            excluded[uid] = f"receipts not under the operator's signed root ({exc})"
            continue
        except (ValueError, MPCAbort) as exc:
            excluded[uid] = f"malformed attachment ({exc})"
            continue
        if len(cms) != k:
            excluded[uid] = "wrong number of commitments"
            continue
        claims.append(ClientClaim(uid, agreed.inputs[uid], cms, agreed.masked[uid], proof))
    return claims


async def _pay(session: Session, setup: ServerSetup, server: ClientInputServer, accepted: list[str],
               phi: AuthVector, ctx: bytes, join_slot: int, decision: dict, result: dict,
               steps: Optional[Steps] = None) -> int:
    group, ledger = setup.group, setup.ledger
    steps = steps or Steps()
    n = len(accepted)
    with steps("4_commit"):
        r = (await session.triples(n))[0]          # uniform shared randomness, one per household
        points = await commit_shared(session, group, phi, r, context=ctx)
        (rho,) = await session.output(r.sum())
        total = group.lincomb(points, [1] * n, h=-int(rho))
        if not total.is_identity():
            raise session.abort(ProofFailure("payment sum: the committed compensations do not add up to zero"))
    with steps("4_outputs"):
        await server.send_outputs(json.dumps(result, sort_keys=True).encode(),
                                  {u: AuthVector.concat([phi[i], r[i]]) for i, u in enumerate(accepted)})
    context = ctx + f"/payment/slot-{join_slot}".encode()
    with steps("4_answers"):
        mtx = new_multi_transaction([Transfer(u, p.to_bytes()) for u, p in zip(accepted, points)],
                                    {u: ledger.account(u).nonce for u in accepted}, context=context,
                                    ledger_id=ledger.ledger_id)
        # Every household has the whole window to sign and prove (its proof takes CPU time, and
        # a simulator plays many households on one machine), not the per-message timeout.
        answers = await server.exchange({u: encode_request(mtx.signing_request(u)) for u in accepted}, MAX_ANSWER,
                                        max(setup.window, setup.client_timeout))
    missing = {u: answers.rejected.get(u, "no answer") for u in accepted if u not in answers.replies}
    for u, a in answers.replies.items():
        mtx.signatures[u], mtx.solvency_proofs[u] = a[:64], a[64:]
    if missing:
        who = [f"{u} ({why})" for u, why in sorted(missing.items())]
        raise session.abort(ActionRefused(f"payment: households did not sign and prove their transfers: "
                                          f"{'; '.join(who[:5])}"))
    # The ledger checks every signature and solvency proof (and names a bad one); the other
    # servers check them again when they verify the new entries into their own replicas.

    def submit() -> bytes:
        mtx.sum_proof = prove_zero_sum(group, mtx, int(rho))
        mseq = ledger.submit_multi_transaction(mtx)
        dseq = ledger.record_decision("energy-group-purchase", {**decision, "multi_transaction_seq": mseq})
        return dseq.to_bytes(8, "big")

    with steps("4_ledger_submit"):
        seq = int.from_bytes(await session.act_and_agree(setup.host, submit, WRITE_FAILURES,
                                                         "the ledger refused the payment"), "big")
    with steps("4_ledger_sync"):
        await sync_ledger(session, ledger, setup.host)
    with steps("4_notify"):
        await server.notify(json.dumps({"ledger_seq": seq}).encode())
    return seq


async def _record(session: Session, setup: ServerSetup, decision: dict) -> int:
    """The host records the decision (after the checks act_and_agree runs); every ledger syncs."""
    out = await session.act_and_agree(
        setup.host, lambda: setup.ledger.record_decision("energy-group-purchase", decision).to_bytes(8, "big"),
        WRITE_FAILURES, "the ledger refused the decision")
    await sync_ledger(session, setup.ledger, setup.host)
    return int.from_bytes(out, "big")
