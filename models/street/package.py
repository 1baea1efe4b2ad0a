"""The monthly package (报送) a community sends its street office: content, format, signature.

**Content** (:func:`build_package`): the community's identity (name, public key and its
fingerprint, the issuing body), the month, the 定稿 version with its time, who published
it and the reason of a republish, the scheme it was scored with, and for the community
(pooled) and for every grid the counts behind each indicator (numerators and
denominators), the indicator scores, the adjustments with their reasons, the totals and
ranks.  It is read from the stored publication (the published snapshot), never recomputed
from live data.  No personal data: no resident's name, ID number, phone or address; a
督办 card's reason is only the card and the matter's number, an adjustment carries no author,
and a manual adjustment's reason (as printed on the community's bulletin) goes through
:class:`Scrubber` (ID-like and phone-like numbers and residents' names masked).

**Format** (``.glpkg``): one UTF-8 file holding the canonical JSON (keys sorted, no
spaces, no ASCII escaping) of ``{"package": P, "signature": S}``, where ``S`` is the
base64 Ed25519 signature of the canonical JSON of ``P`` by the community ledger's own key
(:mod:`models.core.signing`).  A reader re-serialises what it parsed and requires the very
same bytes, so any byte changed is either malformed JSON, not canonical, or a different
``P`` or ``S`` — which the signature refuses.  Exporting the same version twice gives the
same bytes (Ed25519 signatures are deterministic).
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

from models.core import periods, signing
from models.core.db import Ledger
from models.core.errors import EnvironmentProblem, ValidationError
from models.core.issuer import issuer_name
from models.core.ops import operation
from models.evaluation.figures import Figures
from models.evaluation.publications import latest_publication
from models.evaluation.scheme import validate_scheme

FORMAT = "GridLedger-月度报送"
FORMAT_VERSION = 1
SUFFIX = ".glpkg"
#: a package larger than this is not one of ours (a 2,000-grid community is ~2 MB)
MAX_BYTES = 50 * 1024 * 1024
#: the counts behind the indicators, per grid and pooled per community
COUNT_KEYS = ("due", "on_time", "ratings", "satisfied", "households", "visited", "patrol", "hours",
              "residents", "complete")
#: indicator key → (numerator count, denominator count)
INDICATOR_COUNTS = {"on_time": ("on_time", "due"), "satisfaction": ("satisfied", "ratings"),
                    "visit_coverage": ("visited", "households"), "discovery": ("patrol", "households"),
                    "volunteer": ("hours", "residents"), "completeness": ("complete", "residents")}


class PackageRefused(ValidationError):
    """A package file that must not be imported (the clerk's message says why)."""


def canonical(obj) -> bytes:
    """The canonical JSON bytes of ``obj`` (sorted keys, no spaces, UTF-8, no NaN)."""
    return json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":"),
                      allow_nan=False).encode("utf-8")


def counts_of(row: Figures) -> dict:
    """The counts behind ``row``'s indicators (as the publication stored them)."""
    out = {"households": row.households, "residents": row.residents}
    for key, (num, den) in INDICATOR_COUNTS.items():
        ind = row.indicators[key]
        out[num] = float(ind.numerator) if num == "hours" else int(ind.numerator)
        out[den] = int(ind.denominator)
    return {k: out[k] for k in COUNT_KEYS}


#: what looks like an ID number or a phone number in a free text (masked before it leaves)
_NUMBERS = re.compile(r"\d{17}[\dXx]|\d{15}|(?:\+?86[- ]?)?1[3-9]\d{9}|\d{3,4}-\d{7,8}|\d{7,8}")


class Scrubber:
    """Masks personal data in the free text a package carries (a manual adjustment's reason):
    ID-like and phone-like numbers, and any of the ledger's residents' names (2–4 characters),
    each character replaced by ``*``.  The reasons are written by the clerks and should hold no
    names; this makes sure none leaves the community if one does."""

    def __init__(self, ledger: Ledger):
        self.ledger = ledger
        self._names: set[str] | None = None

    def names(self) -> set[str]:
        if self._names is None:
            self._names = {r[0] for r in self.ledger.conn.execute(
                "SELECT DISTINCT name FROM residents WHERE length(name) BETWEEN 2 AND 4")}
        return self._names

    def __call__(self, text: str) -> str:
        text = _NUMBERS.sub(lambda m: "*" * len(m.group()), text)
        names = self.names()
        chars = list(text)
        for start in range(len(text)):
            for size in (4, 3, 2):
                if text[start:start + size] in names:
                    chars[start:start + size] = "*" * size
                    break
        return "".join(chars)


def _adjustment(a, scrub: Scrubber) -> dict:
    reason = scrub(a.reason) if a.source == "手工" else f"督办{_card(a.reason)}：事项 {a.matter_number}"
    return {"source": a.source, "points": float(a.points), "reason": reason, "at": a.at}


