"""The event lexicon (``lexicons/events.yaml``) as typed tables.

A trigger is a lemma or a phrase of lemmas with the PLOVER type and mode it
signals, and optionally how its arguments are read (see the YAML's header).
Phrases match contiguous lemmas (hyphens ignored: "anti-terrorist operation")
or, for verb-noun and adjective-noun pairs, words linked in the parse
("embassies were opened" matches "open embassy").
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from newsgraph.lexicons import load_lexicon

ARG_SOURCES = frozenset({"owner"})


@dataclass(frozen=True)
class TriggerSense:
    """One reading of a trigger: its type and mode, and how to read its arguments."""

    type: str
    mode: str | None
    actor_preps: tuple[str, ...] = ()      # "concerns among X": X is the actor
    recipient_preps: tuple[str, ...] = ()  # added to the type's recipient prepositions
    actor_from: tuple[str, ...] = ()       # extra actor sources: owner (of the noun in the phrase)
    untargeted: tuple[str, str | None] | None = None  # the type/mode when no recipient is found
    domestic: bool = False                 # happens inside one state (coups): actor is that state
    not_with: frozenset[str] = frozenset()  # dependency labels that cancel the trigger ("seek to ...")
    not_under: frozenset[str] = frozenset()  # governing lemmas that cancel it ("fulfils its promises")
    needs: frozenset[str] = frozenset()      # a child word or label it needs ("committed to")
    pos: frozenset[str] = frozenset()       # parts of speech the trigger needs (empty: any)
    reverse: bool = False                  # the object acts ("received Y": Y visits)
    org_target: tuple[str, str | None] | None = None  # the type/mode when the recipient is an organisation
    agentive: bool = False                 # people sent ("instructors"): no event when they act in another
    of: str | None = None                  # "X of Y": Y is the "actor" or the "patient" (default: by type)
    moves: bool = False                    # the object is the force moved ("withdrew its troops from X")
    as_subject: bool = False               # a noun for people that is an event as a clause's subject only
    by_state: bool = False                 # only authorities do it ("was arrested"): a passive's doer is the state
    lemma: str = ""                        # the trigger as written in the lexicon


@dataclass
class EventLexicon:
    single: dict[str, list[TriggerSense]]
    phrases: dict[tuple[str, ...], list[TriggerSense]]
    recipient_preps: dict[str, frozenset[str]]
    of_actor_types: frozenset[str]
    from_actor_types: frozenset[str]
    future: frozenset[str]
    hypothetical: frozenset[str]
    hypothetical_governors: frozenset[str]
    negating_governors: frozenset[str]
    future_to_agree: frozenset[str]
    generic: frozenset[str]
    light_verbs: frozenset[str]
    content_types: frozenset[str]
    undoing_types: frozenset[str]
    undone_types: frozenset[str]
    experiencer_verbs: frozenset[str]
    causative_verbs: frozenset[str]
    participation_nouns: frozenset[str]
    report_verbs: frozenset[str]
    speech_verbs: frozenset[str]
    hostile_groups: frozenset[str]
    reciprocal_heads: frozenset[str]
    instrumental_preps: frozenset[str]
    object_control_verbs: frozenset[str]
    naming_verbs: frozenset[str]
    aspectual_verbs: frozenset[str]
    agreement_nouns: frozenset[str]
    phrases_by_word: dict[str, list[tuple[str, ...]]] = field(default_factory=dict)
    armed_forces_words: dict[str, str] = field(default_factory=dict)  # head lemma -> service
    military_types: frozenset[str] = frozenset()  # a nationality's act of these types is its army's
    unattributed_types: frozenset[str] = frozenset()  # kept without an actor ("gunmen kidnapped X")
    site_preps: frozenset[str] = frozenset()  # "a sit-in outside the French embassy": the site's owner is targeted
    armed_forces_forms: dict[str, tuple[str, ...]] = field(default_factory=dict)  # service -> KB name forms
    # the classifier's path for sentences without a trigger (None: off), and the most "no event" it allows
    fallback_min: float | None = None
    fallback_none_max: float = 0.0
    fallback_after_triggers: bool = False  # also in sentences whose triggers yield no event


def split_words(trigger: str) -> tuple[str, ...]:
    """Lexicon phrases split on spaces and hyphens, as sentence lemmas are compared."""
    return tuple(w for w in re.split(r"[\s\-]+", trigger.lower()) if w)


def _words(values: Any, where: str) -> tuple[str, ...]:
    """A list of words from the YAML; unquoted on/off/yes/no would be booleans."""
    out = tuple(values or ())
    if any(not isinstance(v, str) for v in out):
        raise ValueError(f"events.yaml: {where}: quote every word (YAML reads on/off/yes/no as booleans)")
    return out


def _sense(type_: str, trigger: str, value: object) -> TriggerSense:
    if not isinstance(value, dict):
        return TriggerSense(type_, value, lemma=trigger)  # type: ignore[arg-type]
    unknown = set(value) - {"mode", "actor_preps", "recipient_preps", "actor_from", "untargeted", "domestic",
                            "not_with", "not_under", "needs", "pos", "of", "agentive",
                            "reverse", "org_target", "moves", "as_subject", "by_state"}
    if unknown:
        raise ValueError(f"events.yaml: trigger {trigger!r} of {type_} has unknown keys {sorted(unknown)}")
    actor_from = tuple(value.get("actor_from", ()))
    if set(actor_from) - ARG_SOURCES:
        raise ValueError(f"events.yaml: trigger {trigger!r}: actor_from must be among {sorted(ARG_SOURCES)}")
    untargeted = value.get("untargeted")
    return TriggerSense(
        type_, value.get("mode"),
        actor_preps=_words(value.get("actor_preps"), trigger),
        recipient_preps=_words(value.get("recipient_preps"), trigger),
        actor_from=actor_from,
        untargeted=(untargeted[0], untargeted[1] if len(untargeted) > 1 else None) if untargeted else None,
        domestic=bool(value.get("domestic", False)),
        not_with=frozenset(value.get("not_with", ())),
        not_under=frozenset(value.get("not_under", ())),
        needs=frozenset(value.get("needs", ())),
        pos=frozenset(value.get("pos", ())),
        of=value.get("of"),
        agentive=bool(value.get("agentive", False)),
        reverse=bool(value.get("reverse", False)),
        moves=bool(value.get("moves", False)),
        as_subject=bool(value.get("as_subject", False)),
        by_state=bool(value.get("by_state", False)),
        org_target=(value["org_target"][0], value["org_target"][1]) if value.get("org_target") else None,
        lemma=trigger,
    )


@lru_cache(maxsize=1)
def event_lexicon() -> EventLexicon:
    data = load_lexicon("events")
    single: dict[str, list[TriggerSense]] = {}
    phrases: dict[tuple[str, ...], list[TriggerSense]] = {}
    preps: dict[str, frozenset[str]] = {}
    for type_, spec in data["types"].items():
        preps[type_] = frozenset(_words(spec.get("recipient_preps"), type_))
        for trigger, value in spec["triggers"].items():
            words = split_words(trigger)
            # a list gives one trigger several readings of the same type ("strike": a noun
            # attack only with a target, a verb attack always)
            for one in value if isinstance(value, list) else [value]:
                sense = _sense(type_, trigger, one)
                (single.setdefault(words[0], []) if len(words) == 1 else phrases.setdefault(words, [])).append(sense)
    by_word: dict[str, list[tuple[str, ...]]] = {}
    for words in phrases:
        for w in set(words):
            by_word.setdefault(w, []).append(words)
    arg = data["arguments"]
    status = data["status"]
    fallback = data.get("classifier_fallback") or {}
    return EventLexicon(
        single=single,
        phrases=phrases,
        recipient_preps=preps,
        of_actor_types=frozenset(arg["of_actor_types"]),
        from_actor_types=frozenset(arg["from_actor_types"]),
        future=frozenset(status["future_cues"]),
        hypothetical=frozenset(status["hypothetical_cues"]),
        hypothetical_governors=frozenset(status["hypothetical_governors"]),
        negating_governors=frozenset(status["negating_governors"]),
        future_to_agree=frozenset(data["future_becomes_agree"]),
        generic=frozenset(arg["generic_state_actors"]),
        light_verbs=frozenset(arg["light_verbs"]),
        content_types=frozenset(arg["content_types"]),
        undoing_types=frozenset(arg["undoing_types"]),
        undone_types=frozenset(arg["undone_types"]),
        experiencer_verbs=frozenset(arg["experiencer_verbs"]),
        causative_verbs=frozenset(arg["causative_verbs"]),
        participation_nouns=frozenset(arg["participation_nouns"]),
        report_verbs=frozenset(arg["report_verbs"]),
        speech_verbs=frozenset(arg["speech_verbs"]),
        hostile_groups=frozenset(arg["hostile_groups"]),
        reciprocal_heads=frozenset(arg["reciprocal_heads"]),
        instrumental_preps=frozenset(arg["instrumental_preps"]),
        object_control_verbs=frozenset(arg["object_control_verbs"]),
        naming_verbs=frozenset(arg["naming_verbs"]),
        aspectual_verbs=frozenset(status["aspectual_verbs"]),
        agreement_nouns=frozenset(status["agreement_nouns"]),
        phrases_by_word=by_word,
        military_types=frozenset(_words(arg.get("military_types"), "military_types")),
        unattributed_types=frozenset(_words(arg.get("unattributed_types"), "unattributed_types")),
        site_preps=frozenset(_words(arg.get("site_preps"), "site_preps")),
        armed_forces_words={str(k): str(v) for k, v in (arg.get("armed_forces_words") or {}).items()},
        armed_forces_forms={str(k): _words(v, f"armed_forces_forms {k}")
                            for k, v in (arg.get("armed_forces_forms") or {}).items()},
        fallback_min=float(fallback["fallback_min"]) if fallback.get("fallback_min") is not None else None,
        fallback_none_max=float(fallback.get("fallback_none_max", 0.0)),
        fallback_after_triggers=bool(fallback.get("after_triggers", False)),
    )
