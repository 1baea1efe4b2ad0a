"""The street bulletin (issue 12): communities and all grids ranked, honour lists, charts, who has not
reported, every font embedded; and the community bulletin prints its key's fingerprint."""

import pytest

import reports
from models.core import signing
from models.reporting.evaluation_data import monthly_bulletin_data
from models.street import registry
from models.street.bulletin import honour_lists, street_annual_data, street_bulletin_data
from models.street.package import package_bytes
from tests.models.street.street_helpers import MONTH, NOW, community, street
from tests.reports.report_helpers import fonts_not_embedded, page_texts, pdf_text


@pytest.fixture
def street_ledger(clock):
    clock.set(*NOW.timetuple()[:5])
    a = community("幸福社区", 3, clock)
    b = community("和平社区", 4, clock)
    s = street(clock)
    registry.import_packages(s, [("a.glpkg", package_bytes(a, MONTH), "")], trust=True)
    registry.add_community(s, "和平社区", signing.key_file_text("和平社区", signing.public_key(b)))
    yield s, a
    for led in (a, b, s):
        led.close()


def test_the_street_bulletin(street_ledger, tmp_path):
    s, _a = street_ledger
    data = street_bulletin_data(s, MONTH)
    assert data.title == "长江路街道2026年10月社区和网格月度评比通报"
    assert data.not_reported == ["和平社区"]
    path = tmp_path / "街道通报.pdf"
    pages = reports.render(data, path)
    assert pages >= 2 and fonts_not_embedded(path) == []
    text = pdf_text(path)
    for words in ("长江路街道办事处", "各社区：", "一、总体情况", "未报送：和平社区", "社区红榜（前三名）：幸福社区",
                  "网格黑榜", "附件1", "社区评比排名表", "全街道网格评比排名表", "各网格总分", "附件4", "报送情况",
                  "附件5", "评比办法", "特此通报"):
        assert words in text.replace(" ", ""), words
    pages = page_texts(path)
    assert "附件1" not in pages[0].replace(" ", "").split("附件：")[0]     # the attachments follow the notice


@pytest.mark.parametrize("totals, red, black", [
    ([90, 80, 70, 60, 50], [90, 80, 70], [60, 50]),
    ([90, 90, 90, 90, 50], [90, 90, 90, 90], [50]),
    ([90, 80], [90, 80], []),
    ([], [], []),
])
def test_honour_lists(totals, red, black):
    from types import SimpleNamespace

    from models.evaluation.scoring import assign_ranks

    rows = [SimpleNamespace(total=t, rank=0) for t in totals]
    assign_ranks(rows)
    r, b = honour_lists(rows)
    assert [x.total for x in r] == red and [x.total for x in b] == black


def test_the_community_bulletin_prints_the_ledgers_key_fingerprint(street_ledger, tmp_path):
    _s, a = street_ledger
    data = monthly_bulletin_data(a, MONTH)
    assert data.key_fingerprint == signing.fingerprint(signing.public_key(a))
    path = tmp_path / "通报.pdf"
    reports.render(data, path)
    assert data.key_fingerprint in pdf_text(path)


def test_the_street_annual_assessment(street_ledger, tmp_path):
    s, _a = street_ledger
    data = street_annual_data(s, 2026)
    assert [r.community for r in data.rows] == ["幸福社区"] and data.not_assessed == ["和平社区"]
    path = tmp_path / "年度.pdf"
    reports.render(data, path)
    assert fonts_not_embedded(path) == []
    text = pdf_text(path).replace(" ", "")
    assert "长江路街道2026年度社区考评" in text and "未参加考评的社区：和平社区" in text
