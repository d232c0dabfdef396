"""HTML pages: main text via trafilatura, metadata from meta tags and JSON-LD.

Safety: pages are parsed by lxml's HTML parser with ``no_network`` and no
entity resolution (a DOCTYPE's internal subset is removed before parsing);
trafilatura and htmldate get the parsed tree, never a string (htmldate fetches
a string that looks like a URL). libxml2 stops at 256 levels of nesting; a page
nested deeper keeps the metadata read from its head and falls back to a linear
tag-stripping pass for its text (``needs_scrape_cleaning``).
"""
from __future__ import annotations

import html as _html
import json
import logging
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urljoin, urlparse

import lxml.html
from lxml import etree

from newsgraph.ingest.base import InputError, SourceDocument
from newsgraph.ingest.decode import decode_bytes, declared_html_charset, reads_text
from newsgraph.ingest.util import (
    clean_space,
    normalize_authors,
    normalize_date,
    normalize_language,
    one_line,
    sanitize_id,
    stem_of,
    strip_site_name,
)

for _name in ("trafilatura", "htmldate", "readability", "justext"):
    logging.getLogger(_name).setLevel(logging.CRITICAL)

# --------------------------------------------------------------------------- sniffing

_HTML_START = re.compile(
    r"^\s*(?:<\?xml[^>]{0,200}>\s*)?(?:<!--.*?-->\s*)*(?:<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>])",
    re.IGNORECASE | re.DOTALL,
)
_HTML_TAGS = re.compile(r"<(?:html|head|body|meta|title|div|p|article)[\s>/]", re.IGNORECASE)


def looks_like_html(text: str) -> bool:
    """Content sniffing: does this text start like an HTML page?"""
    head = text[:4096].lstrip("\ufeff")
    if _HTML_START.match(head):
        return True
    stripped = head.lstrip()
    return stripped.startswith("<") and len(_HTML_TAGS.findall(head)) >= 3


def decode_html(data: bytes, origin: str = "<bytes>", http_charset: str | None = None) -> str:
    """Decode an HTML page, honouring a BOM, then UTF-8, then its declared charset, then detection."""
    return decode_bytes(data, origin, declared_encoding=http_charset or declared_html_charset(data))


# --------------------------------------------------------------------------- parsing

_DOCTYPE_SUBSET = re.compile(r"<!DOCTYPE[^\[>]{0,500}\[.*?\]\s*>", re.IGNORECASE | re.DOTALL)
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ue000]")


class HtmlParseError(Exception):
    pass


def parse_html(markup: str) -> tuple[lxml.html.HtmlElement, bool]:
    """Parse a page: ``(root, too_deep)``; ``too_deep`` when libxml2 stopped at its nesting limit.

    Raises ``HtmlParseError`` for what lxml cannot parse at all.
    """
    markup = _CONTROL.sub("", _DOCTYPE_SUBSET.sub("", markup[:2000], count=1) + markup[2000:])
    parser = lxml.html.HTMLParser(
        encoding="utf-8",
        remove_comments=True,
        remove_pis=True,
        no_network=True,
        collect_ids=False,
        default_doctype=False,
    )
    try:
        root = lxml.html.document_fromstring(markup.encode("utf-8", "replace"), parser=parser)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError, TypeError) as err:
        raise HtmlParseError(one_line(err) or type(err).__name__) from None
    too_deep = any("depth" in (entry.message or "").lower() for entry in parser.error_log)
    return root, too_deep


# --------------------------------------------------------------------------- text from trees

_BLOCK = frozenset(
    "address article aside blockquote body caption center dd details dialog dir div dl dt fieldset "
    "figcaption figure footer form h1 h2 h3 h4 h5 h6 header hgroup hr legend li main menu nav ol p pre "
    "section summary table tbody tfoot thead tr ul".split()
)
_SKIP = frozenset("script style noscript template svg math head title iframe object embed canvas select button".split())
_BR = "\ue000"
_SPACES = re.compile(r"\s+")


