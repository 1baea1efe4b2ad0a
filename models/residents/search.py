"""Resident search: find as you type, page by keyset, on 500,000 residents.

Why an index of our own (table ``resident_search``, migration ``m002_resident_search``)
instead of FTS5: Chinese names are two or three characters, FTS5's trigram
tokenizer matches nothing under three characters, and on SQLite < 3.41 (3.40.1
ships with this Python) ``LIKE`` on a trigram table silently returns nothing.

The index holds exact *tokens* per resident, each a short prefixed string:

========  ===========================================================
``c:张``   every character of the name (one-character queries)
``g:三``   every character but the first (sorting by name, see
           :func:`_name_sorted_split`)
``b:张三``  every adjacent pair of characters (two or more characters)
``p:zs``   every prefix of the pinyin initials, for every reading of the
           surname (单 dan/shan/chan, 曾 zeng/ceng, 解 jie/xie, 区 qu/ou …)
``i:…``    the last 8 characters of the ID number, reversed (tail search
           becomes a prefix range)
``t:…``    the digits of each phone number, reversed
========  ===========================================================

Because ``(token, resident_id)`` is the primary key of a WITHOUT ROWID table,
one exact token yields resident ids *in id order*: the first page of "张" (7% of
everyone) stops after 100 rows instead of sorting 35,000.  Addresses are not
copied into the index: they are matched against the (small) buildings / units /
households tables, so renaming a building needs no re-indexing.

The write functions of ``models.residents.records`` keep the index up to date
(:func:`reindex`); bulk loaders use :func:`token_rows`.

The query planner is ours, not SQLite's, because only we know how selective each
part is: every search term and filter becomes a *unit* (a way to list matching
ids, a way to test one resident, and a bounded count).  The page is driven from
the rarest unit when it is small (then sorted), from an exact token when sorting
by id (already ordered), and otherwise by walking the sort column's index and
testing each resident against every unit.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Iterable

from models.core import scope
from models.core.permissions import allowed
from models.core.idcard import mask

ID_TAIL_LEN = 8
MIN_DIGITS = 3
MAX_INITIALS = 8          # longer letter queries cannot be initials of a name
MAX_COMBINATIONS = 8      # cap on reading combinations per name
CAP = 3000                # above this a unit is "large": walk the id order instead
SORT_CAP = 6000           # the same when sorting by a column: walking may cross long runs of misses
HIGH = "\U0010ffff"

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
#: a term of letters (any script; a name's ·, ', - and . too), no digit: a name in letters other than ASCII
_OTHER_LETTERS = re.compile(r"(?:[^\W\d_]|[·'\-.])+")
_ADDRESS_WORDS = re.compile(r"(号楼|栋|幢|单元|室|小区|花园|家园|苑|公寓|大厦|新村|新城|广场|府|庭|居|里|院|村|号)")


# -- tokens ------------------------------------------------------------------------------

@lru_cache(maxsize=None)
def _initial(char: str) -> str:
    """The first letter of the usual reading of one character ('' for symbols)."""
    if "a" <= char.lower() <= "z":
        return char.lower()
    if not _CJK.match(char):
        return ""
    from pypinyin import Style, pinyin   # imported on first use: 150 ms we keep off start-up

    letters = pinyin(char, style=Style.FIRST_LETTER, errors="ignore")
    return letters[0][0][:1].lower() if letters and letters[0] else ""


@lru_cache(maxsize=None)
def _surname_initials(char: str) -> tuple[str, ...]:
    """Every distinct first letter of every reading of a surname character."""
    if not _CJK.match(char):
        one = _initial(char)
        return (one,) if one else ()
    from pypinyin import Style, pinyin

    readings = pinyin(char, style=Style.FIRST_LETTER, heteronym=True, errors="ignore")
    out: list[str] = []
    first = _initial(char)
    if first:
        out.append(first)
    for letter in (readings[0] if readings else []):
        letter = letter[:1].lower()
        if letter and letter not in out:
            out.append(letter)
    return tuple(out)


def clean_name(name: str) -> str:
    return "".join(unicodedata.normalize("NFKC", name or "").split()).lower()


def initials_of(name: str) -> list[str]:
    """Every initials string of a name (one per reading of the surname)."""
    chars = [c for c in clean_name(name) if _initial(c) or _CJK.match(c)]
    if not chars:
        return []
    rest = "".join(_initial(c) for c in chars[1:])
    return [s + rest for s in _surname_initials(chars[0])][:MAX_COMBINATIONS] or [rest]


def name_tokens(name: str) -> set[str]:
    text = clean_name(name)
    out = {"c:" + c for c in text if not c.isspace()}
    out.update("g:" + c for c in text[1:])       # not the first character: see _name_sorted_split
    out.update("b:" + text[i:i + 2] for i in range(len(text) - 1))
    for initials in initials_of(name):
        out.update("p:" + initials[:k] for k in range(1, len(initials) + 1))
    return out


def number_tokens(id_number: str | None, phone: str | None) -> set[str]:
    from models.core.phones import phone_digits

    out = set()
    if id_number:
        out.add("i:" + id_number[::-1][:ID_TAIL_LEN])
    for digits in phone_digits(phone):
        if digits:
            out.add("t:" + digits[::-1])
    return out


def tokens_for(name: str, id_number: str | None, phone: str | None) -> set[str]:
    """All index tokens of one resident."""
    return name_tokens(name) | number_tokens(id_number, phone)


def token_rows(resident_id: int, name: str, id_number: str | None,
               phone: str | None) -> list[tuple[str, int]]:
    """Rows for ``resident_search`` (bulk loaders: demo, import, migration)."""
    return [(t, resident_id) for t in tokens_for(name, id_number, phone)]


def reindex(ledger, resident_id: int, old: dict | None, new: dict | None) -> None:
    """Bring the index of one resident from ``old`` (None = not indexed) to ``new``.

    Call inside the write transaction that changes name, ID number or phone.
    """
    before = tokens_for(old["name"], old.get("id_number"), old.get("phone")) if old else set()
    after = tokens_for(new["name"], new.get("id_number"), new.get("phone")) if new else set()
    gone, added = before - after, after - before
    if gone:
        ledger.conn.executemany("DELETE FROM resident_search WHERE token = ? AND resident_id = ?",
                                [(t, resident_id) for t in gone])
    if added:
        ledger.conn.executemany("INSERT OR IGNORE INTO resident_search (token, resident_id) VALUES (?, ?)",
                                [(t, resident_id) for t in added])


def rebuild_index(conn, batch: int = 20000) -> int:
    """Rebuild the whole index from ``residents`` (migration, version change). Returns rows."""
    conn.execute("DELETE FROM resident_search")
    total, last = 0, 0
    while True:
        rows = conn.execute("SELECT id, name, id_number, phone FROM residents WHERE id > ? ORDER BY id LIMIT ?",
                            [last, batch]).fetchall()
        if not rows:
            break
        out = []
        for rid, name, id_number, phone in rows:
            out.extend(token_rows(rid, name, id_number, phone))
        conn.executemany("INSERT OR IGNORE INTO resident_search (token, resident_id) VALUES (?, ?)", out)
        total += len(out)
        last = rows[-1][0]
    return total


# -- the filter and the page ---------------------------------------------------------

@dataclass
class ResidentFilter:
    """What the residents page (and the export) shows.

    ``text`` is the search box; the others are the filter pickers (None = all).
    ``include_sensitive`` shows 重点人员 tags in the ``tags`` column (authorised roles).
    """

    text: str = ""
    grid_id: int | None = None
    building_id: int | None = None
    tag_id: int | None = None
    residence_type: str | None = None
    status: str | None = None
    include_sensitive: bool = False


SORTABLE = {"name", "gender", "birth_date", "grid", "building", "residence_type", "status", "id"}

#: sort key → (column, index that orders by (column, id), nullable)
_SORT = {
    "id": ("r.id", None, False),
    "name": ("r.name", "residents_name", False),
    "gender": ("r.gender", "residents_gender", False),
    "birth_date": ("r.birth_date", "residents_birth_date", True),
    "grid": ("r.grid_id", "residents_grid", True),
    "building": ("r.building_id", "residents_building", True),
    "residence_type": ("r.residence_type", "residents_residence_type", False),
    "status": ("r.status", "residents_status", False),
}


@dataclass
class _Unit:
    """One part of a search: how to list its residents, test one, and count them."""

    driver: str                  # SELECT … AS rid
    driver_params: list
    member: str                  # predicate on residents r
    member_params: list
    ordered: bool = False        # the driver yields ids in ascending order (exact token)
    estimate: int = 0
    count_sql: str | None = None  # a cheaper query for the estimate (UNION ALL streams, UNION does not)
    name_char: str | None = None  # the unit is "the name contains this one character"
    unique: bool = True           # the driver lists each resident once (a token range may not)


@dataclass
class _Plan:
    units: list[_Unit] = field(default_factory=list)
    checks: list[tuple[str, list]] = field(default_factory=list)   # extra predicates (no driver)
    impossible: bool = False


def _token_unit(token: str) -> _Unit:
    return _Unit(driver="SELECT resident_id AS rid FROM resident_search WHERE token = ?",
                 driver_params=[token],
                 member="EXISTS (SELECT 1 FROM resident_search s WHERE s.token = ? AND s.resident_id = r.id)",
                 member_params=[token], ordered=True)


def _union(parts: list[tuple[str, list, str, list]]) -> _Unit:
    """OR of several (driver, params, member, params) alternatives."""
    if len(parts) == 1:
        d, dp, m, mp = parts[0]
        return _Unit(d, list(dp), m, list(mp), unique="token >= ?" not in d)
    driver = " UNION ".join(p[0] for p in parts)
    member = "(" + " OR ".join(p[2] for p in parts) + ")"
    return _Unit(driver, [x for p in parts for x in p[1]], member, [x for p in parts for x in p[3]],
                 count_sql=" UNION ALL ".join(p[0] for p in parts))


def _prefix(prefix: str) -> tuple[str, list, str, list]:
    sql = "SELECT resident_id AS rid FROM resident_search WHERE token >= ? AND token < ?"
    params = [prefix, prefix + HIGH]
    return sql, params, f"r.id IN ({sql.replace(' AS rid', '')})", params


def _ints(ids: Iterable[int]) -> str:
    return ",".join(str(int(i)) for i in ids)


def _in(column: str, values: list[str]) -> tuple[str, list]:
    return f"{column} IN ({','.join('?' * len(values))})", list(values)


def _building_ids(ledger, where: str, params: list) -> list[int]:
    """Resolved up front: the buildings table is small and the ids make every later step an index lookup."""
    return [r[0] for r in ledger.conn.execute(f"SELECT id FROM buildings b WHERE {where}", params)]


def _by_buildings(ids: list[int]) -> tuple[str, list, str, list]:
    listed = _ints(ids)
    return (f"SELECT id AS rid FROM residents WHERE building_id IN ({listed})", [],
            f"r.building_id IN ({listed})", [])


def _by_households(where: str, params: list) -> tuple[str, list, str, list]:
    """Residents of the households matching ``where`` (on alias h); tested per resident by primary key."""
    return (f"SELECT r2.id AS rid FROM households h CROSS JOIN residents r2 ON r2.household_id = h.id"
            f" WHERE {where}", list(params),
            f"EXISTS (SELECT 1 FROM households h WHERE h.id = r.household_id AND {where})", list(params))


def _variants(number: str, words: Iterable[str]) -> list[str]:
    return [number + w for w in words]


_BUILDING_WORDS = ("号楼", "栋", "幢", "号", "座", "")
_UNIT_WORDS = ("单元", "")
_ROOM_WORDS = ("", "室", "号")
# The compound is everything before the first digit: a greedy ``[^\d]*`` (a lazy one made
# the pattern quadratic in the term's length: 32,000 characters took a minute).
_ADDR_RE = re.compile(
    r"^(?P<compound>[^\d]*)"
    r"(?:(?P<b>\d+)\s*(?P<bw>号楼|栋|幢|号|座|#))?"
    r"(?:(?P<u>\d+)\s*单元)?"
    r"(?:(?P<room>\d+)\s*(?:室|号)?)?$")
_DASHED = re.compile(r"^(?P<b>\d+)-(?P<u>\d+)-(?P<room>\d+)$")


def _address_parts(ledger, term: str) -> list[tuple[str, list, str, list]] | None:
    """Match a fragment such as 3号楼, 3号楼1单元301, 1单元, 301室, 3-1-301, 幸福家园.

    Returns None when ``term`` is not shaped like an address, ``[]`` when it is but
    nothing in the ledger matches, else the (driver, params, member, params) parts.
    """
    m = _DASHED.match(term) or _ADDR_RE.match(term)
    if not m:
        return None
    parts = m.groupdict()
    compound = (parts.get("compound") or "").strip()
    if not (compound or parts.get("b") or parts.get("u") or parts.get("room")):
        return None
    # A building stored as one name (幸福里8号楼) is found as written: the whole term …
    whole = _written_buildings(ledger, term)
    out = [_by_buildings(whole)] if whole else []
    # … and, before a unit or room (幸福里8号楼1单元301), the part naming the building.
    cut = m.start("u") if parts.get("u") else (m.start("room") if parts.get("room") else -1)
    head = term[:cut].strip() if cut > 0 else ""
    written = _written_buildings(ledger, head) if head and re.search(r"\d", head) else []
    building_ids = None
    if compound or parts.get("b"):
        conds, params = [], []
        if compound:
            conds.append(r"(b.compound LIKE ? ESCAPE '\' OR b.name LIKE ? ESCAPE '\')")
            params += [_like(compound), _like(compound)]
        if parts.get("b"):
            sql, p = _building_number(parts["b"], _BUILDING_WORDS)
            conds.append(sql)
            params += p
        building_ids = sorted(set(_building_ids(ledger, " AND ".join(conds), params)) | set(written))
        if not building_ids:
            return out
    elif written:
        building_ids = written
    if not (parts.get("u") or parts.get("room")) and building_ids == whole:
        return out
    return out + _split_parts(ledger, parts, building_ids)


def _building_number(number: str, words: Iterable[str]) -> tuple[str, list]:
    """Buildings (alias b) named ``number`` + one of ``words`` (8 → 8号楼, 8栋 …), alone or at the
    end of a name written in one piece after a word (幸福里8号楼, as if split: 幸福里 + 8号楼; never
    18号楼)."""
    variants = _variants(number, words)
    sql, params = _in("b.name", variants)
    globs = ["*[^0-9]" + v for v in variants]      # (digits and fixed words: nothing for GLOB to read)
    return f"({sql} OR " + " OR ".join(["b.name GLOB ?"] * len(globs)) + ")", params + globs


def _written_buildings(ledger, text: str) -> list[int]:
    """Buildings whose name as written (alone or after its compound) begins with ``text``.

    A prefix, not a substring: 3号楼 must not find 13号楼.
    """
    if not text:
        return []
    prefix = _like(text)[1:]
    return _building_ids(ledger, r"(b.compound || b.name) LIKE ? ESCAPE '\' OR b.name LIKE ? ESCAPE '\'",
                         [prefix, prefix])


def _split_parts(ledger, parts: dict, building_ids: list[int] | None) -> list[tuple[str, list, str, list]]:
    """The unit/room part of an address fragment within ``building_ids`` (None = any building)."""
    unit_ids = None
    if parts.get("u"):
        sql, params = _in("name", _variants(parts["u"], _UNIT_WORDS))
        if building_ids is not None:
            sql += f" AND building_id IN ({_ints(building_ids)})"
        unit_ids = [r[0] for r in ledger.conn.execute(f"SELECT id FROM units WHERE {sql}", params)]
        if not unit_ids:
            return []
    if unit_ids is None and not parts.get("room"):
        return [_by_buildings(building_ids)]
    conds, params = [], []
    if unit_ids is not None:
        conds.append(f"h.unit_id IN ({_ints(unit_ids)})")
    elif building_ids is not None:
        conds.append(f"h.building_id IN ({_ints(building_ids)})")
    if parts.get("room"):
        sql, p = _in("h.room", _variants(parts["room"], _ROOM_WORDS))
        conds.append(sql)
        params += p
    return [_by_households(" AND ".join(conds), params)]


def _like(text: str) -> str:
    """``%text%`` for LIKE … ESCAPE '\\', with the clerk's own % and _ taken literally."""
    return "%" + re.sub(r"([%_\\])", r"\\\1", text) + "%"


