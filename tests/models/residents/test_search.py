"""Resident search: every query class, filters, sorting and keyset paging."""

import pytest

from models.residents import records as R
from models.residents import search
from models.residents.records import ResidentFilter
from tests.models.helpers_residents import household, person_id


@pytest.fixture
def people(ledger):
    """A small ledger: two grids, a few buildings, names with several-reading surnames."""
    h1 = household(ledger, room="301", building="3号楼", unit="1单元")
    h2 = household(ledger, room="302", building="3号楼", unit="1单元")
    h3 = household(ledger, room="101", building="13号楼", unit="2单元", compound="阳光花园")
    h4 = household(ledger, room="501", building="5栋", unit="1单元", grid="第二网格", compound="翠湖苑")
    ids = {}
    rows = [
        ("张三", h1, "户主", person_id(1970, 1, 1), "13812345678", ["党员"]),
        ("张三丰", h1, "子", person_id(1995, 1, 1), "13987654321", []),
        ("李四", h2, "户主", person_id(1960, 6, 1, male=False), "0551-7654321", ["社区矫正"]),
        ("单田芳", h2, "配偶", person_id(1961, 1, 1), "", []),
        ("曾国藩", h3, "户主", person_id(1950, 1, 1), "13612340000", ["高龄老人"]),
        ("解缙", h3, "子", None, "13700001111", []),
        ("区志强", h4, "户主", person_id(1980, 3, 3), "13500002222", []),
        ("王小明", h4, "子", person_id(2010, 3, 3), "", []),
    ]
    for name, hh, rel, idn, phone, tags in rows:
        ids[name] = R.add_resident(ledger, {"name": name, "household_id": hh, "relation": rel,
                                            "id_number": idn, "phone": phone, "tags": tags,
                                            "moved_in_on": "不详"})
    ids["_id_of"] = {name: idn for name, _h, _r, idn, _p, _t in rows}
    return ids


def names(ledger, text="", **kw):
    rows, _ = R.search_page(ledger, ResidentFilter(text=text, **{k: v for k, v in kw.items()
                                                                 if k not in ("sort", "descending")}),
                            sort=kw.get("sort", "id"), descending=kw.get("descending", False))
    return [r["name"] for r in rows]


@pytest.mark.parametrize("text, expected", [
    ("张", ["张三", "张三丰"]),                       # one character
    ("三", ["张三", "张三丰"]),                       # a character inside the name
    ("张三", ["张三", "张三丰"]),                     # two characters
    ("三丰", ["张三丰"]),
    ("张三丰", ["张三丰"]),                           # three characters
    ("国藩", ["曾国藩"]),
    ("zs", ["张三", "张三丰"]),                       # pinyin initials
    ("ZS", ["张三", "张三丰"]),
    ("zsf", ["张三丰"]),
    ("ｚｓ", ["张三", "张三丰"]),                     # full-width letters
    ("stf", ["单田芳"]), ("dtf", ["单田芳"]), ("ctf", ["单田芳"]),   # 单 shan / dan / chan
    ("zgf", ["曾国藩"]), ("cgf", ["曾国藩"]),         # 曾 zeng / ceng
    ("xj", ["解缙"]), ("jj", ["解缙"]),               # 解 xie / jie
    ("ozq", ["区志强"]), ("qzq", ["区志强"]),         # 区 ou / qu
    ("5678", ["张三"]),                               # phone tail
    ("4321", ["张三丰", "李四"]),                     # phone tails (mobile and landline)
    ("0000", ["曾国藩"]),
    ("3号楼", ["张三", "张三丰", "李四", "单田芳"]),   # address: building
    ("13号楼", ["曾国藩", "解缙"]),
    ("5栋", ["区志强", "王小明"]),
    ("5号楼", ["区志强", "王小明"]),                  # 5号楼 finds a building called 5栋
    ("301", ["张三", "张三丰"]),                      # room
    ("3号楼1单元302", ["李四", "单田芳"]),
    ("3-1-302", ["李四", "单田芳"]),
    ("2单元", ["曾国藩", "解缙"]),
    ("阳光花园", ["曾国藩", "解缙"]),                 # compound
    ("翠湖", ["区志强", "王小明"]),
    ("张 301", ["张三", "张三丰"]),                   # several terms: all must match
    ("张 302", []),
    ("赵", []),
    ("qqqqqqqqqqq", []),
    ("%", []), ("_", []), ("张%", []),         # LIKE wildcards are taken literally
    ("", ["张三", "张三丰", "李四", "单田芳", "曾国藩", "解缙", "区志强", "王小明"]),
])
def test_query_classes(ledger, people, text, expected):
    assert names(ledger, text) == expected
    assert R.count(ledger, ResidentFilter(text=text)) == len(expected)


def test_id_tail_and_full_id(ledger, people):
    number = people["_id_of"]["李四"]
    assert "李四" in names(ledger, number[-4:])
    assert names(ledger, number[-10:]) == ["李四"]        # longer than the indexed tail
    assert names(ledger, number) == ["李四"]
    if number.endswith("X"):
        assert "李四" in names(ledger, number[-4:].lower())


