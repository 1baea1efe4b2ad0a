"""The whole ledger: opens a file with every area's schema.

Areas (``models/core`` … ``models/reporting``) never import this module: it sits above them
and wires their migration sets together, in the order they must be applied, then
rebuilds what the migrations marked for rebuilding (:data:`REBUILDS`) with the areas'
code of the day.
"""

from __future__ import annotations

import datetime as _dt
from pathlib import Path
from typing import Callable

import sqlite_utils

from models.core import schema as schema_core
from models.core import signing
from models.core.db import Ledger, Operator, connect
from models.evaluation import schema as schema_evaluation
from models.grids import hierarchy as grids
from models.matters import records as matters
from models.matters import schema as schema_matters
from models.residents import search as resident_search
from models.street import registry as street_registry
from models.street import schema as schema_street
from models.visits import records as visits
from models.volunteers import schema as schema_volunteers

#: what a migration may mark for rebuilding (``models.core.schema.mark_rebuild``) → the
#: area's function that fills it from the ledger's rows (given the connection)
REBUILDS: dict[str, Callable] = {
    "resident_search": resident_search.rebuild_index,
    "matter_fts": matters.rebuild_search_index,
    "visit_fts": visits.rebuild_search_index,
    "signing_key": signing.ensure_key,
}


def _migration_sets():
    """All migration sets, in the order they must be applied."""
    return [schema_core.migrations, schema_matters.migrations,
            schema_volunteers.migrations, schema_evaluation.migrations, schema_street.migrations]


def migrate(db: sqlite_utils.Database, stop_before: list[str] | None = None) -> None:
    """Create or upgrade the schema, then do the rebuilds the migrations asked for.

    ``stop_before`` is for upgrade tests.
    """
    for migrations in _migration_sets():
        names = {m.name for m in migrations._migrations}
        wanted = [n for n in (stop_before or []) if n in names]
        migrations.apply(db, stop_before=wanted or None)
    rebuild_pending(db)


def rebuild_pending(db: sqlite_utils.Database) -> list[str]:
    """Rebuild what the migrations marked (table ``pending_rebuilds``), each in one transaction
    with the removal of its mark, so an interrupted rebuild is done again next time.

    Returns:
        the names rebuilt, in the order they were marked.
    """
    if not db["pending_rebuilds"].exists():
        return []
    done = []
    for (name,) in db.execute("SELECT name FROM pending_rebuilds ORDER BY rowid").fetchall():
        with db.atomic():
            REBUILDS[name](db.conn)
            db.execute("DELETE FROM pending_rebuilds WHERE name = ?", [name])
        done.append(name)
    return done


def open_db(path: str | Path | None, *, operator: Operator | None = None,
            clock: Callable[[], _dt.datetime] | None = None,
            community_name: str | None = None, street_name: str | None = None,
            create: bool = True, check_same_thread: bool = True) -> Ledger:
    """Open (and create or upgrade: :func:`migrate`) a ledger: :func:`models.core.db.connect`
    with every area's migrations, whose arguments, result and errors these are.

    Args:
        community_name: stored in a new ledger (ignored when it already has one).
        street_name: makes a new, empty ledger a street (街道) ledger of that name (issue 12,
            :func:`models.street.registry.make_street`; ignored when it already is one).

    Raises:
        ValidationError: ``street_name`` for a ledger that holds a community's data.
    """
    ledger = connect(path, migrate=migrate, operator=operator, clock=clock, create=create,
                     check_same_thread=check_same_thread)
    if community_name and not ledger.community_name:
        grids.set_own_community(ledger, community_name)
    if street_name and not street_registry.is_street(ledger):
        try:
            street_registry.make_street(ledger, street_name)
        except BaseException:
            ledger.close()
            raise
    return ledger
