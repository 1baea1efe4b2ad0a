"""Schema of the core ledger: settings, users, audit, the hierarchy, residents, staff.

Migrations are named functions (sqlite-utils ``Migrations``), recorded in
``_sqlite_migrations``.  Never edit a migration that has shipped: add a new one.
Every migration set of the ledger is listed in ``models.ledger._migration_sets``.

A migration is self-contained: plain SQL (and plain Python on its rows), never a call
to the areas' code, which may change after the migration has shipped and would change
what an old migration does.  A derived table the areas fill (a search index) is
*marked* for rebuilding instead (:func:`mark_rebuild`); ``models.ledger.migrate``
rebuilds what is marked with the code of the day, after every migration has run.

Conventions for every table: ``id INTEGER PRIMARY KEY``; timestamps are local
``YYYY-MM-DD HH:MM:SS`` text, dates ``YYYY-MM-DD``; ``created_at/created_by/
updated_at/updated_by`` on every record a clerk edits.
"""

import sqlite3

from sqlite_utils.migrations import Migrations

migrations = Migrations("gridledger.core")

STAMPS = """
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL DEFAULT '',
    updated_at TEXT NOT NULL,
    updated_by TEXT NOT NULL DEFAULT ''
"""


def run_script(db, sql: str) -> None:
    """Run several SQL statements inside the current transaction (migrations).

    ``sqlite3.executescript`` would COMMIT a pending transaction first, and sqlite-utils'
    ``executescript`` avoids that by re-joining the script one character at a time, which
    costs ~60 ms for our schema on every new ledger.  This splits at semicolons and asks
    ``sqlite3.complete_statement`` whether a statement (a trigger's body included) is whole.
    """
    buffer = ""
    for piece in sql.split(";"):
        buffer += piece + ";"
        if sqlite3.complete_statement(buffer):
            if buffer.strip(" \t\r\n;"):
                db.conn.execute(buffer)
            buffer = ""
    if buffer.strip(" \t\r\n;"):
        db.conn.execute(buffer)



def mark_rebuild(db, name: str) -> None:
    """Ask for ``name`` (a key of ``models.ledger.REBUILDS``) to be rebuilt after migrating.

    Part of the migrations' contract: never change what it writes.  The table
    ``pending_rebuilds`` holds one row per rebuild still to do.
    """
    db.execute("CREATE TABLE IF NOT EXISTS pending_rebuilds (name TEXT PRIMARY KEY)")
    db.execute("INSERT OR IGNORE INTO pending_rebuilds (name) VALUES (?)", [name])


