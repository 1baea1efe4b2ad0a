"""The ledger's own Ed25519 key: signing what the ledger sends out, checking what it receives.

Every ledger has one key pair (table ``signing_key``, made when the ledger is created or
upgraded: migration ``m003_signing_key_street`` marks it, :func:`ensure_key` makes it).  A
community signs its monthly packages (报送) with it; the street office registers the
community's public key and refuses a package signed by any other.  The clerks compare the
public key's :func:`fingerprint` by phone: it is shown in 设置 and printed on the bulletin.

Uses the ``cryptography`` package (pinned in requirements.txt), imported when first needed
(opening a ledger that already has its key does not load it).
"""

from __future__ import annotations

import base64
import hashlib
import sqlite3


#: what a public key file (``package key --out``) starts with
KEY_FILE_HEADER = "网格台账签名公钥"


def ensure_key(conn: sqlite3.Connection) -> bytes:
    """Make the ledger's key pair unless it has one; returns the raw public key (32 bytes).

    Registered as the ``signing_key`` rebuild in ``models.ledger.REBUILDS``.
    """
    row = conn.execute("SELECT public_key FROM signing_key WHERE id = 1").fetchone()
    if row is not None:
        return bytes(row[0])
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat

    key = Ed25519PrivateKey.generate()
    private = key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    public = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    conn.execute("INSERT INTO signing_key (id, private_key, public_key) VALUES (1, ?, ?)", [private, public])
    return public


def public_key(ledger) -> bytes:
    """The ledger's raw public key (32 bytes)."""
    return bytes(ledger.scalar("SELECT public_key FROM signing_key WHERE id = 1"))


def sign(ledger, data: bytes) -> bytes:
    """The ledger's Ed25519 signature of ``data`` (64 bytes; deterministic)."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    private = ledger.scalar("SELECT private_key FROM signing_key WHERE id = 1")
    return Ed25519PrivateKey.from_private_bytes(bytes(private)).sign(data)


def verify(public: bytes, signature: bytes, data: bytes) -> bool:
    """Whether ``signature`` is ``public``'s signature of ``data``."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    try:
        Ed25519PublicKey.from_public_bytes(public).verify(signature, data)
    except (InvalidSignature, ValueError):
        return False
    return True


def fingerprint(public: bytes) -> str:
    """What the clerks read to each other by phone: the first 16 bytes of the key's SHA-256,
    in 8 groups of 4 hex digits (``3F2A 9C01 …``)."""
    digest = hashlib.sha256(public).hexdigest().upper()[:32]
    return " ".join(digest[i:i + 4] for i in range(0, 32, 4))


def encode_key(public: bytes) -> str:
    """A public key as text (standard base64)."""
    return base64.b64encode(public).decode("ascii")


def decode_key(text: str) -> bytes | None:
    """The raw key of :func:`encode_key`'s text; None when it is not one (strict base64, 32 bytes)."""
    try:
        raw = base64.b64decode(text, validate=True)
    except (ValueError, TypeError):
        return None
    if len(raw) != 32 or encode_key(raw) != text:
        return None
    return raw


def key_file_text(community_name: str, public: bytes) -> str:
    """The public key file a community gives its street office (``street add-community --key``)."""
    return (f"{KEY_FILE_HEADER}\n社区：{community_name}\n指纹：{fingerprint(public)}\n"
            f"公钥：{encode_key(public)}\n")


def read_key_file(text: str) -> bytes | None:
    """The raw key in a :func:`key_file_text` file (or a file holding only the base64 key); None if none."""
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("公钥："):
            return decode_key(line[len("公钥："):].strip())
    stripped = text.strip()
    return decode_key(stripped) if stripped and "\n" not in stripped else None
