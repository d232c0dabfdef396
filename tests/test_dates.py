import pytest

from newsgraph.dates import date_only_line, find_dates, to_date


@pytest.mark.parametrize("text,value", [
    ("01/25/2022", "2022-01-25"),
    ("25/01/2022", "2022-01-25"),
    ("25.01.2022", "2022-01-25"),
    ("Wed Jun 05 2024", "2024-06-05"),
    ("2024-06-05", "2024-06-05"),
    ("June 5, 2024", "2024-06-05"),
    ("5 June 2024", "2024-06-05"),
    ("Tuesday, 5th of March 2024", "2024-03-05"),
    ("in June 2024 the", "2024-06"),
])
def test_find_dates(text, value):
    assert [d.value for d in find_dates(text)] == [value]


def test_invalid_dates_are_ignored():
    assert find_dates("31.02.2024") == []
    assert find_dates("the may 2024 be") == []


@pytest.mark.parametrize("line,value", [
    ("Published: 5 June 2024 14:02", "2024-06-05"),
    ("Updated 2024-06-05T10:00", "2024-06-05"),
    ("June 5, 2024 | 3 min read", "2024-06-05"),
    ("25.01.2022", "2022-01-25"),
    ("5 janvier 2022", "2022-01-05"),
])
def test_date_only_lines(line, value):
    found = date_only_line(line)
    assert found is not None and found.value == value


@pytest.mark.parametrize("line", [
    "The coup took place on 30 September 2022 in Ouagadougou.",
    "Talks will resume in March.",
    "Read more",
])
def test_prose_is_not_a_date_line(line):
    assert date_only_line(line) is None


def test_to_date():
    assert str(to_date("2024-06")) == "2024-06-01"
    assert to_date(None) is None


def test_signature_place_and_date():
    assert date_only_line("Moscow, October 3, 2022").value == "2022-10-03"
    assert date_only_line("Bamako, 4 August 2024").value == "2024-08-04"
    assert date_only_line("Talks in Moscow, October 3, 2022") is None
