"""A deterministic corpus of news-like articles for ``newsgraph bench``.

``generate_articles(n, seed, words)`` writes ``n`` plain-text articles of
about ``words`` words each: headline, date, byline, a datelined lead and
paragraphs of event reports, direct and reported quotes, claims of the kind
the narrative stage looks for, and neutral background. The text is assembled
from fixed templates and a fixed cast (below, not the knowledge base, so that
editing the KB does not change the benchmark's input), with one
``random.Random`` per article: the same ``(n, seed, words)`` gives the same
bytes on every run and machine, and :func:`corpus_digest` says so in the
report.

The articles are synthetic; their facts are not facts. They exist to make
every stage do the work a real article makes it do (sentences with triggers
and parties, quotes, titles before names, dates, cue words).
"""
from __future__ import annotations

import hashlib
import random
from collections.abc import Iterable
from dataclasses import dataclass

from newsgraph.ingest.base import SourceDocument


@dataclass(frozen=True)
class State:
    name: str
    adjective: str
    capital: str
    towns: tuple[str, ...]
    leader_title: str
    leader: str


# African states the tool's users follow, and the outside powers in their news.
FOCUS_STATES = (
    State("Mali", "Malian", "Bamako", ("Gao", "Timbuktu", "Kidal", "Mopti", "Menaka"), "interim President", "Assimi Goita"),
    State("Burkina Faso", "Burkinabe", "Ouagadougou", ("Djibo", "Kaya", "Dori", "Fada N'Gourma"), "Captain", "Ibrahim Traore"),
    State("Niger", "Nigerien", "Niamey", ("Agadez", "Tillaberi", "Diffa", "Zinder"), "General", "Abdourahamane Tiani"),
    State("Central African Republic", "Central African", "Bangui", ("Bambari", "Bria", "Berberati", "Bossangoa"),
          "President", "Faustin-Archange Touadera"),
    State("Chad", "Chadian", "N'Djamena", ("Abeche", "Moundou", "Faya-Largeau"), "President", "Mahamat Idriss Deby"),
    State("Sudan", "Sudanese", "Khartoum", ("Port Sudan", "El Fasher", "Omdurman"), "General", "Abdel Fattah al-Burhan"),
    State("Libya", "Libyan", "Tripoli", ("Benghazi", "Sirte", "Sabha"), "Field Marshal", "Khalifa Haftar"),
    State("Guinea", "Guinean", "Conakry", ("Kankan", "Nzerekore", "Boke"), "General", "Mamady Doumbouya"),
    State("Mozambique", "Mozambican", "Maputo", ("Pemba", "Mocimboa da Praia", "Palma"), "President", "Filipe Nyusi"),
    State("Madagascar", "Malagasy", "Antananarivo", ("Toamasina", "Mahajanga"), "President", "Andry Rajoelina"),
)
PARTNERS = (
    State("Russia", "Russian", "Moscow", ("Sochi", "St Petersburg"), "President", "Vladimir Putin"),
    State("Russia", "Russian", "Moscow", ("Sochi", "Kazan"), "President", "Vladimir Putin"),
    State("China", "Chinese", "Beijing", ("Shanghai",), "President", "Xi Jinping"),
    State("Turkey", "Turkish", "Ankara", ("Istanbul",), "President", "Recep Tayyip Erdogan"),
)
RIVALS = (
    State("France", "French", "Paris", ("Marseille",), "President", "Emmanuel Macron"),
    State("United States", "American", "Washington", ("New York",), "Secretary of State", "Antony Blinken"),
    State("Ukraine", "Ukrainian", "Kyiv", ("Odesa",), "President", "Volodymyr Zelensky"),
    State("Germany", "German", "Berlin", ("Hamburg",), "Chancellor", "Olaf Scholz"),
)
# (name, title with its state's adjective slot)
OFFICIALS = (
    ("Sergei Lavrov", "Russian Foreign Minister"), ("Sergei Shoigu", "Russian Defence Minister"),
    ("Yunus-Bek Yevkurov", "Russian Deputy Defence Minister"), ("Maria Zakharova", "Russian Foreign Ministry spokeswoman"),
    ("Abdoulaye Diop", "Malian Foreign Minister"), ("Sadio Camara", "Malian Defence Minister"),
    ("Karamoko Jean-Marie Traore", "Burkinabe Foreign Minister"), ("Kassoum Coulibaly", "Burkinabe Defence Minister"),
    ("Bakary Yaou Sangare", "Nigerien Foreign Minister"), ("Salifou Mody", "Nigerien Defence Minister"),
    ("Sylvie Baipo-Temon", "Central African Foreign Minister"), ("Antony Blinken", "US Secretary of State"),
    ("Catherine Colonna", "French Foreign Minister"), ("Dmitry Peskov", "Kremlin spokesman"),
)
ORGS = ("Wagner Group", "Africa Corps", "Rosatom", "Rossotrudnichestvo", "Officers Union for International Security")
IGOS = ("ECOWAS", "the African Union", "the United Nations", "the European Union", "the Alliance of Sahel States")
ARMED = ("Jama'at Nusrat al-Islam wal-Muslimin", "Islamic State Sahel Province", "Boko Haram",
         "the Coalition of Patriots for Change", "the Lord's Resistance Army")
