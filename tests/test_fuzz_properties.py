"""Property-based tests (hypothesis): cleaning, metadata, dates, time expressions and
record building never raise on arbitrary text and tag soup, and keep their promises.

Two settings profiles: ``ci`` (the default: few examples, derandomized so the suite
is repeatable, the whole file in well under a minute) and ``long`` (25 times as many
random examples; ``benchmarks/fuzz_properties_long.py`` runs it). Choose with
``NEWSGRAPH_FUZZ_PROFILE=long`` (and ``NEWSGRAPH_FUZZ_SCALE``). Every failure found becomes an example in
``tests/test_fuzz_regressions.py``.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import re
from functools import lru_cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from newsgraph.dates import date_only_line, find_dates, parse_loose, to_date
from newsgraph.ingest import SourceDocument, read_text_input
from newsgraph.ingest.base import InputError
from newsgraph.ingest.clean import CleanedText, clean_plain, clean_scrape
from newsgraph.ingest.html import (
    HtmlParseError,
    document_from_html,
    html_metadata,
    markup_text,
    parse_html,
    snippet_text,
)
from newsgraph.ingest.metadata import read_metadata
from newsgraph.ingest.util import normalize_authors, normalize_date
from newsgraph.record import Record
from newsgraph.temporal import event_date, find_time_expressions, resolve

_COMMON = dict(
    deadline=None,
    database=None,  # no .hypothesis/ folder in the work tree; failures print their reproduction blob
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)
settings.register_profile("ci", max_examples=40, derandomize=True, **_COMMON)
settings.register_profile("long", max_examples=2000, **_COMMON)
PROFILE = os.environ.get("NEWSGRAPH_FUZZ_PROFILE", "ci")
_SCALE = 1 if PROFILE == "ci" else int(os.environ.get("NEWSGRAPH_FUZZ_SCALE", "25"))


def examples(n: int) -> settings:
    """Settings of the chosen profile with ``n`` examples in ``ci`` (``NEWSGRAPH_FUZZ_SCALE * n``,
    default 25, in ``long``)."""
    return settings(settings.get_profile(PROFILE), max_examples=n * _SCALE)


# --------------------------------------------------------------------------- strategies

# Any character but surrogates (which no decoded input can hold): controls, NUL, RTL
# marks, combining marks, NBSP and other spaces, CJK, emoji, private use.
ANY_CHAR = st.characters(exclude_categories=("Cs",))
WEIRD = st.sampled_from(
    ["\x00", "\x0b", "\x0c", "\x1c", "\x85", "\u2028", "\u2029", "\u00a0", "\u200b", "\u200f", "\u202e", "\ufeff",
     "\ufffd", "\ue000", "\u0301", "İ", "ß", "ﬁ", "Σ", "\U0001f600", "\t", "\r", "\r\n", "  "]
)  # fmt: skip
WORD = st.sampled_from(
    ["Russia", "Mali", "Wagner", "Bamako", "Moscow", "Africa Corps", "minister", "said", "on", "Tuesday", "last",
     "week", "ago", "two", "March", "5", "2024", "01/25/2022", "2024-02-30", "05.06.2024", "June 5, 2024",
     "the", "a", "By", "and", "Jane Doe", "TASS", "(Reuters)", "Colonel", "Share", "Home", "|", "•", "©",
     "All rights reserved.", "Source:", "http://x.example/a", "#", "##", "**", "_", "[link](http://x)",
     "![img](x.png)", ">", "-", "—", "“", "”", "«", "»", "...", "\u2026", ".", ",", ":", "?", "!"]
)  # fmt: skip
TOKEN = st.one_of(WORD, WORD, WORD, WEIRD, st.text(ANY_CHAR, min_size=1, max_size=8))
LINE = st.lists(TOKEN, max_size=14).map(" ".join)
FURNITURE = st.sampled_from(
    ["Share on Facebook  Share on Twitter", "Home | World | Africa | Sport", "Leave a comment", "Related stories",
     "© 2024 Sahel Wire. All rights reserved.", "Subscribe to our newsletter", "Published: 5 March 2024",
     "By Jane Doe and John Roe", "| --- | --- |", "Source: © TASS", "BAMAKO, March 3, 2024 (Reuters) - Talks went on.",
     "Signed,", "Moscow, 4 August 2024", "Tags: Mali, Russia", "Posted on June 5, 2024 by Staff"]
)  # fmt: skip
NEWLINE = st.sampled_from(["\n", "\n", "\n\n", "\r\n", "\r", "\n \n", "\n\t\n"])


@lru_cache(maxsize=1)
def knowledge_base():
    """The built-in KB (a plain function, not a fixture: hypothesis prints a test's arguments)."""
    from newsgraph.kb import load_kb

    return load_kb()


@st.composite
def scrapes(draw) -> str:
    """A plain-text or Markdown scrape: lines of words, markup, furniture and odd characters."""
    lines = draw(st.lists(st.one_of(LINE, LINE, FURNITURE, st.text(ANY_CHAR, max_size=40)), max_size=25))
    out = ""
    for line in lines:
        out += line + draw(NEWLINE)
    return out


TEXT = st.one_of(st.text(ANY_CHAR, max_size=400), scrapes())

TAGS = ["p", "div", "span", "b", "i", "a", "h1", "h2", "article", "main", "section", "table", "tr", "td", "ul",
        "li", "br", "script", "style", "noscript", "svg", "template", "title", "head", "body", "html", "meta",
        "iframe", "pre", "blockquote", "time", "figure", "figcaption", "nav", "footer", "xml", "x:y"]  # fmt: skip
ENTITY = st.sampled_from(["&amp;", "&lt;", "&gt;", "&nbsp;", "&#233;", "&#x41;", "&#0;", "&#99999999;",
                          "&#xD800;", "&bogus;", "&xxe;", "&", "&#", "&amp"])  # fmt: skip
ATTR = st.builds(
    lambda name, value, quote: f" {name}={quote}{value}{quote}",
    st.sampled_from(["class", "id", "lang", "content", "property", "name", "href", "rel", "charset", "type",
                     "itemprop", "datetime", "style", "onload"]),  # fmt: skip
    st.one_of(WORD, st.text(ANY_CHAR, max_size=12), st.sampled_from(
        ["og:title", "article:published_time", "author", "application/ld+json", "canonical", "2024-03-05",
         "2024-13-45T99:99", "javascript:alert(1)", "utf-8", "windows-1251", "x-user-defined"])),  # fmt: skip
    st.sampled_from(['"', "'", ""]),
)
RAW_BITS = st.sampled_from(
    ["<!--", "-->", "<!-- comment -->", "<![CDATA[", "]]>", "<?xml version='1.0'?>", "<!DOCTYPE html>",
     '<!DOCTYPE html [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>', "<!ENTITY lol 'lol'>", "</", "<", ">", "/>",
     "<p", "<script>alert(1)</script>", '<script type="application/ld+json">{"@type":"NewsArticle",'
     '"datePublished":"2024-02-30","author":{"name":"Jane Doe"},"headline":"H"}</script>',
     '<script type="application/ld+json">[[[[[[</script>', "<meta charset='utf-8'>", "<br/>", "<img src=x>"]
)  # fmt: skip


def _element(children: list[str], tag: str, attrs: list[str], close: bool) -> str:
    return f"<{tag}{''.join(attrs)}>" + "".join(children) + (f"</{tag}>" if close else "")


HTML_LEAF = st.one_of(LINE, ENTITY, RAW_BITS, WEIRD, st.text(ANY_CHAR, max_size=20))
HTML = st.recursive(
    st.lists(HTML_LEAF, max_size=4).map("".join),
    lambda inner: st.builds(
        _element,
        st.lists(inner, max_size=4),
        st.sampled_from(TAGS),
        st.lists(ATTR, max_size=3),
        st.booleans(),
    ),
    max_leaves=40,
)


@st.composite
def pages(draw) -> str:
    """Tag soup, sometimes wrapped as a whole page with a head of metadata."""
    body = draw(HTML)
    if draw(st.booleans()):
        metas = st.lists(st.builds(lambda a: f"<meta{''.join(a)}>", st.lists(ATTR, max_size=3)), max_size=4)
        head = "".join(draw(metas))
        title = draw(st.one_of(st.just(""), LINE.map(lambda t: f"<title>{t}</title>")))
        prolog = draw(st.sampled_from(["", "<!DOCTYPE html>", '<?xml version="1.0"?>']))
        body = f"{prolog}<html><head>{title}{head}</head><body>{body}</body></html>"
    return body


PUBLISHED = st.one_of(
    st.none(),
    st.dates(dt.date(1900, 1, 1), dt.date(2100, 12, 31)),
    st.dates(dt.date(1900, 1, 1), dt.date(2100, 12, 31)).map(dt.date.isoformat),
    st.sampled_from(["2024", "2024-03", "2024-02-30", "0001-01-01", "9999-12-31", "", "  ", "soon",
                     "2024-03-05T10:00:00Z"]),  # fmt: skip
    st.text(ANY_CHAR, max_size=12),
)
HINT_TEXT = st.one_of(st.text(ANY_CHAR, max_size=30), LINE, st.sampled_from(
    ["2024-13-45", "2024-02-30", "0000", "0099-03-01", "1 April 2024", "2024-03-05T10:00:00Z", "-", "en-GB", "", " "]))
# Hints as readers make them (strings, authors a list of strings), with any content.
HINTS = st.fixed_dictionaries({}, optional={
    "title": HINT_TEXT, "published": HINT_TEXT, "authors": st.lists(HINT_TEXT, max_size=3), "outlet": HINT_TEXT,
    "language": HINT_TEXT, "url": HINT_TEXT, "crawled": HINT_TEXT,
})  # fmt: skip

DATE_RE = re.compile(r"^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$")
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


def assert_date(value: object) -> None:
    """``value`` is None or a real calendar date as YYYY, YYYY-MM or YYYY-MM-DD."""
    if value is None:
        return
    assert isinstance(value, str) and DATE_RE.match(value), value
    assert to_date(value) is not None  # raises ValueError for 2024-02-30


def assert_cleaned(cleaned: CleanedText, raw: str) -> None:
    assert isinstance(cleaned, CleanedText) and isinstance(cleaned.text, str)
    assert cleaned.text == "\n\n".join(p.text for p in cleaned.paragraphs)
    previous_end = -2
    for p in cleaned.paragraphs:
        assert cleaned.text[p.start : p.end] == p.text
        assert p.start == previous_end + 2  # in order, two newlines apart
        previous_end = p.end
        assert p.text and p.text == p.text.strip() and "\n" not in p.text, repr(p.text)
    assert all(isinstance(line, str) for line in cleaned.removed)


# --------------------------------------------------------------------------- cleaning


@examples(60)
@given(TEXT)
def test_clean_scrape_keeps_its_promises(raw):
    cleaned = clean_scrape(raw)
    assert_cleaned(cleaned, raw)
    # only removes and joins: every character it outputs was in the input (spaces aside)
    assert set(cleaned.text) - set(raw) <= {" ", "\n"}
    assert len(cleaned.text) <= len(raw) + raw.count("\n") + raw.count("\r")


PLAIN_WORD = st.text(st.sampled_from("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789éàçñ"), min_size=1,
                     max_size=9)  # fmt: skip


@examples(60)
@given(st.lists(st.lists(st.one_of(PLAIN_WORD, st.sampled_from(["Share", "Home", "Related", "stories", "Comment",
                                                                   "2024", "By", "and", ".", ","])),  # fmt: skip
                         max_size=12), max_size=15), st.lists(NEWLINE, min_size=15, max_size=15))
def test_clean_scrape_keeps_plain_words_in_order(lines, newlines):
    """On text without markup, cleaning only drops lines and rejoins wrapped ones:
    the words it keeps are a subsequence of the input's words."""
    raw = "".join(" ".join(words) + nl for words, nl in zip(lines, newlines))
    out = iter(raw.split())
    for word in clean_scrape(raw).text.split():
        assert any(word == w for w in out), word


@examples(40)
@given(TEXT, st.one_of(st.none(), LINE, st.text(ANY_CHAR, max_size=30)))
def test_clean_plain_with_any_title(body, title):
    from newsgraph.kb import name_key

    cleaned = clean_plain(body, title=title)
    assert_cleaned(cleaned, body)
    if title and title.replace("\u200b", " ").split():  # a headline (not only spaces) leads the text
        assert cleaned.paragraphs and name_key(cleaned.paragraphs[0].text) == name_key(title)


# --------------------------------------------------------------------------- bytes in, text out

ENCODINGS = st.sampled_from(["utf-8", "cp1252", "latin-1", "cp1251", "koi8_r", "utf-16", "utf-16-le", "utf-32",
                             "shift_jis", "gb18030", "iso8859_6", "mac_cyrillic"])  # fmt: skip


@st.composite
def mixed_bytes(draw) -> bytes:
    """Pieces of text in different encodings, BOMs, binary noise, NULs and broken UTF-8, glued together."""
    out = b""
    for _ in range(draw(st.integers(1, 5))):
        kind = draw(st.integers(0, 3))
        if kind == 0:
            out += draw(TEXT).encode(draw(ENCODINGS), errors="replace")
        elif kind == 1:
            out += draw(st.binary(max_size=64))
        elif kind == 2:
            out += draw(st.sampled_from([b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\x00", b"\xc3", b"\xe2\x80",
                                         b"\xf0\x9f\x98", b"\xed\xa0\x80", b"\x1f\x8b", b"%PDF-",
                                         b"\r\n"]))  # fmt: skip
        else:
            out += draw(scrapes()).encode("utf-8")
    return out


@examples(60)
@given(st.one_of(st.binary(max_size=600), mixed_bytes()))
def test_decode_gives_storable_text_or_a_clear_error(data):
    from newsgraph.ingest.decode import DecodeError, decode_bytes

    try:
        text = decode_bytes(data, "x.txt")
    except DecodeError as err:
        assert err.message and "\n" not in err.message
        return
    text.encode("utf-8")  # no lone surrogates: the store can hold it
    assert "\r" not in text and "\x00" not in text and not text.startswith("\ufeff")


@examples(30)
@given(st.one_of(st.binary(max_size=400), mixed_bytes(), pages().map(str.encode), scrapes().map(str.encode)),
       st.sampled_from([".txt", ".md", ".html", ".xhtml", ".jsonl", ".json", ".rss", ".atom", ".xml", ".warc",
                        ".warc.gz", ".bin", ""]))  # fmt: skip
def test_read_file_never_raises(data, suffix):
    import tempfile

    from newsgraph.ingest import read_file

    with tempfile.TemporaryDirectory(prefix="newsgraph-prop-") as folder:
        path = Path(folder) / f"input{suffix}"
        path.write_bytes(data)
        for item in read_file(path):
            assert isinstance(item, SourceDocument | InputError)
            if isinstance(item, InputError):
                assert item.origin.startswith(str(path)) and item.message and "\n" not in str(item)
                assert "unexpected error" not in item.message, item.message  # a reader bug, caught last-resort
            else:
                assert item.body.strip() and "\x00" not in item.body
                item.body.encode("utf-8")
                item.raw.encode("utf-8")
                assert_date(item.hints.get("published"))


# --------------------------------------------------------------------------- HTML


@examples(30)
@given(pages())
def test_html_document_never_raises(markup):
    result = document_from_html(markup, doc_id="d", origin="page.html")
    assert isinstance(result, SourceDocument | InputError)
    if isinstance(result, InputError):
        assert result.origin == "page.html" and "\n" not in result.message
        return
    assert result.body.strip()
    result.body.encode("utf-8")  # storable: no lone surrogates
    assert not CONTROL.search(result.body), "control characters (NUL...) reached the text"
    assert_date(result.hints.get("published"))
    for key in ("title", "outlet", "url", "language"):
        assert key not in result.hints or isinstance(result.hints[key], str)
    assert all(isinstance(a, str) and a for a in result.hints.get("authors", []))


@examples(30)
@given(pages())
def test_html_text_extractors_never_raise(markup):
    try:
        root, _ = parse_html(markup)
    except HtmlParseError:  # its documented failure ("Document is empty"), made an InputError by the reader
        pass
    else:
        assert_date(html_metadata(root).get("published"))
    for text in (markup_text(markup), snippet_text(markup)):
        assert isinstance(text, str) and not CONTROL.search(text)


# --------------------------------------------------------------------------- metadata


@examples(40)
@given(TEXT, HINTS)
def test_metadata_never_raises_and_dates_are_real(raw, hints):
    meta = read_metadata(clean_scrape(raw), hints, knowledge_base())
    assert_date(meta.published)
    assert meta.title is None or isinstance(meta.title, str)
    assert isinstance(meta.language, str) and meta.language
    assert all(isinstance(a, str) for a in meta.authors)


@examples(60)
@given(st.one_of(st.text(ANY_CHAR, max_size=40), LINE, PUBLISHED, st.integers(), st.floats(allow_nan=True),
                 st.dates(), st.datetimes(), st.datetimes().map(lambda d: d.timetuple())))  # fmt: skip
def test_normalize_date_gives_real_dates(value):
    assert_date(normalize_date(value))


JSON_VALUE = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), HINT_TEXT),
    lambda inner: st.one_of(st.lists(inner, max_size=3),
                            st.dictionaries(st.sampled_from(["name", "givenName", "familyName", "@type"]), inner)),
    max_leaves=12,
)  # JSON-LD "author" values, anything JSON can hold