@migrations()
def m001_core(db):
    run_script(db, f"""
    CREATE TABLE settings (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL,           -- JSON
        updated_at TEXT,
        updated_by TEXT
    );

    -- Users and roles (SPEC §3): 管理员 / 工作人员 / 网格员 / 督导员.
    CREATE TABLE users (
        id INTEGER PRIMARY KEY,
        username TEXT NOT NULL UNIQUE,
        display_name TEXT NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('管理员', '工作人员', '网格员', '督导员')),
        password_hash TEXT,
        staff_id INTEGER,              -- a 网格员 user is limited to this staff member's grids
        active INTEGER NOT NULL DEFAULT 1,
        {STAMPS}
    );

    CREATE TABLE audit_log (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        operator TEXT NOT NULL,
        user_id INTEGER,
        action TEXT NOT NULL,          -- 新增 / 修改 / 迁出 / 导出完整身份证号 …
        table_name TEXT NOT NULL,
        row_id INTEGER,
        old_value TEXT,                -- JSON, ID numbers masked
        new_value TEXT
    );
    CREATE INDEX audit_log_at ON audit_log (at);
    CREATE INDEX audit_log_row ON audit_log (table_name, row_id);

    CREATE TABLE communities (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        is_own INTEGER NOT NULL DEFAULT 0,   -- the ledger's own community
        {STAMPS}
    );

    CREATE TABLE grids (
        id INTEGER PRIMARY KEY,
        community_id INTEGER NOT NULL REFERENCES communities(id),
        name TEXT NOT NULL,
        code TEXT,
        established_on TEXT,           -- NULL: existed from the start
        dissolved_on TEXT,
        notes TEXT NOT NULL DEFAULT '',
        {STAMPS},
        UNIQUE (community_id, name)
    );

    CREATE TABLE buildings (
        id INTEGER PRIMARY KEY,
        grid_id INTEGER NOT NULL REFERENCES grids(id),
        name TEXT NOT NULL,            -- 3号楼
        compound TEXT NOT NULL DEFAULT '',   -- 小区
        {STAMPS},
        UNIQUE (grid_id, compound, name)
    );
    CREATE INDEX buildings_grid ON buildings (grid_id);

    CREATE TABLE units (
        id INTEGER PRIMARY KEY,
        building_id INTEGER NOT NULL REFERENCES buildings(id),
        name TEXT NOT NULL,            -- 1单元; '' for a building without stairwells
        {STAMPS},
        UNIQUE (building_id, name)
    );

    CREATE TABLE households (
        id INTEGER PRIMARY KEY,
        unit_id INTEGER NOT NULL REFERENCES units(id),
        building_id INTEGER NOT NULL REFERENCES buildings(id),   -- denormalised from unit
        grid_id INTEGER NOT NULL REFERENCES grids(id),           -- denormalised from building
        room TEXT NOT NULL,            -- 301
        address TEXT NOT NULL DEFAULT '',
        head_resident_id INTEGER,      -- 户主
        notes TEXT NOT NULL DEFAULT '',
        {STAMPS},
        UNIQUE (unit_id, room)
    );
    CREATE INDEX households_grid ON households (grid_id);
    CREATE INDEX households_building ON households (building_id);

    -- Tag list (configurable); sensitive ones (重点人员) visible to authorised roles only.
    CREATE TABLE tags (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        sensitive INTEGER NOT NULL DEFAULT 0,
        sort_order INTEGER NOT NULL DEFAULT 0
    );

    CREATE TABLE residents (
        id INTEGER PRIMARY KEY,
        household_id INTEGER REFERENCES households(id),
        grid_id INTEGER REFERENCES grids(id),     -- denormalised from household, for filters
        building_id INTEGER REFERENCES buildings(id),
        name TEXT NOT NULL,
        gender TEXT NOT NULL DEFAULT '' CHECK (gender IN ('', '男', '女')),
        ethnicity TEXT NOT NULL DEFAULT '',
        id_number TEXT UNIQUE,         -- normalised 18-character GB 11643 number, or NULL
        birth_date TEXT,
        phone TEXT NOT NULL DEFAULT '',
        relation TEXT NOT NULL DEFAULT '',        -- 与户主关系
        residence_type TEXT NOT NULL DEFAULT '户籍人口'
            CHECK (residence_type IN ('户籍人口', '常住人口', '流动人口')),
        political_status TEXT NOT NULL DEFAULT '',
        notes TEXT NOT NULL DEFAULT '',
        status TEXT NOT NULL DEFAULT '在册' CHECK (status IN ('在册', '迁出', '死亡')),
        status_date TEXT,              -- date of moving out / death
        moved_in_on TEXT,              -- NULL: unknown (counts as present from the start)
        {STAMPS}
    );
    CREATE INDEX residents_household ON residents (household_id);
    CREATE INDEX residents_grid ON residents (grid_id, id);
    CREATE INDEX residents_building ON residents (building_id, id);

    CREATE TABLE resident_tags (
        resident_id INTEGER NOT NULL REFERENCES residents(id),
        tag_id INTEGER NOT NULL REFERENCES tags(id),
        PRIMARY KEY (resident_id, tag_id)
    ) WITHOUT ROWID;
    CREATE INDEX resident_tags_tag ON resident_tags (tag_id, resident_id);

    -- Status history: every move-in, move-out, death (and its undoing) with its date.
    CREATE TABLE resident_status_events (
        id INTEGER PRIMARY KEY,
        resident_id INTEGER NOT NULL REFERENCES residents(id),
        event TEXT NOT NULL CHECK (event IN ('迁入', '迁出', '死亡', '恢复在册', '户内调整')),
        on_date TEXT NOT NULL,
        note TEXT NOT NULL DEFAULT '',
        household_id INTEGER,          -- the household after the event
        created_at TEXT NOT NULL,
        created_by TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX resident_status_events_resident ON resident_status_events (resident_id);

    -- The four-level service team (督导员 / 网格长 / 网格员 / 楼栋长).
    CREATE TABLE staff (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('督导员', '网格长', '网格员', '楼栋长')),
        phone TEXT NOT NULL DEFAULT '',
        resident_id INTEGER REFERENCES residents(id),
        sinking_cadre INTEGER NOT NULL DEFAULT 0,  -- 下沉干部 serving as an ordinary resident
        active INTEGER NOT NULL DEFAULT 1,
        notes TEXT NOT NULL DEFAULT '',
        {STAMPS}
    );
    CREATE INDEX staff_name ON staff (name);

    CREATE TABLE staff_assignments (
        id INTEGER PRIMARY KEY,
        staff_id INTEGER NOT NULL REFERENCES staff(id),
        grid_id INTEGER REFERENCES grids(id),
        building_id INTEGER REFERENCES buildings(id),
        CHECK ((grid_id IS NULL) <> (building_id IS NULL))
    );
    CREATE INDEX staff_assignments_staff ON staff_assignments (staff_id);
    CREATE INDEX staff_assignments_grid ON staff_assignments (grid_id);
    """)
    # The default tag list of SPEC §2; clerks edit it in the settings.
    defaults = ["独居老人", "空巢老人", "高龄老人", "低保户", "特困人员", "残疾人",
                "退役军人", "留守儿童", "党员"]
    sensitive = ["社区矫正", "安置帮教", "严重精神障碍", "吸毒人员"]
    rows = [{"name": n, "sensitive": 0, "sort_order": i} for i, n in enumerate(defaults)]
    rows += [{"name": n, "sensitive": 1, "sort_order": 100 + i} for i, n in enumerate(sensitive)]
    db["tags"].insert_all(rows)


