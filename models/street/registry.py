"""A street ledger: what it is, its communities and their keys, importing their packages.

A street ledger is an ordinary ledger file made a 街道 ledger by :func:`init_street`
(setting ``ledger_kind`` = ``street``, ``street_name``); it holds no grids, no residents,
only its communities (table ``street_communities``, each with the public key it
registered) and the packages imported (``street_packages``).

:func:`import_packages` takes many files at once and is all or nothing: every file is
read and checked first; if any is refused (malformed, changed after signing, signed by
another key than the one registered, a version already imported or older than the one
imported, a month that has not ended, an unknown community without ``trust``), nothing is
written and the refusal lists every file refused and why.  A newer version supersedes the
one imported before, and the result lists the change.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from models.core import periods, signing
from models.core.db import Ledger
from models.core.errors import ValidationError
from models.core.ops import operation
from models.street.package import PackageRefused, ReceivedPackage, read_package

KIND_SETTING = "ledger_kind"
STREET = "street"
NAME_SETTING = "street_name"


def is_street(ledger: Ledger) -> bool:
    """Whether ``ledger`` is a street (街道) ledger."""
    return ledger.get_setting(KIND_SETTING) == STREET


def street_name(ledger: Ledger) -> str:
    """The street's name ('' for a community ledger)."""
    return ledger.get_setting(NAME_SETTING, "") if is_street(ledger) else ""


def require_street(ledger: Ledger) -> None:
    """Refuse street work on a community ledger.

    Raises:
        ValidationError: not a street ledger.
    """
    if not is_street(ledger):
        raise ValidationError("这不是街道台账。请先用“street init --name 街道名称”新建街道台账。")


def refuse_personal_data(ledger: Ledger) -> None:
    """Refuse to put residents' data (an import, the demo) into a street ledger.

    Raises:
        ValidationError: ``ledger`` is a street ledger.
    """
    if is_street(ledger):
        raise ValidationError("这是街道台账：街道台账只保存各社区报送的统计数字，不保存居民等个人信息，不能导入或生成台账数据。")


@operation("street.manage", "street", "settings")
def init_street(ledger: Ledger, name: str) -> str:
    """Make an empty ledger a street (街道) ledger called ``name``.

    Raises:
        ValidationError: a blank name, or a ledger that already holds a community's data
            (grids, residents) or is already a street ledger.
    """
    return make_street(ledger, name)


def make_street(ledger: Ledger, name: str) -> str:
    """What :func:`init_street` does, without its permission check: for a ledger being created
    (``models.ledger.open_db(street_name=…)``, the window's 新建台账), before anyone can log in.

    Raises:
        ValidationError: as :func:`init_street`.
    """
    name = (name or "").strip()
    if not name:
        raise ValidationError("请填写街道名称。", field="name")
    if len(name) > 40:
        raise ValidationError("街道名称不能超过 40 个字。", field="name")
    if is_street(ledger):
        raise ValidationError(f"这个台账已经是街道台账（{street_name(ledger)}）。")
    if ledger.scalar("SELECT COUNT(*) FROM grids") or ledger.scalar("SELECT COUNT(*) FROM residents") \
            or ledger.community_name:
        raise ValidationError("这个台账是社区台账（已有社区、网格或居民），不能改为街道台账。请新建一个台账文件。")
    with ledger.write():
        ledger.set_setting(KIND_SETTING, STREET)
        ledger.set_setting(NAME_SETTING, name)
    return name


@dataclass
class Community:
    """A community registered with the street."""

    id: int
    name: str
    public_key: str
    fingerprint: str
    registered_at: str
    registered_how: str


def communities(ledger: Ledger) -> list[Community]:
    """The street's communities, by name."""
    rows = ledger.query("SELECT id, name, public_key, fingerprint, registered_at, registered_how"
                        " FROM street_communities ORDER BY name")
    return [Community(**r) for r in rows]


def _register(ledger: Ledger, name: str, public: bytes, how: str) -> int:
    record = {"name": name, "public_key": signing.encode_key(public),
              "fingerprint": signing.fingerprint(public), "registered_at": ledger.now_ts(),
              "registered_by": ledger.operator.name, "registered_how": how}
    rowid = ledger.db["street_communities"].insert(record).last_rowid
    ledger.audit("登记社区", "street_communities", rowid, None,
                 {"name": name, "fingerprint": record["fingerprint"]})
    return rowid


@operation("street.manage", "street")
def add_community(ledger: Ledger, name: str, key_text: str) -> Community:
    """Register a community and its public key (the text of its key file) beforehand.

    Raises:
        ValidationError: not a street ledger, a blank name, a text with no key, a name or
            key already registered.
    """
    require_street(ledger)
    name = (name or "").strip()
    if not name:
        raise ValidationError("请填写社区名称。", field="name")
    public = signing.read_key_file(key_text or "")
    if public is None:
        raise ValidationError("公钥文件格式不正确：应为社区导出的“网格台账签名公钥”文件。", field="key")
    _check_new(ledger, name, public)
    rowid = _register(ledger, name, public, "公钥文件")
    return next(c for c in communities(ledger) if c.id == rowid)