@examples(40)
@given(JSON_VALUE)
def test_normalize_authors_never_raises(value):
    names = normalize_authors(value)
    assert all(isinstance(n, str) and n and len(n) <= 80 for n in names)


# --------------------------------------------------------------------------- dates and time expressions


@examples(60)
@given(TEXT)
def test_find_dates_spans_and_values(text):
    for found in find_dates(text):
        assert 0 <= found.start < found.end <= len(text)
        assert_date(found.value)


@examples(40)
@given(st.one_of(LINE, st.text(ANY_CHAR, max_size=60), FURNITURE))
def test_date_lines_never_raise(line):
    for found in (date_only_line(line), parse_loose(line[:40])):
        if found is not None:
            assert_date(found.value)


def assert_time_value(value: str | None, published) -> None:
    assert_date(value)
    if value is None:
        return
    year = int(value[:4])
    assert 1000 <= year <= 9999
    base = published if isinstance(published, dt.date) else None
    if base is not None:
        assert abs(year - base.year) <= 500, (value, published)


@examples(40)
@given(TEXT, PUBLISHED, st.booleans())
def test_time_expressions_never_raise(text, published, future):
    for expr in find_time_expressions(text, published, future):
        assert text[expr.start : expr.end] == expr.text and expr.text
        assert isinstance(expr.kind, str)
        assert_time_value(expr.value, published)
    assert_time_value(event_date(text, published, future), published)


