"""Workbooks shaped like clerks' real ledgers, built in code for the import tests."""

from __future__ import annotations

import datetime as dt

import openpyxl

from models.core.idcard import make_id

HEADER = ["序号", "姓名", "性别", "民族", "公民身份号码", "联系电话", "所属网格", "楼栋", "单元", "房号",
          "与户主关系", "人员类别", "政治面貌", "特殊人群", "迁入日期", "备注"]


def person_id(n: int, male: bool = True, year: int = 1950) -> str:
    """A valid ID number, distinct for each ``n`` (0–499)."""
    seq = (2 * (n % 500) + (1 if male else 0)) % 1000
    return make_id("110101", dt.date(year + n // 500, 1 + n % 12, 1 + n % 28), seq)


def ledger_book(path, sheets: dict[str, list[list]], *, title: str | None = "幸福社区居民信息台账",
                merges: dict[str, list[str]] | None = None, header: list[str] = HEADER):
    """Write an .xlsx with a title row, a 填报单位 row, the header and ``rows`` per sheet."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        if title:
            ws.append([title])
            ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
            ws.append(["填报单位：幸福社区居委会", None, None, None, None, None, "填报日期：2026年10月"])
        ws.append(header)
        for row in rows:
            ws.append(row)
        for rng in (merges or {}).get(name, []):
            ws.merge_cells(rng)
    wb.save(path)
    return path


def sheet_book(path, header: list[str], rows: list[list], title: str | None = None):
    """An .xlsx of one sheet: an optional title row, ``header`` and ``rows``."""
    wb = openpyxl.Workbook()
    ws = wb.active
    if title:
        ws.append([title])
    ws.append(header)
    for values in rows:
        ws.append(values)
    wb.save(path)
    return path


_AUTO = object()


def row(n, name, gender="男", id_number=None, phone="13800000000", grid="第一网格", building="1号楼",
        unit="1单元", room=_AUTO, relation="户主", kind="户籍人口", political="群众", tags="", moved_in=None,
        notes=""):
    """One data row in HEADER order; by default each ``n`` is its own household (room 100+n)."""
    if room is _AUTO:
        room = str(100 + n)
    return [n, name, gender, "汉族", id_number, phone, grid, building, unit, room, relation, kind, political,
            tags, moved_in, notes]
