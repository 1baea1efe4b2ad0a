"""The residents import (SPEC §7): clerks' 居民信息台账 into the ledger.

Per row: a name is required; an ID number is checked (GB 11643, 15→18 upgrade,
full-width digits, spaces, lowercase x) and one that is invalid, mangled by Excel
or repeated earlier in the file rejects the row; no ID or no phone is a warning
(it lowers 台账完整率); a gender contradicting the ID is a warning and the ID
wins.  Grids, buildings, units and households named in the file are created when
missing (the row's 社区 column, else the ledger's own community).  A person whose
ID is already in the ledger is skipped, or updated when the clerk asks.

Writing is bulk (``executemany``) for 100,000-row files, keeping every invariant
of ``models.residents.records.add_resident``: stamps, the denormalised grid/building, the
迁入/迁出/死亡 status events, tags, the household head, the audit log (masked IDs).
"""

from __future__ import annotations

import copy

import re
from typing import Callable

from models.core.db import Ledger
from models.core.errors import ValidationError
from models.core.idcard import check_id, mask
from models.importing import Column, ImportSpec, ImportSummary, RowOutcome, chunked, parse_cell_date
from models.core.periods import half_width
from models.importing.values import no_spaces, text
from models.core.permissions import allowed
from models.core.phones import phone_check
from models.residents.records import (ETHNICITIES, GENDERS, POLITICAL_STATUSES, RELATIONS, RESIDENCE_TYPES, STATUSES,
                              clean_name, normalise_ethnicity, normalise_gender, normalise_political_status,
                              normalise_relation, normalise_residence_type, normalise_status)

#: Words clerks use that ``models.residents.records``' synonym tables do not know yet.
_MORE_RESIDENCE = {"本地户籍": "户籍人口", "本地": "户籍人口", "户在人在": "户籍人口", "户不在人在": "常住人口",
                   "寄住": "常住人口", "外来": "流动人口", "租住": "流动人口", "租户": "流动人口", "外地": "流动人口"}
_MORE_STATUS = {"在住": "在册", "现住": "在册", "在籍": "在册", "搬离": "迁出", "外迁": "迁出", "离开": "迁出",
                "已去世": "死亡", "亡故": "死亡"}
_MORE_GENDER = {"男士": "男", "女士": "女", "1": "男", "2": "女"}
_DIGIT = re.compile(r"\d")
_TAG_SPLIT = re.compile(r"[、,，;；/／|\s]+")

#: An address such as "幸福小区3号楼2单元301室" split into its parts.
_ADDRESS = re.compile(
    r"(?:(?P<compound>[^\d\s]{2,}?(?:小区|花园|家园|苑|公寓|新村|社区|里|庄园|城))\s*)?"
    r"(?P<building>\d+[A-Za-z]?\s*(?:号楼|栋|幢|座|号院|号))\s*-?"
    r"(?:(?P<unit>\d+\s*单元)\s*-?)?"
    r"(?P<room>\d+[A-Za-z]?)\s*(?:室|号|户)?\s*$")

