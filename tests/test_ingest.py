"""Ingest: each input format reads correctly; paths, folders and patterns expand correctly."""
from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from newsgraph.ingest import (
    InputError,
    SourceDocument,
    expand_paths,
    read_documents,
    read_file,
    read_text_input,
)
from newsgraph.ingest.feed import read_feed
from newsgraph.ingest.html import read_html
from newsgraph.ingest.jsonl import read_jsonl
from newsgraph.ingest.text import read_text
from newsgraph.ingest.warc import read_warc

FIXTURES = Path(__file__).parent / "fixtures" / "ingest"

PARA = (
    "Several hundred Russian military instructors arrived in Bamako on Tuesday, according to two "
    "Malian officials. The deployment follows months of talks between the transitional government "
    "and Moscow on training, equipment and the protection of mining sites in the north."
)


def docs(results):
    return [r for r in results if isinstance(r, SourceDocument)]


def errors(results):
    return [r for r in results if isinstance(r, InputError)]


def page(title="<title>Page</title>", head="", body=f"<article><p>{PARA}</p><p>{PARA}</p></article>", lang="en"):
    return f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">{title}{head}</head><body>{body}</body></html>'


# --------------------------------------------------------------------------- HTML


def test_html_page_keeps_main_text_and_drops_boilerplate():
    results = list(read_documents([FIXTURES / "article.html"]))
    assert errors(results) == []
    (doc,) = docs(results)
    assert doc.doc_id == "article"
    assert doc.format == "html"
    assert doc.origin.endswith("article.html")
    assert doc.needs_scrape_cleaning is False
    assert "Several hundred Russian military instructors arrived in Bamako" in doc.body
    assert '"This is a partnership between sovereign states,"' in doc.body
    assert "linked to abuses against civilians." in doc.body
    # paragraphs stay paragraphs: blank-line separated
    assert "on training and equipment.\n\nThe Malian defence ministry" in doc.body
    for furniture in ("Subscribe for unlimited access", "Privacy policy", "All rights reserved", "Accept all cookies",
                      "Related stories", "Reader123", "dataLayer", "display: flex"):  # fmt: skip
        assert furniture not in doc.body, furniture
    assert doc.raw.lstrip().startswith("<!DOCTYPE html>")


def test_html_page_metadata_from_meta_tags():
    (doc,) = docs(read_html(FIXTURES / "article.html", (FIXTURES / "article.html").read_bytes()))
    assert doc.hints == {
        "title": "Russian instructors arrive in Bamako as Mali deepens security ties",
        "authors": ["Amadou Traoré", "Claire Dubois"],
        "published": "2024-03-05",
        "outlet": "Sahel Monitor",
        "url": "https://sahel-monitor.example/news/2024/03/russian-instructors-bamako",
        "language": "en",
    }


@pytest.mark.parametrize("sep", [" | ", " - ", " — "])
def test_html_title_site_suffix_removed(tmp_path, sep):
    path = tmp_path / "p.html"
    path.write_text(page(f"<title>Wagner leaves Mali{sep}Sahel Monitor</title>",
                         '<meta property="og:site_name" content="Sahel Monitor">'), encoding="utf-8")  # fmt: skip
    (doc,) = docs(read_documents([path]))
    assert doc.hints["title"] == "Wagner leaves Mali"
    assert doc.hints["outlet"] == "Sahel Monitor"


def test_html_title_kept_whole_without_site_name(tmp_path):
    path = tmp_path / "p.html"
    path.write_text(page("<title>Mali - Russia: a new deal</title>"), encoding="utf-8")
    (doc,) = docs(read_documents([path]))
    assert doc.hints["title"] == "Mali - Russia: a new deal"
    assert "outlet" not in doc.hints