def _check_new(ledger: Ledger, name: str, public: bytes) -> None:
    if ledger.scalar("SELECT 1 FROM street_communities WHERE name = ?", [name]):
        raise ValidationError(f"社区“{name}”已经登记过。", field="name")
    other = ledger.scalar("SELECT name FROM street_communities WHERE public_key = ?", [signing.encode_key(public)])
    if other:
        raise ValidationError(f"这个公钥已登记为“{other}”的公钥。", field="key")


@dataclass
class ImportResult:
    """What :func:`import_packages` did.

    Attributes:
        lines: one line per file, in Chinese (导入 / 取代 …).
        registered: communities registered on this import (name, fingerprint).
        imported: how many packages were written.
    """

    lines: list[str] = field(default_factory=list)
    registered: list[tuple[str, str]] = field(default_factory=list)
    imported: int = 0


def read_files(paths: list[str | Path]) -> list[tuple[str, bytes | None, str]]:
    """``(name, bytes or None, error)`` for each file (a file that cannot be read is refused)."""
    out = []
    for path in paths:
        path = Path(path)
        try:
            out.append((path.name, path.read_bytes(), ""))
        except OSError as exc:
            out.append((path.name, None, f"无法读取“{path.name}”：{exc.strerror or exc}"))
    return out


def check_packages(ledger: Ledger, files: list[tuple[str, bytes | None, str]], *,
                   trust: bool = False) -> tuple[list[ReceivedPackage], list[str]]:
    """Read and check every file against the street ledger (reads only).

    Returns:
        (the packages that may be imported, the refusals in Chinese).
    """
    require_street(ledger)
    last_ended = periods.previous_month(periods.month_of(ledger.now()))
    registered = {r["name"]: r for r in ledger.query("SELECT id, name, public_key FROM street_communities")}
    by_key = {r["public_key"]: r["name"] for r in registered.values()}
    imported = {(r["name"], r["month"]): r["v"] for r in ledger.query(
        "SELECT c.name, p.month, MAX(p.version) AS v FROM street_packages p"
        " JOIN street_communities c ON c.id = p.community_id GROUP BY c.name, p.month")}
    new_keys: dict[str, bytes] = {}
    seen: dict[tuple[str, str, int], str] = {}
    good, refused = [], []
    for name, data, error in files:
        if data is None:
            refused.append(error)
            continue
        try:
            pkg = read_package(data, name)
        except PackageRefused as exc:
            refused.append(str(exc))
            continue
        key_text = signing.encode_key(pkg.public_key)
        label = f"“{name}”（{pkg.community}{periods.month_text(pkg.month)}第 {pkg.version} 版）"
        if pkg.month > last_ended:
            refused.append(f"{label}：{periods.month_text(pkg.month)}尚未结束，不能导入未来月份的报送。")
            continue
        known = registered.get(pkg.community)
        if known is not None:
            if known["public_key"] != key_text:
                refused.append(f"{label}：签名密钥与街道登记的“{pkg.community}”公钥不一致（指纹 {pkg.fingerprint}），"
                               f"可能不是该社区的报送，拒绝导入。")
                continue
        else:
            if key_text in by_key:
                refused.append(f"{label}：这个签名密钥已登记为“{by_key[key_text]}”，与报送中的社区名称不符，拒绝导入。")
                continue
            if pkg.community in new_keys and new_keys[pkg.community] != pkg.public_key:
                refused.append(f"{label}：同一社区的两个报送用了不同的签名密钥，拒绝导入。")
                continue
            if not trust:
                refused.append(f"{label}：社区“{pkg.community}”尚未登记。请与该社区电话核对公钥指纹"
                               f" {pkg.fingerprint}，确认后加 --trust 重新导入（窗口中点“确认指纹”）。")
                continue
            new_keys[pkg.community] = pkg.public_key
        have = imported.get((pkg.community, pkg.month))
        if have is not None and pkg.version == have or (pkg.community, pkg.month, pkg.version) in seen:
            refused.append(f"{label}：这一版已经导入过（重复报送），未导入。")
            continue
        if have is not None and pkg.version < have:
            refused.append(f"{label}：已导入更新的第 {have} 版，这是旧版本，未导入。")
            continue
        seen[(pkg.community, pkg.month, pkg.version)] = name
        good.append(pkg)
    return good, refused


