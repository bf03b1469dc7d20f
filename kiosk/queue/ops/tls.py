"""An internal certificate authority for a district without one: helpers' phones reach the console over
the hall's Wi-Fi, and browsers allow notifications, service workers, wake lock and installing the app
only over HTTPS.

:func:`make_certs` keeps one CA (``ca.pem`` to install on each phone, ``ca.key`` 0600, 10 years) in a
folder and issues server certificates from it (``server.pem``/``server.key``, 397 days: what browsers
accept for a server certificate), for every name and address the phones use. Issuing again (yearly)
keeps the CA, so phones need it installed only once.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from kiosk.durable import atomic_write

SERVER_DAYS = 397
CA_DAYS = 3650
# Certificates are dated from a day before they are made: a kiosk or phone whose clock lags (a board whose
# battery-backed clock holds Beijing time read as UTC is 8 h behind until NTP answers) would otherwise refuse
# a fresh certificate as not yet valid, and the kiosk's calls would wait in its outbox. A server
# certificate's whole span stays within browsers' 398 days.
BACKDATE = dt.timedelta(days=1)


def _name(common: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "帮办代办 help queue"),
                      x509.NameAttribute(NameOID.COMMON_NAME, common)])


def _write_key(path: Path, key) -> None:
    atomic_write(path, key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                         serialization.NoEncryption()), mode=0o600)


def _alt_names(names: list[str]) -> list[x509.GeneralName]:
    out: list[x509.GeneralName] = []
    for name in names:
        try:
            out.append(x509.IPAddress(ipaddress.ip_address(name)))
        except ValueError:
            if not name or any(c.isspace() or c in "/:@" for c in name):
                raise ValueError(f"--name {name!r} is neither an IP address nor a host name") from None
            out.append(x509.DNSName(name))
    return out


def load_or_make_ca(folder: Path, now: dt.datetime, label: str = "hall internal CA") -> tuple:
    """(certificate, key) of the CA in ``folder``, made the first time."""
    cert_path, key_path = folder / "ca.pem", folder / "ca.key"
    if cert_path.exists() and key_path.exists():
        cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
        key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
        return cert, key
    key = ec.generate_private_key(ec.SECP256R1())
    subject = _name(f"帮办代办 {label}")
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - BACKDATE)
            .not_valid_after(now + dt.timedelta(days=CA_DAYS))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                         content_commitment=False, key_encipherment=False, data_encipherment=False,
                                         key_agreement=False, encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .sign(key, hashes.SHA256()))
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    _write_key(key_path, key)
    atomic_write(cert_path, cert.public_bytes(serialization.Encoding.PEM), mode=0o644)
    return cert, key


def make_certs(folder: str | Path, names: list[str], *, now: dt.datetime | None = None,
               days: int = SERVER_DAYS) -> dict[str, Path]:
    """Issues ``server.pem``/``server.key`` for ``names`` (host names or IP addresses) from the CA in
    ``folder`` (made if missing). Returns the paths. Raises ValueError on a bad name."""
    if not names:
        raise ValueError("give at least one --name: the address or host name phones open, e.g. 10.0.0.5")
    now = now or dt.datetime.now(dt.UTC)
    folder = Path(folder)
    alt = _alt_names(names)
    ca_cert, ca_key = load_or_make_ca(folder, now)
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (x509.CertificateBuilder().subject_name(_name(names[0])).issuer_name(ca_cert.subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - BACKDATE).not_valid_after(now + dt.timedelta(days=days))
            .add_extension(x509.SubjectAlternativeName(alt), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))
    _write_key(folder / "server.key", key)
    chain = cert.public_bytes(serialization.Encoding.PEM) + ca_cert.public_bytes(serialization.Encoding.PEM)
    atomic_write(folder / "server.pem", chain, mode=0o644)
    return {"ca": folder / "ca.pem", "cert": folder / "server.pem", "key": folder / "server.key"}


def check_pair(cert: str | Path, key: str | Path) -> str | None:
    """None when ``cert`` and ``key`` load and belong together, else what is wrong."""
    import ssl

    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    try:
        ctx.load_cert_chain(str(cert), str(key))
    except FileNotFoundError as err:
        return f"{err.filename}: no such file"
    except PermissionError as err:
        return f"{err.filename}: cannot read it (permissions)"
    except ssl.SSLError as err:
        return f"{cert} / {key}: not a matching PEM certificate and key ({err.reason or err})"
    return None
