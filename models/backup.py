"""Backups that are whole or absent, kept by rule; a restore that cannot wipe the ledger.

* :func:`backup` — a verified copy (:func:`models.core.safecopy.copy_verified`: online
  backup API, manifest, ``integrity_check``, migrations and row counts compared, fsync,
  atomic rename), optionally protected with a password (:mod:`models.core.sealed`), audited.
* :func:`auto_backup` — into the ledger's own folder under the user's backups folder (and
  a second folder, e.g. a USB stick, when it is present), at most once per interval, then
  :func:`prune` by :data:`RETENTION` (:func:`to_keep` is the pure rule).
* :func:`restore` — refuses anything that is not a verified backup; backs up the current
  ledger first, audits in both ledgers, keeps the replaced file as a dated copy that no
  later restore touches, and swaps the files with one ``os.replace`` so that there is a
  whole ledger at the path at every instant.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import os
import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from models.core import safecopy, sealed
from models.core.db import Ledger, Operator
from models.core.errors import EnvironmentProblem, ValidationError
from models.core.ops import operation
from models.core.permissions import PermissionDenied, may, refusal
from models.core.safecopy import Manifest
from models.ledger import open_db

#: the retention rule's default (ledger setting ``backup.retention``): every backup of the last
#: ``days`` days, the newest of each of the last ``weeks`` weeks, of each of the last ``months`` months
RETENTION = {"days": 7, "weeks": 8, "months": 12}
#: automatic backups: on open and close at most this often; while open, once a day
OPEN_CLOSE_INTERVAL = _dt.timedelta(hours=1)
DAILY_INTERVAL = _dt.timedelta(days=1)
#: the status line warns when the last good backup is older than this
WARN_AFTER = _dt.timedelta(days=3)

_NAME = safecopy.BACKUP_NAME
_STAMP = safecopy.STAMP


@dataclass(frozen=True)
class BackupFile:
    """A backup found in a folder: its file, when it was taken and why (from its name)."""

    path: Path
    taken: _dt.datetime
    reason: str

    @property
    def encrypted(self) -> bool:
        return self.path.suffix == sealed.SUFFIX


def parse_name(path: Path) -> BackupFile | None:
    """The :class:`BackupFile` an automatic backup's name describes (None for other files)."""
    m = _NAME.match(Path(path).name)
    if not m:
        return None
    try:
        taken = _dt.datetime.strptime(m["ts"], _STAMP)
    except ValueError:
        return None
    return BackupFile(Path(path), taken, m["reason"])


backup_name = safecopy.backup_name


def _manifest(ledger: Ledger, reason: str) -> Manifest:
    return Manifest(source=str(ledger.path), created_at=ledger.now_ts(), operator=ledger.operator.name,
                    reason=reason, community=ledger.community_name or "")


# -- backing up -----------------------------------------------------------------------------------

def backup(ledger: Ledger, out: Path, *, reason: str = "手动", password: str | None = None,
           audit: bool = True, progress=None, is_cancelled=None) -> Path:
    """Write a verified copy of the open ledger to ``out``, whole or not at all.

    Call it outside a transaction.  With ``audit`` the audit row is written after the copy
    has its name, in a transaction of its own; if it cannot be written (a read-only ledger)
    the copy is removed again: an action the audit log cannot record is not done.

    Args:
        password: protect the copy with it (:mod:`models.core.sealed`); for removable drives.
        progress: ``progress(done, total, text)``; is_cancelled: checked between steps.

    Returns:
        ``out``.

    Raises:
        EnvironmentProblem: ``out`` exists or is a folder, its folder is missing, the disk
            is full or read-only, the copy does not verify (in Chinese).
    """
    out = Path(out)
    if ledger.path is None:
        raise EnvironmentProblem("内存中的台账不能备份。")
    if out.exists() and out.resolve() == Path(ledger.path).resolve():
        raise EnvironmentProblem("不能把备份保存为正在使用的台账文件本身，请换一个文件名。")
    manifest = _manifest(ledger, reason)
    if password:
        _sealed_copy(ledger, out, manifest, password, progress, is_cancelled)
    else:
        safecopy.copy_verified(ledger.conn, out, manifest, progress=progress, is_cancelled=is_cancelled)
    if audit:
        try:
            with ledger.write():
                ledger.audit("备份", "ledger", None, None,
                             {"file": str(out), "reason": reason, "encrypted": bool(password),
                              "residents": manifest.residents(), "matters": manifest.matters()})
        except BaseException:
            safecopy.remove_quietly(out)
            raise
    return out


