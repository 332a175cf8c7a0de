"""The signing key and certificate for Content Credentials, created locally on first use.

Where: ``$FSK_PROVENANCE_DIR`` if set, else ``~/.config/faceswap_kit/provenance/`` (``%APPDATA%`` on
Windows). The folder holds ``ca.pem`` (a local certificate authority, 10 years), ``signer.pem``
(the signing certificate it issued, 2 years, followed by ``ca.pem``) and ``signer.key`` (the
ES256 private key, readable by you only). To sign with your own identity, put your own
``signer.pem`` (leaf first, then its chain) and ``signer.key`` (PKCS#8 PEM, EC P-256) there, or
point ``$FSK_PROVENANCE_DIR`` at a folder that holds them.

A locally created certificate proves only that the same key signed the file: nobody outside
your machine vouches for it, so C2PA readers report it as not on their trust lists.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError

CERT_NAME, KEY_NAME, CA_NAME = "signer.pem", "signer.key", "ca.pem"


@dataclass(frozen=True)
class SigningIdentity:
    """A PEM certificate chain and its private key, and where they live."""

    cert_chain: bytes
    private_key: bytes
    folder: Path
    created_now: bool


def provenance_dir() -> Path:
    """The folder that holds (or will hold) the signing key and certificate."""
    env = os.environ.get("FSK_PROVENANCE_DIR")
    if env:
        return Path(env).expanduser()
    if platform.system() == "Windows" and os.environ.get("APPDATA"):
        return Path(os.environ["APPDATA"]) / "faceswap_kit" / "provenance"
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "faceswap_kit" / "provenance"


def load_or_create(folder: str | os.PathLike | None = None) -> SigningIdentity:
    """Load the signing identity from ``folder`` (default :func:`provenance_dir`), creating it once."""
    folder = Path(folder) if folder is not None else provenance_dir()
    cert, key = folder / CERT_NAME, folder / KEY_NAME
    if cert.is_file() and key.is_file():
        return SigningIdentity(cert.read_bytes(), key.read_bytes(), folder, False)
    if cert.exists() != key.exists():
        raise InputError(
            f"expected both {CERT_NAME} and {KEY_NAME} in {str(folder)!r}, got only one; "
            "add the missing file or remove both to let the kit create a new pair"
        )
    _create(folder)
    return SigningIdentity(cert.read_bytes(), key.read_bytes(), folder, True)


def _create(folder: Path) -> None:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    folder.mkdir(parents=True, exist_ok=True)
    now = dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=5)
    user = os.environ.get("USER") or os.environ.get("USERNAME") or "local user"

    def name(common: str) -> x509.Name:
        return x509.Name(
            [
                x509.NameAttribute(NameOID.COMMON_NAME, common),
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, "faceswap_kit (local, unverified)"),
            ]
        )

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = name(f"faceswap_kit local CA of {user}")
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_usage(cert_sign=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    leaf = (
        x509.CertificateBuilder()
        .subject_name(name(f"faceswap_kit signer of {user}"))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=730))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_usage(cert_sign=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), False
        )
        .sign(ca_key, hashes.SHA256())
    )
    pem = serialization.Encoding.PEM
    key_pem = key.private_bytes(
        pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    key_path = folder / KEY_NAME
    fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(key_pem)
    (folder / CA_NAME).write_bytes(ca.public_bytes(pem))
    (folder / CERT_NAME).write_bytes(leaf.public_bytes(pem) + ca.public_bytes(pem))


def _usage(cert_sign: bool):
    from cryptography import x509

    return x509.KeyUsage(
        digital_signature=not cert_sign,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=cert_sign,
        crl_sign=cert_sign,
        encipher_only=False,
        decipher_only=False,
    )
