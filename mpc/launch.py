"""Start the parties of a session and run one party in this process.

The options follow MPyC's launcher, which the project's users know:

    -M m               m parties on this machine; without -I, this process is party 0 and
                       starts parties 1..m−1 as child processes of the same command
    -I i               run party i only (start the others by hand, same -M/-B or -P)
    -P host:port       one per party, in party order, for real hosts; an empty host
                       ("-P :11366") marks this process's own entry
    -B port            base port: party i listens on port + i (default 11365)
    --ssl              TLS between parties, with certificates bound to party ids
    --certs DIR        where --ssl finds ca.crt, party<i>.crt and party<i>.key (default
                       certs; made by python -m mpc.certs)
    --max-frame MiB    the largest message a peer may send (default 256)
    --output-file      children write their output to party<m>_<i>.log instead of /dev/null
    --no-log           accepted for compatibility (the engine logs nothing by itself)

MPyC's other options (-T, -L, -K, -C, -W, ...) configure MPyC's own secure types, which
the engine does not use; they are refused rather than silently ignored.

The connections are our own (mpc.net): without --ssl every address must be on this
machine (such a session trusts the machine's users; there is no proof of identity), and
a session with a party on another host refuses to start unless --ssl is given. With
--ssl every connection is mutually authenticated: a party's certificate must name the
party it claims to be.

Everything is parsed and validated before any process is started, so a typo fails once
instead of leaving orphan processes, and the children started here are terminated when
this process ends.
"""
from __future__ import annotations

import asyncio
import atexit
import collections
import re
import subprocess
import sys
import threading
from pathlib import Path
from dataclasses import dataclass, field as dc_field
from typing import Any, Awaitable, Callable, Optional

from .field import PrimeField
from .net.framing import DEFAULT_MAX_FRAME
from .net.identity import CertPaths
from .net.transport import NetTransport, is_loopback
from .preprocessing import BACKENDS
from .session import Session
from .transport import DEFAULT_TIMEOUT

#: the largest session the launcher starts (every party is a process; 2 cores were measured
#: to carry 27 parties of the flagship in about 80 s)
MAX_PARTIES = 64
DEFAULT_BASE_PORT = 11365
DEFAULT_CERTS = "certs"
_HOST = re.compile(r"^[A-Za-z0-9.\-]{0,253}$|^\[[0-9A-Fa-f:]+\]$")
_LOCAL = "127.0.0.1"


@dataclass
class LaunchPlan:
    """Who runs where: m parties, this process's index, and every party's address."""

    m: int
    pid: int
    addresses: list[tuple[str, int]]
    spawn: bool = False            # this process starts parties 1..m−1
    ssl: bool = False
    output_file: bool = False
    certs: Optional[str] = None    # folder of the TLS files (with ssl)
    max_frame: int = DEFAULT_MAX_FRAME
    listen_host: Optional[str] = None   # where this party listens ("" = every interface)
    children: list[subprocess.Popen] = dc_field(default_factory=list)

    def tls(self) -> Optional[CertPaths]:
        """This party's TLS files, or None without --ssl."""
        return CertPaths.in_folder(self.certs, self.pid) if self.ssl else None


def add_launcher_options(parser) -> None:
    """The launcher's options, in their own --help section."""
    g = parser.add_argument_group("parties (MPyC-style launcher)")
    g.add_argument("-M", type=int, metavar="m", dest="parties",
                   help=f"number of parties on this machine (2..{MAX_PARTIES}); without -I this process is "
                        "party 0 and starts the others")
    g.add_argument("-I", "--index", type=int, metavar="i", dest="index", help="run party i only")
    g.add_argument("-P", action="append", metavar="host:port", dest="peers",
                   help="address of each party in party order, repeated m times; empty host for this party")
    g.add_argument("-B", "--base-port", type=int, metavar="port", dest="base_port",
                   help=f"party i listens on port + i (default {DEFAULT_BASE_PORT})")
    g.add_argument("--ssl", action="store_true",
                   help="TLS between parties, each authenticated by a certificate bound to its party id "
                        "(required when a party is on another host)")
    g.add_argument("--certs", metavar="DIR", default=None,
                   help=f"with --ssl: folder with ca.crt, party<i>.crt, party<i>.key (default {DEFAULT_CERTS}; "
                        "make them with python -m mpc.certs -M m --out DIR)")
    g.add_argument("--max-frame", type=int, metavar="MiB", default=DEFAULT_MAX_FRAME >> 20,
                   help=f"largest message accepted from a peer, in MiB (1..4095, default {DEFAULT_MAX_FRAME >> 20})")
    g.add_argument("--output-file", action="store_true",
                   help="with -M and no -I: children write their output to party<m>_<i>.log")
    g.add_argument("--no-log", action="store_true", help="accepted for compatibility with MPyC (no effect)")


