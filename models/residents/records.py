"""Residents (居民): validation, writes with history, households, and the search API.

Rules (SPEC §3, §7):

* every write goes through a function here, inside ``ledger.write()``, stamped and
  audited with the ID number masked;
* residents are never deleted: moving out and death are a status with a date,
  written to ``resident_status_events`` too;
* birth date and gender come from the ID number when there is one (the ID wins
  over a contradicting gender, with a warning);
* ``residents.grid_id`` / ``building_id`` are copies of the household's and follow
  every household change;
* the search index (``models.residents.search``) is kept in step on every write path.

The search API (:class:`ResidentFilter`, :func:`search_page`, :func:`count`,
:data:`SORTABLE`) lives in ``models.residents.search`` and is re-exported here.
"""

from __future__ import annotations

import datetime as _dt
import re
import unicodedata
from typing import Any, Iterable

from models.residents import history, search
from models.residents.relations import implausible_relation
from models.core import scope
from models.core.db import Ledger
from models.core.errors import NotFound, ValidationError
from models.core.idcard import check_id, mask
from models.core.ops import operation
from models.core.permissions import allowed
from models.core.phones import phone_check
from models.core.periods import parse_date  # the one date parser (the import engine uses it too)
from models.residents.search import SORTABLE, ResidentFilter, count, rows_for, search_page  # noqa: F401 - re-exported

GENDERS = ("男", "女")
RELATIONS = ("户主", "配偶", "子", "女", "父亲", "母亲", "儿媳", "女婿", "孙子", "孙女",
             "外孙子", "外孙女", "兄弟", "姐妹", "祖父", "祖母", "公公", "婆婆", "岳父", "岳母",
             "其他亲属", "租户", "其他")
RESIDENCE_TYPES = ("户籍人口", "常住人口", "流动人口")
STATUSES = ("在册", "迁出", "死亡")
POLITICAL_STATUSES = ("中共党员", "中共预备党员", "共青团员", "民主党派", "无党派人士", "群众")
ETHNICITIES = (
    "汉族", "蒙古族", "回族", "藏族", "维吾尔族", "苗族", "彝族", "壮族", "布依族", "朝鲜族",
    "满族", "侗族", "瑶族", "白族", "土家族", "哈尼族", "哈萨克族", "傣族", "黎族", "傈僳族",
    "佤族", "畲族", "高山族", "拉祜族", "水族", "东乡族", "纳西族", "景颇族", "柯尔克孜族", "土族",
    "达斡尔族", "仫佬族", "羌族", "布朗族", "撒拉族", "毛南族", "仡佬族", "锡伯族", "阿昌族", "普米族",
    "塔吉克族", "怒族", "乌孜别克族", "俄罗斯族", "鄂温克族", "德昂族", "保安族", "裕固族", "京族", "塔塔尔族",
    "独龙族", "鄂伦春族", "赫哲族", "门巴族", "珞巴族", "基诺族", "穿青人", "其他", "外国血统")

#: What clerks write in their sheets → our words.
RELATION_SYNONYMS = {
    "本人": "户主", "户主本人": "户主", "妻": "配偶", "妻子": "配偶", "夫": "配偶", "丈夫": "配偶",
    "之妻": "配偶", "之夫": "配偶", "爱人": "配偶",
    "儿子": "子", "长子": "子", "次子": "子", "三子": "子", "独生子": "子", "养子": "子", "继子": "子",
    "女儿": "女", "长女": "女", "次女": "女", "三女": "女", "独生女": "女", "养女": "女", "继女": "女",
    "父": "父亲", "母": "母亲", "媳": "儿媳", "儿媳妇": "儿媳", "孙": "孙子", "外孙": "外孙子",
    "哥哥": "兄弟", "弟弟": "兄弟", "兄": "兄弟", "弟": "兄弟", "姐姐": "姐妹", "妹妹": "姐妹",
    "姐": "姐妹", "妹": "姐妹", "祖父母": "祖父", "爷爷": "祖父", "奶奶": "祖母", "外祖父": "祖父",
    "外祖母": "祖母", "租客": "租户", "租住": "租户", "亲属": "其他亲属",
}
RESIDENCE_SYNONYMS = {"户籍": "户籍人口", "常住": "常住人口", "流动": "流动人口", "外来人口": "流动人口",
                      "暂住人口": "流动人口", "暂住": "流动人口", "寄住人口": "常住人口", "人户分离": "常住人口"}
POLITICAL_SYNONYMS = {"党员": "中共党员", "共产党员": "中共党员", "预备党员": "中共预备党员",
                      "团员": "共青团员", "无": "群众", "民主党派成员": "民主党派", "无党派": "无党派人士"}
STATUS_SYNONYMS = {"正常": "在册", "在户": "在册", "已迁出": "迁出", "迁走": "迁出", "注销": "迁出",
                   "已死亡": "死亡", "去世": "死亡", "已故": "死亡", "死亡注销": "死亡"}

