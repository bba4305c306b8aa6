"""The linter: pure functions from text to findings.

`lint(text)` runs the one combined regex (compiled once, see rules.py), then applies the
context rules of reference/language.md §2 to each candidate span.
"""

from __future__ import annotations

import dataclasses
import re
from bisect import bisect_right
from collections.abc import Iterator, Mapping

from holdspace.language import context
from holdspace.language.directives import is_suppressed, suppressed_by_line
from holdspace.language.model import Finding, Level, LintConfig, Rule
from holdspace.language.rules import ALNUM, WORD_START, RuleSet, default_rules
from holdspace.language.suggest import replacements

_DEFAULT_CONFIG = LintConfig()
_NEWLINE = re.compile("\n")
_CONTEXT_CHARS = 60  # text either side searched for formal names and allowed phrases


class _Lines:
    """Offset -> 1-based (line, column), built lazily once per text."""

    def __init__(self, text: str) -> None:
        self.starts = [0] + [m.end() for m in _NEWLINE.finditer(text)]

    def position(self, offset: int) -> tuple[int, int]:
        index = bisect_right(self.starts, offset) - 1
        return index + 1, offset - self.starts[index] + 1


def _message(rule: Rule, text: str, note: str) -> str:
    return f"“{text}”: {note or rule.why}"


def _formal(rule: Rule, text: str, start: int, end: int) -> tuple[str, str] | None:
    """R5: (level, message) when a formal name covers the span."""
    lo = max(0, start - _CONTEXT_CHARS)
    window = text[lo : end + _CONTEXT_CHARS]
    for formal in rule.formal:
        for m in formal.pattern.finditer(window):
            if m.start() + lo <= start and end <= m.end() + lo:
                return formal.level, formal.message
    return None


def _allowed_spans(rules: RuleSet, text: str) -> list[tuple[int, int]]:
    return [m.span() for m in rules.allow.finditer(text)] if rules.allow else []


def candidates(rules: RuleSet, text: str) -> Iterator[re.Match[str]]:
    """What `rules.combined.finditer(text)` finds, trying at each word start only the rules
    that can begin with its first two characters."""
    resume = 0
    by_first = rules.by_first
    for word in WORD_START.finditer(text):
        pos = word.start()
        if pos < resume:
            continue
        key = text[pos : pos + 2].lower()
        if len(key) < 2 or key[1] not in ALNUM:
            key = key[0] + " "
        pattern = by_first.get(key) or by_first.get(key[0])
        if pattern is None:
            continue
        m = pattern.match(text, pos)
        if m is not None:
            resume = m.end()
            yield m


def _judge(
    rule: Rule,
    level: Level,
    text: str,
    start: int,
    end: int,
    quotes: tuple[context.QuoteSpan, ...],
) -> tuple[Level, str] | None:
    """Apply the context rules to one candidate; None means "not a finding"."""
    sentence_start = context.sentence_start(text, start)
    before = text[sentence_start:start]
    if rule.skip_before is not None and rule.skip_before.search(before):
        return None  # R4: a non-person sense
    if rule.skip_after is not None and rule.skip_after.match(text[end : end + 80]):
        return None
    note = ""
    formal = _formal(rule, text, start, end) if rule.formal else None
    if formal is not None:
        if formal[0] == "off":
            return None
        level, note = "info", formal[1]
    after = text[end : context.sentence_end(text, end)]
    if context.mentioned(before, after):
        return None  # R3: talking about the word, not using it
    quote = context.enclosing_quote(quotes, start, end) if quotes else None
    if quote is not None and (quote.attributed or quote.mention):
        return None  # R1/R7: the client's own quoted words
    if quote is None and context.own_words(before):
        return None  # R7: the client's own description of themself, or read from a journal
    if "N" in rule.ctx and (context.negated(before) or context.negated_after(after)):
        return None  # R2: "no evidence of malingering" documents a rule-out
    if level == "warn" and context.hypothetical(before):
        level, note = "info", f"hypothetical or plan wording; {rule.why}"
    if (
        level == "warn"
        and rule.category in context.LABEL_CATEGORIES
        and context.other_experiencer(before)
    ):
        level, note = "info", f"about someone else or a paraphrase; {rule.why}"
    return level, note