def test_html_metadata_from_json_ld_and_other_metas(tmp_path):
    ld = {
        "@context": "https://schema.org",
        "@graph": [
            {"@type": "WebSite", "name": "ignored"},
            {"@type": ["NewsArticle"], "headline": "Deal signed in Bangui", "datePublished": "2023-11-02T08:00:00Z",
             "author": {"@type": "Person", "name": "Jean Ngaba"}, "publisher": {"name": "Bangui Daily"},
             "inLanguage": "fr-FR"},
        ],
    }  # fmt: skip
    head = f'<script type="application/ld+json">{json.dumps(ld)}</script>'
    html = page("", head, lang="").replace(' lang=""', "")
    (doc,) = docs(read_html(tmp_path / "ld.html", html))
    assert doc.hints["title"] == "Deal signed in Bangui"
    assert doc.hints["authors"] == ["Jean Ngaba"]
    assert doc.hints["published"] == "2023-11-02"
    assert doc.hints["outlet"] == "Bangui Daily"
    assert doc.hints["language"] == "fr"


def test_html_charset_declared_in_meta(tmp_path):
    path = tmp_path / "win.html"
    html = page('<meta http-equiv="Content-Type" content="text/html; charset=windows-1252"><title>Traoré à Bamako</title>')
    path.write_bytes(html.replace('<meta charset="utf-8">', "").encode("cp1252"))
    (doc,) = docs(read_documents([path]))
    assert doc.hints["title"] == "Traoré à Bamako"


def test_html_detected_by_content_in_txt_file(tmp_path):
    path = tmp_path / "saved-page.txt"
    path.write_text(page("<title>Saved page</title>"), encoding="utf-8")
    (doc,) = docs(read_documents([path]))
    assert doc.format == "html"
    assert doc.hints["title"] == "Saved page"
    assert "<p>" not in doc.body and PARA in doc.body


def test_html_without_article_falls_back_to_visible_text(tmp_path):
    html = "<html><body><script>var a = 1;</script><div>Short line one</div><div>Short line two</div></body></html>"
    (doc,) = docs(read_html(tmp_path / "tiny.html", html))
    assert "Short line one" in doc.body and "Short line two" in doc.body
    assert "var a" not in doc.body


# --------------------------------------------------------------------------- text, Markdown


def test_text_and_markdown_files(tmp_path):
    (tmp_path / "interview.txt").write_text("Menu\nHome | World\n\nThe minister said...\n", encoding="utf-8")
    (tmp_path / "notes.md").write_text("# Title\n\nSome *text*.\n", encoding="utf-8")
    (tmp_path / "brief.markdown").write_text("Brief\n", encoding="utf-8")
    results = list(read_documents([tmp_path]))
    assert errors(results) == []
    by_id = {d.doc_id: d for d in docs(results)}
    assert set(by_id) == {"interview", "notes", "brief"}
    assert by_id["interview"].format == "text"
    assert by_id["interview"].body == "Menu\nHome | World\n\nThe minister said...\n"  # as is
    assert by_id["interview"].needs_scrape_cleaning is True
    assert by_id["notes"].format == "markdown"
    assert by_id["brief"].format == "markdown"
    assert by_id["notes"].body == by_id["notes"].raw == "# Title\n\nSome *text*.\n"


def test_read_text_directly(tmp_path):
    (doc,) = list(read_text(tmp_path / "a b.txt", "Hello"))
    assert doc.doc_id == "a-b" and doc.body == "Hello"


def test_read_text_input():
    doc = read_text_input("Moscow and Bamako signed a deal.\r\n")
    assert doc.format == "text" and doc.needs_scrape_cleaning is True
    assert doc.body == "Moscow and Bamako signed a deal.\n"
    assert len(doc.doc_id) == 16 and all(c in "0123456789abcdef" for c in doc.doc_id)
    assert read_text_input("Moscow and Bamako signed a deal.\r\n").doc_id == doc.doc_id
    assert read_text_input("x", doc_id="mine").doc_id == "mine"


# --------------------------------------------------------------------------- JSON lines


