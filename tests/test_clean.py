from newsgraph.ingest.clean import clean_plain, clean_scrape, is_furniture

SCRAPE = """Mali and Russia Sign Drone Deal

icon-facebook icon-twitter icon-telegram
12.03.2024
By Awa Keita

![]()
| The signing ceremony in Bamako. |

BAMAKO: Mali signed an agreement with Russia on Tuesday for the delivery of
reconnaissance drones, the defence ministry said.

We use cookies to improve your experience. By continuing to browse you accept our cookie policy.

The deal follows talks held in Moscow in February.

Share this:
Tweet
Leave a Comment
Your email address will not be published. Required fields are marked *
Comment *
Name *
Email *
Website
Save my name, email, and website in this browser for the next time I comment.
Post Comment
Related posts
Niger expels French ambassador
Burkina Faso recalls envoy
"""


def test_furniture_lines_are_removed_and_paragraphs_kept():
    cleaned = clean_scrape(SCRAPE)
    text = cleaned.text
    for junk in ("icon-facebook", "cookies", "Leave a Comment", "Required fields", "Post Comment",
                 "Save my name", "Related posts", "Niger expels", "![]()", "Share this", "Tweet"):
        assert junk not in text, junk
    assert text.startswith("Mali and Russia Sign Drone Deal\n\n12.03.2024\n\nBy Awa Keita")
    # hard-wrapped lines are joined into one paragraph
    assert "for the delivery of reconnaissance drones" in text
    assert "The deal follows talks held in Moscow in February." in text


def test_table_pipes_are_stripped_and_rows_marked():
    cleaned = clean_scrape(SCRAPE)
    caption = next(p for p in cleaned.paragraphs if p.text.startswith("The signing ceremony"))
    assert caption.table_row and caption.text == "The signing ceremony in Bamako."


def test_offsets_point_into_text():
    cleaned = clean_scrape(SCRAPE)
    for p in cleaned.paragraphs:
        assert cleaned.text[p.start:p.end] == p.text


def test_repeated_title_kept_once():
    cleaned = clean_scrape("Big Headline Here\n\nBig Headline Here\n\nBody sentence one.\n")
    assert cleaned.text == "Big Headline Here\n\nBody sentence one."


def test_markdown_markup_is_stripped():
    cleaned = clean_scrape("# Wagner leaves Mali\n\n*By Jean Dupont*\n\nSee [the report](https://x.org/a) and **this**.\n")
    assert cleaned.paragraphs[0].heading_level == 1
    assert cleaned.text == "Wagner leaves Mali\n\nBy Jean Dupont\n\nSee the report and this."


def test_sentences_that_mention_sharing_are_not_furniture():
    assert not is_furniture("Russia will share intelligence with Mali, the minister said.")
    assert is_furniture("Email")
    assert is_furniture("icon-facebook icon-twitter icon-whatsapp")


def test_clean_plain_puts_headline_first():
    cleaned = clean_plain("First paragraph.\n\nSecond.", title="A Title")
    assert cleaned.text == "A Title\n\nFirst paragraph.\n\nSecond."
    assert [p.text for p in cleaned.paragraphs] == ["A Title", "First paragraph.", "Second."]
    assert clean_plain("A Title\n\nBody.", title="A Title").text == "A Title\n\nBody."


def test_empty_and_whitespace_input():
    assert clean_scrape("").text == ""
    assert clean_scrape("\n\n  \n").paragraphs == []