def _scare_quotes(
    rule: Rule, level: Level, quotes: tuple[context.QuoteSpan, ...]
) -> list[tuple[int, int, Level, str]]:
    found: list[tuple[int, int, Level, str]] = []
    for quote in quotes:
        # R1: 1-3 quoted words that are not attributed speech read as doubt or mockery.
        words = quote.inner.split()
        if 0 < len(words) <= 3 and not quote.attributed and not quote.mention:
            found.append((quote.start, quote.end, level, ""))
    return found


def _quoted_labels_as_mentions(
    rules: RuleSet, text: str, quotes: tuple[context.QuoteSpan, ...]
) -> tuple[context.QuoteSpan, ...]:
    """R3: one to three quoted words that are a label, in a sentence that talks about
    language, mention the label rather than use it."""
    talking: set[int] = set()  # sentences (by start) that mention a quoted label
    for quote in quotes:
        if not 0 < len(quote.inner.split()) <= 3:
            continue
        lo = context.sentence_start(text, quote.start)
        rest = (
            text[lo : quote.start] + " " + text[quote.end : context.sentence_end(text, quote.end)]
        )
        if context.META_EXPLICIT.search(rest) or (
            rules.combined.search(quote.inner) and (quote.mention or context.meta_talk(rest))
        ):
            talking.add(lo)
    # The other quoted words of such a sentence are the alternatives being talked about.
    return tuple(
        dataclasses.replace(q, mention=True)
        if not q.mention and context.sentence_start(text, q.start) in talking
        else q
        for q in quotes
    )


def lint(
    text: str,
    config: LintConfig | None = None,
    rules: RuleSet | None = None,
) -> tuple[Finding, ...]:
    """All findings in `text`, in order of position."""
    rules = rules or default_rules()
    config = config or _DEFAULT_CONFIG
    quotes = context.quote_spans(text) if any(q in text for q in "\"“‘'") else ()
    if quotes:
        quotes = _quoted_labels_as_mentions(rules, text, quotes)
    groups: Mapping[str, Rule] = dict(rules.group_rule)
    raw: list[tuple[Rule, int, int, Level, str]] = []
    allowed: list[tuple[int, int]] | None = None
    for m in candidates(rules, text):
        rule = groups[m.lastgroup or ""]
        level = config.level_for(rule)
        if level is None:
            continue
        verdict = _judge(rule, level, text, m.start(), m.end(), quotes)
        if verdict is None:
            continue
        allowed = _allowed_spans(rules, text) if allowed is None else allowed
        if not any(lo <= m.start() < hi for lo, hi in allowed):
            raw.append((rule, m.start(), m.end(), verdict[0], verdict[1]))
    for rule in rules.rules:
        level = config.level_for(rule)
        if rule.kind == "quotes" and level is not None and quotes:
            raw.extend((rule, *hit) for hit in _scare_quotes(rule, level, quotes))
    return _findings(text, raw)


def _findings(text: str, raw: list[tuple[Rule, int, int, Level, str]]) -> tuple[Finding, ...]:
    if not raw:
        return ()
    lines = _Lines(text)
    table = suppressed_by_line(text)
    out = []
    for rule, start, end, level, note in sorted(raw, key=lambda r: (r[1], r[2], r[0].id)):
        line, column = lines.position(start)
        if is_suppressed(table, line, rule.id, rule.category):
            continue
        end_line, end_column = lines.position(end)
        span = text[start:end]
        fixes = replacements(rule, text, start, end) if rule.replace else ()
        out.append(
            Finding(
                rule=rule.id,
                category=rule.category,
                level=level,
                start=start,
                end=end,
                line=line,
                column=column,
                end_line=end_line,
                end_column=end_column,
                text=span,
                message=_message(rule, span, note),
                suggestions=tuple(r.text for r in fixes),
                why=rule.why,
                source=rule.source,
                replacements=fixes,
                hints=rule.alternatives,
            )
        )
    return tuple(out)


def apply_suggestion(text: str, start: int, end: int, replacement: str) -> str:
    """Replace one span (0-based, end exclusive) with a suggestion; a pure string edit."""
    if not 0 <= start <= end <= len(text):
        raise ValueError(f"span {start}:{end} is outside the text (length {len(text)})")
    return text[:start] + replacement + text[end:]