COLUMNS = [
    Column("name", "姓名", ("居民姓名", "人员姓名", "成员姓名", "家庭成员姓名", "名字", "户成员姓名"),
           required=True, note="必填。"),
    Column("gender", "性别", note="男 或 女；有身份证号时以身份证号为准。", choices=("男", "女")),
    Column("ethnicity", "民族", note="如 汉族。"),
    Column("id_number", "身份证号", ("身份证号码", "公民身份号码", "公民身份证号码", "证件号码", "身份证",
                                     "身份证件号码", "证件号", "身份号码", "居民身份证号码", "身份证号(18位)"),
           as_text=True, note="18位（15位旧号码会自动升级）。请把本列设为“文本”格式，否则 Excel 会把号码改坏。"),
    Column("birth_date", "出生日期", ("出生年月", "出生年月日", "生日", "出生时间"),
           note="有身份证号时按身份证号计算，可不填。"),
    Column("phone", "联系电话", ("电话", "手机", "手机号", "手机号码", "联系方式", "电话号码", "联系电话号码",
                                 "本人电话", "联系手机"),
           as_text=True, note="11位手机号或带区号的固定电话（如 0551-1234567）；两个号码用“/”分隔。"),
    Column("community", "所属社区", ("社区", "社区名称", "所在社区"), note="不填则为本台账的社区。"),
    Column("grid", "所属网格", ("网格", "网格名称", "所在网格", "网格名"), note="名称不存在时自动新建。"),
    Column("compound", "小区", ("小区名称", "所在小区", "小区名")),
    Column("building", "楼栋", ("楼号", "楼栋号", "栋号", "幢号", "楼栋名称", "栋", "幢", "楼"), note="如 3号楼。"),
    Column("unit", "单元", ("单元号", "楼门", "单元名称"), note="如 1单元；没有单元可不填。"),
    Column("room", "房号", ("门牌号", "室", "房间号", "门牌", "房号(室)", "户室号", "房屋号"), note="如 301。"),
    Column("address", "住址", ("现居住地址", "居住地址", "家庭住址", "现住址", "现住地址", "现居地址", "详细地址",
                               "地址", "现居住地", "居住地"),
           note="没有楼栋、单元、房号列时，从“3号楼2单元301室”这样的地址中识别。"),
    Column("relation", "与户主关系", ("与户主的关系", "家庭关系", "关系", "与户主关系(称谓)")),
    Column("residence_type", "人口类型", ("人员类别", "人口类别", "户籍类型", "居住类型", "人员类型"),
           note="户籍人口、常住人口 或 流动人口；不填为户籍人口。", choices=RESIDENCE_TYPES),
    Column("political_status", "政治面貌", note="中共党员、中共预备党员、共青团员、民主党派、无党派人士 或 群众。",
           choices=POLITICAL_STATUSES),
    Column("tags", "特殊人群", ("人员标签", "标签", "特殊人群类别", "人群类别", "特殊群体", "重点人群"),
           note="可填多个，用顿号分隔，如 独居老人、低保户。"),
    Column("moved_in_on", "迁入日期", ("入住日期", "迁入时间", "入住时间"),
           note="如 2015-03-07、2015.3.7 或 2015年3月7日。"),
    Column("status", "人员状态", ("状态", "在册状态", "居住状态"), note="在册、迁出 或 死亡；不填为在册。",
           choices=STATUSES),
    Column("status_date", "变动日期", ("迁出日期", "死亡日期", "变动时间", "注销日期"),
           note="迁出或死亡的日期。"),
    Column("notes", "备注", ("其他", "情况说明")),
    Column("household_no", "户号", ("户编号", "家庭户号", "户序号"),
           note="可选。户号相同的行是同一户：没有填住址的成员按同户号有住址的行归户。"),
]

#: the columns that say where a row lives (filled down in a household block, see fill_households)
PLACE_KEYS = ("community", "grid", "compound", "building", "unit", "room", "address")
_OWN_PLACE_KEYS = ("building", "unit", "room", "address")


def _one_of(row: RowOutcome, value: str, allowed, default: str, unknown: str) -> str:
    """``value`` when ``allowed``; else ``default``, with the warning ``unknown`` (``{}`` = the value) if given."""
    if value in allowed:
        return value
    if value:
        row.warn(unknown.format(value))
    return default


