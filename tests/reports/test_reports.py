"""The PDF reports: text in the right order, every font embedded, pages numbered, IDs masked."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

import reports
from models.evaluation import adjustments as ev
from models.reporting import data as rd
from models.core.db import Operator
from reports import annual, fonts, ledgers, monthly, scorecards
from tests.reports import report_factories as factories
from tests.reports.report_helpers import (fonts_not_embedded, page_texts, pdf_text, pdffonts_rows, save_png)


def _pages(path) -> list:
    return PdfReader(str(path)).pages


def _check_page_numbers(path) -> int:
    texts = page_texts(path)
    total = len(texts)
    for n, text in enumerate(texts, 1):
        assert re.search(rf"第\s*{n}\s*页\s*共\s*{total}\s*页", text), f"page {n} lacks its number"
    return total


# -- fonts -------------------------------------------------------------------------------------

def test_bundled_fonts_are_truetype_with_licences():
    sources = fonts.register_fonts()
    assert set(sources) == {fonts.SONG, fonts.HEI, fonts.FANG, fonts.KAI}
    folder = fonts.bundled_font_dir()
    for name in ("uming.ttc", "wqy-zenhei.ttc"):
        data = (folder / name).read_bytes()[:4]
        assert data == b"ttcf"
    licences = sorted(p.name for p in folder.glob("LICENSE*"))
    assert "LICENSE-uming-ARPHICPL.txt" in licences and "LICENSE-wqy-zenhei.txt" in licences


_PROBE = """
import json, sys
sys.path.insert(0, {root!r})
from reports import fonts
print(json.dumps({{k: [str(v.path), v.system] for k, v in fonts.register_fonts().items()}}))
"""


def _probe_fonts(env_extra: dict) -> dict:
    """Register the fonts in a fresh interpreter (registration is once per process)."""
    import json
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = str(Path(__file__).resolve().parents[2])
    env = {k: v for k, v in os.environ.items() if k not in ("GRIDLEDGER_SYSTEM_FONT_DIR", fonts.ENV_BUNDLED_ONLY)}
    env.update(env_extra)
    out = subprocess.run([sys.executable, "-c", _PROBE.format(root=root)], env=env, check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out)


def test_windows_fonts_are_preferred_when_present(tmp_path):
    """A Windows font folder holding simhei.ttf wins over the bundled Hei; Fang/Kai fall back to Song."""
    (tmp_path / "simhei.ttf").symlink_to(fonts.bundled_font_dir() / "wqy-zenhei.ttc")
    found = _probe_fonts({"GRIDLEDGER_SYSTEM_FONT_DIR": str(tmp_path)})
    assert found["Hei"] == [str(tmp_path / "simhei.ttf"), True]
    assert found["Song"][1] is False and found["Song"][0].endswith("uming.ttc")
    assert found["Fang"] == found["Song"] and found["Kai"] == found["Song"]
    bundled = _probe_fonts({"GRIDLEDGER_SYSTEM_FONT_DIR": str(tmp_path), fonts.ENV_BUNDLED_ONLY: "1"})
    assert bundled["Hei"][1] is False


# -- monthly bulletin ----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def bulletin_pdf(tmp_path_factory):
    path = tmp_path_factory.mktemp("bulletin") / "bulletin.pdf"
    pages = monthly.render(factories.bulletin(40), path)
    return path, pages


def test_bulletin_ranking_order_month_and_lists(bulletin_pdf):
    path, pages = bulletin_pdf
    text = pdf_text(path)
    assert "幸福社区居民委员会" in text
    assert "2026年10月" in text
    ranking = text[text.index("网格评比排名表"):text.index("红榜黑榜与总分对比")]
    positions = [ranking.index(factories.grid_name(i)) for i in range(1, 41)]
    assert positions == sorted(positions), "grids must be listed in rank order"
    lists = text[text.index("红榜黑榜与总分对比"):text.index("各网格总分（按排名）")]
    red, black = lists.split("黑榜（后三名）")
    assert [factories.grid_name(i) in red for i in (1, 2, 3, 4)] == [True, True, True, False]
    assert [factories.grid_name(i) in black for i in (37, 38, 39, 40)] == [False, True, True, True]
    assert "红色议事厅化解停车难题" in text and "督办黄牌" in text
    assert "按期办结率（30 分）" in text or "按期办结率（30分）" in text
    assert "特此通报" in text and "2026年11月3日" in text
    assert pages == _check_page_numbers(path)


def test_bulletin_header_row_repeats_on_the_next_page(bulletin_pdf):
    path, _ = bulletin_pdf
    texts = page_texts(path)
    first = next(i for i, t in enumerate(texts) if t.lstrip().startswith("附件1"))
    continued = texts[first + 1]
    assert factories.grid_name(40) in continued or factories.grid_name(30) in continued
    assert "按期办结" in continued and "较上月" in continued


def test_bulletin_embeds_every_font(bulletin_pdf):
    path, _ = bulletin_pdf
    assert fonts_not_embedded(path) == []
    rows = pdffonts_rows(path)
    assert rows and all(" yes " in f" {row} " and row.split()[-5] == "yes" for row in rows), rows
    assert not any("Helvetica" in row for row in rows)


def test_bulletin_page_one_png(bulletin_pdf, tmp_path):
    path, _ = bulletin_pdf
    assert save_png(path, "bulletin", tmp_path).exists()


def test_unpublished_bulletin_says_so(tmp_path):
    path = tmp_path / "draft.pdf"
    monthly.render(factories.bulletin(5, published=None), path)
    assert "未定稿" in pdf_text(path)


def test_bulletin_from_a_ledger(ledger, sample, tmp_path):
    ev.add_adjustment(ledger, "2026-10", 2, "组织红色议事厅成效突出", grid_id=sample["grids"]["g2"])
    data = rd.gather(ledger, rd.ReportRequest("monthly", month="2026-10"))
    out = io.BytesIO()
    pages = reports.render(data, out)
    path = tmp_path / "b.pdf"
    path.write_bytes(out.getvalue())
    text = pdf_text(path)
    first, second = data.rows[0].name, data.rows[1].name
    ranking = text[text.index("网格评比排名表"):]
    assert ranking.index(first) < ranking.index(second)
    assert f"{data.rows[0].total:.2f}" in text
    assert "组织红色议事厅成效突出" in text
    assert pages == len(_pages(path))


def test_report_issuer_setting_is_printed(ledger, sample, tmp_path):
    ledger.set_setting("report_issuer", "幸福街道幸福社区居民委员会")
    data = rd.gather(ledger, rd.ReportRequest("monthly", month="2026-10"))
    path = tmp_path / "b.pdf"
    reports.render(data, path)
    assert "幸福街道幸福社区居民委员会" in pdf_text(path)


# -- annual, scorecards ----------------------------------------------------------------------------

def test_annual_matrix_is_landscape_with_grades(tmp_path):
    path = tmp_path / "annual.pdf"
    pages = annual.render(factories.annual(30), path)
    first = _pages(path)[0]
    assert float(first.mediabox.width) > float(first.mediabox.height)
    text = pdf_text(path)
    for label in ("1月", "12月", "月均分", "年度总分", "等次", "优秀", "良好", "合格", "不合格"):
        assert label in text
    positions = [text.index(factories.grid_name(i)) for i in range(1, 31)]
    assert positions == sorted(positions)
    assert pages == _check_page_numbers(path)
    assert fonts_not_embedded(path) == []
    save_png(path, "annual", tmp_path)


def test_scorecards_show_counts_per_grid(ledger, sample, tmp_path):
    data = rd.gather(ledger, rd.ReportRequest("scorecards", month="2026-10"))
    path = tmp_path / "cards.pdf"
    scorecards.render(data, path)
    text = pdf_text(path)
    for card in data.cards:
        assert card.figures.name in text
    assert "按期办结件数" in text and "应办结件数" in text and "在住户数" in text
    assert "网格长（签字）" in text
    assert fonts_not_embedded(path) == []
    save_png(path, "scorecards", tmp_path)


# -- 台账 -------------------------------------------------------------------------------------------

def test_month_ledger_sections_and_numbers(ledger, sample, tmp_path):
    data = rd.gather(ledger, rd.ReportRequest("ledger", month="2026-10"))
    path = tmp_path / "ledger.pdf"
    pages = ledgers.render(data, path)
    text = pdf_text(path)
    for title in ("矛盾纠纷排查调处台账", "网格员民情日志", "志愿服务活动台账"):
        assert title in text
    assert "楼上楼下漏水纠纷 <急>" in text  # user text is escaped, not taken as markup
    assert "136****4444" in text and "13600004444" not in text
    assert "重复登记" not in text  # cancelled matters are not listed
    assert "义诊进社区" in text and "法律小讲堂" in text
    assert pages == _check_page_numbers(path)
    assert fonts_not_embedded(path) == []
    save_png(path, "ledger", tmp_path)


@pytest.mark.parametrize("rows", [100, 400])  # LongTable, and PagedTable (one page at a time)
def test_long_ledger_repeats_its_header_and_never_loses_a_row(tmp_path, rows):
    path = tmp_path / "long.pdf"
    pages = ledgers.render(factories.matters_ledger(rows), path)
    texts = page_texts(path)
    assert pages >= 3
    for text in texts[1:]:
        if "2026-10-0" in text:
            assert "事项描述" in text and "办理结果" in text
    numbers = re.findall(r"2026-10-(\d{4})", "\n".join(texts))
    assert sorted(int(n) for n in numbers) == list(range(1, rows + 1))  # each row exactly once


def test_roster_masks_ids_and_follows_presence(ledger, sample, tmp_path):
    data = rd.resident_roster(ledger, sample["grids"]["g1"], as_of="2026-10-31")
    assert data.residents == 4 and data.households == 3
    assert [g.building for g in data.groups] == ["3号楼", "5号楼"]
    assert [r.name for r in data.groups[0].rows] == ["张桂兰", "李建国", "赵敏"]
    assert "社区矫正" not in data.groups[0].rows[1].tags
    path = tmp_path / "roster.pdf"
    ledgers.render(data, path)
    text = pdf_text(path)
    assert "110101********" in text
    assert sample["ids"]["zhang"] not in text
    other = rd.resident_roster(ledger, sample["grids"]["g2"], as_of="2026-10-31")
    assert [r.name for g in other.groups for r in g.rows] == ["钱多多"]  # 孙已迁 moved out on 30 Sept


def test_special_roster_hides_sensitive_tags_unless_asked(ledger, sample, tmp_path):
    data = rd.special_roster(ledger, as_of="2026-10-31")
    tags = {g.tag: [r.name for r in g.rows] for g in data.groups}
    assert "社区矫正" not in tags
    assert tags["独居老人"] == ["张桂兰"] and tags["退役军人"] == ["李建国"]
    path = tmp_path / "special.pdf"
    ledgers.render(data, path)
    assert "社区矫正" not in pdf_text(path)
    ledger.operator = Operator("管理员", role="管理员")
    sensitive = rd.special_roster(ledger, as_of="2026-10-31", include_sensitive=True)
    assert any(g.tag == "社区矫正" and [r.name for r in g.rows] == ["李建国"] for g in sensitive.groups)


def test_certificate(ledger, sample, tmp_path):
    data = rd.certificate(ledger, sample["volunteers"]["zhang"], "2026-01-01", "2026-10-31")
    assert (data.total_hours, data.activity_count) == (4.0, 2)
    path = tmp_path / "cert.pdf"
    assert ledgers.render(data, path) == 1
    text = pdf_text(path)
    assert "志愿服务证明" in text and "张桂兰" in text and "4.00" in text
    assert "110101********" in text and sample["ids"]["zhang"] not in text
    assert "2026年1月1日至2026年10月31日" in re.sub(r"\s+", "", text)
    assert "幸福社区居民委员会" in text
    assert fonts_not_embedded(path) == []
    save_png(path, "certificate", tmp_path)


def test_empty_month_ledger_still_prints(ledger, tmp_path):
    data = rd.gather(ledger, rd.ReportRequest("ledger", month="2026-03"))
    path = tmp_path / "empty.pdf"
    ledgers.render(data, path)
    text = pdf_text(path)
    assert "本期没有登记民情事项" in text and "本期没有走访记录" in text and "本期没有志愿服务活动" in text


@pytest.mark.parametrize("request_args", [
    dict(kind="monthly", month="2026-10"), dict(kind="scorecards", month="2026-10"), dict(kind="annual", year=2026),
    dict(kind="ledger", month="2026-10"), dict(kind="special", as_of="2026-10-31"),
    dict(kind="patrol", date_from="2026-10-01", date_to="2026-10-31"),
])
def test_a_new_empty_ledger_prints_every_report(ledger, request_args):
    out = io.BytesIO()
    data = rd.gather(ledger, rd.ReportRequest(**request_args))
    assert reports.render(data, out) >= 1
    assert out.getvalue().startswith(b"%PDF-")
