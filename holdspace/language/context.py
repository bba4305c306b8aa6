"""Context rules from reference/language.md §2, as small pure functions over text.

Each function looks at the sentence around a candidate span; none of them parse syntax. The
cue lists come from ConText/NegEx (negation, termination and hypothetical cues, [MEDSPACY;
NEGSPACY]) and from §2 R1 (speech cues for attributed quotes).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_WINDOW = 400  # characters searched either side for a sentence boundary

# R2: NegEx-style negation cues that may precede a hypothesis word, and ConText terminators.
NEGATION = re.compile(
    r"\b(?:no|not|never|without|denies|denied|nor|negative\s+for|ruled\s+out|rule\s+out|r/o|"
    r"unlikely|absence\s+of|free\s+of|no\s+evidence\s+of|no\s+signs?\s+of|isn't|wasn't|"
    r"aren't|doesn't|didn't)\b",
    re.IGNORECASE,
)
TERMINATE = re.compile(
    r"\b(?:but|however|although|though|except|apart\s+from|yet|whereas)\b", re.IGNORECASE
)
NEGATION_SCOPE_WORDS = 6

# R3: hypothetical / plan cues (ConText HYPOTHETICAL) and meta-talk about a word.
HYPOTHETICAL = re.compile(
    r"\b(?:if|in\s+case|unless|whenever|should\s+(?:he|she|they|the\s+client|the\s+patient))\b",
    re.IGNORECASE,
)
MENTION = re.compile(
    r"\b(?:word|words|term|terms|label|labels|phrase|phrases|called|calling|language\s+like)"
    r"\s*:?\s*[\"“'‘]?$",
    re.IGNORECASE,
)

# R4: another experiencer (family history, collateral) before the span.
OTHER_EXPERIENCER = re.compile(
    r"\b(?:father|mother|dad|mum|mom|brother|sister|parents?|partner|husband|wife|uncle|aunt|"
    r"grandfather|grandmother|grandparents?|son|daughter|cousin|step(?:father|mother))\b",
    re.IGNORECASE,
)
LABEL_CATEGORIES = frozenset({"labels", "substance", "identity", "difficult"})

# R1: speech/report cues that attribute a quotation to a speaker.
SPEECH = re.compile(
    r"\b(?:said|says|say|stated|states|state|reported|reports|report|described|describes|"
    r"explained|explains|told|tells|wrote|writes|written|asked|asks|replied|replies|added|"
    r"answered|shouted|yelled|whispered|commented|put\s+it|in\s+(?:his|her|their|the\s+"
    r"client's|client's|own)\s+(?:own\s+)?words|per\s+(?:client|patient|mother|father|"
    r"partner|family)|quote|quoted|calls?\s+(?:him|her|them)sel(?:f|ves)|called\s+"
    r"(?:him|her|them)sel(?:f|ves)|identifies\s+as|introduced\s+(?:him|her|them)self)\b|:\s*$",
    re.IGNORECASE,
)
DIRECT = re.compile(
    r"(?:"
    + SPEECH.pattern.replace(r"|:\s*$", "")
    + r")\s*(?:(?:to\s+)?(?:me|us|staff|him|her|them)"
    r"\s*)?[,:]?\s*$",
    re.IGNORECASE,
)
FIRST_PERSON = re.compile(r"\b(?:I|I'm|I’m|me|my|mine|we|us|our)\b")
QUOTE = re.compile(r"\"([^\"\n]{1,400})\"|“([^”\n]{1,400})”|(?<![\w])‘([^’\n]{1,200})’(?![\w])")


def sentence_start(text: str, pos: int) -> int:
    lo = max(0, pos - _WINDOW)
    best = lo
    for mark in ("\n", ". ", "! ", "? ", "; "):
        found = text.rfind(mark, lo, pos)
        if found != -1:
            best = max(best, found + len(mark))
    return best


def sentence_end(text: str, pos: int) -> int:
    hi = min(len(text), pos + _WINDOW)
    best = hi
    for mark in ("\n", ". ", "! ", "? ", "; "):
        found = text.find(mark, pos, hi)
        if found != -1:
            best = min(best, found + 1)
    if best == hi and hi == len(text):
        return hi
    return best


def negated(before: str) -> bool:
    """R2: a negation cue within a few words before the span, not cut off by a terminator."""
    ends = [m.end() for m in TERMINATE.finditer(before)]
    scope = before[ends[-1] :] if ends else before
    words = scope.split()[-NEGATION_SCOPE_WORDS:]
    return NEGATION.search(" ".join(words)) is not None


def hypothetical(before: str) -> bool:
    return HYPOTHETICAL.search(before) is not None


def mentioned(before: str) -> bool:
    tail = before[-40:]
    return MENTION.search(tail.rstrip()) is not None or MENTION.search(tail) is not None


def other_experiencer(before: str) -> bool:
    return OTHER_EXPERIENCER.search(before) is not None


@dataclass(frozen=True)
class QuoteSpan:
    """A quotation: `start`/`end` include the marks; `attributed` is R1's reported speech."""

    start: int
    end: int
    inner: str
    has_cue: bool
    attributed: bool
    mention: bool


def _utterance_like(inner: str) -> bool:
    return len(inner.split()) >= 3 or FIRST_PERSON.search(inner) is not None


def quote_spans(text: str) -> tuple[QuoteSpan, ...]:
    """Every quotation in the text, classified as attributed speech or not (R1)."""
    spans = []
    for m in QUOTE.finditer(text):
        inner = next(g for g in m.groups() if g is not None)
        before = text[sentence_start(text, m.start()) : m.start()]
        after = text[m.end() : sentence_end(text, m.end())]
        has_cue = SPEECH.search(before) is not None or SPEECH.search(after) is not None
        # A cue right before the quotation introduces direct speech, however short
        # ('said "no"'); a cue elsewhere in the sentence only counts for an utterance.
        direct = DIRECT.search(before) is not None
        spans.append(
            QuoteSpan(
                start=m.start(),
                end=m.end(),
                inner=inner,
                has_cue=has_cue,
                attributed=direct or (has_cue and _utterance_like(inner)),
                mention=mentioned(before),
            )
        )
    return tuple(spans)


def enclosing_quote(spans: tuple[QuoteSpan, ...], start: int, end: int) -> QuoteSpan | None:
    for span in spans:
        if span.start < start and end <= span.end:
            return span
        if span.start > end:
            break
    return None
