"""The monthly package (报送): from the published snapshot, no personal data, signed, any byte checked."""

import json

import pytest

from models.core import signing
from models.core.errors import ValidationError
from models.evaluation.adjustments import add_adjustment
from models.evaluation.publications import latest_publication
from models.evaluation.publishing import publish
from models.street.package import (COUNT_KEYS, PackageRefused, build_package, canonical, export_package,
                                   package_bytes, read_package)
from tests.models.street.street_helpers import MONTH, NOW, community


@pytest.fixture
def happy(clock):
    clock.set(*NOW.timetuple()[:5])
    led = community("幸福社区", 3, clock)
    yield led
    led.close()


def test_an_unpublished_month_has_no_package(happy):
    with pytest.raises(ValidationError, match="尚未定稿"):
        build_package(happy, "2026-09")


def test_the_package_carries_the_published_counts_scheme_and_who_published(happy):
    pub = latest_publication(happy, MONTH)
    p = build_package(happy, MONTH)
    assert p["month"] == MONTH and p["as_of"] == "2026-10-31 23:59:59"
    assert p["community"]["name"] == "幸福社区"
    assert p["community"]["fingerprint"] == signing.fingerprint(signing.public_key(happy))
    assert p["publication"] == {"version": 1, "published_at": "2026-11-05 09:00:00", "published_by": "张文书",
                                "reason": "", "supersedes": None}
    assert p["scheme"] == pub.scheme.to_dict()
    assert [g["name"] for g in p["grids"]] == [g.name for g in pub.evaluation.grids]
    for g, fig in zip(p["grids"], pub.evaluation.grids):
        assert set(g["counts"]) == set(COUNT_KEYS)
        assert g["counts"]["due"] == fig.indicators["on_time"].denominator
        assert g["counts"]["on_time"] == fig.indicators["on_time"].numerator
        assert g["counts"]["visited"] == fig.indicators["visit_coverage"].numerator
        assert g["counts"]["households"] == fig.households
        assert g["counts"]["hours"] == fig.indicators["volunteer"].numerator
        assert g["total"] == fig.total and g["rank"] == fig.rank
        assert g["adjustment_points"] == fig.adjustments
    pooled = pub.evaluation.communities[0]
    assert p["totals"]["counts"]["residents"] == pooled.residents
    assert p["totals"]["total"] == pooled.total
    # the counts of the grids add up to the community's (hours: plus community-wide activities)
    for key in ("due", "on_time", "ratings", "satisfied", "households", "visited", "patrol", "residents",
                "complete"):
        assert sum(g["counts"][key] for g in p["grids"]) == p["totals"]["counts"][key]


def test_adjustments_travel_with_their_reasons(happy):
    grid_id = latest_publication(happy, MONTH).evaluation.grids[0].grid_id
    add_adjustment(happy, MONTH, -1.5, "台账报送迟交两天", grid_id=grid_id)
    publish(happy, MONTH, "补记加减分")
    p = build_package(happy, MONTH)
    assert p["publication"]["version"] == 2 and p["publication"]["supersedes"] == 1
    assert p["publication"]["reason"] == "补记加减分"
    grid = next(g for g in p["grids"] if g["grid_id"] == grid_id)
    manual = [a for a in grid["adjustments"] if a["source"] == "手工"]
    assert [(a["points"], a["reason"]) for a in manual] == [(-1.5, "台账报送迟交两天")]
    assert all(set(a) == {"source", "points", "reason", "at"} for g in p["grids"] for a in g["adjustments"])


def test_the_package_is_the_published_snapshot_not_live_data(happy):
    before = package_bytes(happy, MONTH)
    grid_id = latest_publication(happy, MONTH).evaluation.grids[0].grid_id
    add_adjustment(happy, MONTH, 3, "事后补加", grid_id=grid_id)
    happy.db.execute("UPDATE residents SET phone = ''")           # completeness would drop
    assert package_bytes(happy, MONTH) == before


def _strings(value):
    if isinstance(value, dict):
        for k, v in value.items():
            yield str(k)
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)
    elif value is not None:
        yield str(value)