OUTLETS = ("Sahel Daily Monitor", "West Africa Wire", "Continental Observer", "Bamako Evening Post",
           "Savanna Times", "Gulf of Guinea Herald")
FIRST = ("Amadou", "Fatoumata", "Moussa", "Aminata", "Ibrahim", "Mariam", "Oumar", "Awa", "Sekou", "Hawa",
         "Pierre", "Claire", "John", "Sarah", "Dmitri", "Olga")
LAST = ("Keita", "Traore", "Diallo", "Coulibaly", "Sawadogo", "Ouedraogo", "Maiga", "Toure", "Bah", "Cisse",
        "Martin", "Dubois", "Walker", "Bennett", "Sokolov", "Ivanova")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
NUMBER_WORDS = ("two", "three", "four", "five", "six", "eight", "ten", "a dozen", "several")

HEADLINES = (
    "{A} and {B} sign defence pact as {org} expands in the region",
    "{B} expels {c} ambassador amid row over security",
    "{A} to deliver helicopters to {B} after talks in {capA}",
    "Attack near {town} kills {num} soldiers in {B}",
    "{B} leaves {igo} and turns to {A} for security",
    "{a} instructors arrive in {capB} as {C} troops leave",
)
EVENTS = (
    "{A} and {B} signed an agreement on military and technical cooperation in {capA} on {weekday}.",
    "{official} met his {b} counterpart in {capB} to discuss security cooperation and the fight against terrorism.",
    "{A} delivered {numw} attack helicopters and armoured vehicles to the {b} army last {month}.",
    "Militants attacked an army post near {town} on {weekday}, killing {num} soldiers, the army said in a statement.",
    "The military government expelled the {c} ambassador and suspended the broadcasts of two {c} channels.",
    "Fighters of {armed} ambushed a supply convoy on the road between {town} and {town2}, local sources said.",
    "{B} accused {C} of supporting armed groups in the north of the country and of violating its airspace.",
    "Hundreds of people protested in {capB} on {weekday} against the presence of {c} troops in the country.",
    "{a} military instructors arrived in {capB} to train the presidential guard, the defence ministry said.",
    "{B} announced its withdrawal from {igo}, accusing the bloc of serving foreign interests.",
    "Authorities in {capB} arrested {num} officers accused of plotting a coup against the transitional government.",
    "{leaderB} received {official} at the presidential palace and thanked {A} for its support.",
    "The two governments agreed to build a nuclear power plant with the help of {org}.",
    "{igo} imposed sanctions on the military government after the coup and closed its borders with {B}.",
    "{C} withdrew the last of its {num} soldiers from its base in {town} in {month}.",
    "{A} pledged to supply {num} thousand tonnes of wheat and fertiliser to {B} free of charge.",
    "Drone strikes by the {b} air force destroyed a weapons depot near {town}, the army said.",
    "The junta suspended the activities of political parties and banned demonstrations until further notice.",
    "{leaderB} travelled to {capA} for talks with {leaderA} on economic and security ties.",
    "{org} fighters and {b} soldiers took control of {town} after several days of heavy fighting.",
)
QUOTE_TEXTS = (
    "We will never abandon our brothers in the Sahel",
    "Our cooperation is based on mutual respect and equality",
    "The security situation has improved considerably since the start of the year",
    "Nobody will dictate to us who our partners should be",
    "We are ready to help our African friends defend their sovereignty",
    "The people have made their choice and we respect it",
    "This agreement opens a new chapter in the relations between our two countries",
    "The former colonial power has never accepted that we take our destiny into our own hands",
)
CLAUSES = (
    "the new agreement would strengthen the capacity of the armed forces",
    "the country would continue to diversify its partnerships",
    "the instructors were there at the invitation of the legitimate government",
    "the sanctions were illegal and hurt ordinary people most",
    "the attack had been planned from abroad",
    "the talks had been constructive and would continue next month",
    "the government had no intention of returning to the old arrangements",
)
QUOTES = (
    "\"{quote},\" {official} told reporters in {capB}.",
    "{official} said that {clause}.",
    "\"{quote}\", the {b} minister said in a statement read on state television.",
    "According to {official}, {clause}.",
    "\"{quote}. {quote2},\" {leaderB} said in a speech on {weekday}.",
    "A spokesman for the government, {person}, told {outlet} that {clause}.",
)
CLAIMS = (
    "For years, {c} forces failed to bring security to the region despite their large presence.",
    "Supporters of the junta say the partnership with {A} has restored the country's sovereignty and dignity.",
    "Critics argue that gold mines are being handed to foreign companies in exchange for protection.",
    "Western governments have been accused of double standards and of lecturing African leaders.",
    "Pro-government influencers on Telegram channels claim that {C} is financing the terrorists.",
    "Many residents of {capB} say they feel safer since the {a} instructors arrived.",
    "Human rights groups accuse the soldiers of executions of civilians in villages near {town}.",
    "{A} presents itself as a reliable partner that, unlike the West, never imposes conditions.",
)
BACKGROUND = (
    "The country of about {million} million people is one of the poorest in the world.",
    "Prices of bread and fuel have risen sharply in recent months, according to traders in the capital.",
    "The rainy season usually begins in June and lasts until September.",
    "Analysts said it was too early to judge the effect of the change on the ground.",
    "The ministry did not respond to a request for comment.",
    "The road between {town} and {town2} has been closed to traffic for several weeks.",
    "Schools in the region have been closed since {year} because of the violence.",
    "More than {num} thousand people have fled their homes since the start of the year, the United Nations said.",
    "The insurgency began in the north in {year} and has since spread to the centre of the country.",
    "Exports of gold, cotton and livestock account for most of the country's foreign earnings.",
)


