"""Content Credentials (C2PA) with ``c2pa-python``: sign a file the kit wrote, read any file."""

from __future__ import annotations

import io
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

from .keys import load_or_create

log = logging.getLogger(__name__)

# the kit's own assertion in a manifest: the provenance record (record.Provenance.to_dict())
ASSERTION_LABEL = "org.faceswap_kit.provenance"

MIME = {
    ".mp4": "video/mp4",
    ".m4v": "video/mp4",
    ".mov": "video/quicktime",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".webp": "image/webp",
}


def mime_of(path: str | os.PathLike) -> str | None:
    return MIME.get(Path(path).suffix.lower())


def _signer():
    import c2pa  # the C2PA native library: loaded on the first signature

    identity = load_or_create()
    info = c2pa.C2paSignerInfo(
        c2pa.C2paSigningAlg.ES256, identity.cert_chain, identity.private_key, None
    )
    return c2pa.Signer.from_info(info)


def sign_bytes(data: bytes, mime: str, manifest: dict) -> bytes:
    """``data`` (a whole PNG/JPEG/MP4 file) with a signed C2PA manifest embedded."""
    import c2pa

    source, dest = io.BytesIO(data), io.BytesIO()
    with c2pa.Builder(manifest) as builder, _signer() as signer:
        builder.sign(signer, mime, source, dest)
    return dest.getvalue()


def sign_in_place(path: Path, manifest: dict) -> bool:
    """Embed a signed manifest in ``path`` (atomically). False (and a warning) when impossible."""
    mime = mime_of(path)
    if mime is None:
        log.warning(
            "no Content Credentials for %s: C2PA is not written to %s files", path, path.suffix
        )
        return False
    try:
        import c2pa
    except ImportError:
        log.warning("no Content Credentials for %s: c2pa-python is not installed", path)
        return False
    tmp = path.with_name(f".{path.stem}.signing{path.suffix}")
    try:
        with open(path, "rb") as source, open(tmp, "wb") as dest:
            with c2pa.Builder(manifest) as builder, _signer() as signer:
                builder.sign(signer, mime, source, dest)
            dest.flush()
            os.fsync(dest.fileno())
        os.replace(tmp, path)
    except c2pa.C2paError as exc:
        tmp.unlink(missing_ok=True)
        log.warning("no Content Credentials for %s: %s", path, exc)
        return False
    return True


@dataclass(frozen=True)
class CredentialsReading:
    """What the C2PA manifest of a file says.

    Attributes:
        present: a manifest is embedded.
        state: ``"Valid"``, ``"Trusted"``, ``"Invalid"`` (from the C2PA library), or ``"absent"``.
        tampered: the file or its manifest changed after signing (a hash or signature failed).
        from_kit: the manifest was made by faceswap_kit.
        record: the kit's own assertion (payload id, identities, consent...), if any.
        digital_source_type: the creating action's source type.
        failures: the validation failure codes.
        untrusted_signer: the signing certificate is on no trust list (the kit's local one).
    """

    present: bool
    state: str
    tampered: bool = False
    from_kit: bool = False
    record: dict = field(default_factory=dict)
    digital_source_type: str = ""
    failures: tuple[str, ...] = ()
    untrusted_signer: bool = False


def read_credentials(path: str | os.PathLike) -> CredentialsReading:
    """Read and validate the C2PA manifest of a file (absent when there is none)."""
    try:
        import c2pa
    except ImportError:
        return CredentialsReading(False, "unreadable (c2pa-python is not installed)")
    if mime_of(path) is None:
        return CredentialsReading(False, "absent")
    try:
        reader = c2pa.Reader.try_create(str(path))
    except c2pa.C2paError as exc:
        return CredentialsReading(True, "Invalid", tampered=True, failures=(str(exc),))
    if reader is None:
        return CredentialsReading(False, "absent")
    with reader:
        state = reader.get_validation_state() or "unknown"
        results = reader.get_validation_results() or {}
        manifest = reader.get_active_manifest() or {}
    active = results.get("activeManifest", {}) if isinstance(results, dict) else {}
    failures = tuple(item.get("code", "") for item in active.get("failure", []))
    untrusted = any("untrusted" in code for code in failures)
    real_failures = tuple(code for code in failures if "untrusted" not in code)
    record, source_type = {}, ""
    for assertion in manifest.get("assertions", []):
        if assertion.get("label") == ASSERTION_LABEL:
            record = assertion.get("data", {})
        if assertion.get("label", "").startswith("c2pa.actions"):
            for action in assertion.get("data", {}).get("actions", []):
                source_type = action.get("digitalSourceType", source_type)
    generators = manifest.get("claim_generator_info", [])
    from_kit = bool(record) or any(g.get("name") == "faceswap_kit" for g in generators)
    return CredentialsReading(
        present=True,
        state=state,
        tampered=bool(real_failures) or state == "Invalid",
        from_kit=from_kit,
        record=record,
        digital_source_type=source_type,
        failures=failures,
        untrusted_signer=untrusted,
    )
