"""Ingest: bad inputs give one-line InputErrors naming the file, never an exception."""
from __future__ import annotations

import gzip
import io
import json
import os
import random
import time
from pathlib import Path

import pytest

from newsgraph.ingest import InputError, SourceDocument, read_documents, read_file
from newsgraph.ingest.decode import MAX_BYTES, DecodeError, decode_bytes
from newsgraph.ingest.feed import read_feed
from newsgraph.ingest.html import read_html
from newsgraph.ingest.warc import read_warc

FIXTURES = Path(__file__).parent / "fixtures" / "ingest"
PARA = (
    "Russian instructors trained soldiers of the Central African Republic near Bangui, officials said. "
    "The programme, first agreed in 2018, covers infantry tactics, logistics and the protection of convoys."
)
PAGE = f"<html><head><title>Page</title></head><body><article><p>{PARA}</p><p>{PARA}</p></article></body></html>"


def docs(results):
    return [r for r in results if isinstance(r, SourceDocument)]


def errors(results):
    return [r for r in results if isinstance(r, InputError)]


def only_error(results) -> InputError:
    results = list(results)
    assert len(results) == 1 and isinstance(results[0], InputError), results
    err = results[0]
    assert "\n" not in str(err)
    return err


def read_one(path, **kw):
    return list(read_documents([path], **kw))


# --------------------------------------------------------------------------- binary, empty, size


