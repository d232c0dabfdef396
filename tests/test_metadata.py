from newsgraph.ingest.clean import clean_scrape
from newsgraph.ingest.metadata import read_metadata


def meta(text, kb, **hints):
    return read_metadata(clean_scrape(text), hints, kb)


def test_title_date_byline(kb):
    m = meta("Niger Orders French Troops Out\n\nPublished: 3 August 2023\n\nBy Jane Doe and John Roe\n\n"
             "NIAMEY: The military government ordered French troops to leave, officials said.", kb)
    assert m.title == "Niger Orders French Troops Out"
    assert m.published == "2023-08-03"
    assert m.authors == ["Jane Doe", "John Roe"]
    assert m.language == "en"


def test_date_in_passing_is_not_publication_date(kb):
    m = meta("Burkina Faso junta marks anniversary\n\nThe coup of 30 September 2022 was led by soldiers. "
             "Officials met on 12.10.2023 in the capital.", kb)
    assert m.published is None


def test_signed_statement_date_and_signatory(kb):
    text = ("Statement on the situation in Mali\n\nWe call on all parties to respect the ceasefire. "
            "Our organization is ready to help.\n\n14.02.2023\nPierre Martin,\nChairman of the Sahel Peace Forum")
    m = meta(text, kb)
    assert m.published == "2023-02-14"
    assert m.authors == ["Pierre Martin"]


def test_possessive_statement_title_names_signatory(kb):
    m = meta("Amadou Diallo’s statement dated 03/04/2021\n\nI write to clarify my position.", kb)
    assert m.published == "2021-03-04"
    assert m.authors == ["Amadou Diallo"]


def test_caption_first_line_is_not_a_title(kb):
    m = meta("| The minister at the ceremony. |\nSource: © TASS |\nText of the interview follows here, long.", kb)
    assert m.title is None
    assert m.outlet == "TASS"


def test_closing_credit_names_authors_not_places(kb):
    assert meta("Title line\n\nBody text here.\n\nMaria Lopez, Karim Benali", kb).authors == ["Maria Lopez", "Karim Benali"]
    assert meta("Title line\n\nBody text here.\n\nBurkina Faso, Mali", kb).authors == []


def test_hints_win(kb):
    m = meta("Some Title\n\nBody.", kb, title="Real Title", published="2024-05-01T10:00:00Z", authors=["A B"],
             outlet="Reuters", language="fr-FR", url="https://e.org/x")
    assert (m.title, m.published, m.authors, m.outlet, m.language, m.url) == (
        "Real Title", "2024-05-01", ["A B"], "Reuters", "fr", "https://e.org/x")


def test_french_language_detected(kb):
    m = meta("Le Mali et la Russie signent un accord\n\nLe gouvernement malien a signé mardi un accord de "
             "coopération militaire avec la Russie, a annoncé le ministère de la Défense.", kb)
    assert m.language == "fr"