def test_jsonl_text_and_html_lines(tmp_path):
    html = page("<title>From HTML | Wire</title>", '<meta property="og:site_name" content="Wire">')
    lines = [
        {"id": "wire/2024 03 05#1", "text": "Russia and Mali signed a deal.", "title": "Deal", "url": "https://w.example/1",
         "published": "2024-03-05T10:00:00Z", "outlet": "Wire", "authors": ["A. Diallo", "B. Keita"], "language": "fr-FR"},
        {"html": html, "author": "By C. Sow", "published": "5 March 2024"},
        {"text": "No id here.", "url": "https://w.example/3"},
        {"text": "Neither id nor url."},
    ]  # fmt: skip
    path = tmp_path / "wire.jsonl"
    path.write_text("\n".join(json.dumps(x) for x in lines[:2]) + "\n\n" + "\n".join(json.dumps(x) for x in lines[2:]) + "\n")
    results = list(read_documents([path]))
    assert errors(results) == []
    first, second, third, fourth = docs(results)
    assert first.doc_id == "wire-2024-03-05-1"
    assert first.origin == f"{path}:1" and first.format == "jsonl"
    assert first.body == first.raw == "Russia and Mali signed a deal."
    assert first.needs_scrape_cleaning is False
    assert first.hints == {"title": "Deal", "url": "https://w.example/1", "published": "2024-03-05", "outlet": "Wire",
                           "authors": ["A. Diallo", "B. Keita"], "language": "fr"}  # fmt: skip
    assert second.origin == f"{path}:2"
    assert PARA in second.body and "<p>" not in second.body
    assert second.raw == html
    assert second.hints["title"] == "From HTML"  # from the page
    assert second.hints["authors"] == ["C. Sow"]  # from the record
    assert second.hints["published"] == "2024-03-05"
    import hashlib

    assert third.origin == f"{path}:4"  # the blank line 3 is skipped
    assert third.doc_id == "wire-" + hashlib.sha256(b"https://w.example/3").hexdigest()[:12]
    assert fourth.doc_id == "wire-" + hashlib.sha256(b"Neither id nor url.").hexdigest()[:12]


def test_json_array_file(tmp_path):
    path = tmp_path / "batch.json"
    path.write_text(json.dumps([{"id": "a", "text": "One."}, {"id": "b", "text": "Two."}], indent=2))
    results = list(read_documents([path]))
    assert [(d.doc_id, d.origin) for d in docs(results)] == [("a", f"{path}#1"), ("b", f"{path}#2")]


def test_read_jsonl_directly_from_text(tmp_path):
    results = list(read_jsonl(tmp_path / "x.ndjson", '{"text": "a"}\n{"text": "b"}'))
    assert [d.body for d in docs(results)] == ["a", "b"]


# --------------------------------------------------------------------------- feeds


def test_rss_feed_items():
    results = list(read_documents([FIXTURES / "desk.rss"]))
    assert errors(results) == []
    first, second = docs(results)
    assert first.format == "feed"
    assert first.origin.endswith("desk.rss#1") and second.origin.endswith("desk.rss#2")
    assert first.body == (
        "The government in Bangui has extended its training agreement with Russian instructors for another two "
        "years, the presidency said on Monday.\n\nThe instructors first arrived in 2018 under a United Nations "
        "exemption to the arms embargo."
    )
    assert first.hints == {
        "title": "Central African Republic extends training agreement with Russia",
        "published": "2024-02-12",
        "authors": ["Jean-Pierre Ngaba"],
        "url": "https://africa-desk.example/news/car-training-agreement",
        "outlet": "Africa Security Desk",
        "language": "en",
    }
    assert "<b>" in first.raw
    assert second.body.startswith("Negotiations over a Russian naval logistics centre")
    assert "\n\nThe agreement was first signed in 2020." in second.body
    assert second.hints["authors"] == ["Fatima Osman"]
    assert second.hints["published"] == "2024-02-13"
    assert first.doc_id != second.doc_id and first.doc_id.startswith("desk-")


