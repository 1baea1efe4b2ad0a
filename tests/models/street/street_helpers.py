"""Community ledgers for the street tests: small demo ledgers that have published October 2026."""

from __future__ import annotations

import datetime as dt

from models.core.db import Operator
from models.demo import build_demo
from models.evaluation.publishing import publish
from models.ledger import open_db
from models.street.registry import init_street

MONTH = "2026-10"
#: "now" of the street tests: October has ended, November has not
NOW = dt.datetime(2026, 11, 5, 9, 0)


def community(name: str, seed: int, clock, *, households: int = 300, path=None, publish_month: bool = True):
    """A demo community ledger (in memory unless ``path``) that has published :data:`MONTH`."""
    led = open_db(path, operator=Operator("张文书"), clock=clock, community_name=name)
    build_demo(led, households=households, seed=seed, months=2)
    if publish_month:
        publish(led, MONTH)
    return led


def street(clock, path=None, name: str = "长江路街道"):
    """An empty street ledger."""
    led = open_db(path, operator=Operator("街道文书"), clock=clock)
    init_street(led, name)
    return led