class ResidentsSpec(ImportSpec):
    """Residents: one row per person."""

    kind = "residents"
    title = "居民"
    columns = COLUMNS
    min_header_matches = 2
    rules = [
        "一行一人。表格上方可以有标题行，程序会自动找到列名所在的行。",
        "同一户的楼栋、单元、房号可以合并单元格，导入时会自动填到每个成员；户主行下面的家庭成员"
        "（与户主关系不是户主）住址各列留空时，按户主行的住址归户；有“户号”列时，户号相同的行是同一户。",
        "“合计”“小计”行和空行会被跳过；一个文件中的多个工作表都会导入。",
        "没有姓名、身份证号有误、身份证号被 Excel 改坏或在本文件中重复的行不会导入，并在问题清单中列出原因。",
        "没有身份证号或联系电话的行会导入，但会提示（影响台账完整率）。",
        "台账中已有的人（身份证号相同）默认跳过；选择“更新已有人员”时用本文件的内容更新。",
    ]
    template_rows = [
        ["张三", "男", "汉族", "110101199003071234", "", "13812345678", "", "第一网格", "幸福小区",
         "3号楼", "1单元", "301", "", "户主", "户籍人口", "中共党员", "党员", "2015-03-07", "在册", "", "", ""],
    ]

    # -- validate ------------------------------------------------------------------------
    def validate(self, ledger: Ledger, rows: list[RowOutcome]) -> list[RowOutcome]:
        today = ledger.now().date()
        today_text = today.isoformat()
        places = _PlaceResolver(ledger)
        all_tags = ledger.query("SELECT name, retired, sensitive FROM tags")
        offered_tags = {t["name"] for t in all_tags if not t["retired"]}
        retired_tags = {t["name"] for t in all_tags if t["retired"]}
        # 重点人员 tags are set only by someone who may see them (as in the resident form)
        may_see = allowed(ledger.operator, "personal.see_sensitive")
        hidden_tags = {t["name"] for t in all_tags if t["sensitive"] and not may_see}
        first_seen: dict[str, RowOutcome] = {}
        # The same few words fill these columns on every row: normalise each once.
        memo: dict[tuple, str] = {}

        def once(normalise, value):
            key = (normalise, value)
            found = memo.get(key)
            if found is None:
                found = memo[key] = normalise(value)
            return found

        fill_households(rows)
        for row in rows:
            raw = row.raw
            data = row.data
            name = clean_name(raw.get("name"))     # (names hardly repeat: no memo)
            if not name:
                row.reject("缺少姓名")
            elif len(name) > 40:
                row.reject(f"姓名“{name[:20]}…”过长，可能填错了列")
            elif _DIGIT.search(name):
                row.reject(f"姓名“{name}”中有数字，请核对")
            data["name"] = name

            # ID number -------------------------------------------------------------
            id_raw = raw.get("id_number")
            check = check_id(id_raw, today=today)
            id_value = check.value
            if isinstance(id_raw, str) and "*" in id_raw:
                row.reject("身份证号已打码（如导出时没有选择“完整身份证号”），无法导入；"
                           "请使用含完整身份证号的表格")
                id_value = None
            elif check.error:
                row.reject(check.error if check.excel_mangled else f"身份证号有误：{check.error}")
            elif id_value is None:
                row.warn("缺少身份证号")
            else:
                earlier = first_seen.get(id_value)
                if earlier is not None:
                    where = (f"第 {earlier.row_number} 行" if earlier.sheet == row.sheet
                             else f"工作表“{earlier.sheet}”第 {earlier.row_number} 行")
                    row.reject(f"身份证号 {mask(id_value)} 与本文件{where}重复")
                else:
                    first_seen[id_value] = row
                if check.upgraded:
                    row.note("15位旧身份证号已升级为18位")
                if check.warning:
                    row.warn(f"身份证号 {mask(id_value)} {check.warning}")
            data["id_number"] = id_value

            # gender and birth date: the ID wins --------------------------------------
            gender_raw = raw.get("gender")
            gender = once(normalise_gender, gender_raw)
            gender = _MORE_GENDER.get(gender, gender)
            if gender and gender not in GENDERS:
                row.warn(f"性别“{text(gender_raw)}”无法识别" + ("，已按身份证号记录" if check.gender else "，已留空"))
                gender = ""
            if check.gender:
                if gender and gender != check.gender:
                    row.warn(f"性别“{gender}”与身份证号不符，已按身份证号记为“{check.gender}”")
                gender = check.gender
            data["gender"] = gender
            if check.birth_date:
                birth, _error = parse_cell_date(raw.get("birth_date"))
                if birth and birth[:7] != check.birth_date[:7]:
                    # (a 出生年月 column often holds only year and month)
                    row.warn(f"出生日期 {birth} 与身份证号不符，已按身份证号记为 {check.birth_date}")
                birth = check.birth_date
            else:
                birth = row.past_date("birth_date", "出生日期", today_text)
            data["birth_date"] = birth

            # phone -------------------------------------------------------------------
            phone_result = phone_check(raw.get("phone"))
            phone, phone_error = phone_result.value, phone_result.error
            if phone_error:
                row.warn(f"联系电话有误：{phone_error}（电话已留空）")
            elif not phone:
                row.warn("缺少联系电话")
            elif phone_result.warning:
                row.warn(f"联系电话：{phone_result.warning}")
            data["phone"] = phone or ""

            # words with a fixed list ----------------------------------------------------
            ethnicity = once(normalise_ethnicity, raw.get("ethnicity"))
            if ethnicity and ethnicity not in ETHNICITIES:
                row.warn(f"民族“{ethnicity}”不是有效的民族名称，已留空")
                ethnicity = ""
            data["ethnicity"] = ethnicity
            political = once(normalise_political_status, raw.get("political_status"))
            if political and political not in POLITICAL_STATUSES:
                row.warn(f"政治面貌“{political}”无法识别（应为{'、'.join(POLITICAL_STATUSES)}之一），已留空")
                political = ""
            data["political_status"] = political
            relation = once(normalise_relation, raw.get("relation"))
            if len(relation) > 20:
                row.warn("与户主关系过长，已留空")
                relation = ""
            elif relation and relation not in RELATIONS:
                row.note(f"与户主关系“{relation}”不在常用列表中")
            data["relation"] = relation
            notes = text(raw.get("notes"))
            if len(notes) > 2000:
                row.warn("备注超过2000字，已截断")
                notes = notes[:2000]
            data["notes"] = notes

            kind = once(normalise_residence_type, raw.get("residence_type"))
            data["residence_type"] = _one_of(row, _MORE_RESIDENCE.get(kind, kind), RESIDENCE_TYPES, "户籍人口",
                                             "人口类型“{}”无法识别，已按户籍人口导入")

            # status and dates --------------------------------------------------------------
            moved_in = row.past_date("moved_in_on", "迁入日期", today_text)
            if moved_in and birth and moved_in < birth:
                row.warn(f"迁入日期 {moved_in} 早于出生日期，已留空")
                moved_in = None
            status = once(normalise_status, raw.get("status"))
            status = _one_of(row, _MORE_STATUS.get(status, status), STATUSES, "在册",
                             "人员状态“{}”无法识别，已按在册导入")
            status_date, date_error = parse_cell_date(raw.get("status_date"))
            # on the roll with a 变动日期: the day they moved to this row's household (--update)
            data["moved_on"] = (status_date if status == "在册" and not date_error and status_date
                                and status_date <= today_text else None)
            if status == "在册":
                status_date = None
            elif date_error or not status_date or status_date > today_text:
                reason = (f"变动日期{date_error}" if date_error else
                          "没有变动日期" if not status_date else f"变动日期 {status_date} 晚于今天")
                row.warn(f"人员状态为{status}但{reason}，已按导入当天 {today_text} 记录")
                status_date = today_text
            if status_date and moved_in and status_date < moved_in:
                row.warn(f"变动日期 {status_date} 早于迁入日期，迁入日期已留空")
                moved_in = None
            data["status"] = status
            data["status_date"] = status_date
            data["status_given"] = "status" in raw
            data["moved_in_on"] = moved_in

            # tags ------------------------------------------------------------------------
            tags = []
            hidden = 0
            tag_text = raw.get("tags")
            for tag in (_TAG_SPLIT.split(half_text(tag_text)) if tag_text is not None else ()):
                if not tag or tag in ("无", "否", "/", "-"):
                    continue
                if tag in hidden_tags:
                    hidden += 1
                elif tag in offered_tags:
                    if tag not in tags:
                        tags.append(tag)
                elif tag in retired_tags:
                    data.setdefault("retired_tags", []).append(tag)   # decided below: held or not
                else:
                    row.warn(f"标签“{tag}”不在标签列表中，已忽略（可在设置中添加后重新导入）")
            if hidden:
                # (the tag is not named: whoever reads this list may not see 重点人员 tags)
                row.warn(f"特殊人群中有 {hidden} 个重点人员标签，您无权设置，已忽略（请由可查看敏感信息的人员补录）")
            data["tags"] = tags

            # household ----------------------------------------------------------------------
            places.resolve(row, raw)

        # People already in the ledger (same ID): skipped, or updated on request.
        known = list(first_seen)
        for part in chunked(known, 500):
            marks = ",".join("?" * len(part))
            for rid, number in ledger.conn.execute(
                    f"SELECT id, id_number FROM residents WHERE id_number IN ({marks})", part):
                row = first_seen[number]
                if row.status != "rejected":
                    row.existing_id = rid
                    row.note("台账中已有此人（身份证号相同）")
        places.find_unnumbered(rows)
        _settle_retired_tags(ledger, [row for row in rows if row.data.get("retired_tags")])
        places.check_heads(rows)
        return rows

    # -- write ---------------------------------------------------------------------------
    #: where new rows without 迁入日期 begin: "" the import's date, None "这些人早已居住"
    #: (since before the ledger began), or a YYYY-MM-DD date (see :meth:`present_from`)
    present_since: str | None = ""

    def present_from(self, since: str | None) -> "ResidentsSpec":
        """This spec with new rows without 迁入日期 present from ``since`` (see
        :attr:`present_since`)."""
        spec = copy.copy(self)
        spec.present_since = since
        return spec

    def write(self, ledger: Ledger, outcomes: list[RowOutcome], update: bool,
              progress: Callable[[int], None]) -> ImportSummary:
        from models.importing import residents_writer

        return residents_writer.write_residents(ledger, outcomes, update, progress, self.present_since)