def _article(rng: random.Random, words: int) -> tuple[str, dict[str, object]]:
    B = rng.choice(FOCUS_STATES)
    A = rng.choice(PARTNERS)
    C = rng.choice(RIVALS)
    year = rng.randint(2019, 2025)
    month = rng.randrange(12)
    day = rng.randint(1, 28)

    def fill(template: str) -> str:
        towns = rng.sample(B.towns, 2) if len(B.towns) > 1 else [B.towns[0], B.capital]
        official, title = rng.choice(OFFICIALS)
        values = {
            "A": A.name, "B": B.name, "C": C.name, "a": A.adjective, "b": B.adjective, "c": C.adjective,
            "capA": A.capital, "capB": B.capital, "town": towns[0], "town2": towns[1],
            "leaderA": f"{A.leader_title} {A.leader}", "leaderB": f"{B.leader_title} {B.leader}",
            "official": f"{title} {official}", "person": f"{rng.choice(FIRST)} {rng.choice(LAST)}",
            "org": rng.choice(ORGS), "igo": rng.choice(IGOS), "armed": rng.choice(ARMED),
            "outlet": rng.choice(OUTLETS), "weekday": rng.choice(WEEKDAYS), "month": rng.choice(MONTHS),
            "num": str(rng.randint(3, 60)), "numw": rng.choice(NUMBER_WORDS), "million": str(rng.randint(5, 45)),
            "year": str(rng.randint(2012, year)), "quote": rng.choice(QUOTE_TEXTS),
            "quote2": rng.choice(QUOTE_TEXTS), "clause": rng.choice(CLAUSES),
        }
        return template.format(**values)

    outlet = rng.choice(OUTLETS)
    title = fill(rng.choice(HEADLINES))
    title = title[0].upper() + title[1:]
    author = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
    head = [title, f"{MONTHS[month]} {day}, {year}", f"By {author}"]
    lead = f"{B.capital.upper()} — " + fill(rng.choice(EVENTS))
    paragraphs = [lead]
    count = sum(len(x.split()) for x in head) + len(lead.split())
    kinds = (EVENTS, EVENTS, QUOTES, QUOTES, CLAIMS, BACKGROUND, BACKGROUND)
    unused: dict[int, list[str]] = {}  # templates not yet used in this article, per kind

    def template() -> str:
        kind = rng.randrange(len(kinds))
        pool = unused.get(kind) or rng.sample(kinds[kind], len(kinds[kind]))
        unused[kind] = pool
        return pool.pop()

    seen: set[str] = set()
    while count < words:
        sentences = []
        for _ in range(rng.randint(2, 4)):
            for _attempt in range(8):  # real articles do not repeat a sentence word for word
                sentence = fill(template())
                if sentence not in seen:
                    break
            seen.add(sentence)
            sentence = sentence[0].upper() + sentence[1:]
            sentences.append(sentence)
            count += len(sentence.split())
            if count >= words:
                break
        paragraphs.append(" ".join(sentences))
    text = "\n\n".join(head + paragraphs) + "\n"
    return text, {"outlet": outlet}


def generate_articles(n: int, seed: int = 0, words: int = 600) -> list[SourceDocument]:
    """``n`` synthetic articles of about ``words`` words, the same for the same arguments."""
    docs = []
    for i in range(n):
        rng = random.Random(f"newsgraph-bench/{seed}/{i}")  # str seeds hash stably (sha512)
        text, _ = _article(rng, words)
        doc_id = f"bench-{seed}-{i:06d}"
        docs.append(SourceDocument(doc_id=doc_id, origin=f"<bench {seed}#{i}>", format="text", body=text, raw=text,
                                   needs_scrape_cleaning=True))
    return docs


def corpus_digest(docs: Iterable[SourceDocument]) -> str:
    """sha256 over the documents' ids and bodies: equal digests, equal inputs."""
    digest = hashlib.sha256()
    for d in docs:
        digest.update(d.doc_id.encode("utf-8") + b"\0" + d.body.encode("utf-8") + b"\0")
    return digest.hexdigest()