@migrations()
def m002_resident_search(db):
    """The resident search index (filled by ``models.residents.search``, marked for rebuilding) and
    the sort indexes of the residents page."""
    run_script(db, """
    CREATE TABLE resident_search (
        token TEXT NOT NULL,           -- c:张 / b:张三 / p:zs / i:<reversed ID tail> / t:<reversed phone>
        resident_id INTEGER NOT NULL,
        PRIMARY KEY (token, resident_id)
    ) WITHOUT ROWID;
    CREATE INDEX residents_name ON residents (name, id);
    CREATE INDEX residents_gender ON residents (gender, id);
    CREATE INDEX residents_birth_date ON residents (birth_date, id);
    CREATE INDEX residents_residence_type ON residents (residence_type, id);
    CREATE INDEX residents_status ON residents (status, id);
    CREATE INDEX households_room ON households (room);
    """)
    mark_rebuild(db, "resident_search")


@migrations()
def m003_accounts_auth(db):
    """Accounts (issue 10): the sensitive-data flag, first-login password change, the lockout
    counter (kept in the ledger so a restart does not reset it) and the grids a 网格员 covers."""
    run_script(db, """
    ALTER TABLE users ADD COLUMN sensitive INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE users ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE users ADD COLUMN failed_logins INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE users ADD COLUMN locked_until TEXT;
    ALTER TABLE users ADD COLUMN last_login_at TEXT;
    CREATE UNIQUE INDEX users_username_nocase ON users (username COLLATE NOCASE);
    CREATE TABLE user_grids (
        user_id INTEGER NOT NULL REFERENCES users(id),
        grid_id INTEGER NOT NULL REFERENCES grids(id),
        PRIMARY KEY (user_id, grid_id)
    ) WITHOUT ROWID;
    CREATE INDEX user_grids_grid ON user_grids (grid_id);
    """)