def _settle_retired_tags(ledger: Ledger, rows: list[RowOutcome]) -> None:
    """A 停用 tag (设置 → 人员标签) stays with a resident already in the ledger who has it, and is
    given to nobody else (as the resident form does): the row is warned and imported without it."""
    held: set[tuple[int, str]] = set()
    known = [row.existing_id for row in rows if row.existing_id is not None]
    for part in chunked(known, 500):
        held.update(ledger.conn.execute(
            "SELECT rt.resident_id, t.name FROM resident_tags rt JOIN tags t ON t.id = rt.tag_id"
            f" WHERE t.retired = 1 AND rt.resident_id IN ({','.join('?' * len(part))})", part).fetchall())
    for row in rows:
        data = row.data
        for tag in data.pop("retired_tags"):
            if (row.existing_id, tag) in held:
                data["tags"].append(tag)
            else:
                row.warn(f"标签“{tag}”已停用，已忽略（只保留在原来就有此标签的居民身上；可在设置中恢复后重新导入）")


_FILL_KEYS = ("household_no", "relation") + PLACE_KEYS


def _fields(row: RowOutcome, layouts: dict) -> dict:
    """The household fields of ``row`` (户号, relation, place), read from its cells without
    building the whole ``raw`` dict (this runs over every row before the checks do)."""
    if row.cells is None:
        raw = row.raw
        return {k: raw[k] for k in _FILL_KEYS if k in raw}
    indices = layouts.get(row._items)
    if indices is None:
        indices = layouts[row._items] = [(k, row.index_of(k)) for k in _FILL_KEYS if row.index_of(k) is not None]
    cells = row.cells
    width = len(cells)
    return {k: cells[i] for k, i in indices if i < width and cells[i] is not None and cells[i] != ""}


