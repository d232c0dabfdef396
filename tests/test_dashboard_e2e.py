"""The dashboard end to end: Debian's Chromium (headless) driven by Playwright against
``newsgraph serve``'s app on the example corpus.

An analyst's path is followed (the ties between two countries, the evidence of
one, the document it comes from, an entity's partners in a country), every
view is loaded and photographed into ``test-artifacts/``, and a document full
of script payloads (in its text, title, entity names and quotes) is ingested
through the API and shown in every view without anything running. Skips when
Chromium or Playwright are missing.
"""
from __future__ import annotations

import shutil
import socket
import threading
import time
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples" / "corpus"
ARTIFACTS = REPO / "test-artifacts"
TOKEN = "e2e-token-0123456789abcdef"

if not Path(CHROMIUM).exists() or shutil.which(CHROMIUM) is None:
    pytest.skip(f"Chromium not installed at {CHROMIUM}", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api")
uvicorn = pytest.importorskip("uvicorn")

SCRIPT = "<script>window.__pwned=1</script>"
IMG = '<img src=x onerror="window.__pwned=1">'
PAYLOAD = f"{SCRIPT}{IMG}"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory, extractor):
    """The app on a store of the example corpus, served by uvicorn in a thread."""
    from newsgraph.api import create_app, documents
    from newsgraph.ingest import read_documents
    from newsgraph.ingest.base import InputError
    from newsgraph.store import Store

    store = Store(str(tmp_path_factory.mktemp("e2e") / "examples.db"))
    raw = {}

    def sources():
        for item in read_documents([str(EXAMPLES)]):
            if not isinstance(item, InputError):
                raw[item.origin] = (item.raw, item.format)
                yield item

    stored = 0
    for record in extractor.extract_many(sources()):
        if hasattr(record, "doc_id"):
            body, fmt = raw.get(record.source or "", (None, None))
            store.add_record(record, body, record.source, fmt=fmt)
            stored += 1
    assert stored >= 10
    documents._EXTRACTORS[()] = extractor  # the ingest endpoint shares the session's loaded pipeline
    app = create_app(store=store, token=TOKEN, use_config=False)
    port = _free_port()
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.time() + 20
    while not srv.started:
        assert time.time() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=10)
    store.close()


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM,
                              args=["--headless=new", "--disable-background-networking", "--no-sandbox"])
        yield b
        b.close()


class Watched:
    """A page with its console errors, page errors and dialogs recorded."""

    def __init__(self, browser, base: str):
        self.base = base
        self.page = browser.new_page(viewport={"width": 1440, "height": 1000})
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(f"page error: {e}"))

        def on_dialog(d):
            self.dialogs.append(d.message)
            d.dismiss()

        self.page.on("dialog", on_dialog)

    def open(self, route: str):
        self.page.goto(f"{self.base}/{route}")
        return self.ready()

    def ready(self):
        self.page.wait_for_selector("#view > div[data-ready='1']", timeout=20000)
        return self.page

    def shot(self, name: str) -> Path:
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f"dashboard-{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def check_clean(self):
        assert not self.dialogs, self.dialogs
        assert self.page.evaluate("typeof window.__pwned") == "undefined"
        assert not [e for e in self.errors if "Content Security Policy" in e or "page error" in e], self.errors


@pytest.fixture
def page(browser, server):
    w = Watched(browser, server)
    yield w
    w.page.close()


def test_ties_between_two_countries_with_evidence(page):
    """Home -> the strongest cross-border ties -> the network -> a tie's evidence -> its document."""
    home = page.open("#/")
    assert home.locator("#ties-form select[name=country] option").count() > 3
    page.shot("home")
    pair = home.locator(".pairs a", has_text="Russia").filter(has_text="Burkina Faso")
    assert pair.count() == 1, "the example corpus links Russia and Burkina Faso"
    pair.click()
    net = page.ready()
    canvas = net.locator("#network-canvas")
    canvas.wait_for()
    assert int(canvas.get_attribute("data-nodes")) >= 2
    assert net.locator("#network-canvas canvas").count() >= 1  # Cytoscape drew on its canvases
    rows = net.locator("#ties-table tbody tr")
    assert rows.count() >= 1
    for cc in net.locator("#ties-table tbody tr .cc").all_text_contents():
        assert cc in ("RUS", "BFA")  # only ties between the two countries
    page.shot("network-rus-bfa")
    rows.first.locator("button", has_text="evidence").click()
    quote = net.locator("#network-side figure.evidence blockquote").first
    quote.wait_for()
    assert quote.text_content().strip()
    page.shot("network-evidence")
    net.locator("#network-side figure.evidence figcaption a.doc").first.click()
    doc = page.ready()
    doc.locator("#doc-text").wait_for()
    assert doc.locator("#doc-text .hl-entity").count() > 0
    assert doc.locator("#doc-text .hl-focus").count() > 0  # the sentence followed is marked
    assert doc.locator("#doc-text .hl-event").count() > 0
    page.shot("document")
    page.check_clean()


def test_search_entity_partners_in_a_country(page):
    p = page.open("#/")
    p.fill("#search-input", "Russia")
    p.press("#search-input", "Enter")
    page.ready()
    p.wait_for_selector("#entity-hits")
    page.shot("search")
    p.locator("#entity-hits a.ent", has_text="Russia").first.click()
    page.ready()
    assert p.locator("#entity-name").text_content() == "Russia"
    p.locator("#entity-network").wait_for()
    assert int(p.locator("#entity-network").get_attribute("data-nodes")) >= 2
    p.select_option("#ties-filters select[name=country]", "BFA")
    row = p.locator("#ties-list details.neighbour").first
    row.wait_for()
    assert set(p.locator("#ties-list summary .cc").all_text_contents()) == {"BFA"}
    row.locator("summary").click()
    row.locator(".tie-evidence figure.evidence").first.wait_for()
    assert "entity/" in p.url and "country=BFA" in p.url
    page.shot("entity-russia-bfa")
    page.check_clean()