def test_atom_feed_items():
    data = (FIXTURES / "desk.atom").read_bytes()
    results = list(read_feed(FIXTURES / "desk.atom", data))
    first, second = docs(results)
    assert first.body.startswith("Une cargaison d'équipements militaires est arrivée à Ouagadougou")
    assert "\n\nLes autorités" in first.body
    # the date as the feed writes it, not shifted to UTC
    assert first.hints["published"] == "2024-03-05"
    assert first.hints["authors"] == ["Awa Ouédraogo"]
    assert first.hints["outlet"] == "Observatoire du Sahel"
    assert first.hints["url"] == "https://observatoire-sahel.example/articles/burkina-equipements"
    assert second.body == "Une délégation russe conduite par un vice-ministre de la Défense a été reçue à Niamey."
    assert second.hints["published"] == "2024-03-07"  # only <updated>


def test_feed_detected_in_xml_file(tmp_path):
    path = tmp_path / "export.xml"
    path.write_bytes((FIXTURES / "desk.rss").read_bytes())
    assert len(docs(read_documents([path]))) == 2


# --------------------------------------------------------------------------- WARC


def write_warc(path: Path, records, gzip=True):
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    with open(path, "wb") as out:
        writer = WARCWriter(out, gzip=gzip)
        for kind, url, status, ctype, payload, *extra in records:
            if kind == "request":
                headers = StatusAndHeaders(f"GET {url} HTTP/1.1", [("Host", "example")], is_http_request=True)
                record = writer.create_warc_record(url, "request", payload=io.BytesIO(b""), http_headers=headers)
            else:
                http = [("Content-Type", ctype)] + (extra[0] if extra else [])
                headers = StatusAndHeaders(status, http, protocol="HTTP/1.1")
                record = writer.create_warc_record(url, kind, payload=io.BytesIO(payload), http_headers=headers,
                                                   warc_headers_dict={"WARC-Date": "2024-04-01T12:00:00Z"})  # fmt: skip
            writer.write_record(record)


def test_warc_html_responses_only(tmp_path):
    path = tmp_path / "crawl.warc.gz"
    dated = page("<title>Dated</title>", '<meta property="article:published_time" content="2024-03-02">')
    write_warc(path, [
        ("request", "https://news.example/a", None, None, b""),
        ("response", "https://news.example/a", "200 OK", "text/html; charset=utf-8", page("<title>Undated</title>").encode()),
        ("response", "https://news.example/logo.png", "200 OK", "image/png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64),
        ("response", "https://news.example/gone", "404 Not Found", "text/html", page("<title>404</title>").encode()),
        ("response", "https://news.example/b", "200 OK", "text/html", dated.encode()),
    ])  # fmt: skip
    results = list(read_documents([path]))
    assert errors(results) == []
    first, second = docs(results)
    assert first.format == "warc"
    assert first.origin == f"{path}#2"
    assert first.hints["url"] == "https://news.example/a"
    assert first.hints["title"] == "Undated"
    assert first.hints["crawled"] == "2024-04-01" and "published" not in first.hints
    assert PARA in first.body
    assert second.origin == f"{path}#5"
    assert second.hints["published"] == "2024-03-02" and "crawled" not in second.hints
    assert first.doc_id.startswith("crawl-") and first.doc_id != second.doc_id


def test_warc_uncompressed_and_read_directly(tmp_path):
    path = tmp_path / "plain.warc"
    write_warc(path, [("response", "https://n.example/x", "200 OK", "text/html", page().encode())], gzip=False)
    (doc,) = docs(read_warc(path, path.read_bytes()))
    assert doc.hints["url"] == "https://n.example/x"


def test_warc_without_html_pages_says_so(tmp_path):
    path = tmp_path / "img.warc.gz"
    write_warc(path, [("response", "https://n.example/i.png", "200 OK", "image/png", b"\x89PNG\r\n\x1a\n")])
    (err,) = list(read_documents([path]))
    assert isinstance(err, InputError) and "no HTML pages" in err.message


# --------------------------------------------------------------------------- paths


def make_tree(root: Path) -> None:
    for rel in ("b.txt", "a.txt", "sub/c.md", "sub/deeper/d.txt", ".hidden.txt", ".git/config.txt", "sub/.cache/e.txt"):
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"text of {rel}\n", encoding="utf-8")


