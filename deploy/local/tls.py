"""A self-signed certificate for 127.0.0.1 and localhost, made on the spot for nginx on loopback.

A real deployment uses a certificate from its CA (README, *Several machines*); this
one exists so `make cluster` and the tests speak TLS end to end, and clients trust it by its file.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

VALID_DAYS = 30
# A certificate valid from a few minutes ago: a client whose clock is slightly behind still accepts it.
_BACKDATE = timedelta(minutes=5)


@dataclass(frozen=True)
class Certificate:
    """The PEM files of a certificate and its private key."""

    certificate: Path
    key: Path


def make_loopback_certificate(directory: Path, now: datetime | None = None) -> Certificate:
    """Write a new P-256 key and a self-signed certificate for 127.0.0.1, ::1 and localhost."""
    directory.mkdir(parents=True, exist_ok=True)
    now = now or datetime.now(UTC)
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "RRIS on 127.0.0.1")])
    alternative_names = x509.SubjectAlternativeName(
        [
            x509.DNSName("localhost"),
            x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
            x509.IPAddress(ipaddress.ip_address("::1")),
        ]
    )
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - _BACKDATE)
        .not_valid_after(now + timedelta(days=VALID_DAYS))
        .add_extension(alternative_names, critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .sign(key, hashes.SHA256())
    )
    files = Certificate(directory / "certificate.pem", directory / "key.pem")
    files.certificate.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    files.key.touch(mode=0o600)
    files.key.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return files