def _sealed_copy(ledger: Ledger, out: Path, manifest: Manifest, password: str, progress, is_cancelled) -> None:
    """A verified plain copy in the target folder, encrypted into ``out`` (whole or absent)."""
    with safecopy.whole_or_absent(out, suffix=sealed.SUFFIX) as tmp_sealed:
        plain = safecopy.temp_path(out.parent)
        try:
            plain.unlink()
            safecopy.copy_verified(ledger.conn, plain, manifest, progress=progress, is_cancelled=is_cancelled)
            if progress is not None:
                progress(0, 0, "正在加密备份……")
            sealed.seal(plain, tmp_sealed, password)
        finally:
            safecopy.remove_quietly(plain)


def ledger_backups(ledger_path: Path, extra: list[Path] = ()) -> list[BackupFile]:
    """The automatic backups of the ledger at ``ledger_path`` (its folder and ``extra`` folders),
    newest first."""
    folders = [safecopy.ledger_backup_folder(ledger_path), *map(Path, extra)]
    found = []
    for folder in folders:
        with contextlib.suppress(OSError):
            for path in folder.iterdir():
                item = parse_name(path)
                if item is not None and item.path.stem.startswith(Path(ledger_path).stem + "_"):
                    found.append(item)
    return sorted(found, key=lambda b: (b.taken, b.path.name), reverse=True)


def second_folder(ledger: Ledger) -> Path | None:
    """The second backup folder (setting ``backup.second_folder``), when set and present."""
    value = ledger.get_setting("backup.second_folder")
    if not value:
        return None
    folder = Path(value)
    return folder if folder.is_dir() else None


def auto_backup(ledger: Ledger, reason: str, *, interval: _dt.timedelta | None = OPEN_CLOSE_INTERVAL,
                progress=None, is_cancelled=None) -> Path | None:
    """An automatic backup into the ledger's backups folder (and the second folder when it is
    present), unless one was taken less than ``interval`` ago; then :func:`prune`.

    Args:
        reason: what the file name says: 打开, 关闭, 每日, 升级前, 恢复前 …
        interval: None = always (before a migration or a restore).

    Returns:
        the new backup, or None when a recent one made it unnecessary.
    """
    if ledger.path is None:
        return None
    now = ledger.now()
    folder = safecopy.ledger_backup_folder(ledger.path)
    latest = last_backup(ledger)
    if interval is not None and latest is not None and now - latest.taken < interval:
        return None
    try:
        folder.mkdir(parents=True, exist_ok=True)
        if os.name == "posix":
            os.chmod(folder, 0o700)
    except OSError as exc:
        raise EnvironmentProblem(f"无法创建备份文件夹：{folder}") from exc
    safecopy.clean_temps(folder)
    out = folder / backup_name(ledger.path, now, reason)
    n = 1
    while out.exists():  # two backups in one second (open, then a restore)
        n += 1
        out = folder / backup_name(ledger.path, now, f"{reason}{n}")
    backup(ledger, out, reason=reason, audit=False, progress=progress, is_cancelled=is_cancelled)
    second = second_folder(ledger)
    if second is not None:
        with contextlib.suppress(EnvironmentProblem, OSError):   # a stick pulled out: the main copy stands
            safecopy.clean_temps(second)
            with safecopy.whole_or_absent(second / out.name) as tmp:
                shutil.copyfile(out, tmp)
                safecopy.verify_backup(tmp)
            prune(second, now, retention(ledger), stem=Path(ledger.path).stem)
    prune(folder, now, retention(ledger), stem=Path(ledger.path).stem)
    return out


def last_backup(ledger: Ledger) -> BackupFile | None:
    """The newest automatic backup of the ledger (every one there is whole: they are verified
    before they get their name)."""
    found = ledger_backups(ledger.path) if ledger.path is not None else []
    return found[0] if found else None