FIELDS = ("name", "gender", "ethnicity", "id_number", "phone", "household_id", "relation",
          "residence_type", "political_status", "notes", "moved_in_on", "status", "status_date")
MAX_NAME = 40
MAX_NOTES = 2000


# -- small normalisers (also used by the import engine) ---------------------------------------

def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unicodedata.normalize("NFKC", str(value)).strip()


def _by_synonyms(synonyms: dict[str, str], what: str):
    """A normaliser: the clerk's word for ``what`` → ours (unknown words kept as typed)."""
    def normalise(raw: Any) -> str:
        text = _text(raw)
        return synonyms.get(text, text)

    normalise.__doc__ = f"{what} as clerks write it → our word (see the synonyms table)."
    return normalise


normalise_relation = _by_synonyms(RELATION_SYNONYMS, "与户主关系")
normalise_residence_type = _by_synonyms(RESIDENCE_SYNONYMS, "人口类型")
normalise_political_status = _by_synonyms(POLITICAL_SYNONYMS, "政治面貌")
normalise_status = _by_synonyms(STATUS_SYNONYMS, "人员状态")


#: GB/T 3304-1991 中国各民族名称的罗马字母拼写法和代码: the numeric code of each group
#: (97 其他未识别民族 and 98 外国血统中国籍人士 in our words).  Clerks' census sheets
#: often hold ``03-回族`` or just ``03``.
ETHNIC_CODES = {
    "01": "汉族", "02": "蒙古族", "03": "回族", "04": "藏族", "05": "维吾尔族", "06": "苗族", "07": "彝族",
    "08": "壮族", "09": "布依族", "10": "朝鲜族", "11": "满族", "12": "侗族", "13": "瑶族", "14": "白族",
    "15": "土家族", "16": "哈尼族", "17": "哈萨克族", "18": "傣族", "19": "黎族", "20": "傈僳族", "21": "佤族",
    "22": "畲族", "23": "高山族", "24": "拉祜族", "25": "水族", "26": "东乡族", "27": "纳西族", "28": "景颇族",
    "29": "柯尔克孜族", "30": "土族", "31": "达斡尔族", "32": "仫佬族", "33": "羌族", "34": "布朗族",
    "35": "撒拉族", "36": "毛南族", "37": "仡佬族", "38": "锡伯族", "39": "阿昌族", "40": "普米族",
    "41": "塔吉克族", "42": "怒族", "43": "乌孜别克族", "44": "俄罗斯族", "45": "鄂温克族", "46": "德昂族",
    "47": "保安族", "48": "裕固族", "49": "京族", "50": "塔塔尔族", "51": "独龙族", "52": "鄂伦春族",
    "53": "赫哲族", "54": "门巴族", "55": "珞巴族", "56": "基诺族", "97": "其他", "98": "外国血统",
}
_ETHNIC_CODE = re.compile(r"^(\d{1,2})\s*[-－—_.．、:：\s]?\s*(\D*)$")


def normalise_ethnicity(raw: Any) -> str:
    """A 民族 cell in our words: 回族 for 回族, 回, ``03``, ``3`` or ``03-回族`` (GB/T 3304 codes).

    A code whose name part disagrees (``03-汉族``), or an unknown code, is returned as
    written, for the caller to refuse.
    """
    if isinstance(raw, (int, float)) and not isinstance(raw, bool) and raw == int(raw):
        raw = str(int(raw))
    text = _text(raw)
    coded = _ETHNIC_CODE.match(text) if text[:1].isdigit() else None
    if coded:
        name = ETHNIC_CODES.get(coded.group(1).zfill(2))
        given = coded.group(2).strip()
        if name and (not given or given == name or given + "族" == name):
            return name
        return text
    if text and text not in ETHNICITIES and text + "族" in ETHNICITIES:
        return text + "族"
    return text


def normalise_gender(raw: Any) -> str:
    text = _text(raw).upper()
    return {"男性": "男", "女性": "女", "M": "男", "F": "女", "MALE": "男", "FEMALE": "女"}.get(text, text)


def clean_name(raw: Any) -> str:
    text = _text(raw)
    if text and all(_is_cjk(c) or c.isspace() for c in text):
        text = "".join(text.split())       # 张  三 (spaces used to align two-character names)
    return re.sub(r"\s+", " ", text)


def _is_cjk(char: str) -> bool:
    return "\u3400" <= char <= "\u9fff" or "\uf900" <= char <= "\ufaff"


def _tag_names(raw: Any) -> list[str]:
    if raw is None or raw == "":
        return []
    if isinstance(raw, str):
        items = re.split(r"[,，、;；/\s]+", raw)
    else:
        items = list(raw)
    out = []
    for item in items:
        text = _text(item)
        if text and text not in out:
            out.append(text)
    return out


# -- validation -----------------------------------------------------------------------------

def _today(ledger: Ledger) -> _dt.date:
    return ledger.now().date()


