"""PagedTableModel: keyset pages on demand (canFetchMore/fetchMore), sort and filter re-query, reset."""

import pytest
from PySide6.QtCore import Qt

from ui.models.paged_model import PagedTableModel
from ui.models.rows_model import Column


class Book:
    """A stand-in ledger: ``search_page`` with keyset paging over (sort value, id), like models/ does in SQL."""

    def __init__(self, people):
        self.people = people
        self.calls: list[tuple] = []

    def search_page(self, text, sort, descending, after, limit):
        self.calls.append((text, sort, descending, after))
        rows = sorted((p for p in self.people if text in p["name"]), key=lambda p: (p[sort], p["id"]),
                      reverse=descending)
        if after is not None:
            rows = [p for p in rows if ((p[sort], p["id"]) < after if descending else (p[sort], p["id"]) > after)]
        page = [dict(p) for p in rows[:limit]]
        more = len(rows) > limit
        return page, ((page[-1][sort], page[-1]["id"]) if more else None)


class PeopleModel(PagedTableModel):
    PAGE = 3

    def fetch_page(self, after):
        return self.ledger.search_page(self.filter, self.sort_key, self.descending, after, self.PAGE)


COLUMNS = [Column("姓名", "name", sort="name"), Column("年龄", "age", numeric=True, sort="age"), Column("备注", "notes")]
PEOPLE = [{"id": n, "name": name, "age": 20 + (n * 7) % 50, "notes": ""}
          for n, name in enumerate(["张三", "李四", "王五", "赵六", "张小明", "钱七", "孙八"], start=1)]


@pytest.fixture
def book():
    return Book(PEOPLE)


@pytest.fixture
def model(book):
    model = PeopleModel(book, COLUMNS, "", sort_key="age", descending=False)
    model.reload()
    return model


def _ages(model):
    return [model.index(r, 1).data(Qt.UserRole) for r in range(model.rowCount())]


def test_pages_are_fetched_as_the_view_asks(model, book):
    assert model.rowCount() == 3 and model.canFetchMore() and model.loaded() == 3
    model.fetchMore()
    assert model.rowCount() == 6 and model.canFetchMore()
    model.fetchMore()
    assert model.rowCount() == 7 and not model.canFetchMore()
    model.fetchMore()                       # nothing more: no query
    assert len(book.calls) == 3
    assert _ages(model) == sorted(p["age"] for p in PEOPLE)
    assert [c[3] for c in book.calls][0] is None and all(c[3] is not None for c in book.calls[1:])


def test_fetch_more_inserts_rows_without_a_reset(qtbot, model):
    with qtbot.assertNotEmitted(model.modelReset):
        with qtbot.waitSignal(model.rowsInserted) as inserted:
            model.fetchMore()
    assert inserted.args[1:] == [3, 5]


def test_header_sort_requeries_in_sql_order(qtbot, model, book):
    with qtbot.waitSignal(model.reloaded):
        model.sort(0, Qt.DescendingOrder)
    assert (model.sort_key, model.descending) == ("name", True)
    assert book.calls[-1][1:4] == ("name", True, None)
    while model.canFetchMore():
        model.fetchMore()
    assert [model.index(r, 0).data() for r in range(model.rowCount())] == sorted((p["name"] for p in PEOPLE),
                                                                                reverse=True)
    calls = len(book.calls)
    model.sort(2, Qt.AscendingOrder)        # 备注 has no sort key: ignored
    model.sort(9, Qt.AscendingOrder)
    assert len(book.calls) == calls and model.sort_key == "name"


def test_a_new_filter_resets_to_its_first_page(qtbot, model):
    model.fetchMore()
    with qtbot.waitSignals([model.modelReset, model.reloaded]):
        model.set_filter("张")
    assert sorted(model.index(r, 0).data() for r in range(model.rowCount())) == ["张三", "张小明"]
    assert not model.canFetchMore()
    model.set_filter("没有这个人")
    assert model.rowCount() == 0 and not model.canFetchMore()


def test_rows_set_directly_have_nothing_more_to_fetch(model):
    assert model.canFetchMore()
    model.set_rows([])
    assert model.rowCount() == 0 and not model.canFetchMore()


def test_a_failed_query_keeps_the_rows(model, book):
    def broken(*_a):
        raise RuntimeError("磁盘已满")

    shown = [model.index(r, 0).data() for r in range(model.rowCount())]
    book.search_page = broken
    with pytest.raises(RuntimeError):
        model.set_filter("张")
    assert [model.index(r, 0).data() for r in range(model.rowCount())] == shown


def test_the_ledger_may_be_asked_for_on_every_query(book):
    books = {"now": Book(PEOPLE[:2])}
    model = PeopleModel(lambda: books["now"], COLUMNS, "", sort_key="name")
    model.reload()
    assert model.rowCount() == 2
    books["now"] = book                     # another ledger was opened
    model.reload()
    assert model.rowCount() == 3 and model.canFetchMore()
    model.set_ledger(Book(PEOPLE[:1]))
    assert model.rowCount() == 1


def test_modeltester_while_paging(book, qtmodeltester):
    model = PeopleModel(book, COLUMNS, "", sort_key="name")
    model.reload()
    qtmodeltester.check(model)             # the tester drives fetchMore too
    assert model.rowCount() >= 3
    model.set_filter("张")
    qtmodeltester.check(model)
