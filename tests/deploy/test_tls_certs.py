"""`kiosk queue tls-cert`'s certificates as a client with a wrong clock checks them (cryptography's X.509 path
validation, the rules browsers apply): a kiosk whose battery-backed clock holds Beijing time read as UTC runs
8 hours behind until NTP answers, and refused a certificate made minutes before (dated from 5 minutes back):
its calls waited in the outbox for 8 hours."""

from __future__ import annotations

import datetime as dt

import pytest
from cryptography import x509
from cryptography.x509.verification import PolicyBuilder, Store, VerificationError

from kiosk.queue.ops.tls import make_certs

NOW = dt.datetime(2031, 3, 2, 1, 30, tzinfo=dt.UTC)  # 09:30 in the hall: the IT person makes the certificate


@pytest.fixture(scope="module")
def chain(tmp_path_factory):
    paths = make_certs(tmp_path_factory.mktemp("tls"), ["10.0.0.5", "queue.hall.local"], now=NOW)
    ca = x509.load_pem_x509_certificate(paths["ca"].read_bytes())
    leaf = x509.load_pem_x509_certificates(paths["cert"].read_bytes())[0]
    return ca, leaf


def verify(chain, at: dt.datetime, name: str = "queue.hall.local") -> None:
    ca, leaf = chain
    verifier = PolicyBuilder().store(Store([ca])).time(at).build_server_verifier(x509.DNSName(name))
    verifier.verify(leaf, [])


@pytest.mark.parametrize("lag", [dt.timedelta(0), dt.timedelta(minutes=30), dt.timedelta(hours=8),
                                 dt.timedelta(hours=23)])
def test_a_client_whose_clock_lags_by_up_to_a_day_accepts_a_fresh_certificate(chain, lag):
    verify(chain, NOW - lag)


def test_what_a_client_accepts_stays_bounded(chain):
    ca, leaf = chain
    with pytest.raises(VerificationError):
        verify(chain, NOW - dt.timedelta(days=2))  # not valid before it was made, less the day's slack
    with pytest.raises(VerificationError):
        verify(chain, NOW, "other.hall.local")  # only the names it was made for
    span = leaf.not_valid_after_utc - leaf.not_valid_before_utc
    assert span <= dt.timedelta(days=398)  # what browsers accept for a server certificate
    assert leaf.not_valid_after_utc >= NOW + dt.timedelta(days=397)