def test_folder_recursion_sorted_and_hidden_skipped(tmp_path):
    make_tree(tmp_path)
    found = list(expand_paths([str(tmp_path)]))
    assert [p.relative_to(tmp_path).as_posix() for p in found] == ["a.txt", "b.txt", "sub/c.md", "sub/deeper/d.txt"]


def test_glob_patterns(tmp_path):
    make_tree(tmp_path)
    flat = [p.name for p in expand_paths([f"{tmp_path}/*.txt"])]
    assert flat == ["a.txt", "b.txt"]
    deep = [p.relative_to(tmp_path).as_posix() for p in expand_paths([f"{tmp_path}/**/*.txt"])]
    assert deep == ["a.txt", "b.txt", "sub/deeper/d.txt"]
    everything = [p.relative_to(tmp_path).as_posix() for p in expand_paths([f"{tmp_path}/**"])]
    assert everything == ["a.txt", "b.txt", "sub/c.md", "sub/deeper/d.txt"]


def test_missing_path_and_unmatched_pattern(tmp_path):
    results = list(expand_paths([str(tmp_path / "nope.txt"), f"{tmp_path}/*.nothing"]))
    assert [str(r) for r in results] == [
        f"{tmp_path / 'nope.txt'}: no such file or folder",
        f"{tmp_path}/*.nothing: no files match this pattern",
    ]


def test_repeated_paths_read_once(tmp_path):
    make_tree(tmp_path)
    a = tmp_path / "a.txt"
    (tmp_path / "link.txt").symlink_to(a)
    found = list(expand_paths([a, str(a), tmp_path / "." / "a.txt", f"{tmp_path}/a.*", tmp_path / "link.txt"]))
    assert found == [a]


def test_empty_folder(tmp_path):
    (tmp_path / "empty").mkdir()
    (err,) = list(expand_paths([tmp_path / "empty"]))
    assert isinstance(err, InputError) and "no files" in err.message


def test_read_documents_mixed_folder(tmp_path):
    make_tree(tmp_path)
    (tmp_path / "page.html").write_text(page("<title>P</title>"), encoding="utf-8")
    results = list(read_documents([tmp_path, tmp_path / "a.txt"]))
    assert errors(results) == []
    assert [d.doc_id for d in docs(results)] == ["a", "b", "page", "c", "d"]


def test_doc_ids_unique_across_files(tmp_path):
    for folder in ("x", "y"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "report.txt").write_text(f"report from {folder}", encoding="utf-8")
    ids = [d.doc_id for d in docs(read_documents([tmp_path]))]
    assert ids == ["report", "report-2"]


def test_unknown_extensions_are_sniffed(tmp_path):
    (tmp_path / "page").write_text(page("<title>No extension</title>"), encoding="utf-8")
    (tmp_path / "records.dat").write_text('{"text": "a record"}\n{"text": "another"}\n', encoding="utf-8")
    (tmp_path / "notes.log").write_text("plain notes", encoding="utf-8")
    (tmp_path / "feed.php").write_bytes((FIXTURES / "desk.rss").read_bytes())
    formats = {d.origin.rsplit("/", 1)[-1]: d.format for d in docs(read_documents([tmp_path]))}
    assert formats == {"feed.php#1": "feed", "feed.php#2": "feed", "notes.log": "text", "page": "html",
                       "records.dat:1": "jsonl", "records.dat:2": "jsonl"}  # fmt: skip


def test_read_file_single(tmp_path):
    path = tmp_path / "one.txt"
    path.write_text("one", encoding="utf-8")
    (doc,) = list(read_file(path))
    assert doc.body == "one"