#: A term longer than this matches nothing: no stored name, number or address is as long
#: (see the field limits of models/core/limits.py); it never reaches SQLite, whose LIKE
#: refuses patterns over 50,000 bytes.
MAX_TERM_LEN = 100
#: At most this many terms are combined (AND) in one query; SQLite's expression tree
#: stops at a depth of 1,000.  Further terms are ignored.
MAX_TERMS = 12
#: A pasted list of names (more than MAX_TERMS terms, every one a Chinese name) finds the
#: residents of any of those names, at most this many names (one ``IN`` list).
MAX_NAMES = 5000
_NAME_TERM = re.compile(r"[\u3400-\u9fff\uf900-\ufaff·•]{2,20}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff\ud800-\udfff]")


#: digits in groups adding up to this many are one phone or ID number (3-1-301 stays an address)
PHONE_LIKE_DIGITS = 10


def normalise_query(text: str) -> list[str]:
    """Terms of a search box text (full-width → half-width, lowercase, split on spaces).

    Control and invisible characters (NUL, zero-width space …) are dropped; each term
    appears once.
    """
    text = _CONTROL.sub(lambda m: " " if m.group() in "\t\n\r\x0b\x0c" else "", text or "")
    text = unicodedata.normalize("NFKC", text).lower()
    # a phone or ID number written in groups (135 3710 5109, 0551-52128357) is one number
    grouped = re.fullmatch(r"\s*(\d+(?:[\s-]+\d+)+)(x?)\s*", text)
    if grouped and len(digits := re.sub(r"\D", "", grouped.group(1))) >= PHONE_LIKE_DIGITS:
        return [digits + grouped.group(2)]
    return list(dict.fromkeys(t for t in re.split(r"[\s,，;；、]+", text) if t))