def _paragraphs(chunks: list[list[str]]) -> str:
    paras = []
    for chunk in chunks:
        lines = (_SPACES.sub(" ", line).strip() for line in "".join(chunk).split(_BR))
        text = "\n".join(line for line in lines if line)
        if text:
            paras.append(text)
    return "\n\n".join(paras)


def tree_text(root: etree._Element) -> str:
    """Visible text of an element: scripts, styles and the like dropped, blocks as paragraphs.

    Iterative (no recursion), so any depth lxml built is fine.
    """
    chunks: list[list[str]] = [[]]
    skip = 0

    def brk() -> None:
        if chunks[-1]:
            chunks.append([])

    for event, el in etree.iterwalk(root, events=("start", "end")):
        tag = el.tag.rsplit("}", 1)[-1].lower() if isinstance(el.tag, str) else ""
        if event == "start":
            if skip or tag in _SKIP:
                skip += 1
                continue
            if tag in _BLOCK:
                brk()
            elif tag == "br":
                chunks[-1].append(_BR)
            if el.text:
                chunks[-1].append(el.text)
        else:
            if skip:
                skip -= 1
                if skip:
                    continue
            elif tag in _BLOCK:
                brk()
            elif tag in ("td", "th", "li", "dt", "dd"):
                chunks[-1].append(" ")
            if el.tail and el is not root:
                chunks[-1].append(el.tail)
    return _paragraphs(chunks)


def snippet_text(markup: str) -> str:
    """Text of an HTML fragment (a feed item's content) with paragraph breaks; no boilerplate removal."""
    markup = _CONTROL.sub("", markup)
    if not markup.strip():
        return ""
    if "<" not in markup:
        return _html.unescape(markup).strip()
    try:
        root = lxml.html.fragment_fromstring(
            markup.encode("utf-8", "replace"),
            create_parent="div",
            parser=lxml.html.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True, no_network=True),
        )
    except (etree.ParserError, etree.XMLSyntaxError, ValueError, TypeError, AssertionError):
        return markup_text(markup)  # (lxml asserts on a fragment that is a whole page: "too many bodies")
    return tree_text(root)


_COMMENT_OPEN = re.compile(r"<!--")
_RAW_OPEN = re.compile(r"<(script|style|noscript|template|svg|head|title)\b", re.IGNORECASE)
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9:-]*)[^<>]*>|<[!?][^<>]*>")
_BODY_OPEN = re.compile(r"<body\b[^<>]*>", re.IGNORECASE)


def markup_text(markup: str) -> str:
    """Visible text by linear tag stripping, for markup lxml cannot build a tree of (too deep)."""
    markup = _CONTROL.sub("", markup)  # as parse_html does: no NUL or other controls in the text
    body = _BODY_OPEN.search(markup)
    if body:
        markup = markup[body.end() :]
    out: list[str] = []
    pos = 0
    found: dict[re.Pattern[str], re.Match[str] | None] = {}
    while pos < len(markup):  # drop comments and raw-text elements; every scan moves forward
        for pattern in (_COMMENT_OPEN, _RAW_OPEN):
            cached = found.get(pattern, ...)
            if cached is ... or (cached is not None and cached.start() < pos):
                found[pattern] = pattern.search(markup, pos)
        comment, raw = found[_COMMENT_OPEN], found[_RAW_OPEN]
        hit = min((m for m in (comment, raw) if m), key=lambda m: m.start(), default=None)
        if hit is None:
            out.append(markup[pos:])
            break
        out.append(markup[pos : hit.start()])
        if hit is comment:
            end = markup.find("-->", hit.end())
            pos = len(markup) if end < 0 else end + 3
        else:
            closer = re.compile(rf"</{re.escape(hit.group(1))}\s*>", re.IGNORECASE).search(markup, hit.end())
            pos = len(markup) if closer is None else closer.end()
    text = "".join(out)

    def replace(match: re.Match[str]) -> str:
        name = (match.group(2) or "").lower()
        if name in _BLOCK:
            return "\n\n"
        if name == "br":
            return _BR
        if name in ("td", "th"):
            return " "
        return ""

    text = _html.unescape(_TAG.sub(replace, text))
    return _paragraphs([[part] for part in re.split(r"\n\s*\n", text)])


