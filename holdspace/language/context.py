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
    r"don't|don’t|dont|haven't|hasn't|wouldn't|couldn't|doubt|doubtful|"
    r"nothing\s+to\s+suggest|neither|(?:in|not\s+)consistent\s+with|"
    r"low\s+(?:likelihood|probability)\s+of|excluded|excludes|"
    r"aren't|doesn't|didn't)\b",
    re.IGNORECASE,
)
TERMINATE = re.compile(
    r"\b(?:but|however|although|though|except|apart\s+from|yet|whereas)\b", re.IGNORECASE
)
NEGATION_SCOPE_WORDS = 6
# R2, after the word: "malingering was ruled out", "exaggeration was not found" (ConText
# BACKWARD negation), within the same clause.
NEGATED_AFTER = re.compile(
    r"[^.;!?\n]{0,40}?\b(?:(?:was|were|is|are|has\s+been|have\s+been|had\s+been)\s+)?"
    r"(?:\w+\s+){0,2}?(?:ruled\s+out|excluded|not\s+(?:found|supported|suggested|indicated|"
    r"present|evident|seen|observed|shown|likely|confirmed|suspected|apparent|a\s+feature|"
    r"a\s+concern|an\s+issue|(?:thought|felt|considered)\s+likely)|unlikely|absent|"
    r"considered\s+and\s+(?:excluded|ruled\s+out|rejected))\b",
    re.IGNORECASE,
)

# R3: hypothetical / plan cues (ConText HYPOTHETICAL) and meta-talk about a word.
HYPOTHETICAL = re.compile(
    r"\b(?:if|in\s+case|unless|whenever|should\s+(?:he|she|they|the\s+client|the\s+patient))\b",
    re.IGNORECASE,
)
MENTION = re.compile(
    r"\b(?:(?:word|words|term|terms|label|labels|labelled|labeled|phrase|phrases|language|"
    r"words?\s+used|wording)(?:\s+(?:like|such\s+as|including|of))?|"
    r"called|calling|(?:being|been|was|were|is|are|gets?|got|getting|once)\s+called\s+(?:an?|the)|"
    r"(?:seen|viewed|perceived|regarded|judged|thought\s+of|dismissed|written\s+off|labell?ed|"
    r"branded)\s+as(?:\s+(?:an?|the))?|"
    r"what(?:\s+(?:the\s+)?word)?|meaning\s+of(?:\s+the\s+word)?)"
    r"\s*:?\s*[\"“'‘]?$",
    re.IGNORECASE,
)
# R3: the word is defined or asked about right after it ("asked what resistant means").
MENTION_AFTER = re.compile(
    r"[\"”’']?\s*(?:means?|meant|refers?\s+to|is\s+(?:a|an|the)\s+(?:word|label|term))\b",
    re.IGNORECASE,
)
# R3: a record being corrected or quoted from elsewhere: the words are another record's.
CORRECTION = re.compile(
    r"\b(?:correct(?:ed|ing|ion)|amend(?:ed|ing|ment)|removed|struck\s+through|"
    r"(?:previous|earlier|old|prior|former)\s+(?:chart|charts|notes?|entry|entries|record|"
    r"records|letters?|discharge\s+letter|referral)|(?:referral|discharge)\s+letter)\b",
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
    r"read|reads|journal|diary|texted|messaged|"
    r"answered|shouted|yelled|whispered|commented|put\s+it|in\s+(?:his|her|their|the\s+"
    r"client's|client's|own)\s+(?:own\s+)?words|per\s+(?:client|patient|mother|father|"
    r"partner|family)|quote|quoted|calls?\s+(?:him|her|them)sel(?:f|ves)|called\s+"
    r"(?:him|her|them)sel(?:f|ves)|identifies\s+as|introduced\s+(?:him|her|them)self)\b|:\s*$",
    re.IGNORECASE,
)
# A short quotation is introduced directly by an utterance verb ('said "no"', 'told me: "…"');
# report verbs ("reports her 'pain'", "describes") do not quote, and "her" may be possessive.
DIRECT = re.compile(
    r"\b(?:said|says|say|stated|states|told|tells|wrote|writes|asked|asks|replied|replies|"
    r"answered|added|shouted|yelled|whispered|read|reads|put\s+it)"
    r"\s*(?:(?:to\s+)?(?:me|us|staff|him|them)\s*|(?:to\s+)?her\s*(?=[,:]))?[,:]?\s*$",
    re.IGNORECASE,
)
FIRST_PERSON = re.compile(r"\b(?:I|I'm|I’m|me|my|mine|we|us|our)\b")
QUOTE = re.compile(
    r"\"([^\"\n]{1,400})\"|“([^”\n]{1,400})”|(?<![\w])‘([^’\n]{1,200})’(?![\w])|"
    r"(?<![\w'])'((?:[^'\n]|(?<=[A-Za-z])'(?=[A-Za-z])){1,200})'(?![\w])"
)


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