def _name_list_unit(names: list[str]) -> _Unit:
    """Residents named any of ``names`` (a pasted list), by the name index."""
    listed = ",".join("?" * len(names))
    return _Unit(f"SELECT id AS rid FROM residents INDEXED BY residents_name WHERE name IN ({listed})",
                 list(names), f"r.name IN ({listed})", list(names))


def _term_units(ledger, term: str, plan: _Plan) -> None:
    if re.fullmatch(r"[a-z]+", term):
        if len(term) > MAX_INITIALS:
            plan.impossible = True
            return
        plan.units.append(_token_unit("p:" + term))
        return
    if re.fullmatch(r"\d+x?", term):
        parts = []
        if len(term) >= MIN_DIGITS:
            tail = term.upper()
            if len(tail) == 18:
                parts.append(("SELECT id AS rid FROM residents WHERE id_number = ?", [tail],
                              "r.id_number = ?", [tail]))
            else:
                driver, dp, member, mp = _prefix("i:" + tail[::-1][:ID_TAIL_LEN])
                if len(tail) > ID_TAIL_LEN:
                    # the index holds an ID's last 8: a longer tail is checked on the number itself, in
                    # this alternative only (a whole phone number must still find its resident)
                    driver = (f"SELECT x.rid FROM ({driver}) x JOIN residents ri ON ri.id = x.rid"
                              " WHERE ri.id_number LIKE ?")
                    dp = dp + ["%" + tail]
                    member = f"({member} AND r.id_number LIKE ?)"
                    mp = mp + ["%" + tail]
                parts.append((driver, dp, member, mp))
            if "X" not in tail:
                parts.append(_prefix("t:" + term[::-1]))
        if "x" not in term and len(term) <= 6:
            parts.append(_by_households(*_in("h.room", _variants(term, _ROOM_WORDS))))
        if len(term) <= 3 and "x" not in term:
            ids = _building_ids(ledger, *_building_number(term, _BUILDING_WORDS[:-1]))
            if ids:
                parts.append(_by_buildings(ids))
        if not parts:
            plan.impossible = True
            return
        plan.units.append(_union(parts))
        return
    has_cjk = bool(_CJK.search(term))
    if not has_cjk and not term.isascii() and _OTHER_LETTERS.fullmatch(term):
        # Élise, Анна: every adjacent pair of the name's letters, as the index holds them (lowercased
        # by Python: SQLite's lower() and LIKE fold ASCII only); one letter: its own token
        name = clean_name(term)
        grams = list(dict.fromkeys(name[i:i + 2] for i in range(len(name) - 1)))
        for token in (["b:" + g for g in grams] if grams else ["c:" + name]):
            plan.units.append(_token_unit(token))
        return
    looks_like_address = bool(re.search(r"\d", term)) or bool(_ADDRESS_WORDS.search(term)) or (
        # 翠湖: a compound's name typed without 小区/苑 — the buildings table is small, ask it
        len(term) >= 2 and ledger.scalar(r"SELECT 1 FROM buildings WHERE compound LIKE ? ESCAPE '\'"
                                         r" OR name LIKE ? ESCAPE '\' LIMIT 1",
                                         [_like(term), _like(term)]) is not None)
    if has_cjk and not re.search(r"\d", term):
        name = clean_name(term)
        if len(name) == 1:
            unit = _token_unit("c:" + name)
            unit.name_char = name
        else:
            unit = _token_unit("b:" + name[:2])
            if len(name) > 2:
                like = _like(name)
                unit.driver = ("SELECT s.resident_id AS rid FROM resident_search s JOIN residents rn"
                               r" ON rn.id = s.resident_id WHERE s.token = ? AND rn.name LIKE ? ESCAPE '\'")
                unit.driver_params = ["b:" + name[:2], like]
                unit.member = f"({unit.member} AND r.name LIKE ? ESCAPE '\\')"
                unit.member_params = unit.member_params + [like]
        if looks_like_address:
            addr = _address_parts(ledger, term)
            if addr:
                name_part = (unit.driver, unit.driver_params, unit.member, unit.member_params)
                plan.units.append(_union([name_part] + addr))
                return
        plan.units.append(unit)
        return
    addr = _address_parts(ledger, term)
    if addr is None:
        # Something else (punctuation, a Latin name): fall back to the name itself.
        plan.units.append(_Unit(r"SELECT id AS rid FROM residents WHERE name LIKE ? ESCAPE '\'", [_like(term)],
                                r"r.name LIKE ? ESCAPE '\'", [_like(term)]))
        return
    if not addr:
        plan.impossible = True
        return
    plan.units.append(_union(addr))


