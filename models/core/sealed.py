"""Backups protected with a password, for a USB stick that leaves the office.

A sealed backup is the verified backup file encrypted whole with AES-256-GCM (the
``cryptography`` package, already pinned for package signatures), its key derived from the
password with scrypt (n=2**15, r=8, p=1, a random 16-byte salt).  The file is cut into
1 MiB chunks, each sealed with its own nonce (a random prefix and the chunk's number) and
authenticated together with the header, its number and whether it is the last, so a
changed, reordered or truncated file is refused like a wrong password.  Why not SQLCipher
(``sqlcipher3``): a second SQLite build beside Python's own, with wheels that lag behind
Python releases; the backup stays an ordinary verified SQLite file inside, and restoring
it needs nothing but the password.
"""

from __future__ import annotations

import os
import struct
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from models.core.errors import EnvironmentProblem, LedgerError

MAGIC = b"GRIDLEDGER-SEALED-1\n"
SUFFIX = ".glenc"
CHUNK = 1 << 20
_N_LOG2, _R, _P = 15, 8, 1


class PasswordNeeded(LedgerError):
    """The backup is protected with a password and none was given."""


class WrongPassword(LedgerError):
    """The password does not open the backup (or the file was changed)."""


def is_sealed(path: Path) -> bool:
    """Whether ``path`` is a password-protected backup."""
    try:
        with open(path, "rb") as f:
            return f.read(len(MAGIC)) == MAGIC
    except OSError:
        return False


def _key(password: str, salt: bytes, n_log2: int, r: int, p: int) -> bytes:
    return Scrypt(salt=salt, length=32, n=1 << n_log2, r=r, p=p).derive(password.encode("utf-8"))


def seal(plain: Path, out: Path, password: str) -> None:
    """Encrypt the file ``plain`` into ``out`` (which exists and is empty: a temporary file)."""
    if not password:
        raise ValueError("empty password")
    salt, prefix = os.urandom(16), os.urandom(8)
    header = MAGIC + struct.pack(">BBB", _N_LOG2, _R, _P) + salt + prefix
    aead = AESGCM(_key(password, salt, _N_LOG2, _R, _P))
    size = Path(plain).stat().st_size
    with open(plain, "rb") as src, open(out, "wb") as dst:
        dst.write(header)
        number, done = 0, 0
        while True:
            block = src.read(CHUNK)
            done += len(block)
            last = done >= size
            nonce = prefix + struct.pack(">I", number)
            sealed = aead.encrypt(nonce, block, header + struct.pack(">I?", number, last))
            dst.write(struct.pack(">I", len(sealed)) + sealed)
            if last:
                break
            number += 1
        dst.flush()
        os.fsync(dst.fileno())


def unseal(path: Path, out: Path, password: str | None) -> None:
    """Decrypt the sealed backup ``path`` into ``out``.

    Raises:
        PasswordNeeded: no password given.
        WrongPassword: the password is wrong, or the file was changed or cut short.
    """
    if not password:
        raise PasswordNeeded("这个备份设置了密码，请输入密码。")
    with open(path, "rb") as src, open(out, "wb") as dst:
        magic = src.read(len(MAGIC))
        if magic != MAGIC:
            raise EnvironmentProblem("这个文件不是加密的台账备份。")
        params = src.read(3 + 16 + 8)
        if len(params) != 27:
            raise WrongPassword("加密备份文件不完整，无法恢复。")
        n_log2, r, p = struct.unpack(">BBB", params[:3])
        salt, prefix = params[3:19], params[19:27]
        header = magic + params
        aead = AESGCM(_key(password, salt, n_log2, r, p))
        number = 0
        while True:
            raw = src.read(4)
            if len(raw) != 4:
                raise WrongPassword("加密备份文件不完整（可能没有复制完），无法恢复。")
            (length,) = struct.unpack(">I", raw)
            sealed = src.read(length)
            nonce = prefix + struct.pack(">I", number)
            for last in (False, True):
                try:
                    block = aead.decrypt(nonce, sealed, header + struct.pack(">I?", number, last))
                    break
                except InvalidTag:
                    block = None
            if block is None:
                if number == 0:
                    raise WrongPassword("密码不正确，或备份文件已被改动。")
                raise WrongPassword("加密备份文件已被改动或损坏，无法恢复。")
            dst.write(block)
            if last:
                break
            number += 1
        dst.flush()
        os.fsync(dst.fileno())
