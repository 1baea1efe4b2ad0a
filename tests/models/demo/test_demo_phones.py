"""The demo's phones are numbers libphonenumber knows (issue 15: it once made 154… mobiles and
7-digit 0551 landlines, which phone_check warns about)."""

import random

import phonenumbers

from models.core.phones import phone_check
from models.demo.residents import MOBILE_SEGMENTS


def _people():
    import datetime as dt

    from models.demo.residents import _People

    return _People(random.Random(5), dt.date(2026, 10, 31))


def test_every_segment_of_the_table_is_in_use():
    for second, thirds in MOBILE_SEGMENTS.items():
        for third in thirds:
            number = phonenumbers.parse(f"1{second}{third}12345678", "CN")
            assert phonenumbers.is_valid_number(number), f"1{second}{third}"


def test_generated_mobiles_and_landlines_are_valid_and_raise_no_warning():
    people = _people()
    for make in (people.mobile, people.landline):
        for _ in range(3000):
            number = make()
            assert phonenumbers.is_valid_number(phonenumbers.parse(number, "CN")), number
            checked = phone_check(number)
            assert checked.ok and checked.warning is None, (number, checked)