def _card(reason: str) -> str:
    return "红牌" if "红牌" in reason[:6] else "黄牌"


def _row(row: Figures, scrub: Scrubber) -> dict:
    return {
        "name": row.name,
        "counts": counts_of(row),
        "indicators": [{"key": i.key, "name": i.name, "weight": i.weight, "numerator": i.numerator,
                        "denominator": i.denominator, "score": i.score, "points": i.points,
                        "value": i.value, "target": i.target} for i in row.indicators.values()],
        "adjustments": [_adjustment(a, scrub) for a in row.adjustment_items],
        "adjustment_points": float(row.adjustments),
        "total": float(row.total),
        "rank": row.rank,
    }


def build_package(ledger: Ledger, month: str) -> dict:
    """The package of ``month`` (its latest 定稿 version), as a dict (not yet signed).

    Raises:
        ValidationError: the month is not published.
    """
    month = periods.check_month(month)
    pub = latest_publication(ledger, month)
    if pub is None:
        raise ValidationError(f"{periods.month_text(month)}尚未定稿，不能报送。请先定稿。", field="month")
    ev = pub.evaluation
    public = signing.public_key(ledger)
    name = ledger.community_name or ev.community_name
    communities = ev.communities
    scrub = Scrubber(ledger)
    if len(communities) == 1:
        community = _row(communities[0], scrub)
    else:  # a ledger keeping several communities' grids: the package is the ledger's, pooled
        community = _pooled_rows(communities, scrub)
    community["name"] = name
    return {
        "format": FORMAT, "format_version": FORMAT_VERSION,
        "community": {"name": name, "public_key": signing.encode_key(public),
                      "fingerprint": signing.fingerprint(public), "issuer": issuer_name(ledger)},
        "month": month, "as_of": ev.as_of,
        "publication": {"version": pub.version, "published_at": pub.published_at,
                        "published_by": pub.published_by, "reason": pub.reason,
                        "supersedes": pub.version - 1 if pub.version > 1 else None},
        "scheme": pub.scheme.to_dict(),
        "totals": community,
        "grids": [dict(_row(g, scrub), grid_id=g.grid_id) for g in ev.grids],
    }


def _pooled_rows(rows: list[Figures], scrub: Scrubber) -> dict:
    """Several community rows of one ledger as one (counts summed, adjustments joined)."""
    first = _row(rows[0], scrub)
    for row in rows[1:]:
        more = _row(row, scrub)
        for key in COUNT_KEYS:
            first["counts"][key] += more["counts"][key]
        first["adjustments"] += more["adjustments"]
        first["adjustment_points"] += more["adjustment_points"]
    first["indicators"], first["total"], first["rank"] = [], None, 1
    return first


def package_bytes(ledger: Ledger, month: str) -> bytes:
    """The signed file of ``month``'s package (see the module docstring)."""
    package = build_package(ledger, month)
    signature = signing.sign(ledger, canonical(package))
    return canonical({"package": package, "signature": base64.b64encode(signature).decode("ascii")})


def package_file_name(ledger: Ledger, month: str) -> str:
    """A file name for the clerk: ``幸福社区_2026-10_第1版.glpkg``."""
    version = latest_publication(ledger, month)
    v = version.version if version else 0
    return f"{ledger.community_name or '社区'}_{month}_第{v}版{SUFFIX}"


@operation("evaluation.package")
def export_package(ledger: Ledger, month: str, out: str | Path) -> dict:
    """报送: write ``month``'s signed package to ``out`` (audited).

    Returns:
        ``{"path", "version", "fingerprint", "grids"}``.

    Raises:
        PermissionDenied: the operator may not (``evaluation.package``).
        ValidationError: the month is not published.
        EnvironmentProblem: the file cannot be written.
    """
    data = package_bytes(ledger, month)
    package = json.loads(data)["package"]
    out = Path(out)
    try:
        out.write_bytes(data)
    except OSError as exc:
        raise EnvironmentProblem(f"无法写入文件“{out}”：{exc.strerror or exc}") from exc
    version = package["publication"]["version"]
    ledger.audit("报送", "evaluation_publications", None, None,
                 {"month": package["month"], "version": version, "file": out.name})
    return {"path": str(out), "version": version, "fingerprint": package["community"]["fingerprint"],
            "grids": len(package["grids"])}


