"""Make the certificates of a TLS session: a CA and one certificate per party, each bound
to its party index and the session's number of parties.

    python -m mpc.certs -M 3 --out certs            # certs/ca.crt, ca.key, party0.crt, party0.key, ...
    python -m mpc.certs -M 3 --out certs --party 2  # (re)issue party 2's only, with the existing CA

Give every party `ca.crt` and its own `party<i>.crt` and `party<i>.key` (and nothing
else), and start it with `--ssl --certs <folder>`. Keep `ca.key` off the parties'
machines: whoever holds it can make a certificate for any party. A certificate names its
party as ``urn:mpc-markets:party:<i>:of:<m>`` (see mpc.net.identity); every connection is
accepted only if the certificate names the party the peer claims to be. Keys are ECDSA
P-256, written readable by the owner only.

Exit status: 0 written, 2 bad usage or a file that is in the way (nothing is overwritten
without --force).
"""
from __future__ import annotations

import datetime
import os
import sys
from pathlib import Path
from typing import Optional

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from .cli import ArgumentParser, bounded_int, die
from .launch import MAX_PARTIES
from .net.identity import CertPaths, identity_from_uris, party_uri

CA_CERT, CA_KEY = "ca.crt", "ca.key"


def _write(path: Path, data: bytes, private: bool) -> None:
    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600 if private else 0o644)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    os.replace(tmp, path)


def _key_pem(key) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "mpc-markets"),
                      x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def make_ca(name: str, days: int) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.timezone.utc)
    subject = _name(name)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=days))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                         crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .sign(key, hashes.SHA256()))
    return key, cert


def make_party(ca_key, ca_cert: x509.Certificate, pid: int, m: int,
               days: int) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    """A certificate for party `pid` of `m`, signed by the CA, naming the party by its URI."""
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(_name(f"party {pid} of {m}")).issuer_name(ca_cert.subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=days))
            .add_extension(x509.SubjectAlternativeName([x509.UniformResourceIdentifier(party_uri(pid, m))]),
                           critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=False,
                                         data_encipherment=False, key_agreement=True, key_cert_sign=False,
                                         crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]),
                           critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))
    return key, cert


def certificate_identity(path: str | Path) -> Optional[tuple[int, int]]:
    """(pid, m) that the certificate at `path` is bound to, or None (unreadable, no or
    several party names)."""
    try:
        cert = x509.load_pem_x509_certificate(Path(path).read_bytes())
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except (OSError, ValueError, x509.ExtensionNotFound):
        return None
    return identity_from_uris(san.get_values_for_type(x509.UniformResourceIdentifier))


def check_party_files(folder: str | Path, pid: int, m: int) -> CertPaths:
    """The paths of party pid's TLS files; ValueError with a one-line reason when one is
    missing or the certificate is bound to another party or session size."""
    paths = CertPaths.in_folder(folder, pid)
    for p in (paths.ca, paths.cert, paths.key):
        if not p.is_file():
            raise ValueError(f"--ssl: {p} not found (make the certificates with: python -m mpc.certs -M {m} "
                             f"--out {folder})")
    bound = certificate_identity(paths.cert)
    if bound is None:
        raise ValueError(f"--ssl: {paths.cert} does not name a party (made by python -m mpc.certs?)")
    if bound != (pid, m):
        raise ValueError(f"--ssl: {paths.cert} is bound to party {bound[0]} of {bound[1]}, "
                         f"not party {pid} of {m}")
    return paths


def write_session_certs(out: Path, m: int, days: int, parties: Optional[list[int]] = None,
                        force: bool = False, name: str = "mpc-markets session CA") -> list[Path]:
    """Write the CA (unless only `parties` are reissued with the existing CA) and the
    certificates of `parties` (default: all); returns the files written."""
    out.mkdir(exist_ok=True)   # the folder itself only: a missing parent is an error, not created
    todo = list(range(m)) if parties is None else sorted(set(parties))
    written: list[Path] = []
    if parties is None:
        targets = [out / CA_CERT, out / CA_KEY] + [out / f"party{i}.{ext}" for i in todo for ext in ("crt", "key")]
        if not force:
            clash = [p for p in targets if p.exists()]
            if clash:
                raise FileExistsError(f"{clash[0]} exists (use --force to replace the session's certificates)")
        ca_key, ca_cert = make_ca(name, days)
        _write(out / CA_KEY, _key_pem(ca_key), private=True)
        _write(out / CA_CERT, ca_cert.public_bytes(serialization.Encoding.PEM), private=False)
        written += [out / CA_CERT, out / CA_KEY]
    else:
        try:
            ca_key = serialization.load_pem_private_key((out / CA_KEY).read_bytes(), password=None)
            ca_cert = x509.load_pem_x509_certificate((out / CA_CERT).read_bytes())
        except (OSError, ValueError) as exc:
            raise FileNotFoundError(f"--party needs the session's CA in {out} ({CA_CERT}, {CA_KEY}): {exc}") from None
    for pid in todo:
        key, cert = make_party(ca_key, ca_cert, pid, m, days)
        _write(out / f"party{pid}.key", _key_pem(key), private=True)
        _write(out / f"party{pid}.crt", cert.public_bytes(serialization.Encoding.PEM), private=False)
        written += [out / f"party{pid}.crt", out / f"party{pid}.key"]
    return written


def main(argv: Optional[list[str]] = None) -> int:
    p = ArgumentParser(prog="python -m mpc.certs", description=__doc__.split("\n\n")[0],
                       epilog="Exit status: 0 written, 2 bad usage or a file in the way.")
    p.add_argument("-M", type=bounded_int(2, MAX_PARTIES), required=True, metavar="m", dest="parties",
                   help=f"number of parties of the session (2..{MAX_PARTIES})")
    p.add_argument("--out", required=True, metavar="DIR",
                   help="folder for the files (created if missing; its parent folder must exist)")
    p.add_argument("--party", type=int, action="append", metavar="i",
                   help="only (re)issue party i's certificate with the CA already in --out (repeatable)")
    p.add_argument("--days", type=bounded_int(1, 3650), default=365, help="validity in days (default 365)")
    p.add_argument("--force", action="store_true", help="replace existing files")
    args = p.parse_args(argv)
    if args.party is not None:
        bad = [i for i in args.party if not 0 <= i < args.parties]
        if bad:
            die(f"--party {bad[0]}: the party index must be in 0..{args.parties - 1}")
    if args.out == "":
        die("--out: no folder name given")
    out = Path(args.out)
    try:
        if out.exists() and not out.is_dir():
            die(f"--out {out}: not a folder")
        if not out.parent.is_dir():
            die(f"--out {out}: folder {out.parent} does not exist")
    except OSError as exc:  # e.g. a name longer than the file system allows
        die(f"--out {out}: {exc.strerror or exc}")
    try:
        written = write_session_certs(out, args.parties, args.days, args.party, args.force)
    except (FileExistsError, FileNotFoundError) as exc:
        die(str(exc))
    except OSError as exc:
        die(f"--out {out}: {exc.strerror or exc}")
    print(f"wrote {len(written)} files to {out}: give party i ca.crt, party<i>.crt and party<i>.key; "
          f"keep ca.key elsewhere", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
