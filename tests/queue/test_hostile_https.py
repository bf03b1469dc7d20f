"""Cookies over HTTPS and trusted proxies (issue 8, point 13), against a real ``kiosk queue serve`` process:
session cookies are ``Secure`` whenever the request came over HTTPS (served with TLS, or through a trusted
proxy that says so); ``X-Forwarded-*`` from anyone else changes nothing."""

from __future__ import annotations

import datetime as dt

import httpx

from tests.queue.hostile import PASSWORD, served

PROXY = "127.0.0.2"


def _self_signed(folder) -> tuple[str, str]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    import ipaddress

    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=30))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return str(cert_path), str(key_path)


def _cookies(r: httpx.Response) -> dict[str, str]:
    return {h.split("=", 1)[0]: h for h in r.headers.get_list("set-cookie")}


def _login(c, username="li", password=PASSWORD, **headers):
    return c.post("/api/v1/auth/login", json={"username": username, "password": password}, headers=headers)


def test_13_cookies_are_secure_over_https_and_forwarded_headers_need_a_trusted_proxy(tmp_path):
    cert, key = _self_signed(tmp_path)
    with served(tmp_path / "tls", "--tls-cert", cert, "--tls-key", key) as s:
        assert s.url.startswith("https://")
        with httpx.Client(base_url=s.url, verify=False, timeout=30) as c:
            r = _login(c)
            assert r.status_code == 200
            assert all("; secure" in v.lower() for v in _cookies(r).values()) and len(_cookies(r)) == 2
            assert "max-age" in r.headers.get("strict-transport-security", "")
    with served(tmp_path / "plain", "--trusted-proxy", PROXY) as s:
        with s.client() as direct:  # X-Forwarded-Proto from a stranger is ignored
            r = _login(direct, **{"X-Forwarded-Proto": "https"})
            assert r.status_code == 200 and not any("secure" in v.lower() for v in _cookies(r).values())
        with s.client(PROXY) as proxy:  # the hall's TLS proxy says the browser used HTTPS
            r = _login(proxy, **{"X-Forwarded-Proto": "https", "X-Forwarded-For": "10.0.0.7"})
            assert r.status_code == 200 and all("; secure" in v.lower() for v in _cookies(r).values())
            # behind the proxy each browser is its own address: one guesser does not slow another
            for _ in range(5):
                _login(proxy, "wang", "wrong-password", **{"X-Forwarded-For": "10.0.0.66"})
            assert _login(proxy, "wang", **{"X-Forwarded-For": "10.0.0.66"}).status_code == 429
            assert _login(proxy, "wang", **{"X-Forwarded-For": "10.0.0.9"}).status_code == 200
        with s.client("127.0.0.3") as stranger:  # a stranger cannot pose as many addresses
            codes = [_login(stranger, f"x{i}", "wrong-password", **{"X-Forwarded-For": f"10.1.0.{i}"}).status_code
                     for i in range(22)]
            assert codes[:20] == [401] * 20 and codes[20] == 429  # the address budget, whatever XFF says