def test_no_personal_data_anywhere_in_the_package(happy):
    """Walk every key and value of the file: no resident's name, ID number, phone, room or address."""
    # cards and manual reasons present too, so their texts are walked as well
    grid_id = latest_publication(happy, MONTH).evaluation.grids[0].grid_id
    add_adjustment(happy, MONTH, 1, "组织消防演练", grid_id=grid_id)
    publish(happy, MONTH, "补记")
    doc = json.loads(package_bytes(happy, MONTH))
    text = "\n".join(_strings(doc))
    names = {r["name"] for r in happy.query("SELECT DISTINCT name FROM residents")}
    ids = {r["id_number"] for r in happy.query("SELECT id_number FROM residents WHERE id_number <> ''")}
    phones = {r["phone"] for r in happy.query("SELECT phone FROM residents WHERE phone <> ''")}
    addresses = {r["address"] for r in happy.query("SELECT address FROM households WHERE address <> ''")}
    # below building level: unit and room, as an address would write them
    addresses |= {f"{r['building']}{r['unit']}{r['room']}" for r in happy.query(
        "SELECT b.name AS building, u.name AS unit, h.room FROM households h JOIN units u ON u.id = h.unit_id"
        " JOIN buildings b ON b.id = u.building_id")}
    rooms = {r["room"] for r in happy.query("SELECT room FROM households WHERE length(room) >= 3")}
    assert len(names) > 500 and ids and phones and len(addresses) > 100
    leaked = [v for v in names | ids | phones | addresses if v and v in text]
    assert leaked == []
    # not even the parts: a room number or a phone's last 8 digits
    assert [r for r in rooms if f"{r}室" in text] == []
    assert [p for p in phones if len(p) >= 8 and p[-8:] in text] == []
    # what does appear is only the community and its grids
    grid_names = {g["name"] for g in doc["package"]["grids"]}
    assert grid_names <= {r["name"] for r in happy.query("SELECT name FROM grids")}


def test_the_file_is_signed_by_the_ledgers_key_and_reads_back(happy, tmp_path):
    out = tmp_path / "幸福社区_2026-10.glpkg"
    done = export_package(happy, MONTH, out)
    data = out.read_bytes()
    assert data == package_bytes(happy, MONTH)           # deterministic: same version, same bytes
    doc = json.loads(data)
    assert canonical(doc) == data
    received = read_package(data, out.name)
    assert received.public_key == signing.public_key(happy)
    assert received.fingerprint == done["fingerprint"]
    assert (received.community, received.month, received.version) == ("幸福社区", MONTH, 1)
    assert happy.scalar("SELECT COUNT(*) FROM audit_log WHERE action = '报送'") == 1


def test_changing_any_byte_is_refused(happy):
    data = package_bytes(happy, MONTH)
    positions = sorted(set(range(0, len(data), max(1, len(data) // 400))) | set(range(len(data) - 100, len(data))))
    for pos in positions:
        for delta in (1, 0x20):
            changed = bytearray(data)
            changed[pos] = (changed[pos] + delta) % 256
            with pytest.raises(PackageRefused):
                read_package(bytes(changed), "x.glpkg")


@pytest.mark.parametrize("mutate", [
    lambda d: d[:-1],                                  # truncated
    lambda d: d + b"\n",                               # a byte added
    lambda d: b"PK\x03\x04" + d,                      # not JSON
    lambda d: "不是报送".encode("gbk"),                # not UTF-8
    lambda d: b"[]",
    lambda d: b'{"package":{},"signature":""}',
])
def test_malformed_files_are_refused(happy, mutate):
    with pytest.raises(PackageRefused):
        read_package(mutate(package_bytes(happy, MONTH)), "x.glpkg")


def test_a_package_re_signed_by_another_key_after_a_change_still_names_that_key(happy, clock):
    """Changing the figures and signing with another ledger's key gives a valid signature,
    but by another key: the street refuses it against the registered key (test_street_registry)."""
    other = community("幸福社区", 9, clock, publish_month=False)
    try:
        doc = json.loads(package_bytes(happy, MONTH))
        doc["package"]["grids"][0]["counts"]["on_time"] += 1
        import base64

        doc["signature"] = base64.b64encode(signing.sign(other, canonical(doc["package"]))).decode()
        with pytest.raises(PackageRefused, match="签名无效"):
            read_package(canonical(doc), "x.glpkg")   # the key inside is still happy's
    finally:
        other.close()


def test_personal_data_typed_into_a_reason_is_masked(happy):
    name = happy.scalar("SELECT name FROM residents WHERE length(name) = 3 LIMIT 1")
    grid_id = latest_publication(happy, MONTH).evaluation.grids[0].grid_id
    add_adjustment(happy, MONTH, 1, f"表扬{name}（13812345678，身份证340104196102030011）热心帮助邻居",
                   grid_id=grid_id)
    add_adjustment(happy, MONTH, -1, "网格巡查记录缺两天", grid_id=grid_id)
    publish(happy, MONTH, "补记")
    grid = next(g for g in build_package(happy, MONTH)["grids"] if g["grid_id"] == grid_id)
    reasons = [a["reason"] for a in grid["adjustments"] if a["source"] == "手工"]
    assert reasons == ["表扬***（***********，身份证******************）热心帮助邻居", "网格巡查记录缺两天"]