def _body_text(body: etree._Element) -> str:
    """trafilatura's extracted tree (``<p>``, ``<head>``, ``<list>``, ...) as blank-line separated text."""
    from trafilatura.xml import xmltotxt

    paras = []
    for child in body:
        text = xmltotxt(child, False) or ""
        text = "\n".join(_SPACES.sub(" ", line).strip() for line in text.split("\n")).strip()
        text = re.sub(r"\n{2,}", "\n", text)
        if text:
            paras.append(text)
    return "\n\n".join(paras)


def main_text(root: lxml.html.HtmlElement) -> str:
    """The article text trafilatura isolates (no comments; tables only if they hold the text)."""
    import trafilatura

    for tables in (False, True):
        try:
            result = trafilatura.bare_extraction(
                root,
                include_comments=False,
                include_tables=tables,
                include_images=False,
                include_links=False,
                with_metadata=False,
            )
        except Exception:  # trafilatura's heuristics on hostile markup: fall back to visible text
            result = None
        body = getattr(result, "body", None)
        text = _body_text(body) if body is not None else ""
        if text.strip() or not root.xpath("boolean(//table)"):
            return text
    return ""


# --------------------------------------------------------------------------- metadata

_ARTICLE_TYPES = ("article", "newsarticle", "reportagenewsarticle", "analysisnewsarticle", "opinionnewsarticle",
                  "blogposting", "backgroundnewsarticle", "report", "scholarlyarticle", "liveblogposting")  # fmt: skip


_AUTHOR_METAS = ("author", "article:author", "byl", "dc.creator", "dcterms.creator", "parsely-author",
                 "sailthru.author", "cxenseparse:author")  # fmt: skip


def _metas(root: lxml.html.HtmlElement) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for meta in root.iter("meta"):
        key = meta.get("property") or meta.get("name") or meta.get("itemprop") or meta.get("http-equiv")
        content = meta.get("content")
        if key and content and content.strip():
            found.setdefault(key.strip().lower(), []).append(clean_space(content))
    return found


def _jsonld_objects(root: lxml.html.HtmlElement) -> list[dict]:
    objects: list[dict] = []
    for script in root.xpath('//script[contains(translate(@type, "LDJSON", "ldjson"), "ld+json")]')[:20]:
        try:
            data = json.loads(script.text or "")
        except (ValueError, RecursionError):
            continue
        stack = [data]
        while stack and len(objects) < 200:
            item = stack.pop()
            if isinstance(item, list):
                stack.extend(reversed(item[:100]))
            elif isinstance(item, dict):
                objects.append(item)
                graph = item.get("@graph")
                if isinstance(graph, list):
                    stack.extend(reversed(graph[:100]))
    return objects


def _types(obj: dict) -> set[str]:
    value = obj.get("@type")
    values = value if isinstance(value, list) else [value]
    return {v.lower() for v in values if isinstance(v, str)}


def _name(value: object) -> str | None:
    if isinstance(value, dict):
        value = value.get("name")
    if isinstance(value, list) and value:
        return _name(value[0])
    return clean_space(value) if isinstance(value, str) and value.strip() else None


def _absolute_url(value: str | None, base: str | None = None) -> str | None:
    if not value:
        return None
    value = value.strip()
    if base and not urlparse(value).scheme:
        value = urljoin(base, value)
    return value if urlparse(value).scheme in ("http", "https") and urlparse(value).netloc else None