# "cannot be excluded" keeps a hypothesis open.
STILL_OPEN = re.compile(
    r"\b(?:cannot|can't|can\s+not|could\s+not|couldn't|not\s+yet|unable\s+to)\s+be\b",
    re.IGNORECASE,
)


# R7: the client's own description of themself, reported without quotation marks
# ("describes himself as an alcoholic", "identifies as an addict in recovery"), and words
# read out from their journal after a colon ("from her journal: I am an addict").
SELF_DESCRIPTION = re.compile(
    r"\b(?:(?:describ(?:es|ed|ing)|calls?|called|calling|sees?|saw|refers?\s+to|referred\s+to|"
    r"introduc(?:es|ed))\s+(?:him|her|them|my|your|our)sel(?:f|ves)(?:\s+as)?|"
    r"identif(?:ies|ied|y|ying)\s+as)\s+(?:an?\s+|the\s+)?(?:\w+\s+){0,2}$",
    re.IGNORECASE,
)
READ_OUT = re.compile(
    r"\b(?:said|says|wrote|writes|read|reads|journal|diary|letter|words|entry)\b[^:\n]{0,40}:"
    r"\s*(?P<rest>[^:\n]*)$",
    re.IGNORECASE,
)


def own_words(before: str) -> bool:
    if SELF_DESCRIPTION.search(before[-80:]):
        return True
    read_out = READ_OUT.search(before[-200:]) if ":" in before else None
    return read_out is not None and _I.search(read_out.group("rest")) is not None


_I = re.compile(r"\b(?:I|I'm|I’m|I've|I’ve|me|my|myself)\b")


def negated_after(after: str) -> bool:
    ends = [m.start() for m in TERMINATE.finditer(after)]
    scope = after[: ends[0]] if ends else after
    found = NEGATED_AFTER.match(scope)
    return found is not None and STILL_OPEN.search(found.group(0)) is None


def hypothetical(before: str) -> bool:
    return HYPOTHETICAL.search(before) is not None


def mentioned(before: str, after: str = "") -> bool:
    tail = before[-40:]
    if MENTION.search(tail.rstrip()) is not None or MENTION.search(tail) is not None:
        return True
    if MENTION_AFTER.match(after) is not None:
        return True
    return _META_SENTENCE.search(before) is not None or CORRECTION.search(after) is not None


# R3: a client asking about a word, or psychoeducation about a concept.
ASKING_ABOUT = re.compile(
    r"\b(?:(?:asked|asks|asking|wants?\s+to\s+know|wanted\s+to\s+know|queried|questioned)\s+(?:me\s+|us\s+|staff\s+|the\s+team\s+)?(?:why|what|whether|if|"
    r"about|how)|psychoeducation|explain(?:ed|ing|s)?\s+why|avoid(?:s|ed|ing)?\s+(?:saying|using|"
    r"writing|the\s+word)|explain(?:ed|ing|s)?\s+(?:the\s+)?(?:difference|meaning|"
    r"concept|idea|term|word)|(?:difference|distinction)\s+between)\b",
    re.IGNORECASE,
)


# R3: talk about language in the sentence. A few quoted words that are themselves a label,
# in such a sentence, are a mention ("discussed how 'non-compliant' puts the blame on her").
META = re.compile(
    r"\b(?:words?|terms?|label\w*|phrases?|language|wording|mean|means|meant|meaning|"
    r"psychoeducation|stigma\w*|explain\w*|discuss\w*|talk\w*|asked|asks|wonder\w*|"
    r"use\s+of|used|using|changed|rather\s+than|instead\s+of|prefer\w*|calls?|called|"
    r"calling|read|reads|hurt\w*|sham\w*|replac\w*|told|file|notes|records?|letter|chart|"
    r"summary|handover|sheet|written|listed)\b",
    re.IGNORECASE,
)


# Talk that is explicitly about words: every short quotation in the sentence is a mention.
META_EXPLICIT = re.compile(
    r"\b(?:words?|terms?|labels?|labelled|labeled|labelling|labeling|phrases?|language|wording|"
    r"psychoeducation|stigma\w*)\b",
    re.IGNORECASE,
)


def meta_talk(sentence: str) -> bool:
    return META.search(sentence) is not None


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
                mention=mentioned(before, after),
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


# CORRECTION or ASKING_ABOUT, in one scan of the text before a candidate.
_META_SENTENCE = re.compile(f"{CORRECTION.pattern}|{ASKING_ABOUT.pattern}", re.IGNORECASE)