@migrations()
def m003_audit_append_only_authui(db):
    """The audit log becomes append-only (个人信息保护法: nobody may rewrite what was done), and
    gets the indexes of the 操作日志 page's filters: by operator, action and record type, each
    ordered by time, so that the newest page of any filter is an index range, not a scan."""
    run_script(db, """
    CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
    BEGIN
        SELECT RAISE(ABORT, '操作日志只能追加，不能修改');
    END;
    CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
    BEGIN
        SELECT RAISE(ABORT, '操作日志只能追加，不能删除');
    END;
    -- (filter, at, id) keeps the newest-first order of the page; the other two filter columns
    -- let SQLite test a combined filter on the index entry before it reads the row
    CREATE INDEX audit_log_operator_at ON audit_log (operator, at, id, action, table_name);
    CREATE INDEX audit_log_action_at ON audit_log (action, at, id, operator, table_name);
    CREATE INDEX audit_log_table_at ON audit_log (table_name, at, id, operator, action);
    """)


@migrations()
def m003_residence_history_spells(db):
    """Where each resident lived when (residence spells) and which grid each building belonged
    to when (building grid spells): the source of every "as of" count from now on.

    A spell covers the days ``from_date`` ≤ D < ``to_date`` (``from_date`` NULL: since
    before the ledger began; ``to_date`` NULL: still there), so a resident is present at
    the end of day D when one of their spells covers D.  The residents' ``household_id``,
    ``grid_id``, ``building_id``, ``status``, ``status_date`` and ``moved_in_on`` stay as a
    cache of the current spell.  An existing ledger gets one spell per resident from what it
    holds (the same presence as the old rule, day for day: a status other than 在册 without a
    date meant "gone" and ends the spell where it began), and every building its current grid
    from the beginning.
    """
    run_script(db, """
    CREATE TABLE residence_spells (
        id INTEGER PRIMARY KEY,
        resident_id INTEGER NOT NULL REFERENCES residents(id),
        household_id INTEGER REFERENCES households(id),   -- NULL: registered without a household
        from_date TEXT,                -- NULL: since before the ledger began (迁入日期不详)
        to_date TEXT,                  -- NULL: still there; else the day they left (gone that evening)
        began TEXT NOT NULL CHECK (began IN ('迁入', '户内调整', '返回')),
        ended TEXT CHECK (ended IN ('迁出', '死亡', '户内调整')),
        -- the resident's two facts the month-end counts need (台账完整率), copied by the triggers
        -- below so that the counts read the spells' indexes alone
        has_id INTEGER NOT NULL DEFAULT 0,      -- an 18-character ID number
        has_phone INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL,
        created_by TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX residence_spells_resident ON residence_spells (resident_id, id);
    -- the evaluation's two passes (see models/evaluation/counts.py: the WHERE clauses are
    -- repeated there word for word): spells covering every day, and the others
    CREATE INDEX residence_spells_static ON residence_spells (household_id, has_id, has_phone)
     WHERE from_date IS NULL AND to_date IS NULL;
    CREATE INDEX residence_spells_dynamic ON residence_spells (household_id, from_date, to_date, has_id, has_phone)
     WHERE from_date IS NOT NULL OR to_date IS NOT NULL;
    CREATE INDEX residence_spells_no_household ON residence_spells (resident_id, from_date, to_date)
     WHERE household_id IS NULL;

    INSERT INTO residence_spells (resident_id, household_id, from_date, to_date, began, ended,
                                  has_id, has_phone, created_at, created_by)
    SELECT id, household_id, moved_in_on,
           CASE WHEN status = '在册' THEN NULL ELSE COALESCE(status_date, moved_in_on, '0001-01-01') END,
           '迁入', CASE WHEN status = '在册' THEN NULL ELSE status END,
           COALESCE(length(id_number) = 18, 0), phone <> '', updated_at, '升级'
      FROM residents ORDER BY id;

    CREATE TRIGGER residence_spells_facts AFTER INSERT ON residence_spells BEGIN
        UPDATE residence_spells
           SET has_id = COALESCE((SELECT length(r.id_number) = 18 FROM residents r WHERE r.id = NEW.resident_id), 0),
               has_phone = COALESCE((SELECT r.phone <> '' FROM residents r WHERE r.id = NEW.resident_id), 0)
         WHERE id = NEW.id;
    END;
    CREATE TRIGGER residents_facts_to_spells AFTER UPDATE OF id_number, phone ON residents BEGIN
        UPDATE residence_spells SET has_id = COALESCE(length(NEW.id_number) = 18, 0),
                                    has_phone = COALESCE(NEW.phone <> '', 0)
         WHERE resident_id = NEW.id;
    END;

    CREATE TABLE building_grids (
        id INTEGER PRIMARY KEY,
        building_id INTEGER NOT NULL REFERENCES buildings(id),
        grid_id INTEGER NOT NULL REFERENCES grids(id),
        from_date TEXT,                -- NULL: from the beginning
        to_date TEXT,                  -- NULL: still; else in another grid from that day on
        created_at TEXT NOT NULL,
        created_by TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX building_grids_building ON building_grids (building_id, from_date);
    CREATE INDEX building_grids_grid ON building_grids (grid_id);
    INSERT INTO building_grids (building_id, grid_id, from_date, to_date, created_at, created_by)
    SELECT id, grid_id, NULL, NULL, updated_at, '升级' FROM buildings ORDER BY id;

    -- every new building (the 网格管理 page, the import's bulk writer, the demo) is in its grid
    -- from the beginning: its households may hold residents since any date
    CREATE TRIGGER buildings_grid_history AFTER INSERT ON buildings BEGIN
        INSERT INTO building_grids (building_id, grid_id, from_date, to_date, created_at, created_by)
        VALUES (NEW.id, NEW.grid_id, NULL, NULL, NEW.created_at, NEW.created_by);
    END;
    """)