# -- reading ---------------------------------------------------------------------------------
@dataclass
class ReceivedPackage:
    """A package file read and checked (signature and format; not yet against a street ledger).

    Attributes:
        file: the file's name (for messages).
        community: the community's name.
        public_key: its raw public key; fingerprint: as clerks read it.
        month, version, published_at, published_by, reason: of the publication.
        package: the package dict; package_text: its canonical JSON (what was signed);
        signature: base64; sha256: of the whole file.
    """

    file: str
    community: str
    public_key: bytes
    fingerprint: str
    month: str
    version: int
    published_at: str
    published_by: str
    reason: str
    package: dict
    package_text: str
    signature: str
    sha256: str


def _malformed(file: str, what: str = "") -> PackageRefused:
    detail = f"（{what}）" if what else ""
    return PackageRefused(f"“{file}”不是网格台账的报送文件，或文件已损坏{detail}，未导入。")


def read_package(data: bytes, file: str = "报送文件") -> ReceivedPackage:
    """Check a package file's bytes: format, canonical form, content, signature.

    Raises:
        PackageRefused: malformed, or changed after it was signed (any byte).
    """
    if len(data) > MAX_BYTES:
        raise _malformed(file, "文件过大")
    try:
        doc = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise _malformed(file) from None
    if not isinstance(doc, dict) or set(doc) != {"package", "signature"} \
            or not isinstance(doc["package"], dict) or not isinstance(doc["signature"], str):
        raise _malformed(file)
    package = doc["package"]
    if package.get("format") != FORMAT:
        raise _malformed(file)
    if package.get("format_version") != FORMAT_VERSION:
        raise PackageRefused(f"“{file}”的报送格式版本（{package.get('format_version')}）本程序不认识，"
                             f"请升级网格台账后再导入。")
    try:
        again = canonical(doc)
    except ValueError:
        raise _malformed(file) from None
    if again != data:
        raise PackageRefused(f"“{file}”在签名后被改动过（内容与签名时不一致），拒绝导入。")
    try:
        signature = base64.b64decode(doc["signature"], validate=True)
    except ValueError:
        raise _malformed(file, "签名格式不正确") from None
    if base64.b64encode(signature).decode("ascii") != doc["signature"] or len(signature) != 64:
        # base64 lets the last character's spare bits vary: only the one spelling is accepted
        raise PackageRefused(f"“{file}”的签名无效：文件在签名后被改动过，拒绝导入。")
    _check_content(package, file)
    public = signing.decode_key(package["community"]["public_key"])
    signed = canonical(package)
    if not signing.verify(public, signature, signed):
        raise PackageRefused(f"“{file}”的签名无效：文件在签名后被改动过，拒绝导入。")
    pub = package["publication"]
    return ReceivedPackage(file=file, community=package["community"]["name"], public_key=public,
                           fingerprint=signing.fingerprint(public), month=package["month"],
                           version=pub["version"], published_at=pub["published_at"],
                           published_by=pub["published_by"], reason=pub["reason"], package=package,
                           package_text=signed.decode("utf-8"), signature=doc["signature"],
                           sha256=hashlib.sha256(data).hexdigest())


def _check_content(p: dict, file: str) -> None:
    """Every field the street reads is there and of its type (else malformed)."""
    def need(obj, key, kind, what):
        value = obj.get(key) if isinstance(obj, dict) else None
        if not isinstance(value, kind) or isinstance(value, bool) and kind is not bool:
            raise _malformed(file, f"缺少或不正确：{what}")
        return value

    community = need(p, "community", dict, "社区")
    if not need(community, "name", str, "社区名称").strip():
        raise _malformed(file, "社区名称为空")
    if signing.decode_key(need(community, "public_key", str, "公钥")) is None:
        raise _malformed(file, "公钥")
    try:
        periods.check_month(need(p, "month", str, "月份"))
    except ValidationError:
        raise _malformed(file, "月份") from None
    pub = need(p, "publication", dict, "定稿信息")
    if need(pub, "version", int, "定稿版本") < 1:
        raise _malformed(file, "定稿版本")
    for key in ("published_at", "published_by", "reason"):
        need(pub, key, str, "定稿信息")
    try:
        validate_scheme(need(p, "scheme", dict, "评比方案"))
    except ValidationError:
        raise _malformed(file, "评比方案") from None
    rows = [need(p, "totals", dict, "社区合计")] + need(p, "grids", list, "网格")
    for row in rows:
        need(row, "name", str, "名称")
        counts = need(row, "counts", dict, "计数")
        for key in COUNT_KEYS:
            value = need(counts, key, (int, float) if key == "hours" else int, f"计数 {key}")
            if value < 0:
                raise _malformed(file, f"计数 {key} 为负数")
        for a in need(row, "adjustments", list, "加减分"):
            need(a, "points", (int, float), "加减分分值")
            need(a, "reason", str, "加减分原因")
            need(a, "source", str, "加减分来源")
    for grid in p["grids"]:
        need(grid, "grid_id", int, "网格编号")