def _filter_units(flt: ResidentFilter, plan: _Plan) -> None:
    if flt.grid_id is not None:
        plan.units.append(_Unit("SELECT id AS rid FROM residents WHERE grid_id = ?", [flt.grid_id],
                                "r.grid_id = ?", [flt.grid_id], ordered=True))
    if flt.building_id is not None:
        plan.units.append(_Unit("SELECT id AS rid FROM residents WHERE building_id = ?", [flt.building_id],
                                "r.building_id = ?", [flt.building_id], ordered=True))
    if flt.tag_id is not None:
        plan.units.append(_Unit(
            "SELECT resident_id AS rid FROM resident_tags WHERE tag_id = ?", [flt.tag_id],
            "EXISTS (SELECT 1 FROM resident_tags t WHERE t.resident_id = r.id AND t.tag_id = ?)",
            [flt.tag_id], ordered=True))
    if flt.residence_type:
        plan.units.append(_Unit("SELECT id AS rid FROM residents WHERE residence_type = ?",
                                [flt.residence_type], "r.residence_type = ?", [flt.residence_type],
                                ordered=True))
    if flt.status:
        plan.units.append(_Unit("SELECT id AS rid FROM residents WHERE status = ?", [flt.status],
                                "r.status = ?", [flt.status], ordered=True))


