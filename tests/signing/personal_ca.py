"""A test CA that issues leaders' personal certificates, and its CRL (all offline, made here)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

LEADER_NAME = "Nguyễn Văn Lãnh"
PIN = "246810"


@dataclass
class TestCA:
    key: rsa.RSAPrivateKey
    cert: x509.Certificate
    folder: Path

    @property
    def cert_path(self) -> Path:
        return self.folder / "personal-ca.pem"

    @property
    def crl_path(self) -> Path:
        return self.folder / "personal-ca.crl"

    def issue(self, common_name: str = LEADER_NAME, *, days: int = 5 * 365, pin: str = PIN,
              not_before: dt.datetime | None = None) -> tuple[bytes, x509.Certificate]:
        """A leader's PKCS#12 (encrypted with ``pin``) and certificate."""
        start = not_before or dt.datetime(2025, 6, 1, tzinfo=dt.UTC)
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        cert = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([
                x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, "UBND phường Tân Thành"),
                x509.NameAttribute(NameOID.COMMON_NAME, common_name),
            ]))
            .issuer_name(self.cert.subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(start).not_valid_after(start + dt.timedelta(days=days))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(True, True, False, False, False, False, False, False, False), critical=True)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(self.key.public_key()), critical=False)
            .sign(self.key, hashes.SHA256())
        )
        p12 = pkcs12.serialize_key_and_certificates(
            b"leader", key, cert, [self.cert], serialization.BestAvailableEncryption(pin.encode()))
        return p12, cert

    def write_crl(self, revoked: list[x509.Certificate] = (), *, pem: bool = True,
                  now: dt.datetime | None = None, next_update: dt.datetime | None = None) -> Path:
        now = now or dt.datetime(2025, 6, 2, tzinfo=dt.UTC)
        builder = (
            x509.CertificateRevocationListBuilder().issuer_name(self.cert.subject)
            .last_update(now).next_update(next_update or now + dt.timedelta(days=3650))
            .add_extension(x509.CRLNumber(1), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(self.key.public_key()), critical=False)
        )
        for cert in revoked:
            builder = builder.add_revoked_certificate(
                x509.RevokedCertificateBuilder().serial_number(cert.serial_number).revocation_date(now).build())
        crl = builder.sign(self.key, hashes.SHA256())
        encoding = serialization.Encoding.PEM if pem else serialization.Encoding.DER
        self.crl_path.write_bytes(crl.public_bytes(encoding))
        return self.crl_path


def make_ca(folder: Path) -> TestCA:
    folder.mkdir(parents=True, exist_ok=True)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
                      x509.NameAttribute(NameOID.COMMON_NAME, "CA chứng thư cá nhân thử nghiệm")])
    start = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(start)
        .not_valid_after(start + dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(True, False, False, False, False, True, True, False, False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    ca = TestCA(key=key, cert=cert, folder=folder)
    ca.cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return ca
