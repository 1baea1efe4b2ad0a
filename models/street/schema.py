"""Schema of the street office: its communities (with their registered public keys) and the
packages it imported.  Every ledger has these tables; only a street ledger
(setting ``ledger_kind`` = ``street``) fills them.
"""

from sqlite_utils.migrations import Migrations

from models.core.schema import run_script

migrations = Migrations("gridledger.street")


@migrations()
def m001_street_packages_street(db):
    run_script(db, """
    CREATE TABLE street_communities (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        public_key TEXT NOT NULL UNIQUE,     -- base64 of the raw Ed25519 public key
        fingerprint TEXT NOT NULL,
        registered_at TEXT NOT NULL,
        registered_by TEXT NOT NULL DEFAULT '',
        registered_how TEXT NOT NULL         -- '公钥文件' or '首次导入核对指纹'
    );

    CREATE TABLE street_packages (
        id INTEGER PRIMARY KEY,
        community_id INTEGER NOT NULL REFERENCES street_communities(id),
        month TEXT NOT NULL,                 -- 'YYYY-MM'
        version INTEGER NOT NULL,            -- the community's 定稿 version
        published_at TEXT NOT NULL,
        published_by TEXT NOT NULL,
        reason TEXT NOT NULL DEFAULT '',
        sha256 TEXT NOT NULL,                -- of the file as received
        package TEXT NOT NULL,               -- the signed canonical JSON (models.street.package)
        signature TEXT NOT NULL,             -- base64 Ed25519 signature of ``package``
        imported_at TEXT NOT NULL,
        imported_by TEXT NOT NULL DEFAULT '',
        superseded_by INTEGER REFERENCES street_packages(id),
        UNIQUE (community_id, month, version)
    );
    CREATE INDEX street_packages_month ON street_packages (month, superseded_by);
    """)
