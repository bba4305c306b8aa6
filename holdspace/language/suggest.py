"""One-click replacements that keep the sentence grammatical.

A rule's `replace` entries (rules.yaml) give a replacement's text for each inflection of the
matched words and say where it fits. A replacement is offered only where it fits, so applying
one never breaks the sentence:

* inflection: the matched head word's form (base, s, past, ing, ly, noun) picks the text
  ("refused" -> "declined", "refuses" -> "declines"); no text for that form, no replacement;
* `after: copula`: only after is/was/are/… ("She is non-compliant."), never attributive;
  `after: article`: only after a/an/the ("an alcoholic", not "alcoholic drinks");
* `next`: `end` (punctuation or the end follows, so a coordination such as "non-compliant
  and manipulative" is left alone), `to` (an infinitive follows: "chose not" + "to attend"),
  `object` (a word other than "to" follows), `clause` (the end, or a word other than
  to/on/upon: "claims that …" -> "reports that …", never "reports to be"), `noun` (the
  end, or a word that can follow a whole noun phrase: "an addict who …", never "an addict
  parent");
* articles: "an addict" -> "a person with …" (the span takes in the article);
* capitals: a capitalised match gives a capitalised replacement;
* `delete`: remove an adverb of doubt with its comma or space ("supposedly").

Hints (a rule's `alternatives`) are shown, never written into the text: they hold the
placeholders and the prompts to describe what happened.
"""

from __future__ import annotations

import re

from holdspace.language.model import Replace, Replacement, Rule

COPULAS = frozenset(
    [
        "is",
        "was",
        "are",
        "were",
        "be",
        "been",
        "being",
        "am",
        "seems",
        "seemed",
        "remains",
        "remained",
        "appears",
        "appeared",
        "'s",
        "’s",
    ]
)
_NEXT_WORD = re.compile(r"\s*([A-Za-z]+)")
_END = re.compile(r"\s*(?:[.,;:!?)\]]|$)")
_NOUN_SUFFIX = re.compile(r"(?:sal|sals|ance|ances|ence|ences|ness|ion|ions|ment|ments)$")
_ADJ_SUFFIX = re.compile(r"(?:ive|ic|al|ous|ful|ant|ent|ary|ish|less|able|ible)$")
ARTICLES = frozenset({"a", "an", "the"})
# Words that may follow a complete noun phrase: "an addict who …", "the addict is …".
_PHRASE_END_WORDS = frozenset(
    [
        "is",
        "was",
        "are",
        "were",
        "has",
        "had",
        "have",
        "who",
        "that",
        "which",
        "and",
        "or",
        "but",
        "with",
        "in",
        "at",
        "on",
        "to",
        "for",
        "from",
        "of",
        "after",
        "before",
        "since",
        "because",
        "said",
        "says",
        "reported",
        "reports",
        "often",
        "usually",
        "sometimes",
        "also",
        "still",
        "may",
        "can",
        "could",
        "will",
        "would",
        "should",
        "must",
        "do",
        "does",
        "did",
    ]
)
_NOT_CLAUSE = frozenset({"to", "on", "upon"})
# "a" before a consonant sound even where the letter is a vowel (a user, a one-off).
_CONSONANT_SOUND = re.compile(r"(?:u[bcdfghjklmnpqrstvwxz][aeiou]|use|one|eu)", re.I)


def form_of(words: str, head: str = "last") -> str:
    """The inflection the matched words carry, read from the head word's ending."""
    parts = re.findall(r"[A-Za-z]+", words)
    if not parts:
        return "base"
    word = (parts[0] if head == "first" else parts[-1]).lower()
    if word.endswith("ing"):
        return "ing"
    if word.endswith("ed"):
        return "past"
    if word.endswith("ly"):
        return "ly"
    if _NOUN_SUFFIX.search(word):
        return "noun"
    if word.endswith("s") and not word.endswith("ss"):
        return "s"
    if _ADJ_SUFFIX.search(word):
        return "adj"
    return "base"


def article_for(text: str) -> str:
    first = text.lstrip()[:1].lower()
    if first in "aeiou" and first and not _CONSONANT_SOUND.match(text.lstrip()):
        return "an"
    return "a"


def _fits(replace: Replace, text: str, start: int, end: int) -> bool:
    words = text[max(0, start - 40) : start].split()
    previous = words[-1].lower() if words else ""
    if replace.after == "copula" and previous not in COPULAS:
        return False
    if replace.after == "article" and previous not in ARTICLES:
        return False
    rest = text[end : end + 40]
    following = _NEXT_WORD.match(rest)
    at_end = _END.match(rest) is not None
    if replace.next == "end":
        return at_end
    if replace.next == "noun":
        return at_end or (following is not None and following.group(1).lower() in _PHRASE_END_WORDS)
    if replace.next == "clause":
        return at_end or (following is not None and following.group(1).lower() not in _NOT_CLAUSE)
    if replace.next == "to":
        return following is not None and following.group(1).lower() == "to"
    if replace.next == "object":
        return following is not None and following.group(1).lower() != "to"
    return True


def _match_case(original: str, new: str) -> str:
    if original[:1].isupper() and new[:1].islower():
        return new[:1].upper() + new[1:]
    return new


def _deletion(text: str, start: int, end: int) -> Replacement:
    """Remove the words and one separator; capitalise what now starts the sentence."""
    tail = re.match(r",?\s*", text[end:])
    stop = end + (tail.end() if tail else 0)
    lead = re.search(r"\s+$", text[:start])
    if stop == len(text) or text[stop : stop + 1] in ".,;:!?":
        begin = lead.start() if lead else start
        return Replacement(begin, stop, "")
    if text[start : start + 1].isupper():
        nxt = text[stop : stop + 1]
        return Replacement(start, stop + 1, nxt.upper()) if nxt else Replacement(start, stop, "")
    return Replacement(start, stop, "")


def _fill(template: str, words: str) -> str:
    """{rest}: the matched words after the first; {tail}: after the second; {init}: all but
    the last; {obj}: after the first, without a leading "to" ("admits to drinking")."""
    parts = words.split()
    obj = parts[1:]
    if obj and obj[0].lower() == "to":
        obj = obj[1:]
    return template.format(
        rest=" ".join(parts[1:]),
        tail=" ".join(parts[2:]),
        init=" ".join(parts[:-1]),
        obj=" ".join(obj),
    )


def replacements(rule: Rule, text: str, start: int, end: int) -> tuple[Replacement, ...]:
    """The replacements of `rule` that fit the match text[start:end], in rule order."""
    words = text[start:end]
    form = form_of(words, rule.head)
    found: list[Replacement] = []
    for replace in rule.replace:
        if not _fits(replace, text, start, end):
            continue
        if replace.delete:
            found.append(_deletion(text, start, end))
            continue
        new = replace.text_for(form)
        if new is None:
            continue
        new = _fill(new, words)
        lo = start
        article = re.search(r"\b(an?)\s+$", text[max(0, start - 4) : start], re.I)
        if article is not None and article.group(1).lower() != article_for(new):
            lo = start - len(article.group(0))
            new = f"{_match_case(article.group(1), article_for(new))} {new}"
        else:
            new = _match_case(words, new)
        if text[lo:end] != new:
            found.append(Replacement(lo, end, new))
    return tuple(dict.fromkeys(found))