def _prepare(ledger: Ledger, data: dict, resident_id: int | None,
             current: dict | None) -> tuple[dict, dict[str, str], dict[str, str], list[int]]:
    """Normalise ``data`` (merged over ``current`` for updates).

    Returns (clean record, errors, warnings, tag ids).
    """
    merged = dict(current or {})
    merged.update({k: v for k, v in data.items()})
    errors: dict[str, str] = {}
    warnings: dict[str, str] = {}
    today = _today(ledger)
    rec: dict[str, Any] = {}

    name = clean_name(merged.get("name"))
    if not name:
        errors["name"] = "请填写姓名。"
    elif len(name) > MAX_NAME:
        errors["name"] = f"姓名太长（最多{MAX_NAME}个字）。"
    elif re.search(r"\d", name):
        errors["name"] = "姓名中不能有数字。"
    rec["name"] = name

    idc = check_id(merged.get("id_number"), today)
    rec["id_number"] = idc.value
    rec["birth_date"] = idc.birth_date
    if idc.error:
        errors["id_number"] = idc.error
    elif idc.value:
        other = ledger.conn.execute(
            "SELECT id, name, household_id FROM residents WHERE id_number = ? AND id IS NOT ?",
            [idc.value, resident_id]).fetchone()
        if other:
            where = ""
            if other[2]:
                from models.grids.hierarchy import household_label

                where = f"（{household_label(ledger, other[2])}）"
            errors["id_number"] = f"该身份证号已登记在居民“{other[1]}”{where}名下，不能重复登记。"
        elif idc.warning:
            warnings["id_number"] = idc.warning + "。"
    else:
        warnings["id_number"] = "未填写身份证号，会影响台账完整率。"
        birth, err = parse_date(merged.get("birth_date"))
        if err:
            errors["birth_date"] = err
        elif birth and birth > today.isoformat():
            errors["birth_date"] = "出生日期不能晚于今天。"
        else:
            rec["birth_date"] = birth

    gender = normalise_gender(merged.get("gender"))
    if gender and gender not in GENDERS:
        errors["gender"] = "性别只能是“男”或“女”。"
        gender = ""
    if idc.gender:
        if gender and gender != idc.gender:
            warnings["gender"] = f"填写的性别“{gender}”与身份证号不符，已按身份证号记为“{idc.gender}”。"
        gender = idc.gender
    rec["gender"] = gender

    ethnicity = normalise_ethnicity(merged.get("ethnicity"))
    if ethnicity and ethnicity not in ETHNICITIES:
        errors["ethnicity"] = f"民族“{ethnicity}”不是有效的民族名称（如“汉族”“回族”）。"
    rec["ethnicity"] = ethnicity

    phone_result = phone_check(merged.get("phone"))
    phone, phone_error = phone_result.value, phone_result.error
    if phone_error:
        errors["phone"] = phone_error
    elif not phone:
        warnings["phone"] = "未填写联系电话，会影响台账完整率。"
    elif phone_result.warning:
        warnings["phone"] = phone_result.warning
    rec["phone"] = phone or ""

    household_id = merged.get("household_id")
    household = None
    if household_id in ("", None):
        household_id = None
        warnings["household_id"] = "未指定所在户（楼栋、单元、房号）。"
    else:
        try:
            household_id = int(household_id)
        except (TypeError, ValueError):
            errors["household_id"] = "所在户无效。"
            household_id = None
        else:
            household = ledger.conn.execute(
                "SELECT id, grid_id, building_id, head_resident_id FROM households WHERE id = ?",
                [household_id]).fetchone()
            if household is None:
                errors["household_id"] = "所选的户不存在，请重新选择。"
                household_id = None
    rec["household_id"] = household_id
    rec["grid_id"] = household[1] if household else None
    rec["building_id"] = household[2] if household else None

    relation = normalise_relation(merged.get("relation"))
    if len(relation) > 20:
        errors["relation"] = "与户主关系太长（最多20个字）。"
    elif relation and relation not in RELATIONS:
        warnings["relation"] = f"与户主关系“{relation}”不在常用列表中，请核对。"
    if relation == "户主" and household and household[3] and household[3] != resident_id:
        head = ledger.conn.execute("SELECT name, status FROM residents WHERE id = ?", [household[3]]).fetchone()
        if head and head[1] == "在册":
            errors["relation"] = f"该户已有户主“{head[0]}”。请先更换户主，或修改与户主关系。"
    if household_id and not relation:
        warnings.setdefault("relation", "未填写与户主关系。")
    elif household and household[3] and household[3] != resident_id and relation != "户主":
        head = ledger.conn.execute("SELECT name, birth_date FROM residents WHERE id = ?", [household[3]]).fetchone()
        odd = implausible_relation(relation, rec.get("birth_date"), head[0], head[1]) if head else None
        if odd:
            warnings.setdefault("relation", odd)
    rec["relation"] = relation

    residence_type = normalise_residence_type(merged.get("residence_type")) or "户籍人口"
    if residence_type not in RESIDENCE_TYPES:
        errors["residence_type"] = f"人口类型只能是{'、'.join(RESIDENCE_TYPES)}之一。"
    rec["residence_type"] = residence_type

    political = normalise_political_status(merged.get("political_status"))
    if political and political not in POLITICAL_STATUSES:
        errors["political_status"] = f"政治面貌只能是{'、'.join(POLITICAL_STATUSES)}之一。"
    rec["political_status"] = political

    notes = _text(merged.get("notes"))
    if len(notes) > MAX_NOTES:
        errors["notes"] = f"备注太长（最多{MAX_NOTES}个字）。"
    rec["notes"] = notes

    raw_moved_in = merged.get("moved_in_on")
    if isinstance(raw_moved_in, str) and raw_moved_in.strip() == history.UNKNOWN:
        raw_moved_in = None                 # 不详: since before the ledger began
    elif current is None and raw_moved_in in (None, ""):
        raw_moved_in = today.isoformat()    # a newcomer the clerk gives no date: from today
    moved_in, err = parse_date(raw_moved_in)
    if err:
        errors["moved_in_on"] = "迁入日期：" + err
    elif moved_in and moved_in > today.isoformat():
        errors["moved_in_on"] = "迁入日期不能晚于今天。"
    elif moved_in and rec.get("birth_date") and moved_in < rec["birth_date"]:
        errors["moved_in_on"] = "迁入日期不能早于出生日期。"
    rec["moved_in_on"] = moved_in

    status = normalise_status(merged.get("status")) or "在册"
    if status not in STATUSES:
        errors["status"] = f"人员状态只能是{'、'.join(STATUSES)}之一。"
        status = "在册"
    rec["status"] = status
    status_date, err = parse_date(merged.get("status_date"))
    if status == "在册":
        status_date = None
    elif err:
        errors["status_date"] = "变动日期：" + err
    elif not status_date:
        errors["status_date"] = f"人员状态为“{status}”时必须填写变动日期。"
    elif status_date > today.isoformat():
        errors["status_date"] = "变动日期不能晚于今天。"
    elif moved_in and status_date < moved_in:
        errors["status_date"] = "变动日期不能早于迁入日期。"
    rec["status_date"] = status_date

    tag_ids: list[int] = []
    if "tags" in data or current is None:
        names = _tag_names(data.get("tags"))
        unknown, retired = [], []
        held = set() if current is None else {r[0] for r in ledger.conn.execute(
            "SELECT tag_id FROM resident_tags WHERE resident_id = ?", [resident_id])}
        for tag_name in names:
            row = ledger.conn.execute("SELECT id, retired FROM tags WHERE name = ?", [tag_name]).fetchone()
            if row is None:
                unknown.append(tag_name)
            elif row[1] and row[0] not in held:     # a retired tag stays where it is, is given no more
                retired.append(tag_name)
            else:
                tag_ids.append(row[0])
        if unknown:
            errors["tags"] = f"标签“{'、'.join(unknown)}”不在标签列表中，请先在设置中添加。"
        elif retired:
            errors["tags"] = f"标签“{'、'.join(retired)}”已停用，不能再添加。"
        if not allowed(ledger.operator, "personal.see_sensitive"):
            # 重点人员 tags are neither set nor removed by someone who may not see them (issue 10)
            sensitive = {r[0] for r in ledger.conn.execute("SELECT id FROM tags WHERE sensitive = 1")}
            kept = [r[0] for r in ledger.conn.execute(
                "SELECT rt.tag_id FROM resident_tags rt JOIN tags t ON t.id = rt.tag_id"
                " WHERE rt.resident_id = ? AND t.sensitive = 1", [resident_id])] if resident_id else []
            tag_ids = [t for t in tag_ids if t not in sensitive] + kept
    else:
        tag_ids = [r[0] for r in ledger.conn.execute(
            "SELECT tag_id FROM resident_tags WHERE resident_id = ?", [resident_id])]
    return rec, errors, warnings, tag_ids


