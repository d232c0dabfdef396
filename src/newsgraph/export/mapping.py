"""Vocabulary shared by the exports: country codes, PLOVER quad codes and sectors,
and which object type of STIX or FollowTheMoney an entity becomes."""
from __future__ import annotations

import re
from functools import lru_cache

from newsgraph.export.selection import Entity

# PLOVER manual, "PLOVER quad categories"; REQUEST is PLOVER's DEMAND.
QUAD = {
    "AGREE": 1, "CONSULT": 1, "SUPPORT": 1, "CONCEDE": 1,
    "COOPERATE": 2, "AID": 2, "RETREAT": 2,
    "REQUEST": 3, "ACCUSE": 3, "REJECT": 3, "SANCTION": 3, "THREATEN": 3,
    "PROTEST": 4, "MOBILIZE": 4, "COERCE": 4, "ASSAULT": 4,
}

# CAMEO/PLOVER actor sector codes for the KB's kinds (unknown kinds get none).
PLOVER_SECTOR = {
    "state": "GOV", "government_body": "GOV", "military": "MIL", "armed_group": "REB", "party": "PTY",
    "media": "MED", "company": "BUS", "ngo": "NGO", "igo": "IGO",
}

# FollowTheMoney topics for kinds where one fits plainly.
FTM_TOPICS = {"military": "mil", "government_body": "gov", "igo": "gov.igo", "state": "gov.national",
              "party": "pol.party"}

# STIX 2.1 industry-sector-ov values for identities.
STIX_SECTORS = {"government_body": ["government-national"], "military": ["defense"],
                "igo": ["government-international"], "media": ["communications"], "ngo": ["non-profit"]}

# STIX 2.1 region-ov values for region names; other regions use their own name (an open vocabulary).
STIX_REGIONS = {
    "africa": "africa", "west africa": "western-africa", "western africa": "western-africa",
    "east africa": "eastern-africa", "eastern africa": "eastern-africa", "north africa": "northern-africa",
    "northern africa": "northern-africa", "southern africa": "southern-africa", "central africa": "middle-africa",
    "middle africa": "middle-africa", "europe": "europe", "eastern europe": "eastern-europe",
    "western europe": "western-europe", "asia": "asia", "middle east": "western-asia", "americas": "americas",
    "oceania": "oceania", "antarctica": "antarctica",
}

PLACE_TYPES = frozenset({"GPE", "LOC"})
HOSTILE_KINDS = frozenset({"pmc", "armed_group"})  # STIX threat-actors


@lru_cache(maxsize=512)
def iso2(alpha3: str | None) -> str | None:
    """ISO 3166-1 alpha-2 for an alpha-3 code (historic states too: SUN -> SU)."""
    if not alpha3:
        return None
    import pycountry

    code = alpha3.upper()
    found = pycountry.countries.get(alpha_3=code) or pycountry.historic_countries.get(alpha_3=code)
    return found.alpha_2 if found is not None else None


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.casefold()).strip("-") or "unknown"


def stix_type(ent: Entity) -> str:
    """``location`` for places, ``threat-actor`` for PMCs and armed groups, ``identity`` otherwise."""
    if ent.type in PLACE_TYPES:
        return "location"
    if ent.type == "ORG" and ent.kind in HOSTILE_KINDS:
        return "threat-actor"
    return "identity"


def identity_class(ent: Entity) -> str:
    if ent.type == "PERSON":
        return "individual"
    if ent.type == "ORG":
        return "organization"
    return "unknown"


def ftm_schema(ent: Entity) -> str | None:
    """The FollowTheMoney schema of an entity: Person; PublicBody for states, government bodies,
    militaries and IGOs; Company; Organization for other bodies; Address for other places; Event for
    named events. Other things (weapons, platforms) have no schema: their names stay on the Article."""
    if ent.type == "PERSON":
        return "Person"
    if ent.type in PLACE_TYPES:
        return "PublicBody" if ent.kind == "state" else "Address"
    if ent.type == "ORG":
        if ent.kind in ("government_body", "military", "igo"):
            return "PublicBody"
        if ent.kind == "company":
            return "Company"
        return "Organization"
    if ent.kind == "event":
        return "Event"
    return None
