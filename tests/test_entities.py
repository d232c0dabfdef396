"""Canonical entities on texts written for these tests (not the dev set)."""


def ents(record):
    return {e.name: e for e in record.entities}


def test_kb_places_override_ner_labels(extract_text):
    r = extract_text("Burkina Faso and Mali signed a pact. The Sahel has seen attacks; CAR troops helped.")
    e = ents(r)
    assert e["Burkina Faso"].type == "GPE" and e["Burkina Faso"].country == "BFA" and e["Burkina Faso"].kind == "state"
    assert e["Sahel"].type == "LOC"
    assert e["Central African Republic"].aliases == ["CAR"]


def test_surname_and_spelling_variants_merge(extract_text):
    r = extract_text("Captain Ibrahim Traore met Sergey Shoygu in Moscow. Later, Traoré thanked Shoigu "
                     "for the talks, and Traore said they went well.")
    e = ents(r)
    traore = e["Ibrahim Traoré"]
    assert set(traore.aliases) >= {"Ibrahim Traore", "Traoré", "Traore"}
    assert traore.country == "BFA" and traore.type == "PERSON"
    assert set(e["Sergei Shoigu"].aliases) >= {"Sergey Shoygu", "Shoigu"}
    assert len([x for x in r.entities if x.type == "PERSON"]) == 2


def test_unknown_person_short_form_resolves_to_full_name(extract_text):
    r = extract_text("Amadou Sangare, a farmer from Kaya, said the road was closed. Sangare added that "
                     "soldiers escorted the convoy.")
    person = ents(r)["Amadou Sangare"]
    assert person.aliases == ["Amadou Sangare", "Sangare"]
    assert len(person.mentions) == 2


def test_acronym_defined_in_parentheses(extract_text):
    r = extract_text("The Sahel Farmers Cooperative Network (SFCN) met in Dori. Members of SFCN asked for seeds.")
    e = ents(r)
    assert "SFCN" in e["Sahel Farmers Cooperative Network"].aliases
    assert sum(1 for m in e["Sahel Farmers Cooperative Network"].mentions if m.text == "SFCN") == 2


def test_capital_for_state_and_capital_as_place(extract_text):
    r = extract_text("Officials met in Moscow on Monday. Moscow has offered Bamako more wheat, and "
                     "Washington lost influence in the region.")
    e = ents(r)
    assert e["Moscow"].kind == "city" and e["Moscow"].aliases == ["Moscow"]
    assert "Moscow" in e["Russia"].aliases
    assert "Bamako" in e["Mali"].aliases
    assert "Washington" in e["United States"].aliases


def test_nationality_words_and_generic_groups_are_not_entities(extract_text):
    r = extract_text("Russian instructors trained Burkinabe soldiers. Western countries and the Army protested.")
    names = {e.name for e in r.entities}
    assert "Russian" not in names and "Burkinabe" not in names and "Army" not in names and "West" not in names


def test_mentions_have_exact_offsets(extract_text):
    r = extract_text("Wagner fighters left Mali. The Wagner Group denied it, TASS reported.")
    for e in r.entities:
        for m in e.mentions:
            assert r.text[m.start:m.end] == m.text
    assert "Wagner" in ents(r)["Wagner Group"].aliases


def test_cited_sources(extract_text):
    r = extract_text("Niger will buy fuel, the RIA news agency reported. According to the Russian Defence Ministry, "
                     "talks went well, as cited by TASS. Lavrov told reporters nothing.")
    assert set(r.cited_sources) == {"RIA Novosti", "TASS", "Ministry of Defence of the Russian Federation"}


def test_headline_case_does_not_invent_entities(extract_text):
    r = extract_text("Russia Pledges Support To Enhance Sahel Security Capabilities\n\nRussia pledged support.")
    names = {e.name for e in r.entities}
    assert not any("Capabilities" in n or "Enhance" in n for n in names)


def test_document_full_name_beats_kb_surname_alias(extract_text):
    # The KB knows Sergei Lavrov as "Lavrov"; this text's Lavrov is someone else.
    r = extract_text("Deputy mayor Nikolai Lavrov opened the school in Tver. Lavrov thanked the teachers.")
    e = ents(r)
    assert "Sergei Lavrov" not in e
    assert e["Nikolai Lavrov"].aliases == ["Nikolai Lavrov", "Lavrov"]


def test_same_surname_goes_to_most_recent_person(extract_text):
    r = extract_text("President Ibrahim Traoré received Foreign Minister Karamoko Jean-Marie Traoré. "
                     "The minister briefed him. Later Karamoko Jean-Marie Traoré flew to Moscow, where Traoré spoke.")
    e = ents(r)
    assert e["Karamoko Jean-Marie Traoré"].aliases[-1] == "Traoré"
    assert e["Ibrahim Traoré"].aliases == ["Ibrahim Traoré"]


def test_ethnic_groups_are_not_places(extract_text):
    r = extract_text("Tuareg rebels and Fulani herders clashed near Kidal.")
    assert {e.name for e in r.entities} == {"Kidal"}


def test_embassies_are_one_body(extract_text):
    r = extract_text("Protesters gathered outside the US Embassy in Niamey. The Embassy of France in Bamako closed.")
    e = ents(r)
    assert e["Embassy of the United States in Niamey"].aliases == ["US Embassy in Niamey"]
    assert e["Embassy of the United States in Niamey"].country == "USA"
    assert e["Embassy of France in Bamako"].kind == "government_body"


def test_title_picks_among_same_surname(extract_text):
    r = extract_text("Foreign Minister Karamoko Jean-Marie Traoré met Ibrahim Traoré's envoy. Karamoko Jean-Marie "
                     "Traoré spoke first. Then President Traoré arrived.")
    e = ents(r)
    assert e["Ibrahim Traoré"].aliases[-1] == "Traoré"
    assert len(e["Ibrahim Traoré"].mentions) == 2


def test_day_names_do_not_open_person_names(extract_text):
    r = extract_text("On Friday General Abdourahamane Tchiani addressed the nation.")
    assert "Abdourahamane Tchiani" in ents(r)


def test_title_and_surname_resolve_through_kb_offices(extract_text):
    r = extract_text("Crowds cheered as President Traoré arrived in Bobo-Dioulasso.")
    assert "Ibrahim Traoré" in ents(r)
    r = extract_text("Foreign Minister Traoré received the ambassador.")
    assert "Karamoko Jean-Marie Traoré" in ents(r)