def _scope_units(ledger, plan: _Plan) -> None:
    """A 网格员 sees the residents of their grids only (``models.core.scope``), in SQL."""
    grids = scope.scoped_grids(ledger)
    if grids is None:
        return
    if not grids:
        plan.impossible = True
        return
    listed = _ints(sorted(grids))
    # one grid: the (grid_id, id) index lists it in id order; several: sorted (a few thousand ids),
    # so that the unit can still drive an id-sorted page instead of walking a common token's
    # whole list and testing each resident's grid (1.7 s p95 for one character on 200k households)
    order = "" if len(grids) == 1 else " ORDER BY id"
    plan.units.append(_Unit(f"SELECT id AS rid FROM residents WHERE grid_id IN ({listed}){order}", [],
                            f"r.grid_id IN ({listed})", [], ordered=True,
                            count_sql=f"SELECT id AS rid FROM residents WHERE grid_id IN ({listed})"))


def _plan(ledger, flt: ResidentFilter, cap: int = CAP) -> _Plan:
    plan = _Plan()
    terms = normalise_query(flt.text)
    if len(terms) > MAX_TERMS and all(_NAME_TERM.fullmatch(t) for t in terms):
        plan.units.append(_name_list_unit(terms[:MAX_NAMES]))
        terms = []
    for term in terms[:MAX_TERMS]:
        if len(term) > MAX_TERM_LEN:
            plan.impossible = True
            return plan
        _term_units(ledger, term, plan)
    _filter_units(flt, plan)
    _scope_units(ledger, plan)
    if plan.impossible:
        return plan
    for unit in plan.units:
        unit.estimate = ledger.scalar(f"SELECT COUNT(*) FROM ({unit.count_sql or unit.driver} LIMIT {cap + 1})",
                                      unit.driver_params)
        if unit.estimate == 0:
            plan.impossible = True
    return plan