def _has_place(fields: dict) -> bool:
    return any(key in fields for key in _OWN_PLACE_KEYS)


def _place_of(fields: dict) -> dict:
    return {key: fields[key] for key in PLACE_KEYS if key in fields}


def _fill(row: RowOutcome, fields: dict, place: dict) -> None:
    """Write the household's place into the row's blank place cells (its own cells when its
    sheet has those columns, so nothing extra is kept per row)."""
    missing = {k: v for k, v in place.items() if k not in fields}
    if not missing:
        return
    indices = {k: row.index_of(k) for k in missing}
    if row.cells is None or None in indices.values():
        row.raw = {**row.raw, **missing}
        return
    cells = list(row.cells)
    cells.extend([None] * (max(indices.values()) + 1 - len(cells)))
    for key, value in missing.items():
        cells[indices[key]] = value
    row.cells = tuple(cells)


def fill_households(rows: list[RowOutcome]) -> None:
    """Give members their household's address when the sheet leaves it blank.

    - 户号: rows with the same 户号 (in one file) are one household; a row without
      楼栋/单元/房号/住址 takes the place of the first row of its 户号 that has one, and a
      row whose place differs from it is warned.
    - 户主 blocks: rows below a 户主 row that has an address, with a relation other than
      户主 and no address of their own, take the 户主's (blank cells, not merged ones,
      which the reader fills already).  A row with its own address, another 户主 or a
      new sheet ends the block.
    """
    layouts: dict = {}
    by_number: dict[str, tuple[RowOutcome, dict]] = {}
    numbered = any("household_no" in row.raw if row.cells is None else row.index_of("household_no") is not None
                   for row in _one_per_layout(rows))
    if numbered:
        for row in rows:
            fields = _fields(row, layouts)
            number = text(fields.get("household_no"))
            if number and _has_place(fields) and number not in by_number:
                by_number[number] = (row, _place_of(fields))
    head: tuple[RowOutcome, dict] | None = None
    relations: dict = {}
    for row in rows:
        fields = _fields(row, layouts)
        number = text(fields.get("household_no")) if numbered else ""
        cell = fields.get("relation")
        relation = relations.get(cell)
        if relation is None:
            relation = relations[cell] = normalise_relation(cell)
        if head is not None and head[0].sheet != row.sheet:
            head = None
        if _has_place(fields):
            head = (row, _place_of(fields)) if relation == "户主" else None
            known = by_number.get(number) if number else None
            if known is not None and known[0] is not row and \
                    any(fields.get(k) != v for k, v in known[1].items() if k in _OWN_PLACE_KEYS):
                row.warn(f"户号“{number}”与{known[0].where}相同，但住址不同：按本行住址导入，请核对")
            continue
        if relation == "户主":
            head = None
        source = by_number.get(number) if number else None
        if source is None and head is not None and relation:
            source = head
        if source is not None:
            _fill(row, fields, source[1])