def plan_from_args(args) -> LaunchPlan:
    """Validate the launcher options; ValueError with a one-line message naming the option."""
    m, index, peers, base = args.parties, args.index, args.peers, args.base_port
    if peers:
        addresses, own = [], None
        for i, text in enumerate(peers):
            host, sep, port = text.rpartition(":")
            if not sep or not port.isdigit() or not 0 < int(port) < 65536 or not _HOST.match(host):
                raise ValueError(f"-P {text!r}: expected host:port with a port in 1..65535")
            if not host:
                if own is not None:
                    raise ValueError("-P: only one entry may have an empty host (this party)")
                own, host = i, ""
            addresses.append((host.strip("[]"), int(port)))
        if m is not None and m != len(peers):
            raise ValueError(f"-M{m} but {len(peers)} -P addresses")
        m = len(addresses)
        pid = own if index is None else index
        if pid is None:
            raise ValueError("-P: mark this party's own address with an empty host or give -I")
        if base is not None:
            raise ValueError("-B cannot be combined with -P (ports are in the addresses)")
        spawn = False
    else:
        if m is None:
            raise ValueError("say how many parties: -M<m> (e.g. -M3), or one -P host:port per party")
        base = DEFAULT_BASE_PORT if base is None else base
        spawn = index is None
        pid = 0 if index is None else index
        addresses = []
    if not 2 <= m <= MAX_PARTIES:
        option = f"-P ({m} addresses)" if peers else f"-M{m}"
        raise ValueError(f"{option}: the number of parties must be in 2..{MAX_PARTIES}")
    if not 0 <= pid < m:
        raise ValueError(f"-I {pid}: the party index must be in 0..{m - 1}")
    if not peers:
        if not 1024 <= base <= 65535 - m:
            raise ValueError(f"-B {base}: the base port must be in 1024..{65535 - m} for {m} parties")
        addresses = [(_LOCAL, base + i) for i in range(m)]
    if args.output_file and not spawn:
        raise ValueError("--output-file applies only when -M starts the other parties (no -I, no -P)")
    if not 1 <= args.max_frame <= 4095:
        raise ValueError(f"--max-frame {args.max_frame}: expected a number of MiB in 1..4095")
    if args.certs is not None and not args.ssl:
        raise ValueError("--certs applies only with --ssl")
    remote = [h for i, (h, _) in enumerate(addresses) if h and not is_loopback(h)]
    if remote and not args.ssl:
        raise ValueError(f"-P {remote[0]}: parties on other hosts need --ssl (TLS with certificates bound to "
                         f"party ids; make them with python -m mpc.certs -M {m} --out {DEFAULT_CERTS})")
    own_host = addresses[pid][0]
    # With TLS, an empty own host listens on every interface (the peers authenticate);
    # without it every address is on this machine, and so is the listening socket.
    listen_host = own_host if own_host else ("" if args.ssl else _LOCAL)
    addresses = [(h or _LOCAL, p) for h, p in addresses]
    certs = None
    if args.ssl:
        from .certs import check_party_files

        certs = str(Path(args.certs or DEFAULT_CERTS).resolve())
        for i in range(m) if spawn else [pid]:
            check_party_files(certs, i, m)
    return LaunchPlan(m, pid, addresses, spawn, args.ssl, args.output_file, certs, args.max_frame << 20,
                      listen_host)


def main_module() -> str:
    """The module this program was started as (`python -m <module>`)."""
    spec = getattr(sys.modules.get("__main__"), "__spec__", None)
    if spec is None or not spec.name:
        raise RuntimeError("session programs must be started with python -m <module>")
    return spec.name[:-len(".__main__")] if spec.name.endswith(".__main__") else spec.name


