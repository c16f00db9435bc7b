"""What the voice gateway itself says on a call, besides the answers the API renders."""

from __future__ import annotations

PHRASES: dict[str, dict[str, str]] = {
    "en": {
        "greeting": (
            "Hello, you have reached the order desk. Please tell me in a few words what your "
            "call is about, for example your order number and your question."
        ),
        "no_speech": "I did not hear anything, so I am putting you through to a colleague.",
        "connecting": "Thank you. One moment please, I am putting you through to {queue}.",
        "callback": "Thank you. All colleagues are busy right now; we will call you back.",
        "failure": (
            "Sorry, I cannot look into this automatically right now. "
            "I am putting you through to a colleague."
        ),
        "goodbye": "Sorry, nobody can take your call right now. Please call again later.",
    },
    "de": {
        "greeting": (
            "Guten Tag, Sie sind mit dem Auftragsservice verbunden. Bitte sagen Sie mir kurz, "
            "worum es geht, zum Beispiel Ihre Auftragsnummer und Ihre Frage."
        ),
        "no_speech": (
            "Ich habe nichts gehört und verbinde Sie mit einer Kollegin oder einem Kollegen."
        ),
        "connecting": "Danke. Einen Moment bitte, ich verbinde Sie mit {queue}.",
        "callback": "Danke. Gerade sind alle Kollegen im Gespräch; wir rufen Sie zurück.",
        "failure": (
            "Das kann ich gerade leider nicht automatisch prüfen. "
            "Ich verbinde Sie mit einer Kollegin oder einem Kollegen."
        ),
        "goodbye": "Leider ist gerade niemand erreichbar. Bitte rufen Sie später wieder an.",
    },
}


def phrase(locale: str, key: str, **values: str) -> str:
    table = PHRASES.get(locale.split("-")[0].lower(), PHRASES["en"])
    return table[key].format(**values)