@pytest.mark.parametrize(
    "name, data, kind",
    [
        ("x.bin", b"\x89PNG\r\n\x1a\n" + bytes(range(256)), "PNG image"),
        ("scan.txt", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "PDF document"),
        ("bundle.md", b"PK\x03\x04\x14\x00\x00\x00" + b"\x00" * 30, "ZIP archive"),
        ("report.html", b"PK\x03\x04\x14\x00\x06\x00" + b"\x00" * 22 + b"word/document.xml", "DOCX Word document"),
        ("data.jsonl", gzip.compress(b'{"text": "hello"}\n'), "gzip archive"),
        ("photo", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", "JPEG image"),
    ],
)
def test_binary_files_named_by_kind(tmp_path, name, data, kind):
    path = tmp_path / name
    path.write_bytes(data)
    err = only_error(read_one(path))
    assert str(err) == f"{path}: binary file ({kind}), not a text document"


def test_random_bytes_are_binary(tmp_path):
    path = tmp_path / "noise.txt"
    path.write_bytes(random.Random(7).randbytes(4096))
    err = only_error(read_one(path))
    assert err.origin == str(path)
    assert err.message.startswith("binary file (") and err.message.endswith("not a text document")


def test_control_characters_are_binary():
    with pytest.raises(DecodeError, match="binary file"):
        decode_bytes(bytes([1, 2, 3, 4, 5, 6, 7, 8, 65, 66]) * 20, "x")


@pytest.mark.parametrize("name", ["empty.txt", "empty.html", "empty.jsonl", "empty.rss", "empty.warc.gz", "empty"])
def test_empty_file(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(b"")
    assert str(only_error(read_one(path))) == f"{path}: empty file"


def test_whitespace_only_file(tmp_path):
    path = tmp_path / "blank.txt"
    path.write_text(" \n\n\t\n")
    assert "only whitespace" in only_error(read_one(path)).message


def test_file_over_default_limit_is_not_read(tmp_path, monkeypatch):
    monkeypatch.delenv("NEWSGRAPH_MAX_BYTES", raising=False)
    path = tmp_path / "huge.txt"
    with open(path, "wb") as handle:  # sparse: 50 MB on paper, nothing on disk
        handle.truncate(50_000_000)
    assert MAX_BYTES == 20_000_000
    err = only_error(read_one(path))
    assert str(err) == f"{path}: file is 50.0 MB, over the 20 MB limit"


def test_size_limit_by_argument_and_environment(tmp_path, monkeypatch):
    path = tmp_path / "a.txt"
    path.write_text("x" * 3000)
    assert only_error(read_one(path, max_bytes=1000)).message == "file is 3.0 KB, over the 1 KB limit"
    monkeypatch.setenv("NEWSGRAPH_MAX_BYTES", "2000")
    assert only_error(read_one(path)).message == "file is 3.0 KB, over the 2 KB limit"
    assert docs(read_one(path, max_bytes=5000))  # the argument wins over the environment


# --------------------------------------------------------------------------- encodings


@pytest.mark.parametrize("encoding", ["cp1252", "latin-1"])
def test_legacy_encodings_decode(tmp_path, encoding):
    text = "Amadou Traoré a déclaré à Bamako que la coopération continuera.\nGarçon, où êtes-vous ?\n"
    path = tmp_path / f"{encoding}.txt"
    path.write_bytes(text.encode(encoding))
    (doc,) = docs(read_one(path))
    assert doc.body == text


def test_cp1252_punctuation(tmp_path):
    text = "Le ministre a dit : “c’est un partenariat” – Traoré…\n"
    path = tmp_path / "quotes.txt"
    path.write_bytes(text.encode("cp1252"))
    (doc,) = docs(read_one(path))
    assert doc.body == text


def test_cyrillic_legacy_encoding(tmp_path):
    text = "Российские военные инструкторы прибыли в Бамако во вторник, сообщили официальные лица.\n"
    path = tmp_path / "ru.txt"
    path.write_bytes(text.encode("cp1251"))
    (doc,) = docs(read_one(path))
    assert doc.body == text


def test_mixed_encoding_keeps_utf8_and_repairs_cp1252(tmp_path):
    data = (
        "Déclaration officielle — Bamako, 5 mars\n".encode("utf-8")
        + "Traoré a déclaré : “nous continuerons”.\n".encode("cp1252")
        + "Fin du communiqué — «merci»\n".encode("utf-8")
        + "Inline: ".encode() + "Moçambique".encode("cp1252") + " and “ok”\n".encode("utf-8")
    )
    path = tmp_path / "mixed.txt"
    path.write_bytes(data)
    (doc,) = docs(read_one(path))
    assert doc.body == (
        "Déclaration officielle — Bamako, 5 mars\n"
        "Traoré a déclaré : “nous continuerons”.\n"
        "Fin du communiqué — «merci»\n"
        "Inline: Moçambique and “ok”\n"
    )


@pytest.mark.parametrize(
    "data",
    [
        b"\xef\xbb\xbfTraor\xc3\xa9 said\r\nhello\r\n",
        "Traoré said\r\nhello\r\n".encode("utf-16"),
        "\ufeffTraoré said\r\nhello\r\n".encode("utf-16-be"),
        b"Traor\xc3\xa9 said\rhello\r",
    ],
)
def test_bom_stripped_and_newlines_normalized(tmp_path, data):
    path = tmp_path / "bom.txt"
    path.write_bytes(data)
    (doc,) = docs(read_one(path))
    assert doc.body == "Traoré said\nhello\n"


def test_decode_errors_say_why():
    with pytest.raises(DecodeError, match="^empty file$"):
        decode_bytes(b"", "x")
    with pytest.raises(DecodeError, match=r"binary file \(PNG image\)"):
        decode_bytes(b"\x89PNG\r\n\x1a\n....", "x")
    with pytest.raises(DecodeError, match="invalid UTF-8 after its byte-order mark"):
        decode_bytes(b"\xef\xbb\xbfok \xff\xfe bad", "x")


# --------------------------------------------------------------------------- HTML


@pytest.mark.parametrize(
    "markup",
    [
        "<html><body><div><p>Unclosed paragraph <b>bold <i>italic",
        "<<<>>> &&& <p <b </ div>> garbage",
        "</p></div></body></html>",
        "<html><head><title>x</title></head><body></body></html>",
        "<!-- nothing but a comment -->",
        "<html><body><script>var x = '<p>not text</p>';</script><style>p{}</style></body></html>",
        "<html><body><p>Text with a NUL\x00 and \x01 control chars</p></body></html>",
        "<?xml version='1.0' encoding='iso-8859-1'?><html><body><p>XHTML with a declaration</p></body></html>",
        "http://example.com/looks-like-a-url",
        '<table><tr><td><table><tr><td>Nested tables with text</td></tr></table></td></tr></table>' * 3,
        "<html><body>" + "<p>" * 5000 + "deep paragraphs" + "</body></html>",
    ],
)
def test_broken_html_never_crashes(tmp_path, markup):
    results = list(read_html(tmp_path / "broken.html", markup))
    assert len(results) == 1
    result = results[0]
    if isinstance(result, InputError):
        assert result.message.startswith(("cannot parse HTML", "no text found in HTML"))
    else:
        assert "<script" not in result.body and "not text" not in result.body


def test_broken_html_with_text_keeps_the_text(tmp_path):
    (doc,) = docs(read_html(tmp_path / "b.html", "<html><body><div><p>Unclosed paragraph about Wagner <b>in Mali"))
    assert "Unclosed paragraph about Wagner in Mali" in doc.body


def test_deeply_nested_html(tmp_path):
    depth = 100_000
    markup = (
        "<html><head><title>Deep | Site</title><meta property='og:site_name' content='Site'></head><body>"
        + "<div>" * depth + f"<p>{PARA}</p>" + "</div>" * depth + "</body></html>"
    )  # fmt: skip
    path = tmp_path / "deep.html"
    path.write_text(markup)
    start = time.monotonic()
    (result,) = read_one(path)
    assert time.monotonic() - start < 5
    assert isinstance(result, SourceDocument | InputError)
    if isinstance(result, SourceDocument):
        assert PARA in result.body and "<div>" not in result.body
        assert result.hints["title"] == "Deep"


def test_html_entities_not_resolved(tmp_path):
    markup = (
        '<?xml version="1.0"?><!DOCTYPE html [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        f"<html><body><p>{PARA} &xxe; end.</p><p>{PARA}</p></body></html>"
    )
    (doc,) = docs(read_html(tmp_path / "xxe.html", markup))
    assert "root:" not in doc.body and "ENTITY" not in doc.body


# --------------------------------------------------------------------------- JSON lines


def test_malformed_json_line_in_the_middle(tmp_path):
    path = tmp_path / "feed.jsonl"
    path.write_text(
        '{"id": "a", "text": "first"}\n'
        '{"id": "b", "text": "second" "oops": 1}\n'
        '{"id": "c", "text": "third"}\n'
        "[1, 2]\n"
        '{"id": "e", "title": "no text"}\n'
        '{"id": "f", "text": 42}\n'
        '{"id": "g", "text": "last"}'
    )
    results = read_one(path)
    assert [d.doc_id for d in docs(results)] == ["a", "c", "g"]
    assert [str(e) for e in errors(results)] == [
        f"{path}:2: invalid JSON: Expecting ',' delimiter at column 30",
        f"{path}:4: invalid record: expected a JSON object, got a list",
        f'{path}:5: invalid record: no "text" or "html" field',
        f'{path}:6: invalid record: "text" must be a string, got a number',
    ]


def test_jsonl_that_is_not_json_at_all(tmp_path):
    path = tmp_path / "x.jsonl"
    path.write_text("\n".join(f"line {i}, not json" for i in range(100)))
    results = read_one(path)
    assert not docs(results)
    assert len(results) == 21  # 20 listed, one summary
    assert results[-1].message == "80 more bad lines not listed (100 in all)"


def test_jsonl_deeply_nested_line(tmp_path):
    path = tmp_path / "deep.jsonl"
    path.write_text("[" * 100_000 + "]" * 100_000 + '\n{"text": "ok"}\n')
    results = read_one(path)
    assert [d.body for d in docs(results)] == ["ok"]
    assert errors(results)[0].origin == f"{path}:1"


# --------------------------------------------------------------------------- feeds

XXE_FEED = b"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE rss [
  <!ENTITY xxe SYSTEM "file:///etc/passwd">
  <!ENTITY lol "lol">
  <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<rss version="2.0"><channel><title>Evil &xxe;</title>
<item><title>Item &xxe;</title><link>https://evil.example/1</link>
<description>Leak: &xxe; and &lol3; end</description></item>
<item><title>Second</title><link>https://evil.example/2</link><description>Second item text</description></item>
</channel></rss>"""


def test_feedparser_itself_does_not_resolve_external_entities():
    import feedparser

    parsed = feedparser.parse(io.BytesIO(XXE_FEED))
    assert "root:" not in repr(parsed)


def test_xxe_feed_is_not_resolved(tmp_path):
    path = tmp_path / "evil.rss"
    path.write_bytes(XXE_FEED)
    results = read_one(path)
    assert len(docs(results)) == 2
    for result in results:
        text = repr(result)
        assert "root:" not in text and "lollollol" not in text


def test_bozo_feed_without_items(tmp_path):
    path = tmp_path / "broken.rss"
    path.write_text("<rss><channel><title>Broken</title><item><title>x</")
    err = only_error(read_one(path))
    assert err.message == "not a valid feed: unclosed token at line 1"
    path.write_text('<?xml version="1.0"?>\n<rss version="2.0">\n<channel><title>Cut short')
    assert only_error(read_one(path)).message == "not a valid feed: no element found at line 3"


def test_feed_without_items(tmp_path):
    path = tmp_path / "empty.atom"
    path.write_text('<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Nothing</title></feed>')
    assert only_error(read_one(path)).message == "feed has no items"


def test_xml_that_is_not_a_feed(tmp_path):
    path = tmp_path / "sitemap.xml"
    path.write_text('<?xml version="1.0"?><urlset><url><loc>https://x.example/</loc></url></urlset>')
    assert only_error(read_one(path)).message == "XML file that is not an RSS or Atom feed"


def test_feed_given_as_string_is_not_fetched(tmp_path):
    # a feed body that is a URL must never reach feedparser as a string (it would fetch it)
    results = list(read_feed(tmp_path / "u.rss", "http://127.0.0.1:9/feed.xml"))
    assert errors(results) and not docs(results)


# --------------------------------------------------------------------------- WARC


def write_warc(path: Path, records, gzip_records=True):
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    with open(path, "wb") as out:
        writer = WARCWriter(out, gzip=gzip_records)
        for url, payload, extra in records:
            headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html")] + extra, protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(url, "response", payload=io.BytesIO(payload), http_headers=headers))


def test_warc_record_over_the_cap_is_skipped(tmp_path):
    path = tmp_path / "big.warc.gz"
    big = b"<html><body><p>" + b"A" * 300_000 + b"</p></body></html>"
    bomb = gzip.compress(b"<html><body><p>" + b"B" * 2_000_000 + b"</p></body></html>")  # ~2 KB on disk
    write_warc(path, [
        ("https://x.example/ok1", PAGE.encode(), []),
        ("https://x.example/big", big, []),
        ("https://x.example/bomb", bomb, [("Content-Encoding", "gzip")]),
        ("https://x.example/ok2", PAGE.encode(), []),
    ])  # fmt: skip
    assert path.stat().st_size < 20_000
    results = list(read_warc(path, max_record_bytes=100_000))
    assert [r.origin for r in docs(results)] == [f"{path}#1", f"{path}#4"]
    big_err, bomb_err = errors(results)
    assert big_err.origin == f"{path}#2" and "https://x.example/big" in big_err.message
    assert "over the 100 KB limit" in big_err.message
    assert bomb_err.origin == f"{path}#3" and "https://x.example/bomb" in bomb_err.message
    assert "decompressed" in bomb_err.message
    # the same through read_documents: max_bytes caps each record
    assert [r.origin for r in docs(read_documents([path], max_bytes=100_000))] == [f"{path}#1", f"{path}#4"]


def test_warc_total_cap(tmp_path):
    path = tmp_path / "many.warc.gz"
    write_warc(path, [(f"https://x.example/{i}", PAGE.encode() + b" " * 50_000, []) for i in range(10)])
    results = list(read_warc(path, max_record_bytes=100_000, max_total_bytes=200_000))
    assert 1 <= len(docs(results)) < 10
    assert "over 200 KB of decompressed data" in errors(results)[-1].message


def test_truncated_warc_gz_keeps_documents_read(tmp_path):
    path = tmp_path / "cut.warc.gz"
    write_warc(path, [(f"https://x.example/{i}", PAGE.encode(), []) for i in range(3)])
    data = path.read_bytes()
    path.write_bytes(data[: len(data) - 150])
    results = read_one(path)
    found = docs(results)
    assert 1 <= len(found) <= 2
    assert found[0].hints["url"] == "https://x.example/0"
    err = errors(results)[-1]
    assert err.origin == str(path) and "truncated" in err.message and isinstance(results[-1], InputError)


def test_truncated_plain_warc(tmp_path):
    path = tmp_path / "cut.warc"
    write_warc(path, [(f"https://x.example/{i}", PAGE.encode(), []) for i in range(2)], gzip_records=False)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) - 100])
    results = read_one(path)
    assert [d.hints["url"] for d in docs(results)] == ["https://x.example/0"]
    assert "truncated" in errors(results)[0].message


def test_corrupt_warc_gz(tmp_path):
    path = tmp_path / "bad.warc.gz"
    write_warc(path, [(f"https://x.example/{i}", PAGE.encode(), []) for i in range(3)])
    data = bytearray(path.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 40] = b"\xff" * 40
    path.write_bytes(bytes(data))
    results = read_one(path)
    assert docs(results) and docs(results)[0].hints["url"] == "https://x.example/0"
    assert errors(results) and all("\n" not in str(e) for e in errors(results))


def test_not_a_warc(tmp_path):
    path = tmp_path / "fake.warc"
    path.write_text("this is not an archive\n")
    assert only_error(read_one(path)).message.startswith("not a WARC file")


# --------------------------------------------------------------------------- paths


def test_directory_where_a_file_is_expected(tmp_path):
    folder = tmp_path / "looks-like-a-file.txt"
    folder.mkdir()
    assert only_error(read_file(folder)).message == "is a folder, not a file"
    # given to read_documents, a folder is read as a folder
    (folder / "inner.txt").write_text("inner")
    assert [d.doc_id for d in docs(read_one(folder))] == ["inner"]


def test_dangling_symlink(tmp_path):
    link = tmp_path / "gone.txt"
    link.symlink_to(tmp_path / "target-removed.txt")
    err = only_error(read_one(link))
    assert err.origin == str(link) and err.message.startswith("broken link")
    # inside a folder too, and the other files are still read
    (tmp_path / "ok.txt").write_text("fine")
    results = read_one(tmp_path)
    assert [d.doc_id for d in docs(results)] == ["ok"]
    assert errors(results)[0].message.startswith("broken link")


def test_fifo_is_not_read(tmp_path):
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    assert "not a regular file" in only_error(read_one(fifo)).message


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read a chmod 000 file")
def test_unreadable_file(tmp_path):
    path = tmp_path / "secret.txt"
    path.write_text("x")
    path.chmod(0)
    try:
        assert only_error(read_one(path)).message == "cannot read: Permission denied"
    finally:
        path.chmod(0o644)


def test_a_reader_bug_becomes_an_input_error(tmp_path, monkeypatch):
    import newsgraph.ingest as ingest

    def broken(path, data):
        raise RuntimeError("boom\nsecond line")
        yield

    monkeypatch.setattr(ingest, "read_text", broken)
    (tmp_path / "a.txt").write_text("a")
    (tmp_path / "b.html").write_text(PAGE)
    results = read_one(tmp_path)
    assert str(results[0]) == f"{tmp_path / 'a.txt'}: unexpected error while reading: RuntimeError: boom second line"
    assert isinstance(results[1], SourceDocument)


def test_everything_at_once_never_raises(tmp_path):
    (tmp_path / "a.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (tmp_path / "b.txt").write_bytes(b"")
    (tmp_path / "c.jsonl").write_text('{"text": "ok"}\n{nope\n')
    (tmp_path / "d.html").write_text("<<<")
    (tmp_path / "e.rss").write_bytes(XXE_FEED)
    (tmp_path / "f.warc.gz").write_bytes(gzip.compress(b"WARC/1.0\r\nWARC-Type: response\r\n")[:-10])
    (tmp_path / "g.txt").write_text(json.dumps({"text": "a txt file holding JSON stays text"}))
    results = list(read_documents([tmp_path, tmp_path / "missing", f"{tmp_path}/*.none"]))
    assert results
    for err in errors(results):
        assert "\n" not in str(err) and err.origin and err.message


# --------------------------------------------------------------------------- decompression bombs in WARC


def gzip_bomb(prefix: bytes, size: int, fill: bytes = b"A") -> bytes:
    """One gzip member that inflates to ``prefix`` + ``size`` bytes of ``fill``, about size/1000 bytes long.

    Built from one compressed 1 MB block repeated (a full flush makes blocks
    independent), so a 2 GB bomb takes milliseconds to make; its CRC is wrong,
    which no reader gets far enough to see.
    """
    import zlib

    comp = zlib.compressobj(9, zlib.DEFLATED, 31)
    head = comp.compress(prefix) + comp.flush(zlib.Z_FULL_FLUSH)
    block_in = fill * ((1 << 20) // len(fill))
    block = comp.compress(block_in) + comp.flush(zlib.Z_FULL_FLUSH)
    return head + block * (size // len(block_in)) + comp.flush()


_WARC_HEAD = b"WARC/1.0\r\nWARC-Type: %s\r\nWARC-Target-URI: https://x.example/bomb\r\n"
BOMBS = {
    # a record whose body inflates to 2 GB (its Content-Length says so too)
    "body": _WARC_HEAD % b"resource" + b"Content-Type: text/html\r\nContent-Length: 2000000000\r\n\r\n<html><body><p>",
    # a WARC header line that never ends: warcio reads a header line whole
    "header": _WARC_HEAD % b"resource" + b"X-Pad: ",
    # the same in the HTTP headers inside a response record
    "http": _WARC_HEAD % b"response" + b"Content-Type: application/http; msgtype=response\r\n"
    b"Content-Length: 2000000000\r\n\r\nHTTP/1.1 200 OK\r\nX-Pad: ",
    # endless short header lines: each is small, together they are a list of millions
    "many": _WARC_HEAD % b"resource" + b"Content-Type: text/html\r\n",
}
_BOMB_FILL = {"many": b"X-A: b\r\n"}
_BOMB_MESSAGES = {
    "body": "is 2000.0 MB, over the 20 MB limit",
    "header": "its header is longer than 64 KB in one line or 256 KB in all",
    "http": "its header is longer than 64 KB in one line or 256 KB in all",
    "many": "its header is longer than 64 KB in one line or 256 KB in all",
}

# Peak memory from /proc (VmHWM, this program's own); ru_maxrss would count the
# parent's memory at fork, which exec keeps (pytest with spaCy loaded: ~600 MB).
_MEASURE = """
import re, sys, time
from newsgraph.ingest import read_documents
start = time.monotonic()
results = [str(r) for r in read_documents([sys.argv[1]])]
status = open("/proc/self/status").read()
print(int(re.search(r"VmHWM:\\s*(\\d+)", status).group(1)) // 1024, round(time.monotonic() - start, 1))
print("\\n".join(results))
"""


@pytest.mark.parametrize("kind", sorted(BOMBS))
def test_warc_gzip_member_inflating_to_gigabytes(tmp_path, monkeypatch, kind):
    """Stopped by a size cap with a clear error, in a process that stays small (the reader streams)."""
    import subprocess
    import sys

    if not Path("/proc/self/status").is_file():
        pytest.skip("peak memory is read from /proc (Linux)")

    monkeypatch.delenv("NEWSGRAPH_MAX_BYTES", raising=False)
    path = tmp_path / f"{kind}.warc.gz"
    path.write_bytes(gzip_bomb(BOMBS[kind], 2_000_000_000, _BOMB_FILL.get(kind, b"A")))
    assert path.stat().st_size < 3_000_000  # 2 GB once inflated
    run = subprocess.run([sys.executable, "-c", _MEASURE, str(path)], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    first, *messages = run.stdout.strip().split("\n")
    peak_mb, _seconds = first.split()
    assert messages and all(m.startswith(str(path)) for m in messages)
    assert any(_BOMB_MESSAGES[kind] in m for m in messages), messages
    assert not any("unexpected error" in m for m in messages)
    # loose: importing the readers takes ~70 MB; holding the header lines took 470 MB before the cap
    assert int(peak_mb) < 300, f"peak RSS {peak_mb} MB"


def test_warc_http_gzip_payload_bomb(tmp_path):
    """A page served with Content-Encoding: gzip that inflates to 1 GB: the record is refused, the next read."""
    payload = gzip_bomb(b"<html><body><p>", 1_000_000_000)
    path = tmp_path / "payload.warc.gz"
    write_warc(path, [
        ("https://x.example/bomb", payload, [("Content-Encoding", "gzip")]),
        ("https://x.example/ok", PAGE.encode(), []),
    ])  # fmt: skip
    results = list(read_warc(path, max_record_bytes=5_000_000))
    assert [d.hints["url"] for d in docs(results)] == ["https://x.example/ok"]
    (err,) = errors(results)
    assert err.origin == f"{path}#1" and "over the 5 MB limit once decompressed" in err.message


def test_warc_with_many_small_records_is_not_a_bomb(tmp_path):
    """The per-record header cap restarts with each record: a long archive of small records is fine."""
    from warcio.warcwriter import WARCWriter

    path = tmp_path / "many.warc.gz"
    with open(path, "wb") as out:
        writer = WARCWriter(out, gzip=True)
        for i in range(2000):
            record = writer.create_warc_record(f"https://x.example/m{i}", "metadata", payload=io.BytesIO(b""))
            writer.write_record(record)
    cookie = ("Set-Cookie", "a=" + "b" * 30_000)  # a big header, still under the caps
    write_warc(tmp_path / "page.warc.gz", [("https://x.example/page", PAGE.encode(), [cookie])])
    path.write_bytes(path.read_bytes() + (tmp_path / "page.warc.gz").read_bytes())
    results = list(read_warc(path))
    assert [d.hints["url"] for d in docs(results)] == ["https://x.example/page"] and not errors(results)


# --------------------------------------------------------------------------- hostile entities (XXE, billion laughs)


@pytest.fixture
def secret(tmp_path) -> tuple[str, str]:
    """A local file an external entity could point at, and the marker it holds."""
    marker = "SECRET-MARKER-7f3a"
    path = tmp_path / "secret.txt"
    path.write_text(marker + "\n")
    return path.as_uri(), marker


def _laughs(levels: int = 9) -> str:
    decls = ['<!ENTITY lol0 "lol">']
    decls += [f'<!ENTITY lol{i} "{("&lol%d;" % (i - 1)) * 10}">' for i in range(1, levels + 1)]
    return "".join(decls)


def _clean_of(results, marker: str) -> None:
    text = repr(results)
    assert marker not in text, "an external entity was resolved"
    assert "lollollol" not in text, "entities were expanded"


def _feeds(uri: str) -> dict[str, str]:
    xml = '<?xml version="1.0"?>'
    xxe = f'<!ENTITY xxe SYSTEM "{uri}">'
    item = (
        "<item><title>Item &xxe;</title><link>https://x.example/1</link>"
        f"<description>{PARA} &xxe; &lol9;</description></item>"
    )
    channel = f'<rss version="2.0"><channel><title>Evil &xxe;</title>{item}</channel></rss>'
    atom = (
        '<feed xmlns="http://www.w3.org/2005/Atom"><title>&xxe;</title><entry><title>&xxe;</title><id>urn:1</id>'
        f'<content type="html">{PARA} &amp;xxe; &xxe;</content></entry></feed>'
    )
    page_in_item = (
        '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><item><title>Page</title>'
        f"<content:encoded><![CDATA[<!DOCTYPE html [{xxe}{_laughs()}]>"
        f"<html><body><p>{PARA * 12} &xxe; &lol9;</p></body></html>]]></content:encoded></item></channel></rss>"
    )
    return {
        "xxe+laughs": f"{xml}<!DOCTYPE rss [{_laughs()}{xxe}]>{channel}",
        "parameter": f'{xml}<!DOCTYPE rss [<!ENTITY % ext SYSTEM "{uri}"> %ext;]>{channel}',
        # tricks on the sanitizer: an element-like "<b" or "<a" in the prolog, declarations rebuilt by a removal
        "tag-in-entity": f'{xml}<!DOCTYPE rss [<!ENTITY a "<b>x</b>">{xxe}]>{channel}',
        "tag-in-comment": f"{xml}<!-- <a --><!DOCTYPE rss [{xxe}]>{channel}",
        "nested-declarations": f"{xml}<<!ENTITY>!DOCTYPE rss [<<!ENTITY>{xxe[1:]}]>{channel}",
        "atom": f"{xml}<!DOCTYPE feed [{xxe}]>{atom}",
        # a full page inside an item, with its own DOCTYPE
        "page-in-item": f"{xml}{page_in_item}",
    }


@pytest.mark.parametrize("name", sorted(_feeds("file:///x")))
def test_feed_entities_never_resolved(tmp_path, secret, name):
    uri, marker = secret
    path = tmp_path / f"{name}.rss"
    path.write_text(_feeds(uri)[name])
    results = read_one(path)
    _clean_of(results, marker)
    assert docs(results), results  # the feed is still read
    assert all("\n" not in str(e) for e in errors(results))


@pytest.mark.parametrize("name", sorted(_feeds("file:///x")))
def test_feedparser_alone_does_not_resolve_entities(secret, name):
    """Below the sanitizer: feedparser (expat with external entities off, its loose parser) resolves nothing."""
    import feedparser

    uri, marker = secret
    _clean_of(feedparser.parse(io.BytesIO(_feeds(uri)[name].encode())), marker)


def _pages(uri: str) -> dict[str, str]:
    body = f"<html><body><p>{PARA} &xxe; &lol9;</p><p>{PARA}</p></body></html>"
    subset = f'<!DOCTYPE html [<!ENTITY xxe SYSTEM "{uri}">{_laughs()}]>'
    return {
        "subset": subset + body,
        # past the first 2000 characters, where the subset is not removed before parsing
        "late-subset": "<!--" + "x" * 3000 + "-->" + subset + body,
        "xhtml": f'<?xml version="1.0"?>{subset}<html xmlns="http://www.w3.org/1999/xhtml">{body[6:]}',
        "parameter": f'<!DOCTYPE html [<!ENTITY % ext SYSTEM "{uri}"> %ext;]>' + body,
        "xinclude": '<html xmlns:xi="http://www.w3.org/2001/XInclude"><body>'
                    f'<p>{PARA}</p><xi:include href="{uri}" parse="text"/><p>{PARA}</p></body></html>',
    }  # fmt: skip


@pytest.mark.parametrize("name", sorted(_pages("file:///x")))
def test_html_entities_never_resolved(tmp_path, secret, name):
    uri, marker = secret
    markup = _pages(uri)[name]
    for path, data in ((tmp_path / f"{name}.html", markup), (tmp_path / f"{name}.xhtml", markup)):
        path.write_text(data)
        results = read_one(path)
        _clean_of(results, marker)
        (doc,) = docs(results)
        assert PARA in doc.body
    # the same page from a JSON line and from a web archive
    line = tmp_path / f"{name}.jsonl"
    line.write_text(json.dumps({"html": markup}))
    archive = tmp_path / f"{name}.warc.gz"
    write_warc(archive, [("https://x.example/p", markup.encode(), [])])
    for path in (line, archive):
        results = read_one(path)
        _clean_of(results, marker)
        assert docs(results)


def test_lxml_parser_settings_resolve_nothing(secret):
    """parse_html's lxml parser, straight: no network, no entities, whatever the DOCTYPE position."""
    from lxml import etree

    from newsgraph.ingest.html import parse_html

    uri, marker = secret
    for markup in _pages(uri).values():
        root, _ = parse_html(markup)
        text = etree.tostring(root, encoding="unicode")
        assert marker not in text and "lollollol" not in text


# --------------------------------------------------------------------------- a batch into the store

GOOD_TEXT = (
    "Russian instructors arrive in Bangui\n\n"
    "By Jane Doe\n\n"
    "Several hundred Russian military instructors arrived in Bangui on Tuesday, officials of the Central "
    "African Republic said. The deployment follows talks between President Faustin-Archange Touadéra and "
    "Moscow on training and the protection of convoys.\n"
)


def _table_counts(db: Path) -> dict[str, int]:
    from sqlalchemy import create_engine, inspect, text

    engine = create_engine(f"sqlite:///{db}")
    try:
        with engine.connect() as conn:
            return {t: conn.execute(text(f'SELECT COUNT(*) FROM "{t}"')).scalar_one()
                    for t in inspect(engine).get_table_names()}  # fmt: skip
    finally:
        engine.dispose()


def test_batch_with_bad_inputs_stores_only_the_good_ones_whole(tmp_path, monkeypatch, extractor):
    """`newsgraph ingest` on good and bad files: each bad one gets an error naming it, the
    good ones are stored whole, a re-run adds nothing, and the bad ones alone change nothing."""
    from typer.testing import CliRunner

    import newsgraph.pipeline as pipeline
    from newsgraph.cli import app  # with the store's commands (ingest)
    from newsgraph.store import Store

    # The session's extractor (same built-in KB) instead of loading spaCy again, with
    # one stage that fails on a marked document, as a crashing stage would.
    entities_stage = pipeline.STAGES["entities"]

    def fragile_entities(ex, ctx):
        if "EXPLODE" in ctx.text:
            raise RuntimeError("stage crashed on purpose")
        entities_stage(ex, ctx)

    monkeypatch.setitem(pipeline.STAGES, "entities", fragile_entities)
    monkeypatch.setattr(pipeline, "Extractor", lambda kb, *a, **kw: extractor)
    monkeypatch.delenv("NEWSGRAPH_MAX_BYTES", raising=False)

    good = tmp_path / "good"
    good.mkdir()
    (good / "bangui.txt").write_text(GOOD_TEXT, encoding="utf-8")
    (good / "page.html").write_text(PAGE, encoding="utf-8")
    (good / "lines.jsonl").write_text(
        json.dumps({"id": "line-ok", "text": PARA + " Officials in Bamako confirmed it on Monday."}) + "\n{broken\n"
    )
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    (bad / "empty.txt").write_bytes(b"")
    (bad / "lines.jsonl").write_text('{"text": 42}\n[1, 2]\n{nope\n')
    with open(bad / "huge.txt", "wb") as handle:
        handle.truncate(50_000_000)
    (bad / "bomb.warc.gz").write_bytes(gzip_bomb(BOMBS["header"], 50_000_000))
    no_items = '<?xml version="1.0"?><rss version="2.0"><channel><title>x</title></channel></rss>'
    (bad / "nothing.rss").write_text(no_items)
    (bad / "explodes.txt").write_text(GOOD_TEXT.replace("Tuesday", "Tuesday EXPLODE"), encoding="utf-8")
    db = tmp_path / "store.db"
    runner = CliRunner()

    first = runner.invoke(app, ["ingest", str(good), str(bad), "--db", str(db), "--json"])
    assert first.exit_code == 1, first.output
    summary = json.loads(first.stdout)
    assert summary["added"] == 3 and summary["failed"] == 0
    stderr_lines = first.stderr.strip().splitlines()
    for name in ("image.png", "empty.txt", "huge.txt", "bomb.warc.gz", "nothing.rss", "explodes.txt"):
        assert any(line.startswith(str(bad / name)) for line in stderr_lines), name
    assert any(line.startswith(f"{good / 'lines.jsonl'}:2: invalid JSON") for line in stderr_lines)
    assert any(line.startswith(f"{bad / 'lines.jsonl'}:3: invalid JSON") for line in stderr_lines)
    assert any("stage crashed on purpose" in line for line in stderr_lines)

    with Store(db) as store:
        assert store.check() == []
        stored = {r.source: r for r in store.iter_records()}
        assert set(stored) == {str(good / "bangui.txt"), str(good / "page.html"), f"{good / 'lines.jsonl'}:1"}
        for source, record in stored.items():  # whole: the record as extracted, its raw input beside it
            data = store.document(record.doc_id)
            assert data["text"] == record.text and record.text.strip()
            assert data["raw"] and data["raw"].strip()
            for entity in record.entities:
                for span in entity.mentions:
                    assert record.text[span.start : span.end] == span.text
        assert "Bangui" in stored[str(good / "bangui.txt")].text
        assert stored[str(good / "bangui.txt")].authors == ["Jane Doe"]
    counts = _table_counts(db)

    again = runner.invoke(app, ["ingest", str(good), str(bad), "--db", str(db), "--json"])
    assert again.exit_code == 1
    assert json.loads(again.stdout)["unchanged"] == 3 and json.loads(again.stdout)["added"] == 0
    assert _table_counts(db) == counts  # no duplicates

    only_bad = runner.invoke(app, ["ingest", str(bad), "--db", str(db), "--json"])
    assert only_bad.exit_code == 1 and json.loads(only_bad.stdout)["added"] == 0
    assert _table_counts(db) == counts  # the failed inputs changed nothing