def validate_resident(ledger: Ledger, data: dict, resident_id: int | None = None) -> dict[str, str]:
    """Problems with ``data`` as {field: Chinese message}; empty when it can be saved.

    For an existing resident pass ``resident_id``: ``data`` may then hold only the
    changed fields.  Used as-you-type by the form and row by row by the import.
    """
    current = _current(ledger, resident_id) if resident_id is not None else None
    return _prepare(ledger, data, resident_id, current)[1]


def resident_warnings(ledger: Ledger, data: dict, resident_id: int | None = None) -> dict[str, str]:
    """Things worth telling the clerk that do not stop saving (no phone, no ID, gender vs ID …)."""
    current = _current(ledger, resident_id) if resident_id is not None else None
    return _prepare(ledger, data, resident_id, current)[2]


def _raise_first(errors: dict[str, str]) -> None:
    if errors:
        field, message = next(iter(errors.items()))
        err = ValidationError(message, field=field)
        err.errors = dict(errors)
        raise err


def _masked(record: dict) -> dict:
    out = {k: v for k, v in record.items() if k not in ("created_at", "created_by", "updated_at", "updated_by")}
    if "id_number" in out:
        out["id_number"] = mask(out["id_number"])
    return out


def _current(ledger: Ledger, resident_id: int) -> dict:
    return ledger.one("SELECT * FROM residents WHERE id = ?", [resident_id],
                      missing=f"居民不存在（编号 {resident_id}）。")


