"""The consent texts, versioned, in French and English. A text is never edited in place: a new
wording is a new version, so that every stored consent says exactly what the person agreed to.
The current version of each kind is the last one listed."""

from __future__ import annotations

from typing import Literal

Kind = Literal["contact", "location"]
Lang = Literal["fr", "en"]

TEXTS: dict[str, dict[str, dict[str, str]]] = {
    "contact": {
        "contact-2026-12": {
            "fr": "J’accepte que la campagne conserve mon nom, mes coordonnées et les sujets cochés pour me "
            "recontacter au sujet de cette élection. Ces données, qui peuvent révéler une opinion "
            "politique, ne sont ni vendues ni transmises ; elles sont supprimées trois ans après le "
            "dernier contact. Je peux y accéder, les rectifier ou les faire effacer à tout moment "
            "auprès de la campagne.",
            "en": "I agree that the campaign keeps my name, contact details and the topics ticked, to contact "
            "me again about this election. This data, which may reveal a political opinion, is neither "
            "sold nor shared; it is deleted three years after the last contact. I may access, correct or "
            "erase it at any time by asking the campaign.",
        },
    },
    "location": {
        "location-2026-12": {
            "fr": "J’accepte de partager ma position avec l’équipe de campagne pendant mes services seulement. "
            "Elle sert à coordonner le terrain ; l’historique est effacé après la durée de conservation "
            "de la campagne. Je peux retirer mon accord à tout moment : le partage s’arrête aussitôt.",
            "en": "I agree to share my location with the campaign team during my shifts only. It is used to "
            "coordinate the field; its history is deleted after the campaign's retention period. I may "
            "withdraw at any time: sharing stops at once.",
        },
    },
}


def current_version(kind: Kind) -> str:
    return list(TEXTS[kind])[-1]


def text(kind: Kind, version: str, lang: Lang) -> str | None:
    return TEXTS[kind].get(version, {}).get(lang)