def backup_status(ledger: Ledger) -> tuple[str, bool]:
    """The status line's text about backups and whether it is a warning (none for 3 days)."""
    latest = last_backup(ledger)
    if latest is None:
        return "尚无自动备份", True
    text = f"最近备份：{latest.taken:%Y-%m-%d %H:%M}（{latest.reason}）"
    if ledger.now() - latest.taken > WARN_AFTER:
        return text + f"，已超过 {WARN_AFTER.days} 天没有备份", True
    return text, False


# -- retention ------------------------------------------------------------------------------------

def retention(ledger: Ledger) -> dict:
    """The retention rule of the ledger (setting ``backup.retention``, else :data:`RETENTION`)."""
    value = ledger.get_setting("backup.retention") or {}
    return {key: int(value.get(key, default)) for key, default in RETENTION.items()}


def to_keep(times: list[_dt.datetime], now: _dt.datetime, rule: dict = RETENTION) -> set[_dt.datetime]:
    """Which backups (by the time they were taken) the retention rule keeps.

    Every backup of the last ``days`` days (today counts as the first), the newest of each of
    the last ``weeks`` ISO weeks and of each of the last ``months`` calendar months, and
    always the newest of all.  A pure function of its arguments.
    """
    keep: set[_dt.datetime] = set()
    if not times:
        return keep
    ordered = sorted(times, reverse=True)
    keep.add(ordered[0])
    today = now.date()
    first_day = today - _dt.timedelta(days=rule["days"] - 1)
    keep.update(t for t in ordered if first_day <= t.date() <= today)
    this_monday = today - _dt.timedelta(days=today.weekday())
    first_monday = this_monday - _dt.timedelta(weeks=rule["weeks"] - 1)
    first_month = (today.year * 12 + today.month - 1) - (rule["months"] - 1)
    weeks_seen, months_seen = set(), set()
    for t in ordered:   # newest first: the first one met in a week or month is its newest
        monday = t.date() - _dt.timedelta(days=t.weekday())
        if first_monday <= monday <= this_monday and monday not in weeks_seen:
            weeks_seen.add(monday)
            keep.add(t)
        month = t.year * 12 + t.month - 1
        if first_month <= month <= today.year * 12 + today.month - 1 and month not in months_seen:
            months_seen.add(month)
            keep.add(t)
    return keep


def prune(folder: Path, now: _dt.datetime, rule: dict = RETENTION, *, stem: str | None = None) -> list[Path]:
    """Delete the automatic backups in ``folder`` that the rule does not keep.  Returns them."""
    found = []
    with contextlib.suppress(OSError):
        found = [b for b in map(parse_name, Path(folder).iterdir())
                 if b is not None and (stem is None or b.path.name.startswith(stem + "_"))]
    kept = to_keep([b.taken for b in found], now, rule)
    removed = []
    for item in found:
        if item.taken not in kept:
            with contextlib.suppress(OSError):
                item.path.unlink()
                removed.append(item.path)
    return removed


@operation("backup.configure", "settings")
def configure_backups(ledger: Ledger, *, second: str | None = None, rule: dict | None = None) -> None:
    """Change the backup settings (管理员): the second folder ("" for none) and the retention rule.

    Raises:
        PermissionDenied: the operator is not 管理员.
        ValidationError: a rule value below 1.
    """
    if rule is not None:
        clean = {key: int(rule.get(key, default)) for key, default in RETENTION.items()}
        if any(v < 1 for v in clean.values()):
            raise ValidationError("保留规则的天数、周数和月数都必须至少为 1。")
        ledger.set_setting("backup.retention", clean)
    if second is not None:
        ledger.set_setting("backup.second_folder", second)


# -- restoring ------------------------------------------------------------------------------------

@dataclass
class Restored:
    """What :func:`restore` did."""

    manifest: Manifest
    kept: Path | None          # the replaced ledger, kept as a dated copy
    safety_backup: Path | None  # the backup of the current ledger taken first


