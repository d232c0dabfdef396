"""Checks on the built-in knowledge-base data (src/newsgraph/kb/data/*.yaml)."""
from __future__ import annotations

import datetime as dt
from collections import defaultdict

import pycountry
import pytest

from newsgraph.kb import load_kb, name_key

# Codes that pycountry.countries does not hold: user-assigned (Kosovo) or former states,
# which must then be in pycountry.historic_countries (ISO 3166-3).
NOT_IN_ISO_3166_1 = {"XKX"}
FORMER_STATES = {"SUN", "YUG", "CSK", "DDR"}

# Surface forms that two entries of the same type share on purpose. Each pair is a real
# ambiguity of the name in coverage; the extractor must pick by context (country, text).
ALLOWED_COLLISIONS = {
    # Mali's 2020 junta (Comité national pour le salut du peuple) and Niger's 2023 junta
    # (Conseil national pour la sauvegarde de la patrie) both go by CNSP.
    "cnsp": {"org/ml-cnsp", "org/ne-cnsp"},
    # Russia's GRU was long called the Main Intelligence Directorate, and so is Ukraine's HUR.
    "main intelligence directorate": {"org/gru", "org/hur"},
    # Sudan's Rapid Support Forces and Reporters Without Borders (Reporters sans frontières).
    "rsf": {"org/rsf", "org/rwb"},
}


@pytest.fixture(scope="module")
def kb():
    return load_kb()


def test_loads_and_is_large(kb):
    assert len(kb) > 1000
    kinds = defaultdict(int)
    for e in kb:
        kinds[e.kind] += 1
    assert kinds["state"] >= 200
    assert kinds["city"] >= 250


def test_check_is_clean(kb):
    assert kb.check() == []


def test_every_entry_has_a_source(kb):
    for e in kb:
        assert e.source and e.source.strip(), e.id
        for office in e.offices:
            assert office.source and office.source.strip(), (e.id, office.title)
        if e.front_of:
            assert e.front_source and e.front_source.strip(), e.id


def test_state_codes_are_iso(kb):
    seen = {}
    for e in kb.states():
        code = e.country
        assert code, e.id
        assert code not in seen, (code, e.id, seen.get(code))
        seen[code] = e.id
        if code in NOT_IN_ISO_3166_1:
            continue
        if code in FORMER_STATES:
            assert pycountry.historic_countries.get(alpha_3=code) is not None, code
            continue
        c = pycountry.countries.get(alpha_3=code)
        assert c is not None, (e.id, code)
        assert e.iso2 == c.alpha_2, (e.id, e.iso2, c.alpha_2)


def test_all_un_members_present(kb):
    codes = {e.country for e in kb.states()}
    # every ISO 3166-1 country minus dependent territories is a state here; spot-check the
    # members most named in coverage and the partial/former states the KB promises.
    for code in ("RUS", "USA", "FRA", "GBR", "CHN", "UKR", "BFA", "MLI", "NER", "CAF", "TCD", "SDN", "LBY",
                 "GIN", "TGO", "SEN", "CIV", "GNQ", "MDG", "MOZ", "NIC", "COD", "COG", "PSE", "VAT",
                 "XKX", "TWN", "ESH", "SUN", "YUG", "CSK"):
        assert code in codes, code


def test_capitals_are_city_entries(kb):
    for e in kb.states():
        if not e.capital:
            continue
        found = [c for c in kb.lookup(e.capital) if c.kind == "city"]
        assert len(found) == 1, (e.id, e.capital, [c.id for c in found])
        assert found[0].country == e.country or e.country in FORMER_STATES, (e.id, found[0].id)
        # capitals are never aliases of their state
        assert name_key(e.capital) not in {name_key(f) for f in e.surface_forms}, e.id


def test_countries_refer_to_states(kb):
    codes = {e.country for e in kb.states()}
    for e in kb:
        if e.country:
            assert e.country in codes, (e.id, e.country)


def test_no_same_type_collisions_outside_allow_list(kb):
    by_key: dict[tuple[str, str], set[str]] = defaultdict(set)
    for e in kb:
        for form in e.surface_forms:
            by_key[(name_key(form), e.type)].add(e.id)
    bad = []
    for (key, type_), ids in sorted(by_key.items()):
        if len(ids) > 1 and ALLOWED_COLLISIONS.get(key) != ids:
            bad.append((key, type_, sorted(ids)))
    assert bad == []
    # the allow-list carries no stale entries
    for key, ids in ALLOWED_COLLISIONS.items():
        assert {e.id for e in kb.lookup(key)} == ids, key


