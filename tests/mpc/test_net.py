"""Party identities are authenticated (issue 12, item 1): certificates bound to party ids,
checked on every connection; duplicate and unexpected ids refused; TLS required as soon as
a party is not on this machine; and a real three-process session over TLS on localhost."""
import asyncio
import json
import ssl
import subprocess
import sys

import pytest

from mpc.certs import certificate_identity, check_party_files, write_session_certs
from mpc.errors import AuthenticationFailure, MalformedMessage, PeerTimeout
from mpc.net.framing import HANDSHAKE_LABEL, HEADER, encode_frame, read_frame
from mpc.net.handshake import Hello, Welcome
from mpc.net.identity import CertPaths, client_context, identity_from_uris, server_context
from mpc.net.transport import NetTransport
from tests.conftest import REPO, free_base_port


@pytest.fixture(scope="module")
def certs(tmp_path_factory):
    d = tmp_path_factory.mktemp("certs")
    write_session_certs(d, 3, days=1)
    return d


def addresses(base, m=3):
    return [("127.0.0.1", base + i) for i in range(m)]


async def dial(port, certs_dir, cert_pid, claimed, target, m=3):
    """A hand-made connection: TLS with party cert_pid's certificate, claiming `claimed`."""
    ctx = client_context(CertPaths.in_folder(certs_dir, cert_pid)) if certs_dir else None
    for _ in range(100):
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", port, ssl=ctx)
            break
        except ssl.SSLError:
            raise
        except OSError:
            await asyncio.sleep(0.05)
    writer.write(encode_frame(HANDSHAKE_LABEL, Hello(m, claimed, target).encode()))
    await writer.drain()
    _, data = await read_frame(reader, 512, "listener")
    return Welcome.decode(data), reader, writer


async def wait_for_peers(t, n):
    while len(t._peers) < n:
        await asyncio.sleep(0.02)


# --- certificates ---------------------------------------------------------------------------
def test_certificates_bind_party_and_session_size(certs):
    for i in range(3):
        assert certificate_identity(certs / f"party{i}.crt") == (i, 3)
        assert check_party_files(certs, i, 3).cert == certs / f"party{i}.crt"
    with pytest.raises(ValueError, match="bound to party 1 of 3, not party 1 of 4"):
        check_party_files(certs, 1, 4)
    assert (certs / "party0.key").stat().st_mode & 0o077 == 0
    assert identity_from_uris(["urn:mpc-markets:party:1:of:3", "urn:mpc-markets:party:2:of:3"]) is None
    assert identity_from_uris(["urn:mpc-markets:party:3:of:3"]) is None
    assert identity_from_uris(["urn:mpc-markets:party:01:of:3"]) is None