def inspect_backup(source: Path, password: str | None = None) -> Manifest:
    """Verify a backup file (decrypting it into a temporary file when it is protected) and
    return its manifest.

    Raises:
        EnvironmentProblem: not a backup, damaged, incomplete (Chinese).
        sealed.PasswordNeeded / sealed.WrongPassword: protected with a password.
    """
    source = Path(source)
    if not source.is_file():
        raise EnvironmentProblem(f"找不到备份文件：{source}")
    if not sealed.is_sealed(source):
        return safecopy.verify_backup(source)
    if not password:
        raise sealed.PasswordNeeded("这个备份设置了密码，请输入密码。")
    plain = safecopy.temp_path(source.parent if os.access(source.parent, os.W_OK) else Path.cwd())
    try:
        sealed.unseal(source, plain, password)
        return safecopy.verify_backup(plain)
    finally:
        safecopy.remove_quietly(plain)


def current_counts(path: Path) -> dict[str, int] | None:
    """Residents and matters of the ledger at ``path`` now (None when it cannot be read)."""
    if not Path(path).is_file():
        return None
    try:
        conn = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True)
        try:
            return {t: conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in ("residents", "matters")}
        finally:
            conn.close()
    except sqlite3.Error:
        return None


def describe_restore(manifest: Manifest, current: dict[str, int] | None) -> str:
    """``恢复后：居民 522,477 人，事项 …（当前：…）`` — what the clerk confirms."""
    after = f"恢复后：居民 {manifest.residents():,} 人，事项 {manifest.matters():,} 件"
    if current is None:
        return after + "（当前台账无法读取）"
    return after + f"（当前：居民 {current['residents']:,} 人，事项 {current['matters']:,} 件）"


def restore(source: Path, target: Path, *, operator: Operator, clock: Callable | None = None,
            password: str | None = None, progress=None) -> Restored:
    """Replace the ledger ``target`` by the backup ``source``, without ever losing either.

    Every connection of this process to ``target`` must be closed first.  Steps: verify
    ``source`` (a backup with its manifest, whole); copy it beside ``target`` under a
    temporary name, verify the copy, bring an older schema up to date, drop the manifest
    and write the audit row of the restore (恢复备份) into it; take a backup of the current ledger
    and write the audit row of its replacement (被备份替换) into it, checkpoint its WAL into the file,
    keep the file as ``<name>.替换前-<time>.db`` (a hard link: a new name for the same
    bytes), then ``os.replace`` the verified copy onto ``target``.  A crash at any moment
    leaves ``target`` whole (old or new); only a stray temporary file can remain, removed
    by the next backup or restore.

    Raises:
        PermissionDenied: the operator is not 管理员.
        EnvironmentProblem: ``source`` is not a verified backup, the folder is missing,
            the disk is full, another program holds ``target`` (Chinese).
    """
    prepared = prepare_restore(source, target, operator=operator, clock=clock, password=password,
                               progress=progress)
    safety = None
    try:
        if Path(target).exists():
            (progress or (lambda *a: None))(0, 0, "正在备份当前台账……")
            safety = safety_backup(target, operator, clock)
    except BaseException:
        prepared.discard()
        raise
    return finish_restore(prepared, safety)


@dataclass
class Prepared:
    """A restore made ready beside its target (:func:`prepare_restore`): the verified,
    upgraded copy under a temporary name, audited; :func:`finish_restore` swaps it in."""

    source: Path
    target: Path
    tmp: Path
    manifest: Manifest
    operator: Operator
    clock: Callable | None

    def discard(self) -> None:
        safecopy.remove_quietly(self.tmp)