@migrations()
def m003_signing_key_street(db):
    """The ledger's own Ed25519 signing key (issue 12: the monthly packages a community sends
    to its street office are signed with it).

    One row; the key itself is made by live code (``models.core.signing.ensure_key``) through
    the rebuild mechanism, so a new ledger and an upgraded one both get theirs when opened.
    """
    run_script(db, """
    CREATE TABLE IF NOT EXISTS signing_key (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        private_key BLOB NOT NULL,      -- raw 32 bytes (Ed25519)
        public_key BLOB NOT NULL        -- raw 32 bytes
    );
    """)
    mark_rebuild(db, "signing_key")


@migrations()
def m004_perf_indexes(db):
    """Indexes for the month-end counts of a batch of months (models/evaluation/counts.py,
    :class:`StaticHouseholds`, issue 11's speed targets).

    * ``residence_spells_month_end``: every spell in household order with the columns the
      counts read, so one pass over the index (no table rows, no sort) sums each household's
      spells covering the batch's first and last month end;
    * ``residence_spells_from`` / ``residence_spells_to`` (partial: dated spells only): the few
      spells that begin or end inside a batch (``from_date > :lo OR to_date <= :hi``), found by
      two index ranges instead of a scan.
    """
    run_script(db, """
    CREATE INDEX IF NOT EXISTS residence_spells_month_end
        ON residence_spells (household_id, from_date, to_date, has_id, has_phone);
    CREATE INDEX IF NOT EXISTS residence_spells_from
        ON residence_spells (from_date, to_date, household_id, has_id, has_phone) WHERE from_date IS NOT NULL;
    CREATE INDEX IF NOT EXISTS residence_spells_to
        ON residence_spells (to_date, from_date, household_id, has_id, has_phone) WHERE to_date IS NOT NULL;
    """)
    # an analysed ledger (the demo) gets statistics for the new indexes too, or the planner may
    # prefer a worse one (as matters' _analyse does)
    if db["sqlite_stat1"].exists():
        db.execute("PRAGMA analysis_limit = 1000")
        db.execute("ANALYZE residence_spells")