#: launcher options that take no value and that only the launching process acts on
LAUNCHER_ONLY_FLAGS = frozenset({"--output-file"})


def strip_options(argv: list[str], names: set[str], flags: frozenset[str] = LAUNCHER_ONLY_FLAGS) -> list[str]:
    """argv without the options in `names` and their values ("--opt v" and "--opt=v"), and
    without the value-less options in `flags`."""
    out, skip = [], False
    for arg in argv:
        if skip:
            skip = False
            continue
        if arg in flags:
            continue
        name = arg.split("=", 1)[0]
        if name in names:
            skip = "=" not in arg
            continue
        out.append(arg)
    return out


def start_children(plan: LaunchPlan, argv: list[str]) -> None:
    """Start parties 1..m−1 as `python -m <this module> <argv> -I i` (same folder and
    environment); they are terminated when this process exits. Their output goes to
    party<m>_<i>.log with --output-file, else nowhere; either way, a child that exits with
    an error is reported here at once with its last line (or its log's name), so the
    cause of a failed session is visible in this terminal."""
    if not plan.spawn:
        return
    module = main_module()
    for i in range(1, plan.m):
        cmd = [sys.executable, "-m", module, *argv, "-I", str(i)]
        if plan.output_file:
            log_name = f"party{plan.m}_{i}.log"
            with open(log_name, "a") as log:
                log.write(f"\n$> {' '.join(cmd)}\n")
                log.flush()
                proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
            threading.Thread(target=_report_exit, args=(i, proc, None, log_name), daemon=True).start()
        else:
            proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
            threading.Thread(target=_report_exit, args=(i, proc, proc.stderr, None), daemon=True).start()
        plan.children.append(proc)
    atexit.register(stop_children, plan)


def _report_exit(i: int, proc: subprocess.Popen, stream, log_name: str | None) -> None:
    """Drain a child's stderr (keeping its last lines) and say why it failed, if it did."""
    tail: collections.deque[str] = collections.deque(maxlen=3)
    if stream is not None:
        for raw in stream:
            line = raw.decode("utf-8", errors="replace").rstrip()
            if line:
                tail.append(line)
    code = proc.wait()
    if code not in (0, -15):  # -15: we terminated it ourselves
        where = f"see {log_name}" if log_name else (tail[-1] if tail else "no output")
        print(f"[party 0] party {i} exited with status {code}: {where}", file=sys.stderr, flush=True)


def stop_children(plan: LaunchPlan, grace: float = 5.0) -> list[Optional[int]]:
    """Wait up to `grace` seconds for the children, then terminate what is left; returns
    their exit statuses."""
    codes = []
    for proc in plan.children:
        try:
            codes.append(proc.wait(timeout=grace))
        except subprocess.TimeoutExpired:
            proc.terminate()
            try:
                codes.append(proc.wait(timeout=2))
            except subprocess.TimeoutExpired:
                proc.kill()
                codes.append(proc.wait())
        grace = 0.5  # the first wait already gave them time
    plan.children.clear()
    return codes


def run_party(program: Callable[[Session], Awaitable[Any]], plan: LaunchPlan, *,
              field: Optional[PrimeField] = None, backend: str = "dealer", timeout: float = DEFAULT_TIMEOUT,
              open_mode: str = "auto", session_factory=None, log: Optional[Callable[[str], None]] = None) -> Any:
    """Connect to the other parties, run `program(session)`, close; return its result.

    Raises MPCAbort (after dropping the connections) if any check fails, including the
    authentication of a peer.
    """
    field = field or PrimeField()

    async def main():
        t = NetTransport(plan.pid, plan.addresses, timeout=timeout, tls=plan.tls(), max_frame=plan.max_frame,
                         bind_host=plan.listen_host, log=log)
        try:
            await t.connect()
            prep = BACKENDS[backend](field, t)
            if session_factory is not None:
                s = session_factory(t.pid, t, prep)
            else:
                s = Session(t, prep, field, open_mode=open_mode)
            await s.start()
            result = await program(s)
            await s.close()
            return result
        except BaseException:
            t.abandon()
            raise

    return asyncio.run(main())