def _keyset(col: str, nullable: bool, descending: bool, after: tuple | None,
            id_col: str = "r.id") -> tuple[str, list]:
    if after is None:
        return "", []
    value, last_id = after
    if col == id_col:
        return (f"{id_col} {'<' if descending else '>'} ?", [last_id])
    op = "<" if descending else ">"
    if value is None:
        if descending:      # NULLs come last when descending
            return f"({col} IS NULL AND {id_col} < ?)", [last_id]
        return f"(({col} IS NULL AND {id_col} > ?) OR {col} IS NOT NULL)", [last_id]
    sql = f"(({col} {op} ?) OR ({col} = ? AND {id_col} {op} ?))"
    if nullable and descending:
        sql = f"({sql} OR {col} IS NULL)"
    return sql, [value, value, last_id]


def _page_ids(ledger, flt: ResidentFilter, sort: str, descending: bool,
              after: tuple | None, limit: int) -> list[tuple]:
    """(sort value, id) of the page's residents plus one more (to know if there is a next page)."""
    if sort not in _SORT:
        raise ValueError(f"unknown sort key {sort!r}")
    col, index, nullable = _SORT[sort]
    cap = CAP if sort == "id" else SORT_CAP
    plan = _plan(ledger, flt, cap)
    if plan.impossible:
        return []
    direction = "DESC" if descending else "ASC"
    order = f"{col} {direction}, r.id {direction}" if sort != "id" else f"r.id {direction}"
    smallest = min(plan.units, key=lambda u: u.estimate, default=None)
    if sort == "id":
        ordered = [u for u in plan.units if u.ordered]
        best_ordered = min(ordered, key=lambda u: u.estimate, default=None)
        if smallest is not None and smallest.estimate > cap and best_ordered is not None:
            smallest = best_ordered
        elif smallest is not None and not smallest.ordered and best_ordered is not None \
                and best_ordered.estimate <= smallest.estimate:
            smallest = best_ordered
    if sort == "name" and smallest is not None and smallest.estimate > CAP and smallest.name_char:
        split = _name_sorted_split(ledger, plan, smallest, descending, after, limit)
        if split is not None:
            return split
    drive = smallest is not None and (smallest.estimate <= cap or (sort == "id" and smallest.ordered))
    others = [u for u in plan.units if u is not smallest] if drive else plan.units
    where, params = [], []
    for u in others:
        where.append(u.member)
        params += u.member_params
    for sql, p in plan.checks:
        where.append(sql)
        params += p
    if drive:
        by_driver = sort == "id" and smallest.ordered
        if by_driver:
            ks, kp = _keyset("c.rid", False, descending, after, id_col="c.rid")
            order = f"c.rid {direction}"
            source = smallest.driver
        else:
            ks, kp = _keyset(col, nullable, descending, after)
            source = smallest.driver if smallest.unique else f"SELECT DISTINCT rid FROM ({smallest.driver})"
        if ks:
            where.append(ks)
            params += kp
        sql = (f"SELECT {col}, r.id FROM ({source}) AS c CROSS JOIN residents r ON r.id = c.rid"
               + (" WHERE " + " AND ".join(where) if where else "")
               + f" ORDER BY {order} LIMIT ?")
        params = smallest.driver_params + params + [limit + 1]
    else:
        ks, kp = _keyset(col, nullable, descending, after)
        if ks:
            where.append(ks)
            params += kp
        hint = f"INDEXED BY {index}" if index else "NOT INDEXED"
        sql = (f"SELECT {col}, r.id FROM residents r {hint}"
               + (" WHERE " + " AND ".join(where) if where else "")
               + f" ORDER BY {order} LIMIT ?")
        params = params + [limit + 1]
    return ledger.conn.execute(sql, params).fetchall()