@migrations()
def m003_office_lists_orgs(db):
    """The office's own lists as data (issue 13): 事项类别 (with level and deadline days),
    事项来源, 活动类型, 走访方式, seeded from what the ledger used until now (the settings
    ``matter_categories`` / ``matter_deadline_days`` / ``activity_types`` where set, else the
    built-in lists, copied here as they were); and 人员标签 that can be retired."""
    import json

    run_script(db, """
    CREATE TABLE office_lists (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL,            -- matter_category / matter_source / activity_type / visit_way
        name TEXT NOT NULL,
        sort_order INTEGER NOT NULL DEFAULT 0,
        retired INTEGER NOT NULL DEFAULT 0,    -- kept for past records, not offered for new ones
        level TEXT,                    -- matter_category: the level a new matter starts with
        deadline_days INTEGER,         -- matter_category: days a big matter gets (NULL: the default)
        UNIQUE (kind, name)
    );
    ALTER TABLE tags ADD COLUMN retired INTEGER NOT NULL DEFAULT 0;
    """)

    def setting(key):
        row = db.execute("SELECT value FROM settings WHERE key = ?", [key]).fetchone()
        return None if row is None else json.loads(row[0])

    levels = {"路灯照明": "小事", "环境卫生": "小事", "噪音扰民": "小事", "安全隐患": "小事",
              "物业服务": "小事", "邻里纠纷": "私事", "家庭矛盾": "私事", "违章建筑": "大事",
              "环境治理": "大事"}
    categories = setting("matter_categories") or ["路灯照明", "环境卫生", "噪音扰民", "安全隐患", "物业服务",
                                                  "邻里纠纷", "家庭矛盾", "违章建筑", "环境治理", "其他"]
    days = setting("matter_deadline_days")
    rows = []
    for n, name in enumerate(dict.fromkeys(str(c).strip() for c in categories if str(c).strip())):
        per = None
        if isinstance(days, dict) and name in days:
            per = days[name]
        rows.append(("matter_category", name, n, levels.get(name, "小事"),
                     int(per) if isinstance(per, (int, float)) else None))
    sources = ["巡查走访", "微信群", "QQ群", "来电", "来访", "12345热线", "其他"]
    rows += [("matter_source", s, n, None, None) for n, s in enumerate(sources)]
    activity = setting("activity_types") or ["义诊进社区", "法律小讲堂", "爱心互助", "文艺演出", "环境清洁",
                                             "政策宣传", "助老助残", "平安巡逻", "其他"]
    rows += [("activity_type", a, n, None, None)
             for n, a in enumerate(dict.fromkeys(str(a).strip() for a in activity if str(a).strip()))]
    rows += [("visit_way", w, n, None, None) for n, w in enumerate(["入户", "电话", "微信"])]
    db.conn.executemany("INSERT INTO office_lists (kind, name, sort_order, level, deadline_days)"
                        " VALUES (?, ?, ?, ?, ?)", rows)


@migrations()
def m004_party_orgs_orgs(db):
    """Party organisation mirroring the place hierarchy (issue 13): 社区联合党委 → 网格党支部
    → 楼栋党小组, and their members: residents (党员) or staff (下沉干部), never retyped."""
    run_script(db, f"""
    CREATE TABLE party_orgs (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL CHECK (kind IN ('联合党委', '党支部', '党小组')),
        name TEXT NOT NULL UNIQUE,
        parent_id INTEGER REFERENCES party_orgs(id),
        grid_id INTEGER REFERENCES grids(id),          -- 党支部: its grid
        building_id INTEGER REFERENCES buildings(id),  -- 党小组: its building
        notes TEXT NOT NULL DEFAULT '',
        {STAMPS}
    );
    CREATE INDEX party_orgs_parent ON party_orgs (parent_id);

    CREATE TABLE party_members (
        id INTEGER PRIMARY KEY,
        org_id INTEGER NOT NULL REFERENCES party_orgs(id),
        resident_id INTEGER REFERENCES residents(id),  -- a resident who is a party member
        staff_id INTEGER REFERENCES staff(id),         -- a 下沉干部 (staff, maybe living elsewhere)
        duty TEXT NOT NULL DEFAULT '成员',             -- 书记 / 副书记 / 委员 / 成员
        {STAMPS},
        CHECK ((resident_id IS NULL) <> (staff_id IS NULL))
    );
    CREATE UNIQUE INDEX party_members_resident ON party_members (org_id, resident_id) WHERE resident_id IS NOT NULL;
    CREATE UNIQUE INDEX party_members_staff ON party_members (org_id, staff_id) WHERE staff_id IS NOT NULL;
    CREATE INDEX party_members_org ON party_members (org_id);
    """)