def _tag_names_of(ledger: Ledger, tag_ids: Iterable[int]) -> list[str]:
    ids = list(tag_ids)
    if not ids:
        return []
    return [r[0] for r in ledger.conn.execute(
        f"SELECT name FROM tags WHERE id IN ({','.join('?' * len(ids))}) ORDER BY sort_order, id", ids)]


def _event(ledger: Ledger, resident_id: int, event: str, on_date: str, note: str,
           household_id: int | None) -> None:
    ledger.db.execute(
        "INSERT INTO resident_status_events (resident_id, event, on_date, note, household_id, created_at, created_by)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        [resident_id, event, on_date, note, household_id, ledger.now_ts(), ledger.operator.name])


# -- writes ---------------------------------------------------------------------------------

@operation("records.edit", "residents")
def add_resident(ledger: Ledger, data: dict) -> int:
    """Register a resident.

    Args:
        data: name, gender, ethnicity, id_number, phone, household_id, relation,
            residence_type, political_status, notes, moved_in_on, tags (list of tag
            names or 、-separated text); optionally status + status_date for a
            historical record (import) and birth_date when there is no ID number.
            ``moved_in_on`` missing or blank means today (a newcomer); ``"不详"``
            means "lived here since before the ledger began".  The resident's first
            residence spell starts on that date (and ends on status_date when not 在册).

    Returns:
        the new resident's id.

    Raises:
        ValidationError: the first problem (``.errors`` holds all of them).
    """
    _require_household_grid(ledger, data.get("household_id"), "该住户")   # a 网格员: their grids only
    rec, errors, _warnings, tag_ids = _prepare(ledger, data, None, None)
    _raise_first(errors)
    row = ledger.stamp(rec, creating=True)
    rid = ledger.db["residents"].insert(row).last_rowid
    if tag_ids:
        ledger.conn.executemany("INSERT INTO resident_tags (resident_id, tag_id) VALUES (?, ?)",
                                [(rid, t) for t in tag_ids])
    search.reindex(ledger, rid, None, rec)
    spell_id = history.begin(ledger, rid, rec["household_id"], rec["moved_in_on"], "迁入")
    if rec["status"] != "在册":
        history.end(ledger, {"id": spell_id, "from_date": rec["moved_in_on"], "began": "迁入"},
                    rec["status_date"], rec["status"], "变动日期")
    note = "登记" if rec["moved_in_on"] else "登记（迁入日期不详）"
    _event(ledger, rid, "迁入", rec["moved_in_on"] or ledger.now().date().isoformat(), note,
           rec["household_id"])
    if rec["status"] != "在册":
        _event(ledger, rid, rec["status"], rec["status_date"], "登记时已" + rec["status"], rec["household_id"])
    if rec["relation"] == "户主" and rec["household_id"]:
        _set_head(ledger, rec["household_id"], rid)
    audit = _masked(rec)
    audit["tags"] = _tag_names_of(ledger, tag_ids)
    ledger.audit("新增", "residents", rid, None, audit)
    return rid


def _require_household_grid(ledger: Ledger, household_id, what: str) -> None:
    """Refuse a 网格员 a household outside their grids (before any other check)."""
    if scope.scoped_grids(ledger) is None:
        return
    grid_id = ledger.scalar("SELECT grid_id FROM households WHERE id = ?", [household_id]) if household_id else None
    scope.require_grid(ledger, grid_id, what)


@operation("records.edit", "residents")
def update_resident(ledger: Ledger, resident_id: int, data: dict, moved_on: str | None = None) -> bool:
    """Change a resident's fields (only the keys in ``data``; ``tags`` replaces the tag set).

    A household change moves the resident (grid and building follow) from ``moved_on``
    (default today: a new residence spell begins that day); a status change records the
    matching event and ends the residence spell, as :func:`move_out` etc. would.

    Returns:
        whether anything changed (False: ``data`` holds what the ledger holds; nothing written).
    """
    current = _current(ledger, resident_id)
    scope.require_grid(ledger, current["grid_id"], f"居民“{current['name']}”")   # a 网格员: their grids
    if data.get("household_id"):
        _require_household_grid(ledger, data["household_id"], "新的住户")
    rec, errors, _warnings, tag_ids = _prepare(ledger, data, resident_id, current)
    _raise_first(errors)
    old_tags = [r[0] for r in ledger.conn.execute(
        "SELECT tag_id FROM resident_tags WHERE resident_id = ?", [resident_id])]
    changed = {k: v for k, v in rec.items() if current.get(k) != v}
    tags_changed = "tags" in data and set(old_tags) != set(tag_ids)
    if not changed and not tags_changed:
        return False
    if changed:
        ledger.db["residents"].update(resident_id, ledger.stamp(changed, creating=False))
    else:
        ledger.db["residents"].update(resident_id, ledger.stamp({}, creating=False))
    if tags_changed:
        ledger.db.execute("DELETE FROM resident_tags WHERE resident_id = ?", [resident_id])
        ledger.conn.executemany("INSERT INTO resident_tags (resident_id, tag_id) VALUES (?, ?)",
                                [(resident_id, t) for t in tag_ids])
    if {"name", "id_number", "phone"} & changed.keys():
        search.reindex(ledger, resident_id, current, rec)
    today = ledger.now().date().isoformat()
    move_day = _check_date(ledger, moved_on, "调整日期") if moved_on and "household_id" in changed else today
    _update_spells(ledger, resident_id, current, rec, changed, move_day)
    if "household_id" in changed:
        _leave_household(ledger, resident_id, current.get("household_id"))
        _event(ledger, resident_id, "户内调整", move_day, "修改所在户", rec["household_id"])
    if "status" in changed or ("status_date" in changed and rec["status"] != "在册"):
        if rec["status"] == "在册":
            _event(ledger, resident_id, "恢复在册", today, "修改人员状态", rec["household_id"])
        else:
            _event(ledger, resident_id, rec["status"], rec["status_date"], "修改人员状态", rec["household_id"])
    if rec["relation"] == "户主" and rec["household_id"] and (
            "relation" in changed or "household_id" in changed):
        _set_head(ledger, rec["household_id"], resident_id)
    elif "relation" in changed and current.get("relation") == "户主" and "household_id" not in changed:
        _leave_household(ledger, resident_id, rec["household_id"])   # no longer the head
    old = {k: current.get(k) for k in changed}
    new = dict(changed)
    if tags_changed:
        old["tags"] = _tag_names_of(ledger, old_tags)
        new["tags"] = _tag_names_of(ledger, tag_ids)
    ledger.audit("修改", "residents", resident_id, _masked(old), _masked(new))
    return True


def _update_spells(ledger: Ledger, resident_id: int, current: dict, rec: dict, changed: dict,
                   today: str) -> None:
    """The form's edits on the residence spells: a new household from today; a corrected
    move-in date, status or status date corrects the spell it belongs to."""
    if "moved_in_on" in changed:
        history.set_stay_start(ledger, resident_id, rec["moved_in_on"])
    if "household_id" in changed:
        if history.open_spell(ledger, resident_id) is not None:
            history.move(ledger, resident_id, rec["household_id"], today)
        else:   # off the roll: a correction of where they lived last
            last = history.last_spell(ledger, resident_id)
            if last is not None:
                ledger.db.execute("UPDATE residence_spells SET household_id = ? WHERE id = ?",
                                  [rec["household_id"], last["id"]])
    if "status" in changed or ("status_date" in changed and rec["status"] != "在册"):
        opened = history.open_spell(ledger, resident_id)
        if rec["status"] == "在册":
            last = history.last_spell(ledger, resident_id)
            if opened is None and last is not None:
                history.reopen(ledger, last)
        elif opened is not None:
            history.end(ledger, opened, rec["status_date"], rec["status"], "变动日期")
        else:
            last = history.last_spell(ledger, resident_id)
            if last is not None:
                history.end(ledger, last, rec["status_date"], rec["status"], "变动日期")


def _check_date(ledger: Ledger, on_date: Any, what: str) -> str:
    day, err = parse_date(on_date)
    if err:
        raise ValidationError(f"{what}：{err}", field="on_date")
    if not day:
        raise ValidationError(f"请填写{what}。", field="on_date")
    if day > ledger.now().date().isoformat():
        raise ValidationError(f"{what}不能晚于今天。", field="on_date")
    return day


def _change_status(ledger: Ledger, resident_id: int, status: str, on_date: Any, note: str,
                   action: str) -> None:
    current = _current(ledger, resident_id)
    what = {"迁出": "迁出日期", "死亡": "死亡日期"}[status]
    day = _check_date(ledger, on_date, what)
    if current["status"] != "在册":
        raise ValidationError(f"“{current['name']}”已是“{current['status']}”状态（{current['status_date']}），"
                              "如需更正请先恢复在册。", field="status")
    if current["moved_in_on"] and day < current["moved_in_on"]:
        raise ValidationError(f"{what}不能早于迁入日期 {current['moved_in_on']}。", field="on_date")
    if current["birth_date"] and day < current["birth_date"]:
        raise ValidationError(f"{what}不能早于出生日期 {current['birth_date']}。", field="on_date")
    opened = history.open_spell(ledger, resident_id)
    if opened is not None:
        history.end(ledger, opened, day, status, what)
    ledger.db["residents"].update(resident_id, ledger.stamp(
        {"status": status, "status_date": day}, creating=False))
    _event(ledger, resident_id, status, day, note or "", current["household_id"])
    ledger.audit(action, "residents", resident_id,
                 {"status": current["status"], "status_date": current["status_date"]},
                 {"status": status, "status_date": day, "note": note or ""})


@operation("records.edit", "residents")
def move_out(ledger: Ledger, resident_id: int, on_date: str, note: str = "") -> None:
    """Record that the resident moved out on ``on_date`` (no longer counted from that day)."""
    _change_status(ledger, resident_id, "迁出", on_date, note, "迁出")


@operation("records.edit", "residents")
def record_death(ledger: Ledger, resident_id: int, on_date: str, note: str = "") -> None:
    """Record the resident's death on ``on_date``."""
    _change_status(ledger, resident_id, "死亡", on_date, note, "死亡")


@operation("records.edit", "residents")
def restore_active(ledger: Ledger, resident_id: int, on_date: str, note: str = "") -> None:
    """Put a moved-out (or wrongly recorded) resident back on the roll.

    When ``on_date`` is after the recorded move-out/death date the resident came
    back: a new residence spell (返回) begins on ``on_date`` in the same household, and
    the months of the first stay keep counting them.  Otherwise the earlier status is
    treated as a mistake being corrected: the last spell is reopened.
    """
    current = _current(ledger, resident_id)
    day = _check_date(ledger, on_date, "恢复日期")
    if current["status"] == "在册":
        raise ValidationError(f"“{current['name']}”已是在册状态。", field="status")
    changes: dict[str, Any] = {"status": "在册", "status_date": None}
    last = history.last_spell(ledger, resident_id)
    if current["status_date"] and day > current["status_date"]:
        changes["moved_in_on"] = day
        history.begin(ledger, resident_id, current["household_id"], day, "返回")
    elif last is not None and last["to_date"] is not None:
        history.reopen(ledger, last)
    ledger.db["residents"].update(resident_id, ledger.stamp(changes, creating=False))
    _event(ledger, resident_id, "恢复在册", day, note or "", current["household_id"])
    ledger.audit("恢复在册", "residents", resident_id,
                 {k: current[k] for k in changes}, dict(changes, note=note or ""))


def _leave_household(ledger: Ledger, resident_id: int, household_id: int | None) -> None:
    """The resident left ``household_id``: it loses its head if they were the head."""
    if household_id is None:
        return
    head = ledger.scalar("SELECT head_resident_id FROM households WHERE id = ?", [household_id])
    if head == resident_id:
        ledger.db.execute("UPDATE households SET head_resident_id = NULL, updated_at = ?, updated_by = ?"
                          " WHERE id = ?", [ledger.now_ts(), ledger.operator.name, household_id])
        ledger.audit("修改", "households", household_id, {"head_resident_id": resident_id},
                     {"head_resident_id": None})


def _set_head(ledger: Ledger, household_id: int, resident_id: int) -> None:
    old = ledger.scalar("SELECT head_resident_id FROM households WHERE id = ?", [household_id])
    if old == resident_id:
        return
    ledger.db.execute("UPDATE households SET head_resident_id = ?, updated_at = ?, updated_by = ? WHERE id = ?",
                      [resident_id, ledger.now_ts(), ledger.operator.name, household_id])
    if old is not None and old != resident_id:
        # The old head is no longer 户主; the clerk states their new relation.
        cur = ledger.db.execute("UPDATE residents SET relation = '', updated_at = ?, updated_by = ?"
                                " WHERE id = ? AND relation = '户主'", [ledger.now_ts(), ledger.operator.name, old])
        if cur.rowcount:
            ledger.audit("修改", "residents", old, {"relation": "户主"}, {"relation": ""})
    ledger.audit("设为户主", "households", household_id, {"head_resident_id": old},
                 {"head_resident_id": resident_id})


@operation("records.edit", "residents")
def move_to_household(ledger: Ledger, resident_id: int, household_id: int, relation: str,
                      on_date: str) -> None:
    """Move a resident into another household with a relation to its head.

    Grid and building follow the household; a head leaving a household leaves it
    headless; ``relation == '户主'`` makes them the new household's head (refused
    when it already has a head on the roll).
    """
    current = _current(ledger, resident_id)
    day = _check_date(ledger, on_date, "调整日期")
    if current["household_id"] == household_id:
        raise ValidationError("该居民已在这一户。", field="household_id")
    rec, errors, _w, _t = _prepare(ledger, {"household_id": household_id, "relation": relation},
                                   resident_id, current)
    errors = {k: v for k, v in errors.items() if k in ("household_id", "relation")}
    _raise_first(errors)
    changes = {"household_id": rec["household_id"], "grid_id": rec["grid_id"],
               "building_id": rec["building_id"], "relation": rec["relation"]}
    history.move(ledger, resident_id, rec["household_id"], day)
    _leave_household(ledger, resident_id, current["household_id"])
    ledger.db["residents"].update(resident_id, ledger.stamp(changes, creating=False))
    _event(ledger, resident_id, "户内调整", day, "", rec["household_id"])
    if rec["relation"] == "户主":
        _set_head(ledger, rec["household_id"], resident_id)
    ledger.audit("调整户", "residents", resident_id, {k: current[k] for k in changes}, changes)


@operation("records.edit", "residents")
def set_household_head(ledger: Ledger, household_id: int, resident_id: int) -> None:
    """Make ``resident_id`` (a member on the roll) the head of ``household_id``."""
    row = ledger.conn.execute("SELECT household_id, status, name FROM residents WHERE id = ?",
                              [resident_id]).fetchone()
    if row is None:
        raise NotFound(f"居民不存在（编号 {resident_id}）。")
    if row[0] != household_id:
        raise ValidationError(f"“{row[2]}”不是这一户的成员。", field="head")
    if row[1] != "在册":
        raise ValidationError(f"“{row[2]}”已{row[1]}，不能设为户主。", field="head")
    _set_head(ledger, household_id, resident_id)
    old_relation = ledger.scalar("SELECT relation FROM residents WHERE id = ?", [resident_id])
    if old_relation != "户主":
        ledger.db["residents"].update(resident_id, ledger.stamp({"relation": "户主"}, creating=False))
        ledger.audit("修改", "residents", resident_id, {"relation": old_relation}, {"relation": "户主"})


# -- reads ----------------------------------------------------------------------------------

@operation("personal.full_ids")
def reveal_id_number(ledger: Ledger, resident_id: int) -> str:
    """显示完整号码: a resident's whole ID number, for an account with 可查看敏感信息; audited.

    Raises:
        PermissionDenied: the role or the account may not see full ID numbers; the resident is
            in another grid (a 网格员).
    """
    row = _current(ledger, resident_id)
    scope.require_grid(ledger, row["grid_id"], f"居民“{row['name']}”")
    ledger.audit("查看完整身份证号", "residents", resident_id, None,
                 {"姓名": row["name"], "身份证号": mask(row["id_number"])})
    return row["id_number"] or ""


def get_resident(ledger: Ledger, resident_id: int, include_sensitive: bool = True) -> dict:
    """Every column, plus ``tags`` (names), ``household_label``, ``grid_name``, ``id_masked``.

    ``include_sensitive`` shows 重点人员 tags only to an operator allowed to see them (the
    account's 可查看敏感信息 flag); the full ``id_number`` is for editing code: what the clerk
    sees is ``id_masked`` unless :func:`reveal_id_number` was asked.
    """
    include_sensitive = include_sensitive and allowed(ledger.operator, "personal.see_sensitive")
    row = _current(ledger, resident_id)
    scope.require_grid(ledger, row["grid_id"], f"居民“{row['name']}”")
    row["tags"] = [r[0] for r in ledger.conn.execute(
        "SELECT t.name FROM resident_tags rt JOIN tags t ON t.id = rt.tag_id WHERE rt.resident_id = ?"
        " AND (t.sensitive = 0 OR ?) ORDER BY t.sort_order, t.id", [resident_id, int(include_sensitive)])]
    row["household_label"] = ""
    if row["household_id"]:
        from models.grids.hierarchy import household_label

        row["household_label"] = household_label(ledger, row["household_id"])
    row["grid_name"] = ledger.scalar("SELECT name FROM grids WHERE id = ?", [row["grid_id"]]) or ""
    row["id_masked"] = mask(row["id_number"])
    return row


def household_members(ledger: Ledger, household_id: int) -> list[dict]:
    """Everyone ever registered in the household: the head first, then by relation and age."""
    rows = ledger.query(
        """
        SELECT r.id, r.name, r.gender, r.id_number, r.birth_date, r.phone, r.relation, r.status,
               r.status_date, r.moved_in_on, r.residence_type, (h.head_resident_id = r.id) AS is_head
        FROM residents r JOIN households h ON h.id = r.household_id
        WHERE r.household_id = ?
        """, [household_id])
    order = {name: i for i, name in enumerate(RELATIONS)}
    for row in rows:
        row["id_masked"] = mask(row.pop("id_number"))
        row["is_head"] = bool(row["is_head"])
    rows.sort(key=lambda r: (not r["is_head"], r["status"] != "在册",
                             order.get(r["relation"], len(order)), r["birth_date"] or "9999", r["id"]))
    return rows


def status_history(ledger: Ledger, resident_id: int) -> list[dict]:
    """The resident's events (迁入 / 迁出 / 死亡 / 恢复在册 / 户内调整) in the order they were recorded."""
    return ledger.query(
        "SELECT e.id, e.event, e.on_date, e.note, e.household_id, e.created_at, e.created_by"
        " FROM resident_status_events e WHERE e.resident_id = ? ORDER BY e.id", [resident_id])


def tag_list(ledger: Ledger, include_sensitive: bool) -> list[dict]:
    """The configurable tag list: id, name, sensitive, retired (重点人员 only when allowed; a
    retired tag is still listed: residents keep it, forms offer it only to those who have it)."""
    return ledger.query("SELECT id, name, sensitive, retired FROM tags WHERE sensitive = 0 OR ?"
                        " ORDER BY sort_order, id", [int(include_sensitive)])