def _name_sorted_split(ledger, plan: _Plan, unit: _Unit, descending: bool, after: tuple | None,
                       limit: int) -> list[tuple] | None:
    """Sorting by name while searching one common character (张): walking the name index
    would cross every name before 张 first.  Instead merge two ordered streams: names that
    *start* with the character (a range of the name index) and names that contain it later
    (its ``g:`` token, few for a surname character).  None when the second stream is large
    (then the character is spread evenly and walking the index is fast anyway).
    """
    char = unit.name_char
    later = ledger.scalar(f"SELECT COUNT(*) FROM (SELECT 1 FROM resident_search WHERE token = ? LIMIT {CAP + 1})",
                          ["g:" + char])
    if later > CAP:
        return None
    direction = "DESC" if descending else "ASC"
    where, params = [], []
    for u in plan.units:
        if u is not unit:
            where.append(u.member)
            params += u.member_params
    for sql, p in plan.checks:
        where.append(sql)
        params += p
    ks, kp = _keyset("r.name", False, descending, after)
    if ks:
        where.append(ks)
        params += kp
    extra = "".join(" AND " + w for w in where)
    order = f"ORDER BY r.name {direction}, r.id {direction} LIMIT {int(limit) + 1}"
    sql = (f"SELECT * FROM (SELECT r.name, r.id FROM residents r INDEXED BY residents_name"
           f" WHERE r.name >= ? AND r.name < ?{extra} {order})"
           f" UNION SELECT * FROM (SELECT r.name, r.id FROM resident_search s CROSS JOIN residents r"
           f" ON r.id = s.resident_id WHERE s.token = ?{extra} {order})"
           f" ORDER BY 1 {direction}, 2 {direction} LIMIT {int(limit) + 1}")
    return ledger.conn.execute(sql, [char, char + HIGH] + params + ["g:" + char] + params).fetchall()