@dataclass
class ImportPreview:
    """What importing some files would do (nothing written): for the window's confirmation.

    Attributes:
        refused: the refusals in Chinese (importing would write nothing).
        new: communities not yet registered, ``(name, fingerprint)``: the clerk confirms each
            fingerprint by phone before they are registered.
        count: the packages that would be imported.
    """

    refused: list[str]
    new: list[tuple[str, str]]
    count: int


def preview_import(ledger: Ledger, files: list[tuple[str, bytes | None, str]]) -> ImportPreview:
    """Check ``files`` as :func:`import_packages` would with ``trust`` (reads only)."""
    good, refused = check_packages(ledger, files, trust=True)
    known = {r["name"] for r in ledger.query("SELECT name FROM street_communities")}
    new = list(dict.fromkeys((p.community, p.fingerprint) for p in good if p.community not in known))
    return ImportPreview(refused, new, len(good))


@operation("street.import", "street")
def import_packages(ledger: Ledger, files: list[tuple[str, bytes | None, str]], *,
                    trust: bool = False) -> ImportResult:
    """导入报送: check every file, then import them all (or none).

    Args:
        files: ``(name, bytes, error)`` as :func:`read_files` gives them.
        trust: register a community not yet known, with the key its package carries
            (the clerk has confirmed its fingerprint by phone).

    Raises:
        ValidationError: not a street ledger, or a file refused (every refusal listed;
            nothing written).
    """
    good, refused = check_packages(ledger, files, trust=trust)
    if refused:
        head = "以下报送未通过检查，本次没有导入任何文件：" if len(files) > 1 else ""
        raise PackageRefused("\n".join(([head] if head else []) + refused))
    if not good:
        raise ValidationError("没有选择报送文件。")
    result = ImportResult()
    good.sort(key=lambda p: (p.community, p.month, p.version))
    for pkg in good:
        community_id = ledger.scalar("SELECT id FROM street_communities WHERE name = ?", [pkg.community])
        if community_id is None:
            community_id = _register(ledger, pkg.community, pkg.public_key, "首次导入核对指纹")
            result.registered.append((pkg.community, pkg.fingerprint))
        old = ledger.query("SELECT id, version, package FROM street_packages WHERE community_id = ? AND month = ?"
                           " AND superseded_by IS NULL", [community_id, pkg.month])
        rowid = ledger.db["street_packages"].insert({
            "community_id": community_id, "month": pkg.month, "version": pkg.version,
            "published_at": pkg.published_at, "published_by": pkg.published_by, "reason": pkg.reason,
            "sha256": pkg.sha256, "package": pkg.package_text, "signature": pkg.signature,
            "imported_at": ledger.now_ts(), "imported_by": ledger.operator.name}).last_rowid
        what = f"{pkg.community} {periods.month_text(pkg.month)} 第 {pkg.version} 版（{pkg.published_at[:16]} {pkg.published_by} 定稿）"
        if old:
            ledger.db.execute("UPDATE street_packages SET superseded_by = ? WHERE id = ?", [rowid, old[0]["id"]])
            before = json.loads(old[0]["package"])["totals"]["adjustment_points"]
            after = pkg.package["totals"]["adjustment_points"]
            change = f"，社区加减分 {before:g} → {after:g}" if before != after else ""
            result.lines.append(f"{what}：取代第 {old[0]['version']} 版（重新定稿原因：{pkg.reason or '未填写'}{change}）")
        else:
            result.lines.append(f"{what}：已导入，{len(pkg.package['grids'])} 个网格")
        ledger.audit("导入报送", "street_packages", rowid, None,
                     {"community": pkg.community, "month": pkg.month, "version": pkg.version,
                      "sha256": pkg.sha256})
        result.imported += 1
    return result


def reported(ledger: Ledger, month: str) -> dict[str, dict]:
    """The packages in force for ``month``: community name → ``{"version", "published_at",
    "published_by", "reason", "imported_at", "package"}`` (the package as text)."""
    rows = ledger.query(
        "SELECT c.name, p.version, p.published_at, p.published_by, p.reason, p.imported_at, p.package"
        "  FROM street_packages p JOIN street_communities c ON c.id = p.community_id"
        " WHERE p.month = ? AND p.superseded_by IS NULL", [periods.check_month(month)])
    return {r["name"]: r for r in rows}


def package_history(ledger: Ledger, month: str | None = None) -> list[dict]:
    """Every package imported (newest first), for the 报送情况 page: community, month, version,
    publication, import time, and which version superseded it."""
    where, params = ("WHERE p.month = ?", [month]) if month else ("", [])
    return ledger.query(
        f"""SELECT p.id, c.name AS community, p.month, p.version, p.published_at, p.published_by, p.reason,
                   p.imported_at, p.imported_by, s.version AS superseded_by_version
              FROM street_packages p JOIN street_communities c ON c.id = p.community_id
              LEFT JOIN street_packages s ON s.id = p.superseded_by
              {where} ORDER BY p.imported_at DESC, p.id DESC""", params)