def test_certs_cli_writes_the_files_and_refuses_to_overwrite(tmp_path):
    cmd = [sys.executable, "-m", "mpc.certs", "-M", "2", "--out", str(tmp_path / "c")]
    first = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=60)
    assert first.returncode == 0, first.stderr
    assert sorted(p.name for p in (tmp_path / "c").iterdir()) == [
        "ca.crt", "ca.key", "party0.crt", "party0.key", "party1.crt", "party1.key"]
    again = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=60)
    assert again.returncode == 2 and again.stderr.count("\n") == 1 and "use --force" in again.stderr
    one = subprocess.run(cmd + ["--party", "1"], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert one.returncode == 0 and certificate_identity(tmp_path / "c" / "party1.crt") == (1, 2)
    bad = subprocess.run(cmd + ["--party", "5"], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and "error: --party 5" in bad.stderr


# --- the listener checks who connects -------------------------------------------------------
def test_a_certificate_of_party_1_cannot_claim_party_2_and_an_id_connects_once(certs):
    """The issue's attack, here against party 0 (which parties 1 and 2 dial): corrupt party 1
    connects once as itself and once as party 2, with its own certificate. Only the first
    is accepted; a second connection as party 1 is refused too; the real party 2 then
    completes the session."""
    base = free_base_port(3)
    addr = addresses(base)

    async def scenario():
        t = [NetTransport(i, addr, timeout=10, tls=CertPaths.in_folder(certs, i)) for i in range(3)]
        c0 = asyncio.ensure_future(t[0].connect())
        as_two, _, w = await dial(base, certs, 1, claimed=2, target=0)
        w.close()
        c1 = asyncio.ensure_future(t[1].connect())
        await wait_for_peers(t[0], 1)
        again, _, w2 = await dial(base, certs, 1, claimed=1, target=0)
        w2.close()
        await asyncio.gather(c0, c1, t[2].connect())
        t[2].send(0, 7, b"hello from 2")
        got = await t[0].recv(2, 7)
        for x in t:
            x.abandon()
        return as_two, again, got, t[0].refusals

    as_two, again, got, refusals = asyncio.run(scenario())
    assert not as_two.accepted and "certificate is bound to party 1 of 3" in as_two.reason
    assert not again.accepted and "party 1 is already connected" in again.reason
    assert got == b"hello from 2"
    assert len(refusals) == 2


def test_unexpected_ids_are_refused(certs):
    base = free_base_port(3)

    async def scenario():
        t1 = NetTransport(1, addresses(base), timeout=5, tls=CertPaths.in_folder(certs, 1))
        c1 = asyncio.ensure_future(t1.connect())
        answers = []
        for cert_pid, claimed, target, m in ((0, 0, 1, 3), (2, 2, 0, 3), (2, 2, 1, 4), (2, 7, 1, 3)):
            welcome, _, w = await dial(base + 1, certs, cert_pid, claimed, target, m)
            answers.append(welcome)
            w.close()
        c1.cancel()
        t1.abandon()
        return answers

    answers = asyncio.run(scenario())
    assert all(not a.accepted for a in answers)
    assert "party 0 is not one that connects to party 1" in answers[0].reason      # 0 < 1 dials nobody above
    assert "this is party 1, not party 0" in answers[1].reason
    assert "this session has 3 parties, the peer expects 4" in answers[2].reason
    assert "party 7 is not one that connects" in answers[3].reason


def test_a_listener_with_another_partys_certificate_is_not_trusted(certs):
    """Party 2 dials party 0's address and finds a server with party 1's certificate."""
    base = free_base_port(3)

    async def scenario():
        server = await asyncio.start_server(lambda r, w: None, "127.0.0.1", base,
                                            ssl=server_context(CertPaths.in_folder(certs, 1)))
        t2 = NetTransport(2, addresses(base), timeout=5, tls=CertPaths.in_folder(certs, 2))
        try:
            await t2.connect()
        finally:
            server.close()

    with pytest.raises(AuthenticationFailure, match="names party 1 of 3, not party 0 of 3"):
        asyncio.run(scenario())


def test_a_peer_without_a_ca_signed_certificate_is_refused(certs, tmp_path):
    other = tmp_path / "other"
    write_session_certs(other, 3, days=1)
    base = free_base_port(3)

    async def scenario():
        t0 = NetTransport(0, addresses(base), timeout=3, tls=CertPaths.in_folder(certs, 0))
        c0 = asyncio.ensure_future(t0.connect())
        with pytest.raises((ssl.SSLError, ConnectionError, asyncio.IncompleteReadError)):
            await dial(base, other, 1, claimed=1, target=0)
        with pytest.raises(PeerTimeout):
            await c0

    asyncio.run(scenario())


def test_without_tls_an_id_still_connects_only_once():
    """On localhost without TLS whoever connects first holds an id (the trust model says
    such sessions trust the machine's users); the second connection for it is refused
    and the party behind it aborts."""
    base = free_base_port(3)

    async def scenario():
        t = [NetTransport(i, addresses(base), timeout=5) for i in range(3)]
        c0 = asyncio.ensure_future(t[0].connect())
        squatter, _, w = await dial(base, None, None, claimed=1, target=0)
        try:
            with pytest.raises(AuthenticationFailure, match="refused this party: party 1 is already connected"):
                await t[1].connect()
        finally:
            w.close()
            c0.cancel()
            for x in t:
                x.abandon()
        return squatter

    assert asyncio.run(scenario()).accepted


def test_an_oversized_frame_aborts_naming_the_sender():
    base = free_base_port(2)

    async def scenario():
        t = [NetTransport(i, addresses(base, 2), timeout=5, max_frame=1024) for i in range(2)]
        await asyncio.gather(*(x.connect() for x in t))
        t[1]._peers[0].writer.write(HEADER.pack(5, 1 << 20))
        try:
            await t[0].recv(1, 5)
        finally:
            for x in t:
                x.abandon()

    with pytest.raises(MalformedMessage, match="party 1 announced a message of 1048576 bytes"):
        asyncio.run(scenario())


# --- no TLS, no remote parties ----------------------------------------------------------------
def test_a_remote_address_without_tls_is_refused_before_connecting():
    with pytest.raises(ValueError, match="not on this machine: TLS is required"):
        NetTransport(0, [("127.0.0.1", 5000), ("10.1.2.3", 5001)])
    proc = subprocess.run([sys.executable, "-m", "mpc.demo", "-P", ":15001", "-P", "10.1.2.3:15002", "-P",
                           "127.0.0.1:15003"], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        "error: -P 10.1.2.3: parties on other hosts need --ssl (TLS with certificates bound to party ids; "
        "make them with python -m mpc.certs -M 3 --out certs)"]


def test_missing_certificates_are_named_before_anything_starts(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "mpc.demo", "-M3", "--ssl", "--certs", str(tmp_path)],
                          cwd=REPO, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "ca.crt not found" in lines[0] and "python -m mpc.certs -M 3" in lines[0]


# --- real processes ----------------------------------------------------------------------------
def test_three_processes_over_tls(tmp_path):
    d = tmp_path / "certs"
    write_session_certs(d, 3, days=1)
    base = free_base_port(3)
    procs = [subprocess.Popen([sys.executable, "-m", "mpc.demo", "-M3", "--preprocessing", "dealer", "-I", str(i), "-B", str(base), "--ssl",
                               "--certs", str(d), "--length", "3", "--bits", "16"],
                              cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for i in range(3)]
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
        assert json.loads(out)["ok"] is True


def test_an_impostor_process_cannot_join_a_tls_session(tmp_path):
    """Party 0 runs as a real process; the attacker holds party 2's certificate and claims
    party 1 (to play it alongside itself). Party 0 refuses it, never computes with it,
    and exits 1 when the real party 1 does not come."""
    d = tmp_path / "certs"
    write_session_certs(d, 3, days=1)
    base = free_base_port(3)
    proc = subprocess.Popen([sys.executable, "-m", "mpc.demo", "-M3", "--preprocessing", "dealer", "-I", "0", "-B", str(base), "--ssl",
                             "--certs", str(d), "--timeout", "4"],
                            cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    async def attack():
        return (await dial(base, d, 2, claimed=1, target=0))[0]

    welcome = asyncio.run(attack())
    _, err = proc.communicate(timeout=60)
    assert not welcome.accepted and "bound to party 2 of 3" in welcome.reason
    assert proc.returncode == 1
    assert "ABORT (party 0): liveness (timeout) failed: party 0 could not connect to parties 1, 2" in err
    assert "claiming party 1: its certificate is bound to party 2 of 3" in err


def test_without_tls_the_listening_socket_is_on_loopback_only(certs):
    import argparse

    from mpc.launch import add_launcher_options, plan_from_args

    p = argparse.ArgumentParser()
    add_launcher_options(p)
    local = plan_from_args(p.parse_args(["-M3", "-I", "1"]))
    assert local.listen_host == "127.0.0.1" and all(h == "127.0.0.1" for h, _ in local.addresses)
    remote = plan_from_args(p.parse_args(["-P", "h0.example:5000", "-P", ":5001", "-P", "h2.example:5002",
                                          "--ssl", "--certs", str(certs)]))
    assert remote.listen_host == "" and remote.pid == 1 and remote.tls().cert == certs / "party1.crt"
    with pytest.raises(ValueError, match="--certs applies only with --ssl"):
        plan_from_args(p.parse_args(["-M3", "--certs", str(certs)]))

    base = free_base_port(3)

    async def bound():
        t = NetTransport(1, addresses(base), timeout=5, bind_host=local.listen_host)
        c = asyncio.ensure_future(t.connect())
        await asyncio.sleep(0.2)
        names = [sock.getsockname()[0] for sock in t._server.sockets]
        c.cancel()
        t.abandon()
        return names

    assert asyncio.run(bound()) == ["127.0.0.1"]
