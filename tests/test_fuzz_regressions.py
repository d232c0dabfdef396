"""Regressions: each input here once crashed, hung or broke a promise under fuzzing
(``benchmarks/fuzz_ingest.py``, ``tests/test_fuzz_properties.py``); the comment says
what it did before its fix.

Inputs that used to hang run under ``within(seconds)``, a SIGALRM guard with a budget
hundreds of times what they now take: the test fails instead of hanging the suite.
Speed itself is measured by the benchmark scripts, not here.
"""
from __future__ import annotations

import codecs
import datetime as dt
import json
import re
import signal
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

from newsgraph.dates import parse_loose
from newsgraph.ingest import SourceDocument, read_documents
from newsgraph.ingest.base import InputError
from newsgraph.ingest.clean import clean_plain, clean_scrape, is_furniture
from newsgraph.ingest.feed import read_feed
from newsgraph.ingest.html import document_from_html, markup_text, read_html, snippet_text
from newsgraph.ingest.jsonl import read_jsonl
from newsgraph.ingest.metadata import read_metadata
from newsgraph.ingest.util import normalize_date
from newsgraph.temporal import event_date, resolve


class Hung(Exception):
    pass


@contextmanager
def within(seconds: float):
    """Fail (not hang) when the body runs over ``seconds``; Python's re checks signals."""

    def expire(signum, frame):
        raise Hung(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


# --------------------------------------------------------------------------- cleaning: regex backtracking


@pytest.mark.parametrize(
    "line, menu",
    [
        # furniture.yaml "navigation": 49 s for this ordinary line (exponential in the items),
        # found by atheris on an HTML page whose text had a line full of "/" and ">".
        ("Home | World | Africa | Europe | Sport | Contact us.", False),
        ("Home | World | Africa | Europe | Sport | " * 20 + "Contact us.", False),
        ("li><li>two</li> <!-- co</bĹd><meta crhaset=\"windows-1251\"><title>Íîâîńňč</2title><Tue, 05 Mar 2024 "
         "10:00:00 +0300/head><body> Đîńńčéńęčĺ<?xml version=\"1.0\" encoding=\"utf-8\"?>ent /-><li>two</li></ul>"
         "<!-- co</body></html>", False),  # fmt: skip
        ("a | " * 3000 + "b.", False),
        # what the rule is for still matches
        ("Home | World | Africa | Sport", True),
        ("Home  >  Africa  >  Mali", True),
        ("News   Politics   Economy   Sport", True),
        ("Home » World » Russia's new partners in the Sahel", True),
        ("Home | World | Africa", True),
        ("Home | World", False),  # two items are not a menu
        ("Mali | Russia | talks ended.", False),  # ends a sentence
    ],
)
def test_navigation_rule_is_linear(line, menu):
    with within(10):
        assert is_furniture(line) is menu
        assert is_furniture(" ".join(line.split()), raw=line) is menu


def test_copyright_rule_on_long_words():
    # "copyright" glued to a long word: the "(\w+\s*){0,5}" pieces split it every way (minutes)
    with within(10):
        assert not is_furniture("copyright" + "a" * 400 + "!")
        assert is_furniture("Copyright 2024 Sahel Wire. All rights reserved.")
        assert is_furniture("© 2023, 2024 Sahel Wire Media Group. All rights reserved.")


BAD = Path(__file__).parent / "fixtures" / "bad"


def test_fuzzed_page_with_menu_like_lines(tmp_path):
    # atheris (html target): libFuzzer timeout, the navigation rule on this page's text lines
    with within(60):
        (doc,) = read_html(BAD / "fuzz-html-menu-lines.html", (BAD / "fuzz-html-menu-lines.html").read_bytes())
        assert isinstance(doc, SourceDocument)
        cleaned = clean_plain(doc.body, title=str(doc.hints.get("title") or "") or None)
    for p in cleaned.paragraphs:
        assert cleaned.text[p.start : p.end] == p.text


def test_fuzzed_page_with_an_odd_date():
    # atheris (html target): a 60 s input; dateparser tried all its locales on the
    # page's "2023-0l..." date, and would have dated the page with a year it never states
    data = (BAD / "fuzz-html-odd-date.html").read_bytes()
    (doc,) = read_html(BAD / "fuzz-html-odd-date.html", data)
    assert isinstance(doc, SourceDocument)
    published = doc.hints.get("published")
    assert published is None or str(published)[:4].encode() in data


# --------------------------------------------------------------------------- dates


def test_feed_item_dated_year_506():
    # atheris (feed target): feedparser's published_parsed for "0506-03-06" went through
    # strftime, which writes "506-03-06": not a YYYY-MM-DD date
    path = BAD / "fuzz-feed-year-506.rss"
    results = list(read_feed(path, path.read_bytes()))
    assert results and all(isinstance(r, SourceDocument | InputError) for r in results)
    for r in results:
        if isinstance(r, SourceDocument) and "published" in r.hints:
            assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", r.hints["published"]) and r.hints["published"] >= "1800"


@pytest.mark.parametrize(
    "value", [time.struct_time((506, 3, 6, 0, 0, 0, 0, 65, 0)), dt.date(506, 3, 6), dt.datetime(9999, 1, 1)]
)
def test_normalize_date_of_date_objects_out_of_range(value):
    assert normalize_date(value) is None


def test_normalize_date_of_date_objects():
    assert normalize_date(time.struct_time((2024, 3, 6, 0, 0, 0, 0, 66, 0))) == "2024-03-06"
    assert normalize_date(dt.datetime(2024, 3, 5, 23, 59)) == "2024-03-05"


def test_odd_date_strings_are_read_in_known_languages_only():
    # dateparser with no language list tried its ~200 locales (23 s in a fresh process
    # for "2023-0l") and answered 2026-11-01: a year the text never states.
    assert normalize_date("2023-0l") is None
    assert normalize_date("5 mars 2024") == "2024-03-05"
    assert normalize_date("5 марта 2024") == "2024-03-05"
    assert normalize_date("mars 2024") == "2024-03"


def test_loose_date_line_with_a_short_year():
    # "mars 0099" gave "99-03": not YYYY-MM, so the record failed validation
    assert parse_loose("mars 0099") is None
    assert parse_loose("Mai 1500") is None
    assert parse_loose("5 janvier 2022").value == "2022-01-05"


def test_record_from_scrape_dated_with_a_short_year(kb):
    cleaned = clean_scrape("Talks in Bamako\n\nmars 0099\n\nOfficials met on Monday, a source said.")
    meta = read_metadata(cleaned, {}, kb)
    assert meta.published is None


@pytest.mark.parametrize("published", ["2024-02-30", "0000", "0000-01-01T00:00:00Z", "2024-13"])
def test_impossible_published_hint_is_dropped(kb, published):
    # a hint matching YYYY[-MM[-DD]] was kept as is: 2024-02-30 reached the record and the store
    meta = read_metadata(clean_scrape("Officials met on Monday."), {"published": published}, kb)
    assert meta.published is None


def test_published_hint_still_kept(kb):
    cleaned = clean_scrape("Officials met on Monday.")
    assert read_metadata(cleaned, {"published": "2024-03-05"}, kb).published == "2024-03-05"
    assert read_metadata(cleaned, {"published": "2024-03-05T10:00:00Z"}, kb).published == "2024-03-05"
    assert read_metadata(cleaned, {"published": "2024"}, kb).published == "2024"


def test_language_hint_without_a_language(kb):
    # a "-" hint became the empty language ""
    meta = read_metadata(clean_scrape("Les ministres se sont réunis lundi à Bamako, selon une source."),
                         {"language": "-"}, kb)  # fmt: skip
    assert meta.language == "fr"


@pytest.mark.parametrize(
    "expression, published",
    [
        ("March", "0001-01-01"),  # gave "0000-03": year 0 is not a date
        ("last year", dt.date(1, 1, 1)),  # gave "0000"
        ("next year", dt.date(9999, 12, 31)),  # gave "10000"
        ("300 years ago", "0001-01-01"),  # gave "-299"
    ],
)
def test_time_expressions_against_absurd_publication_dates(expression, published):
    assert resolve(expression, published) is None
    assert event_date(f"It happened {expression}.", published) is None


def test_time_expressions_against_real_publication_dates():
    assert resolve("last year", "2024-03-05") == "2023"
    assert resolve("March", dt.date(2024, 6, 1)) == "2024-03"


# --------------------------------------------------------------------------- NUL characters


def test_nul_in_json_text_is_dropped(tmp_path):
    # a "\u0000" reached the record's text: PostgreSQL refuses NUL in text columns
    data = json.dumps({"text": "Officials\u0000 met.", "title": "T\u0000", "authors": ["Jane\u0000 Doe"]})
    (doc,) = read_jsonl(tmp_path / "nul.jsonl", data)
    assert doc.body == "Officials met." and doc.hints["title"] == "T" and doc.hints["authors"] == ["Jane Doe"]
    (err,) = read_jsonl(tmp_path / "nul.jsonl", json.dumps({"text": "\u0000\u0000"}))
    assert isinstance(err, InputError) and "blank" in err.message


def test_nul_in_utf16_text_is_dropped(tmp_path):
    path = tmp_path / "utf16.txt"
    path.write_bytes(codecs.BOM_UTF16_LE + "Officials\x00 met on Monday.\n".encode("utf-16-le"))
    (doc,) = read_documents([path])
    assert doc.body == "Officials met on Monday.\n"


def test_nul_in_too_deep_html_is_dropped():
    # pages nested past libxml2's limit are read by markup_text, which kept NUL and controls
    depth = 300
    markup = "<html><body>" + "<div>" * depth + "<p>Officials\x00 met\x01 on Monday.</p>" + "</div>" * depth
    assert markup_text(markup) == "Officials met on Monday."
    doc = document_from_html(markup, doc_id="deep", origin="deep.html")
    assert isinstance(doc, SourceDocument) and "\x00" not in doc.body and "Officials met" in doc.body


def test_source_document_never_holds_nul():
    doc = SourceDocument("d", "o", "text", "a\x00b", "a\x00b", hints={"title": "t\x00", "authors": ["x\x00y"]})
    assert (doc.body, doc.raw, doc.hints) == ("ab", "ab", {"title": "t", "authors": ["xy"]})


# --------------------------------------------------------------------------- cleaning with a blank title


@pytest.mark.parametrize("title", [" ", "\n", "\u00a0", "Title\nwith a newline"])
def test_clean_plain_title_is_one_clean_paragraph(title):
    cleaned = clean_plain("Officials met on Monday.", title=title)
    for p in cleaned.paragraphs:
        assert p.text and p.text == p.text.strip() and "\n" not in p.text
        assert cleaned.text[p.start : p.end] == p.text


def test_read_documents_with_fuzz_corpus_never_raises():
    """Every seed of the atheris corpus, through the real entry point."""
    corpus = Path(__file__).resolve().parents[1] / "benchmarks" / "fuzz_corpus"
    if not corpus.is_dir():
        pytest.skip("benchmarks/fuzz_corpus not present")
    results = list(read_documents([corpus]))
    assert any(isinstance(r, SourceDocument) for r in results)
    for r in results:
        if isinstance(r, InputError):
            assert "\n" not in str(r) and r.message


# --------------------------------------------------------------------------- WARC warnings


def test_damaged_warc_writes_nothing_but_its_errors(tmp_path, capsys):
    # atheris (warc target): warcio wrote "WARNING: Record not followed by newline ... Remainder:
    # b'...'" and "Replacing spaces in invalid WARC-Target-URI: <raw bytes>" to stderr: noise
    # around the one-line errors, and the archive's own bytes (terminal escapes) on the terminal
    text = b"Officials met on Monday in the capital, two sources said. " * 3
    page = b"<html><body><p>" + text + b"</p></body></html>"
    record = (
        b"WARC/1.0\r\nWARC-Type: resource\r\nWARC-Target-URI: https://x.example/a b\x1b[31mred\r\n"
        b"Content-Type: text/html\r\nContent-Length: %d\r\n\r\n%s" % (len(page), page)
    )
    path = tmp_path / "damaged.warc"
    path.write_bytes(record + b"garbage after the record\r\n" + record + b"\r\n\r\n")
    results = list(read_documents([path]))
    assert any(isinstance(r, SourceDocument) for r in results)
    captured = capsys.readouterr()
    assert captured.err == "" and captured.out == ""
    assert all("\x1b" not in str(r) for r in results if isinstance(r, InputError))


# --------------------------------------------------------------------------- found by the long hypothesis run


def test_fragment_that_is_a_whole_page():
    # lxml's fragment_fromstring asserts ("too many bodies") on "<html>": snippet_text raised AssertionError
    assert snippet_text("<html>") == ""
    assert snippet_text("<html><body><p>Officials met.</p></body></html>") == "Officials met."


def test_text_saved_with_several_byte_order_marks(tmp_path):
    # b"\xef\xbb\xbf" * 3 decoded to "\ufeff\ufeff": only the first BOM was removed
    from newsgraph.ingest.decode import decode_bytes

    assert decode_bytes(b"\xef\xbb\xbf" * 3 + b"Officials met.", "x") == "Officials met."
    path = tmp_path / "boms.txt"
    path.write_bytes(b"\xef\xbb\xbf\xef\xbb\xbfOfficials met on Monday.\n")
    (doc,) = read_documents([path])
    assert doc.body == "Officials met on Monday.\n"
