"""Helpers of the report tests: a small sample ledger, PDF text, font and picture checks."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path

import pytest

from models.volunteers import activities
from models.grids import hierarchy as grids
from models.matters import records as matters
from models.visits import records as visits
from models.volunteers import records as volunteers
from models.residents import history
from models.core.idcard import make_id

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "reports"


def add_resident(ledger, household_id: int, name: str, *, id_number: str | None = None, phone: str = "",
                 relation: str = "户主", gender: str = "", birth: str | None = None, tags=(),
                 status: str = "在册", status_date: str | None = None, moved_in_on: str | None = None) -> int:
    """Test setup: one resident row (the residents area is not under test here)."""
    grid_id, building_id = ledger.conn.execute(
        "SELECT grid_id, building_id FROM households WHERE id = ?", [household_id]).fetchone()
    with ledger.write():
        rid = ledger.db["residents"].insert(ledger.stamp({
            "household_id": household_id, "grid_id": grid_id, "building_id": building_id, "name": name,
            "gender": gender, "id_number": id_number, "birth_date": birth, "phone": phone,
            "relation": relation, "status": status, "status_date": status_date,
            "moved_in_on": moved_in_on}, creating=True)).last_rowid
        # its residence spell, as a bulk writer makes it (the residents area is not under test)
        history.seed_from_rows(ledger.conn, [rid], None, ledger.now_ts(), ledger.operator.name)
        for tag in tags:
            tag_id = ledger.scalar("SELECT id FROM tags WHERE name = ?", [tag])
            ledger.db["resident_tags"].insert({"resident_id": rid, "tag_id": tag_id})
        if relation == "户主":
            ledger.db.execute("UPDATE households SET head_resident_id = ? WHERE id = ?", [rid, household_id])
    return rid


def build_sample(ledger, clock) -> dict:
    """Two grids, a few households and residents, October 2026 matters, visits, one activity."""
    clock.set(2026, 10, 1, 8, 0, 0)
    h = {}
    h["a301"] = grids.ensure_place(ledger, grids.Place(None, "第一网格", "3号楼", "1单元", "301"))
    h["a302"] = grids.ensure_place(ledger, grids.Place(None, "第一网格", "3号楼", "1单元", "302"))
    h["a501"] = grids.ensure_place(ledger, grids.Place(None, "第一网格", "5号楼", "2单元", "501"))
    h["b101"] = grids.ensure_place(ledger, grids.Place(None, "第二网格", "8号楼", "1单元", "101"))
    g1 = ledger.scalar("SELECT id FROM grids WHERE name = '第一网格'")
    g2 = ledger.scalar("SELECT id FROM grids WHERE name = '第二网格'")
    ids = {
        "zhang": make_id("110101", dt.date(1950, 3, 7), 123),
        "li": make_id("110101", dt.date(1980, 5, 1), 222),
        "wang": make_id("110101", dt.date(1990, 1, 2), 331),
    }
    r = {}
    r["zhang"] = add_resident(ledger, h["a301"], "张桂兰", id_number=ids["zhang"], phone="13800001234",
                              gender="女", birth="1950-03-07", tags=("独居老人", "党员"))
    r["li"] = add_resident(ledger, h["a302"], "李建国", id_number=ids["li"], phone="13911112222",
                           gender="男", birth="1980-05-01", tags=("退役军人", "社区矫正"))
    r["li_wife"] = add_resident(ledger, h["a302"], "赵敏", relation="配偶", gender="女")
    r["wang"] = add_resident(ledger, h["a501"], "王小明", id_number=ids["wang"], phone="13700003333",
                             gender="男", birth="1990-01-02")
    r["gone"] = add_resident(ledger, h["b101"], "孙已迁", status="迁出", status_date="2026-09-30")
    r["qian"] = add_resident(ledger, h["b101"], "钱多多", relation="户主", phone="13600004444")
    staff = grids.add_staff(ledger, "刘网格", "网格员", "13500005555")
    grids.assign_staff(ledger, staff, grid_id=g1)

    clock.set(2026, 10, 25, 12, 0, 0)  # events below carry their own past times
    v1 = visits.record_visit(ledger, visited_on="2026-10-08", staff_id=staff, way="入户",
                             household_ids=[h["a301"], h["a302"]], notes="了解独居老人生活情况")
    m_spot = visits.visit_problem_to_matter(ledger, v1, {"category": "路灯照明", "level": "小事",
                                                         "description": "3号楼楼道灯不亮",
                                                         "registered_at": "2026-10-08 09:10:00"})
    matters.apply_action(ledger, m_spot, "办结", at="2026-10-08 10:00:00", result="已更换灯泡")
    m_up = visits.visit_problem_to_matter(ledger, v1, {"category": "邻里纠纷", "level": "私事",
                                                       "description": "楼上楼下漏水纠纷 <急>",
                                                       "registered_at": "2026-10-08 09:20:00"})
    matters.apply_action(ledger, m_up, "办结", at="2026-10-09 15:00:00", result="调解达成协议，楼上负责维修")
    matters.apply_action(ledger, m_up, "回访", at="2026-10-09 15:30:00", satisfaction="满意")
    m_fam = matters.register_matter(ledger, {"source": "来访", "category": "家庭矛盾", "level": "私事",
                                             "description": "赡养老人问题", "household_id": h["b101"],
                                             "reporter_name": "钱多多", "reporter_phone": "13600004444",
                                             "assignee_name": "陈调解", "registered_at": "2026-10-12 10:00:00"})
    matters.apply_action(ledger, m_fam, "办结", at="2026-10-12 11:00:00", result="已调解")
    matters.apply_action(ledger, m_fam, "回访", at="2026-10-12 11:00:00", satisfaction="不满意")
    matters.register_matter(ledger, {"source": "12345热线", "category": "邻里纠纷", "level": "私事",
                                     "description": "噪音引发争吵", "grid_id": g2,
                                     "registered_at": "2026-10-20 09:00:00", "assignee_name": "陈调解"})
    m_x = matters.register_matter(ledger, {"source": "其他", "category": "环境卫生", "level": "小事",
                                           "description": "重复登记", "grid_id": g1,
                                           "registered_at": "2026-10-20 09:00:00"})
    matters.apply_action(ledger, m_x, "作废", at="2026-10-20 09:00:00", note="重复登记")

    vol_a = volunteers.volunteer_for_resident(ledger, r["zhang"])
    vol_b = volunteers.add_outside_volunteer(ledger, "周志愿", "13400006666")
    act = activities.add_activity(ledger, activities.ActivityData(
        title="义诊进社区", on_date="2026-10-15", type="义诊进社区", start_time="09:00", end_time="11:30",
        place="社区广场", grid_id=g1, people_served=40), [(vol_a, None), (vol_b, 2.0)])
    activities.add_activity(ledger, activities.ActivityData(
        title="法律小讲堂", on_date="2026-10-22", type="法律小讲堂", place="党群服务中心",
        people_served=25), [(vol_a, 1.5)])
    clock.set(2026, 11, 2, 9, 0, 0)
    return {"households": h, "residents": r, "grids": {"g1": g1, "g2": g2}, "ids": ids, "staff": staff,
            "volunteers": {"zhang": vol_a, "zhou": vol_b}, "activity": act}


def pdf_text(path: Path) -> str:
    """All text of a PDF (pdftotext -layout when installed, else pypdf)."""
    if shutil.which("pdftotext"):
        return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True,
                              text=True).stdout
    from pypdf import PdfReader

    return "\n".join(page.extract_text() or "" for page in PdfReader(str(path)).pages)


def page_texts(path: Path) -> list[str]:
    from pypdf import PdfReader

    return [page.extract_text() or "" for page in PdfReader(str(path)).pages]


def fonts_not_embedded(path: Path) -> list[str]:
    """Font names of the PDF that carry no embedded font file (should be none)."""
    from pypdf import PdfReader

    missing = []
    seen = set()
    for page in PdfReader(str(path)).pages:
        resources = page.get("/Resources") or {}
        fonts = resources.get("/Font") or {}
        for ref in fonts.values():
            font = ref.get_object()
            name = str(font.get("/BaseFont"))
            if name in seen:
                continue
            seen.add(name)
            descriptor = font.get("/FontDescriptor")
            if font.get("/Subtype") == "/Type0":
                descendant = font["/DescendantFonts"][0].get_object()
                descriptor = descendant.get("/FontDescriptor")
            descriptor = descriptor.get_object() if descriptor is not None else None
            if descriptor is None or not any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")):
                missing.append(name)
    assert seen, "the PDF uses no fonts at all"
    return missing


def pdffonts_rows(path: Path) -> list[str]:
    """``pdffonts`` rows (skipped when poppler-utils is missing)."""
    if not shutil.which("pdffonts"):
        pytest.skip("pdffonts (poppler-utils) not installed")
    out = subprocess.run(["pdffonts", str(path)], check=True, capture_output=True, text=True).stdout
    return out.splitlines()[2:]


def save_png(pdf: Path, name: str, tmp_path: Path, page: int = 1) -> Path:
    """Render one page to PNG into tmp_path (and test-artifacts/reports when writable)."""
    if not shutil.which("pdftoppm"):
        pytest.skip("pdftoppm (poppler-utils) not installed")
    stem = tmp_path / f"{name}-p{page}"
    subprocess.run(["pdftoppm", "-r", "60", "-png", "-singlefile", "-f", str(page), "-l", str(page),
                    str(pdf), str(stem)], check=True)
    png = stem.with_suffix(".png")
    assert png.stat().st_size > 1000
    try:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        shutil.copy(png, ARTIFACTS / png.name)
    except OSError:
        pass
    return png