@pytest.mark.parametrize("route,selector,name", [
    ("#/timeline", "#timeline-list li.cluster", "timeline"),
    ("#/narratives?by=month", "#narratives-chart", "narratives-month"),
    ("#/narratives?by=outlet", "#narratives-table tbody tr", "narratives-outlet"),
    ("#/documents", "#documents-list li.doc-row", "documents"),
    ("#/checks", ".panel li", "checks"),
    ("#/network", "#network-canvas canvas", "network-all"),
])
def test_every_view_renders(page, route, selector, name):
    p = page.open(route)
    p.locator(selector).first.wait_for()
    page.shot(name)
    page.check_clean()


def test_narrative_documents_with_evidence(page):
    p = page.open("#/narratives?by=month")
    p.locator("#narratives-table a").first.click()
    page.ready()
    p.locator("#narrative-documents li.narr-doc").first.wait_for()
    assert p.locator("#narrative-documents figure.evidence blockquote").count() > 0
    page.shot("narrative-documents")
    page.check_clean()


def test_api_docs_page(page):
    p = page.page
    p.goto(f"{page.base}/docs")
    p.locator(".opblock").first.wait_for(timeout=20000)
    assert p.locator(".opblock").count() > 15
    page.shot("api-docs")
    assert not page.dialogs


def test_script_payloads_stay_text(page, server):
    """Payloads in the text, title, outlet, entity names and quotes never run and never become elements."""
    import httpx

    from newsgraph.record import Record

    auth = {"Authorization": f"Bearer {TOKEN}"}
    text = (f"Sergei Lavrov visited Ouagadougou on Tuesday. {PAYLOAD} The minister said "
            f"\"we will help the army {SCRIPT}\". Burkina Faso thanked Russia {IMG} for its support.")
    r = httpx.post(f"{server}/documents", headers=auth, timeout=60, json={
        "text": text, "title": f"Pwned {PAYLOAD} title", "outlet": f"Outlet {IMG}", "published": "2024-06-04",
        "authors": [f"Author {SCRIPT}"], "url": "https://example.org/xss-1"})
    assert r.status_code == 201, r.text
    extracted = r.json()["document_id"]

    evil = f"Evil {SCRIPT} Corp"
    evil_person = f"Mr {IMG} Person"
    body = f"{evil} met {evil_person} in Bamako. {evil_person} said \"{PAYLOAD} is our partner\"."
    title = f"Record {PAYLOAD}"
    full = title + "\n\n" + body

    def span(s):
        i = full.index(s)
        return {"start": i, "end": i + len(s), "text": s}

    record = Record.model_validate({
        "doc_id": "xss-record", "title": title, "published": "2024-06-05", "outlet": f"<b>{IMG}</b>",
        "url": "javascript:window.__pwned=1", "text": full,
        "entities": [
            {"name": evil, "type": "ORG", "country": "RUS", "mentions": [span(evil)]},
            {"name": evil_person, "type": "PERSON", "country": "BFA", "mentions": [span(evil_person)]},
        ],
        "events": [{"type": "CONSULT", "actor": [{"name": evil, "country": "RUS"}],
                    "recipient": [{"name": evil_person, "country": "BFA"}], "date": "2024-06-05",
                    "evidence": span(f"{evil} met {evil_person} in Bamako.")}],
        "quotes": [{"speaker": evil_person, "text": f"{PAYLOAD} is our partner", "direct": True,
                    "start": full.index(f"{PAYLOAD} is"), "end": full.index(f"{PAYLOAD} is") + len(PAYLOAD) + 15}],
        "narratives": [{"id": "russia_reliable_partner", "score": 0.9, "evidence": [span(f"{evil} met")]}],
        "signals": [{"kind": "kb_conflict", "detail": f"detail {PAYLOAD}", "evidence": span(evil)}],
    })
    r = httpx.post(f"{server}/documents", headers=auth, json={"record": record.model_dump(mode="json")}, timeout=60)
    assert r.status_code == 201, r.text
    doc = r.json()["document_id"]
    ent = httpx.get(f"{server}/entities/lookup", params={"name": evil}).json()["id"]

    routes = ["#/", f"#/document/{extracted}", f"#/document/{doc}", f"#/entity/{ent}", "#/search?q=pwned",
              "#/search?q=Evil", f"#/network?entity={ent}", "#/network?country=RUS&with_country=BFA",
              f"#/timeline?entity={ent}", "#/timeline", "#/narratives?by=outlet&n=russia_reliable_partner",
              "#/documents", "#/checks", f"#/documents?entity={ent}"]
    for route in routes:
        p = page.open(route)
        p.wait_for_timeout(150)
        assert p.evaluate("document.querySelectorAll('#view script, #view img, #view iframe, #view b').length") == 0, \
            route
        assert p.locator("a[href^='javascript:']").count() == 0, route
        page.check_clean()
    p = page.open(f"#/document/{doc}")
    assert p.locator("#doc-title").text_content() == title  # shown literally, as text
    assert SCRIPT in p.locator("#doc-text").text_content()
    assert p.locator("a.external").count() == 0  # a javascript: URL is no link
    page.shot("xss-document")
    p = page.open(f"#/entity/{ent}")
    assert p.locator("#entity-name").text_content() == evil
    page.shot("xss-entity")
    page.check_clean()