def _one_per_layout(rows: list[RowOutcome]) -> list[RowOutcome]:
    """The first row of each distinct column mapping (sheet)."""
    seen: dict = {}
    for row in rows:
        seen.setdefault(row._items, row)
    return list(seen.values())


def half_text(value: object) -> str:
    return half_width(text(value)) if value is not None else ""


class _PlaceResolver:
    """Turns a row's 社区/网格/小区/楼栋/单元/房号 (or 住址) into a place to find or create."""

    def __init__(self, ledger: Ledger):
        self.ledger = ledger
        self.own = ledger.community_name or ""
        self.shared: dict[tuple, tuple] = {}
        self.grid_names: dict[str, set[str]] = {}
        self.building_grids: dict[tuple[str, str, str], set[str]] = {}
        for row in ledger.query("SELECT c.name AS community, g.name AS grid FROM grids g"
                                " JOIN communities c ON c.id = g.community_id"):
            self.grid_names.setdefault(row["community"], set()).add(row["grid"])
        self.had_grids = {community: bool(names) for community, names in self.grid_names.items()}
        self.announced: set[tuple[str, str]] = set()       # new grids already said on a row
        for row in ledger.query("SELECT c.name AS community, g.name AS grid, b.compound, b.name"
                                " FROM buildings b JOIN grids g ON g.id = b.grid_id"
                                " JOIN communities c ON c.id = g.community_id"):
            key = (row["community"], row["compound"], row["name"])
            self.building_grids.setdefault(key, set()).add(row["grid"])

    def find_unnumbered(self, rows: list[RowOutcome]) -> None:
        """A row without an ID number is the resident of the same name in the same household
        who has none either (else re-importing a sheet would add them again each time); when
        two such people share name and household, none is taken."""
        wanted = [row for row in rows if row.status != "rejected" and row.existing_id is None
                  and not row.data.get("id_number") and row.data.get("place") and row.data.get("name")]
        if not wanted:
            return
        known: dict[tuple, int | None] = {}
        for rid, name, community, grid, compound, building, unit, room in self.ledger.conn.execute(
                "SELECT r.id, r.name, c.name, g.name, b.compound, b.name, u.name, h.room FROM residents r"
                " JOIN households h ON h.id = r.household_id JOIN units u ON u.id = h.unit_id"
                " JOIN buildings b ON b.id = h.building_id JOIN grids g ON g.id = h.grid_id"
                " JOIN communities c ON c.id = g.community_id WHERE r.id_number IS NULL"):
            key = (None if community == self.own else community, grid, compound, building, unit, room, name)
            known[key] = None if key in known else rid       # (two of them: neither)
        for row in wanted:
            rid = known.get(row.data["place"] + (row.data["name"],))
            if rid is not None:
                row.existing_id = rid
                row.note("台账中已有此人（同户同名，都没有身份证号）")

    def check_heads(self, rows: list[RowOutcome]) -> None:
        """One 户主 per household: a second one in the file, or one where the ledger's
        household already has a head, keeps the row but leaves its relation blank."""
        claimed: dict[tuple, RowOutcome] = {}
        has_households = self.ledger.scalar("SELECT 1 FROM households LIMIT 1") is not None
        heads: dict[tuple, dict[str, tuple[int, str]]] = {}
        for row in rows:
            data = row.data
            place = data.get("place")
            if row.status == "rejected" or not place or data.get("relation") != "户主" or data["status"] != "在册":
                continue
            earlier = claimed.get(place)
            if earlier is not None:
                where = (f"第 {earlier.row_number} 行" if earlier.sheet == row.sheet
                         else f"工作表“{earlier.sheet}”第 {earlier.row_number} 行")
                row.warn(f"本文件{where}已是该户户主，本行的与户主关系已留空，请核对")
                data["relation"] = ""
                continue
            if has_households:
                unit_key = place[:5]
                if unit_key not in heads:
                    heads[unit_key] = self._heads_of_unit(*unit_key)
                head = heads[unit_key].get(place[5])
                if head is not None and head[0] != row.existing_id:
                    row.warn(f"该户在台账中已有户主“{head[1]}”，本行的与户主关系已留空，请核对")
                    data["relation"] = ""
                    continue
            claimed[place] = row

    def _heads_of_unit(self, community, grid, compound, building, unit) -> dict[str, tuple[int, str]]:
        found = self.ledger.conn.execute(
            "SELECT h.room, r.id, r.name FROM households h"
            " JOIN units u ON u.id = h.unit_id JOIN buildings b ON b.id = h.building_id"
            " JOIN grids g ON g.id = h.grid_id JOIN communities c ON c.id = g.community_id"
            " JOIN residents r ON r.id = h.head_resident_id AND r.status = '在册'"
            " WHERE c.name = ? AND g.name = ? AND b.compound = ? AND b.name = ? AND u.name = ?",
            [community or self.own, grid, compound, building, unit]).fetchall()
        return {room: (rid, name) for room, rid, name in found}

    def resolve(self, row: RowOutcome, raw: dict) -> None:
        data = row.data
        community = text(raw.get("community")) or self.own
        if community == self.own:
            community_key = None
        else:
            community_key = community
        grid = text(raw.get("grid"))
        compound = text(raw.get("compound"))
        building = _building_name(text(raw.get("building")))
        unit = _unit_name(text(raw.get("unit")))
        room = _room_name(text(raw.get("room")))
        address = text(raw.get("address"))
        data["address"] = address
        if address and not (building or room):
            parsed = _ADDRESS.search(no_spaces(half_text(address)))
            if parsed:
                compound = compound or (parsed.group("compound") or "")
                building = _building_name(parsed.group("building") or "")
                unit = _unit_name(parsed.group("unit") or "")
                room = _room_name(parsed.group("room") or "")
        data["place"] = None
        if community_key is None and not self.own:
            raise ValidationError("台账还没有设置本社区的名称，表格中也没有“所属社区”列，无法确定这些居民属于哪个社区。"
                                  "请先打开程序设置本社区名称（或在表格中加一列“所属社区”），再导入。")
        if not (grid or building or room):
            row.warn("没有填写网格、楼栋、房号或可识别的住址，未关联到户")
            return
        if not grid:
            candidates = self.building_grids.get((community, compound, building), set())
            known = self.grid_names.get(community, set())
            if len(candidates) == 1:
                grid = next(iter(candidates))
            elif len(known) == 1:
                grid = next(iter(known))
            else:
                row.warn("缺少所属网格，未关联到户")
                return
        if not building:
            row.warn("缺少楼栋，未关联到户")
            return
        if not room:
            row.warn("缺少房号，未关联到户")
            return
        place = (community_key, grid, compound, building, unit, room)
        data["place"] = self.shared.setdefault(place, place)   # one tuple per household
        if self.had_grids.get(community) and grid not in self.grid_names[community] \
                and (community, grid) not in self.announced and row.status != "rejected":
            # said on the first row that makes it: a typo would stand in every ranking as a grid of its
            # own (into a community without grids, the first import makes them all: nothing to say)
            row.warn(f"网格“{grid}”台账中还没有，将新建（若是笔误，请改成已有的网格名称后再导入）")
            self.announced.add((community, grid))


def _building_name(value: str) -> str:
    # Names are kept as typed ("3号楼" and "3" are different buildings to a clerk's
    # hand-made hierarchy); only spaces go.
    return no_spaces(value)


def _unit_name(value: str) -> str:
    return no_spaces(value)


def _room_name(value: str) -> str:
    value = no_spaces(value)
    if value.endswith("室") and value[:-1].isdigit():
        return value[:-1]
    return value


SPEC = ResidentsSpec()

__all__ = ["SPEC", "ResidentsSpec", "COLUMNS", "RESIDENCE_TYPES", "STATUSES"]