def html_metadata(root: lxml.html.HtmlElement) -> dict[str, object]:
    """Hints the page states: title, published, authors, outlet, url, language (only those found)."""
    metas = _metas(root)
    first = lambda *keys: next((metas[k][0] for k in keys if k in metas), None)  # noqa: E731
    objects = _jsonld_objects(root)
    article = next((o for o in objects if _types(o) & set(_ARTICLE_TYPES)), None)
    article = article or next((o for o in objects if "headline" in o), None) or {}

    outlet = first("og:site_name", "application-name", "al:android:app_name") or _name(article.get("publisher"))
    hints: dict[str, object] = {}
    if outlet:
        hints["outlet"] = outlet

    headline = article.get("headline")
    titles = [first("og:title"), first("twitter:title"), headline if isinstance(headline, str) else None]
    title_el = root.find("head/title")
    title_el = title_el if title_el is not None else root.find(".//title")
    if title_el is not None and title_el.text_content().strip():
        titles.append(title_el.text_content())
    h1 = root.find(".//h1")
    if h1 is not None:
        titles.append(h1.text_content())
    title = next((strip_site_name(t, outlet) for t in titles if t and clean_space(t)), None)
    if title:
        hints["title"] = title[:500]

    authors = normalize_authors(article.get("author")) or normalize_authors(article.get("creator"))
    for key in _AUTHOR_METAS:
        if authors:
            break
        authors = normalize_authors(metas.get(key, []))
    if authors:
        hints["authors"] = authors

    base = first("og:url")
    canonical = next(
        (link.get("href") for link in root.iter("link") if "canonical" in (link.get("rel") or "").lower().split()), None
    )
    url = _absolute_url(canonical, base) or _absolute_url(base)
    if not url:
        page = article.get("mainEntityOfPage")
        page_id = page.get("@id") if isinstance(page, dict) else page
        article_url = article.get("url")
        for candidate in (page_id, article_url):
            url = url or (_absolute_url(candidate) if isinstance(candidate, str) else None)
    if url:
        hints["url"] = url

    published = None
    try:
        import htmldate

        published = htmldate.find_date(root, url=url, original_date=True, extensive_search=False)
    except Exception:  # htmldate on hostile markup: fall back to the stated dates
        published = None
    published = normalize_date(published) or normalize_date(article.get("datePublished")) or normalize_date(
        first("article:published_time", "datepublished", "date", "dc.date", "dc.date.issued", "pubdate")
    )
    if published:
        hints["published"] = published

    language = normalize_language(root.get("lang") or root.get("{http://www.w3.org/XML/1998/namespace}lang"))
    language = language or normalize_language(first("content-language", "language", "og:locale", "dc.language"))
    language = language or normalize_language(article.get("inLanguage"))
    if language:
        hints["language"] = language
    return hints


# --------------------------------------------------------------------------- documents


def document_from_html(
    markup: str,
    *,
    doc_id: str,
    origin: str,
    fmt: str = "html",
    hints: dict[str, object] | None = None,
) -> SourceDocument | InputError:
    """One page as a document: main text as body, page metadata as hints.

    ``hints`` (stated by the container: JSON fields, WARC headers) override
    what the page says.
    """
    try:
        root, too_deep = parse_html(markup)
    except HtmlParseError as err:
        return InputError(origin, f"cannot parse HTML: {err}")
    try:
        page_hints = html_metadata(root)
    except Exception:  # metadata is a bonus; the text is what matters
        page_hints = {}
    needs_cleaning = False
    body = ""
    if too_deep:
        body = markup_text(markup)
        needs_cleaning = True
    else:
        body = main_text(root)
        if not body.strip():
            main = root.find("body")
            body = tree_text(main if main is not None else root)
            needs_cleaning = True
    if not body.strip():
        return InputError(origin, "no text found in HTML")
    merged = {**page_hints, **{k: v for k, v in (hints or {}).items() if v not in (None, "", [])}}
    return SourceDocument(
        doc_id=doc_id,
        origin=origin,
        format=fmt,  # type: ignore[arg-type]
        body=body,
        raw=markup,
        needs_scrape_cleaning=needs_cleaning,
        hints=merged,
    )


@reads_text(decode_html)
def read_html(path: Path, data: str) -> Iterator[SourceDocument | InputError]:
    """An HTML page (``.html``, ``.htm``, or sniffed): one document."""
    doc_id = sanitize_id(stem_of(path.name)) or sanitize_id(path.name) or "page"
    yield document_from_html(data, doc_id=doc_id, origin=str(path), fmt="html")