def test_filters_combine_with_text(ledger, people):
    grid2 = ledger.scalar("SELECT id FROM grids WHERE name = '第二网格'")
    assert names(ledger, grid_id=grid2) == ["区志强", "王小明"]
    assert names(ledger, "ozq", grid_id=grid2) == ["区志强"]
    assert names(ledger, "w", grid_id=grid2) == ["王小明"]
    assert names(ledger, "张", grid_id=grid2) == []
    tag = ledger.scalar("SELECT id FROM tags WHERE name = '党员'")
    assert names(ledger, tag_id=tag) == ["张三"]
    building = ledger.scalar("SELECT id FROM buildings WHERE name = '13号楼'")
    assert names(ledger, building_id=building) == ["曾国藩", "解缙"]
    R.move_out(ledger, people["李四"], "2026-10-01")
    assert names(ledger, status="迁出") == ["李四"]
    assert names(ledger, "3号楼", status="在册") == ["张三", "张三丰", "单田芳"]
    R.update_resident(ledger, people["解缙"], {"residence_type": "流动人口"})
    assert names(ledger, residence_type="流动人口") == ["解缙"]


def test_rows_mask_ids_and_hide_sensitive_tags(ledger, people):
    rows, _ = R.search_page(ledger, ResidentFilter(text="李四"))
    row = rows[0]
    number = people["_id_of"]["李四"]
    assert row["id_masked"] == number[:6] + "********" + number[-4:]
    assert number not in str(row)
    assert row["tags"] == ""
    assert (row["grid"], row["building"], row["unit"], row["room"]) == ("第一网格", "幸福家园3号楼", "1单元", "302")
    rows, _ = R.search_page(ledger, ResidentFilter(text="李四", include_sensitive=True))
    assert rows[0]["tags"] == "社区矫正"
    expected = {"id", "name", "gender", "id_masked", "birth_date", "phone", "grid", "building", "unit", "room",
                "relation", "residence_type", "status", "status_date", "tags"}
    assert expected <= rows[0].keys()


@pytest.mark.parametrize("sort", sorted(search.SORTABLE))
def test_keyset_paging_visits_everyone_once_in_order(ledger, people, sort):
    full = {r["id"]: r for r in ledger.query("SELECT * FROM residents")}
    column = {"grid": "grid_id", "building": "building_id"}.get(sort, sort)
    for descending in (False, True):
        for text in ("", "张", "3号楼", "1"):
            flt = ResidentFilter(text=text)
            everyone, _ = R.search_page(ledger, flt, sort=sort, descending=descending, limit=1000)
            seen, after = [], None
            while True:
                rows, after = R.search_page(ledger, flt, sort=sort, descending=descending, after=after, limit=3)
                seen += [r["id"] for r in rows]
                if after is None:
                    break
            assert seen == [r["id"] for r in everyone]
            assert len(seen) == len(set(seen)) == R.count(ledger, flt)
            keys = [((full[i][column] is not None, full[i][column]) if column != "id" else (True, i), i)
                    for i in seen]
            assert keys == sorted(keys, reverse=descending)


def test_large_candidate_sets_take_the_sort_index_path(ledger, people, monkeypatch):
    R.add_resident(ledger, {"name": "王张华"})          # 张 not as the first character
    R.add_resident(ledger, {"name": "张张"})            # both at the start and later
    monkeypatch.setattr(search, "CAP", 1)          # every unit is "large": walk the sort index
    monkeypatch.setattr(search, "SORT_CAP", 1)
    assert names(ledger, "张", sort="name") == sorted(["张三", "张三丰", "王张华", "张张"])
    assert names(ledger, "张", sort="name", descending=True) == sorted(["张三", "张三丰", "王张华", "张张"],
                                                                       reverse=True)
    assert names(ledger, "3号楼", sort="birth_date", descending=True) == ["张三丰", "张三", "单田芳", "李四"]
    assert names(ledger, "张") == ["张三", "张三丰", "王张华", "张张"]
    for sort in sorted(search.SORTABLE):
        for descending in (False, True):
            for text in ("张", "3号楼", "z"):
                flt = ResidentFilter(text=text)
                monkeypatch.setattr(search, "CAP", 1000)
                monkeypatch.setattr(search, "SORT_CAP", 1000)
                expected = [r["id"] for r in R.search_page(ledger, flt, sort=sort, descending=descending)[0]]
                monkeypatch.setattr(search, "CAP", 1)
                monkeypatch.setattr(search, "SORT_CAP", 1)
                seen, after = [], None
                while True:
                    rows, after = R.search_page(ledger, flt, sort=sort, descending=descending, after=after,
                                                limit=1)
                    seen += [r["id"] for r in rows]
                    if after is None:
                        break
                assert seen == expected, (sort, descending, text)


def test_index_follows_every_write_path(ledger, people):
    rid = people["张三"]
    R.update_resident(ledger, rid, {"name": "曾小贤", "phone": "13900009999"})
    assert names(ledger, "zxx") == ["曾小贤"] and names(ledger, "cxx") == ["曾小贤"]
    assert "张三" not in names(ledger, "zs")
    assert names(ledger, "9999") == ["曾小贤"] and names(ledger, "5678") == []
    other = household(ledger, room="808", building="8号楼")
    R.move_to_household(ledger, rid, other, "户主", "2026-10-01")
    assert names(ledger, "808") == ["曾小贤"]
    R.update_resident(ledger, rid, {"id_number": ""})
    assert names(ledger, people["_id_of"]["张三"][-6:]) == []
    # the index matches a full rebuild exactly
    before = ledger.query("SELECT * FROM resident_search ORDER BY token, resident_id")
    search.rebuild_index(ledger.conn)
    assert ledger.query("SELECT * FROM resident_search ORDER BY token, resident_id") == before


def test_tokens_of_heteronym_surnames():
    assert set(search.initials_of("单田芳")) >= {"dtf", "stf", "ctf"}
    assert set(search.initials_of("曾国藩")) == {"zgf", "cgf"}
    assert "p:z" in search.name_tokens("张三") and "b:张三" in search.name_tokens("张三")
