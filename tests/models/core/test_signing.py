"""The ledger's own Ed25519 key: made at creation and on upgrade, kept, used to sign and check."""

import sqlite3

import pytest
import sqlite_utils

from models.core import signing
from models.core.db import Operator
from models.ledger import migrate, open_db


def test_a_new_ledger_has_its_own_key(tmp_path):
    one = open_db(tmp_path / "a.db", community_name="幸福社区")
    two = open_db(tmp_path / "b.db", community_name="和平社区")
    try:
        assert len(signing.public_key(one)) == 32
        assert signing.public_key(one) != signing.public_key(two)
    finally:
        one.close()
        two.close()
    again = open_db(tmp_path / "a.db")          # kept: opening again makes no new key
    try:
        assert again.scalar("SELECT COUNT(*) FROM signing_key") == 1
    finally:
        again.close()


def test_an_old_ledger_gets_a_key_on_upgrade_with_its_data_intact(tmp_path):
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    db = sqlite_utils.Database(conn)
    migrate(db, stop_before=["m003_signing_key_street", "m001_street_packages_street"])
    assert "signing_key" not in db.table_names() and "street_packages" not in db.table_names()
    now = "2026-01-01 08:00:00"
    db.execute("INSERT INTO communities (name, is_own, created_at, updated_at) VALUES ('幸福社区', 1, ?, ?)",
               [now, now])
    db.execute("INSERT INTO grids (community_id, name, created_at, updated_at) VALUES (1, '第一网格', ?, ?)",
               [now, now])
    db.execute("INSERT INTO evaluation_publications (month, version, published_at, published_by, scheme, figures)"
               " VALUES ('2025-12', 1, ?, '张文书', '{}', '{}')", [now])
    conn.commit()
    conn.close()

    led = open_db(path, operator=Operator("测试员"))
    try:
        public = signing.public_key(led)
        assert len(public) == 32
        assert led.scalar("SELECT COUNT(*) FROM pending_rebuilds") == 0
        assert led.query("SELECT name FROM grids") == [{"name": "第一网格"}]
        assert led.scalar("SELECT published_by FROM evaluation_publications") == "张文书"
        assert {"street_communities", "street_packages"} <= set(led.db.table_names())
    finally:
        led.close()
    again = open_db(path)
    try:
        assert signing.public_key(again) == public
    finally:
        again.close()


def test_sign_and_verify(ledger):
    public = signing.public_key(ledger)
    signature = signing.sign(ledger, "报送".encode())
    assert len(signature) == 64 and signing.sign(ledger, "报送".encode()) == signature   # deterministic
    assert signing.verify(public, signature, "报送".encode())
    assert not signing.verify(public, signature, "报送!".encode())
    assert not signing.verify(bytes(32), signature, "报送".encode())


def test_fingerprint_and_key_file(ledger):
    public = signing.public_key(ledger)
    text = signing.fingerprint(public)
    assert len(text) == 39 and len(text.split()) == 8 and text == text.upper()
    assert signing.read_key_file(signing.key_file_text("幸福社区", public)) == public
    assert signing.read_key_file(signing.encode_key(public)) == public
    assert signing.read_key_file("公钥：abc") is None
    import base64

    assert signing.decode_key(signing.encode_key(public) + " ") is None
    assert signing.decode_key(base64.b64encode(public[:31]).decode()) is None
    spelled = signing.encode_key(public)        # 32 bytes: the last character before "=" has 2 spare bits
    other = spelled[:-2] + "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"[
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".index(spelled[-2]) ^ 1] + "="
    assert base64.b64decode(other) == public and signing.decode_key(other) is None


@pytest.mark.parametrize("text", ["", "\n", "网格台账签名公钥\n"])
def test_no_key_in_a_file(text):
    assert signing.read_key_file(text) is None