@examples(40)
@given(st.one_of(LINE, st.text(ANY_CHAR, max_size=60), st.sampled_from(
    ["last Friday", "two weeks ago", "10000 years ago", "in 3000 years", "next August", "the year before last",
     "on 30 February", "mardi dernier", "il y a 3 jours", "9999 days ago", "1e9 weeks ago",
     "in November"])),  # fmt: skip
       PUBLISHED, st.booleans())
def test_resolve_never_raises(expression, published, future):
    assert_time_value(resolve(expression, published, future), published)


# --------------------------------------------------------------------------- records


@pytest.fixture(scope="module")
def small_extractor(extractor, kb):
    """The clean, metadata and entities stages only, on the session's spaCy pipeline."""
    from newsgraph.pipeline import Extractor

    return Extractor(kb, stages=["clean", "metadata", "entities"], nlp=extractor.nlp)


SCHEMA_PATH = Path(__file__).resolve().parents[2] / "shared" / "spec" / "record.schema.json"


def assert_valid_record(record: object) -> None:
    assert isinstance(record, Record), record  # an ExtractionError is a stage that crashed
    data = record.model_dump(mode="json")
    Record.model_validate(data)
    if SCHEMA_PATH.is_file():  # the published contract, when ../shared is there
        import jsonschema

        jsonschema.validate(data, json.loads(SCHEMA_PATH.read_text(encoding="utf-8")))
    text = record.text
    spans = [m for e in record.entities for m in e.mentions]
    spans += [x.evidence for x in (*record.roles, *record.events, *record.signals) if x.evidence is not None]
    spans += [s for n in record.narratives for s in n.evidence]
    for span in spans:
        assert 0 <= span.start <= span.end <= len(text)
        assert text[span.start : span.end] == span.text, (span, text[span.start : span.end])
    for quote in record.quotes:
        if quote.start is not None and quote.end is not None:
            assert 0 <= quote.start <= quote.end <= len(text)
    assert_date(record.published)
    json.dumps(data, ensure_ascii=False).encode("utf-8")  # storable as it is


@examples(12)
@given(TEXT)
def test_records_from_any_text_are_valid(small_extractor, raw):
    assert_valid_record(next(small_extractor.extract_many([read_text_input(raw or "x")])))


@examples(8)
@given(pages(), HINTS)
def test_records_from_any_page_are_valid(small_extractor, markup, hints):
    doc = document_from_html(markup, doc_id="page", origin="page.html", hints=hints)
    assume(isinstance(doc, SourceDocument))
    assert_valid_record(next(small_extractor.extract_many([doc])))


@examples(4)
@given(scrapes())
def test_records_through_every_stage_are_valid(extractor, raw):
    """The full default pipeline (roles, quotes, events, narratives, signals) on a few scrapes."""
    assert_valid_record(next(extractor.extract_many([read_text_input(raw or "x")])))
