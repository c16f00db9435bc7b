"""Guesses the language of an inquiry by counting common function words.

Inquiries are short, so a handful of frequent words per language is enough and costs
microseconds. English and German are told apart; a few other European languages are only
recognised, so that an inquiry written in one of them is reported as such (e.g. `fr`)
rather than forced into English or German: a rule on `language` can then hand it to a
person. A gateway's locale hint, when present, wins over this guess (in decide).
"""

from __future__ import annotations

from switchboard.engine.text import fold, words


def _word_set(text: str) -> frozenset[str]:
    return frozenset(text.split())


_WORDS: dict[str, frozenset[str]] = {
    "en": _word_set(
        """a an the and or but is are was were be been am do does did have has had i we you he
        she it they my our your their me us him her them this that these those what where when
        why how which who of to on at for from with by about please thanks thank can could
        would should will shall not no yes any some still yet already there here if as just
        order invoice delivery arrive hello hi dear regards kind"""
    ),
    "de": _word_set(
        """der die das den dem des ein eine einen einem einer und oder aber ist sind war waren
        sein bin bist habe hast hat haben hatte wir ihr sie er es ich du mein meine unser
        unsere unserer ihre ihren ihrem dieser diese dieses wo wann warum wie welche wer von
        zu im auf fur mit bei uber bitte danke dank konnen konnten wurden sollten wird werden
        nicht kein keine ja noch schon bereits da hier wenn als nur bestellung rechnung
        lieferung hallo guten tag sehr geehrte damen herren gruss grusse freundlichen mfg
        auftrag wurde"""
    ),
    "fr": _word_set(
        """le la les un une des du et ou est sont nous vous je il elle ils notre votre nos vos
        pour avec dans sur pas que qui quand ou merci bonjour madame monsieur commande facture
        livraison pourriez pouvez svp cordialement c'est au aux ce cette"""
    ),
    "es": _word_set(
        """el la los las un una unos y o es son nosotros usted ustedes yo mi nuestro nuestra
        para con por que cuando donde gracias hola buenos dias pedido factura entrega podrian
        puede saludos del al esta este llega"""
    ),
    "it": _word_set(
        """il lo la gli le un una e o sono noi voi io mio nostro nostra per con che quando dove
        grazie buongiorno salve ordine fattura consegna potreste cordiali saluti del della
        arriva questo questa"""
    ),
    "nl": _word_set(
        """het een en of zijn wij jullie ik mijn onze ons voor met dat wanneer waar dank
        bedankt goedemorgen goedemiddag bestelling factuur levering geleverd kunnen graag
        groeten wordt niet nog"""
    ),
    "pl": _word_set(
        """i lub jest sa my wy ja moj nasz nasze dla z ze ktory kiedy gdzie dziekuje dzien
        dobry zamowienie faktura dostawa czy prosze pozdrawiam nie juz"""
    ),
    "cs": _word_set(
        """a nebo je jsou my vy ja muj nas pro s ze kdy kde dekuji dobry den objednavka
        faktura dodavka prosim zdravim ne uz jak"""
    ),
    "tr": _word_set(
        """ve veya bir bu biz siz ben benim bizim icin ile ne zaman nerede tesekkurler merhaba
        siparis siparisimiz fatura teslimat gelir mi mu lutfen"""
    ),
}
_SHARED = frozenset(
    word
    for name, vocabulary in _WORDS.items()
    for word in vocabulary
    if sum(word in other for other in _WORDS.values()) > 1
)
_EXCLUSIVE = {name: vocabulary - _SHARED for name, vocabulary in _WORDS.items()}
_LETTERS = {
    "de": "äöüß",
    "fr": "çèêàùœ",
    "es": "ñ¿¡",
    "pl": "ąęłńśźż",
    "cs": "ěřůčšž",
    "tr": "ğış",
}
_SUPPORTED = ("en", "de")
_LANGUAGE_OF = {word: name for name, vocabulary in _EXCLUSIVE.items() for word in vocabulary}
_LETTER_SETS = {name: frozenset(letters) for name, letters in _LETTERS.items()}


def detect_language(text: str) -> str | None:
    """`en`, `de`, another language's code, or None when the text gives no evidence.

    A language other than English and German is only reported when it clearly outscores
    both, so that a German or English inquiry is not handed off for a stray foreign word.
    """
    scores = dict.fromkeys(_WORDS, 0)
    for token in words(fold(text)):
        name = _LANGUAGE_OF.get(token)
        if name is not None:
            scores[name] += 1
    characters = set(text.lower())
    for name, letters in _LETTER_SETS.items():
        if not letters.isdisjoint(characters):
            scores[name] += 2
    best = max(scores, key=lambda name: scores[name])
    known = max(scores[name] for name in _SUPPORTED)
    if best not in _SUPPORTED and scores[best] >= 2 and scores[best] > known + 1:
        return best
    english, german = scores["en"], scores["de"]
    if english == german:
        return None
    return "en" if english > german else "de"