_ROW_SQL = """
SELECT r.id, r.name, r.gender, r.id_number, r.birth_date, r.phone,
       COALESCE(g.name, '') AS grid, COALESCE(b.compound || b.name, '') AS building,
       COALESCE(u.name, '') AS unit, COALESCE(h.room, '') AS room,
       r.relation, r.residence_type, r.status, r.status_date, r.moved_in_on, r.household_id,
       r.grid_id, r.building_id,
       (SELECT group_concat(name, '、') FROM (
            SELECT t.name FROM resident_tags rt JOIN tags t ON t.id = rt.tag_id
            WHERE rt.resident_id = r.id AND (t.sensitive = 0 OR ?) ORDER BY t.sort_order, t.id)
       ) AS tags
FROM residents r
LEFT JOIN households h ON h.id = r.household_id
LEFT JOIN units u ON u.id = h.unit_id
LEFT JOIN buildings b ON b.id = r.building_id
LEFT JOIN grids g ON g.id = r.grid_id
WHERE r.id IN ({ids})
"""


def rows_for(ledger, ids: list[int], include_sensitive: bool = False) -> list[dict]:
    """Display rows for ``ids`` (in that order); the ID number is masked."""
    if not ids:
        return []
    sql = _ROW_SQL.format(ids=",".join("?" * len(ids)))
    by_id = {}
    for row in ledger.query(sql, [1 if include_sensitive else 0] + list(ids)):
        row["id_masked"] = mask(row.pop("id_number"))
        row["tags"] = row["tags"] or ""
        by_id[row["id"]] = row
    return [by_id[i] for i in ids if i in by_id]


def search_page(ledger, flt: ResidentFilter, sort: str = "id", descending: bool = False,
                after: tuple | None = None, limit: int = 100) -> tuple[list[dict], tuple | None]:
    """One page of residents matching ``flt``, sorted, after the keyset cursor ``after``.

    Args:
        flt: the search text and filters.
        sort: one of :data:`SORTABLE`; ties are broken by id.
        descending: sort direction.
        after: the cursor returned with the previous page (None for the first page).
        limit: page size.

    Returns:
        ``(rows, cursor)``: display rows (see :func:`rows_for`: id, name, gender,
        id_masked, birth_date, phone, grid, building, unit, room, relation,
        residence_type, status, status_date, tags …) and the cursor of the next page,
        or None when this is the last page.
    """
    keys = _page_ids(ledger, flt, sort, descending, after, limit)
    more = len(keys) > limit
    keys = keys[:limit]
    sensitive = flt.include_sensitive and allowed(ledger.operator, "personal.see_sensitive")
    rows = rows_for(ledger, [k[1] for k in keys], sensitive)
    cursor = (keys[-1][0], keys[-1][1]) if more and keys else None
    return rows, cursor


def iter_ids(ledger, flt: ResidentFilter, sort: str = "id", batch: int = 2000) -> Iterable[int]:
    """Every matching resident id, in order (export)."""
    after = None
    while True:
        keys = _page_ids(ledger, flt, sort, False, after, batch)
        page = keys[:batch]
        for _, rid in page:
            yield rid
        if len(keys) <= batch or not page:
            return
        after = page[-1]


def count(ledger, flt: ResidentFilter) -> int:
    """How many residents match ``flt``."""
    plan = _plan(ledger, flt)
    if plan.impossible:
        return 0
    if not plan.units and not plan.checks:
        return ledger.scalar("SELECT COUNT(*) FROM residents")
    smallest = min(plan.units, key=lambda u: u.estimate, default=None)
    where, params = [], []
    for u in plan.units:
        if u is smallest:
            continue
        where.append(u.member)
        params += u.member_params
    for sql, p in plan.checks:
        where.append(sql)
        params += p
    clause = (" WHERE " + " AND ".join(where)) if where else ""
    if smallest is None:
        return ledger.scalar(f"SELECT COUNT(*) FROM residents r{clause}", params)
    if not where:
        # One part only: count its index entries, no need to visit the residents (张: 35,000 rows).
        inner = smallest.driver if smallest.unique else f"SELECT DISTINCT rid FROM ({smallest.driver})"
        return ledger.scalar(f"SELECT COUNT(*) FROM ({inner})", smallest.driver_params)
    return ledger.scalar(
        f"SELECT COUNT(*) FROM (SELECT DISTINCT rid FROM ({smallest.driver})) AS c"
        f" CROSS JOIN residents r ON r.id = c.rid{clause}", smallest.driver_params + params)