def test_wikidata_ids_unique(kb):
    seen = {}
    for e in kb:
        if e.wikidata:
            assert e.wikidata not in seen, (e.id, seen.get(e.wikidata))
            seen[e.wikidata] = e.id


@pytest.mark.parametrize("form, expected", [
    ("Shoygu", "person/sergei-shoigu"),
    ("Sergey Shoigu", "person/sergei-shoigu"),
    ("Captain Traore", "person/ibrahim-traore"),
    ("Ibrahim Traore", "person/ibrahim-traore"),
    ("Goita", "person/assimi-goita"),
    ("Tiani", "person/abdourahamane-tchiani"),
    ("Touadera", "person/faustin-archange-touadera"),
    ("Hemedti", "person/mohamed-hamdan-dagalo"),
    ("Prigojine", "person/yevgeny-prigozhin"),
    ("CAR", "state/caf"),
    ("C.A.R.", "state/caf"),
    ("Burkina", "state/bfa"),
    ("Russian Federation", "state/rus"),
    ("the U.S.", "state/usa"),
    ("USSR", "state/sun"),
    ("Ivory Coast", "state/civ"),
    ("DR Congo", "state/cod"),
    ("Congo-Brazzaville", "state/cog"),
    ("Kiev", "city/kyiv"),
    ("Ouaga", "city/ouagadougou"),
    ("Washington, D.C.", "city/washington"),
    ("Tombouctou", "city/timbuktu"),
    ("Sahel region", "loc/sahel"),
    ("SOMB", "org/ouis"),
    ("Commonwealth of Officers for International Security", "org/ouis"),
    ("PMC Wagner", "org/wagner-group"),
    ("Afrika Korps", "org/africa-corps"),
    ("Russian defense ministry", "org/ru-ministry-of-defence"),
    ("GUR", "org/hur"),
    ("ITAR-TASS", "media/tass"),
    ("RIA news agency", "media/ria-novosti"),
    ("Confederation of Sahel States", "org/aes"),
    ("CEDEAO", "org/ecowas"),
    ("SPIEF", "event/spief"),
    ("ISGS", "org/islamic-state-sahel"),
    ("GSIM", "org/jnim"),
])
def test_lookup_variants(kb, form, expected):
    assert [e.id for e in kb.lookup(form)] == [expected]


def test_wagner_front(kb):
    ouis = kb.get("org/ouis")
    assert ouis.name == "Officers Union for International Security"
    assert ouis.front_of
    assert kb.resolve(ouis.front_of).id == "org/wagner-group"
    assert "Treasury" in ouis.front_source or "OFAC" in ouis.front_source
    for e in kb:
        if e.front_of:
            assert kb.resolve(e.front_of) is not None, e.id


def test_state_media_marks(kb):
    for mid in ("media/tass", "media/ria-novosti", "media/sputnik", "media/rt", "media/african-initiative"):
        assert kb.get(mid).state_controlled, mid
    for mid in ("media/reuters", "media/ap", "media/afp", "media/bbc", "media/meduza"):
        assert not kb.get(mid).state_controlled, mid


def test_office_dates(kb):
    d = dt.date.fromisoformat
    holders = lambda title, of, day: {p.id for p, _ in kb.office_holders(title, of, d(day))}  # noqa: E731
    assert holders("Defence Minister", "Russia", "2023-06-01") == {"person/sergei-shoigu"}
    assert holders("Defence Minister", "Russia", "2024-06-01") == {"person/andrei-belousov"}
    assert holders("President", "Burkina Faso", "2023-01-01") == {"person/ibrahim-traore"}
    assert holders("President", "Burkina Faso", "2022-05-01") == {"person/paul-henri-sandaogo-damiba"}
    assert holders("Prime Minister", "Mali", "2025-01-01") == {"person/abdoulaye-maiga"}
    assert holders("Director", "Officers Union for International Security", "2023-01-27") == {"person/alexander-ivanov"}
    assert holders("Head", "Wagner Group", "2024-01-01") == set()
    # no two people hold the same head-of-state title of the same state on one day
    for e in kb.states():
        for day in ("2020-01-01", "2023-01-01", "2025-06-01"):
            assert len(holders("President", e.name, day)) <= 1, (e.name, day)