def prepare_restore(source: Path, target: Path, *, operator: Operator, clock: Callable | None = None,
                    password: str | None = None, progress=None) -> Prepared:
    """The long part of :func:`restore`, which leaves ``target`` alone (it may stay open):
    verify ``source``, copy it beside ``target`` under a temporary name, verify the copy,
    upgrade an older schema, drop the manifest, write the audit row 恢复备份 into it."""
    if not may(operator.role, "ledger.restore"):
        raise PermissionDenied(refusal(operator.role, "ledger.restore"))
    source, target = Path(source), Path(target)
    if not target.parent.is_dir():
        raise EnvironmentProblem(f"台账所在的文件夹不存在：{target.parent}")
    safecopy.clean_temps(target.parent)
    say = progress or (lambda *a: None)
    say(0, 0, "正在校验备份……")
    manifest = inspect_backup(source, password)
    try:
        tmp = safecopy.temp_path(target.parent, target.suffix or ".db")
    except OSError as exc:
        raise safecopy._problem(exc) from exc
    try:
        say(0, 0, "正在复制并校验备份……")
        if sealed.is_sealed(source):
            sealed.unseal(source, tmp, password)
        else:
            shutil.copyfile(source, tmp)
        safecopy.owner_only(tmp)
        safecopy.verify_backup(tmp)
        new = open_db(tmp, create=False, operator=operator, clock=clock, backup_first=False)
        try:
            with new.write():
                new.conn.execute(f"DROP TABLE {safecopy.MANIFEST_TABLE}")
                new.audit("恢复备份", "ledger", None, None,
                          {"from": source.name, "backup_time": manifest.created_at,
                           "backup_operator": manifest.operator,
                           "residents": manifest.residents(), "matters": manifest.matters()})
            new.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            new.close()
        safecopy.fsync_file(tmp)
    except BaseException as exc:
        safecopy.remove_quietly(tmp)
        if isinstance(exc, (OSError, sqlite3.Error)):
            raise safecopy._problem(exc) from exc
        raise
    return Prepared(source, target, tmp, manifest, operator, clock)


def safety_backup(target: Path, operator: Operator, clock) -> Path | None:
    """The backup of the current ledger taken before a restore (reason 恢复前); None when it
    cannot be opened or read (damaged: the reason to restore; its file is kept as a dated copy)."""
    try:
        current = open_db(target, create=False, operator=operator, clock=clock)
    except EnvironmentProblem:
        return None
    try:
        return auto_backup(current, "恢复前", interval=None)
    except EnvironmentProblem as exc:
        if "损坏" not in str(exc):
            raise
        return None
    finally:
        current.close()


def finish_restore(prepared: Prepared, safety: Path | None = None) -> Restored:
    """The short part of :func:`restore`, with every connection of this process to the target
    closed: audit the replacement in the current ledger (被备份替换), checkpoint its WAL, keep it
    as a dated copy, and ``os.replace`` the prepared copy onto the target."""
    target = prepared.target
    kept = None
    try:
        if target.exists():
            _retire_current(target, prepared.operator, prepared.clock, prepared.source)
            kept = _keep_dated(target, prepared.clock)
        safecopy.publish(prepared.tmp, target, replace=True)
    except BaseException as exc:
        prepared.discard()
        if isinstance(exc, (OSError, sqlite3.Error)):
            raise safecopy._problem(exc) from exc
        raise
    return Restored(prepared.manifest, kept, safety)


def _retire_current(target: Path, operator: Operator, clock, source: Path) -> None:
    """Audit the current ledger's replacement, checkpoint its WAL into the file and close it.
    A ledger that cannot be opened (damaged) is left as it is: its file is kept as a dated copy."""
    try:
        current = open_db(target, create=False, operator=operator, clock=clock)
    except EnvironmentProblem:
        current = None
    if current is not None:
        try:
            with current.write():
                current.audit("被备份替换", "ledger", None, None, {"by": source.name})
            current.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except EnvironmentProblem as exc:
            if "损坏" not in str(exc):   # a damaged ledger cannot take the row; its file is kept as it is
                raise
        finally:
            current.close()
    wal = Path(f"{target}-wal")
    if wal.exists() and wal.stat().st_size > 0:
        raise EnvironmentProblem("台账正被其他程序或其他电脑使用，请关闭后再恢复。")
    for side in (wal, Path(f"{target}-shm")):
        with contextlib.suppress(OSError):
            side.unlink()


def _keep_dated(target: Path, clock) -> Path:
    """Keep the current file under a dated name no later restore deletes (a hard link, or a copy)."""
    now = (clock or (lambda: _dt.datetime.now()))().replace(microsecond=0)
    base = f"{target.stem}.替换前-{now.strftime(_STAMP)}"
    kept = target.with_name(base + target.suffix)
    n = 1
    while kept.exists():
        n += 1
        kept = target.with_name(f"{base}-{n}{target.suffix}")
    try:
        os.link(target, kept)
    except OSError:
        with safecopy.whole_or_absent(kept) as tmp:
            shutil.copyfile(target, tmp)
    safecopy.fsync_dir(target.parent)
    return kept
