"""The card library: schema, sources, local folder, documentation and wording."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from holdspace.reviews import (
    LAYERS,
    SIGNAL_KINDS,
    AdaptationInputError,
    CardError,
    ReviewContext,
    ReviewInputError,
    assemble,
    compare_adaptation,
    load_cards,
)
from holdspace.reviews.cards import CARDS_DIR, LOCAL_CARDS_ENV, load_sources
from holdspace.reviews.patterns import PATTERN_FIELDS, glossary, prompts

ROOT = Path(__file__).resolve().parents[3]
DOCS = ROOT / "docs" / "reviews.md"
# Words no text the product shows may use (working agreement, "Product voice").
BLAMING = re.compile(
    r"\b(resistant|resistance|non-?compliant|compliance|failed|failure|manipulative|"
    r"unmotivated|drop-?outs?)\b",
    re.IGNORECASE,
)

GOOD_CARD = """\
signal: not_on_track
cards:
  - id: clinic.peer_worker
    layer: life_context
    title: Offer our peer worker
    hypothesis: Someone with lived experience may help more than another appointment.
    responses: [Offer a meeting with the peer worker.]
    sources: [samhsa_2014]
"""


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text)
    return path


def test_every_signal_kind_has_a_card_in_every_layer() -> None:
    cards = load_cards(local_dir="")
    for kind in SIGNAL_KINDS:
        layers = {c.layer for c in cards if c.signal == kind}
        assert layers == set(LAYERS), kind


def test_every_card_cites_at_least_one_known_source() -> None:
    sources = load_sources()
    for card in load_cards(local_dir=""):
        assert card.sources, card.id
        assert all(s.key in sources for s in card.sources), card.id


def test_every_card_and_source_is_documented() -> None:
    docs = DOCS.read_text()
    missing = [c.id for c in load_cards(local_dir="") if f"`{c.id}`" not in docs]
    missing += [f"source {k}" for k in load_sources() if f"`{k}`" not in docs]
    missing += [f"pattern {g.key}" for g in glossary() if f"`{g.key}`" not in docs]
    assert missing == []


def test_no_card_or_glossary_text_uses_a_blaming_word() -> None:
    texts = [p.read_text() for p in CARDS_DIR.glob("*.yaml")]
    texts.append((CARDS_DIR.parent / "data" / "patterns.yaml").read_text())
    texts.append((CARDS_DIR.parent / "data" / "sources.yaml").read_text())
    for text in texts:
        assert BLAMING.findall(text) == []


def test_unverified_sources_are_marked() -> None:
    sources = load_sources()
    assert sources["harmon_2007"].verified is False  # [recall] in trauma-informed.md §3
    assert sources["whipple_2003"].verified is True


def test_a_local_card_is_added_from_an_explicit_folder(tmp_path: Path) -> None:
    _write(tmp_path, "clinic.yaml", GOOD_CARD)

    cards = load_cards(local_dir=tmp_path)

    added = [c for c in cards if c.id == "clinic.peer_worker"]
    assert len(added) == 1
    assert added[0].origin == "clinic.yaml"
    review = assemble([{"kind": "not_on_track"}], ReviewContext(), cards)
    life = next(s for s in review.sections if s.key == "life_context")
    assert [rc.card.id for rc in life.cards][-1] == "clinic.peer_worker"


def test_a_local_card_replaces_a_bundled_one(tmp_path: Path) -> None:
    text = GOOD_CARD.replace("clinic.peer_worker", "not_on_track.social_support")
    _write(tmp_path, "edit.yaml", text)

    cards = load_cards(local_dir=tmp_path)

    card = next(c for c in cards if c.id == "not_on_track.social_support")
    assert card.title == "Offer our peer worker"
    assert len([c for c in cards if c.id == card.id]) == 1


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("layer: life_context", "layer: coffee"), "field cards.0.layer"),
        (("sources: [samhsa_2014]", "sources: []"), "field cards.0.sources"),
        (("sources: [samhsa_2014]", "sources: [my_blog]"), "unknown source 'my_blog'"),
        (("signal: not_on_track", "signal: weather"), "field signal"),
        (("    responses: [Offer a meeting with the peer worker.]\n", ""), "'responses'"),
        (("title: Offer", "title: [Offer"), "not valid YAML"),
    ],
)
def test_a_bad_local_card_names_the_file_and_field(
    tmp_path: Path, change: tuple[str, str], message: str
) -> None:
    path = _write(tmp_path, "bad.yaml", GOOD_CARD.replace(*change))

    with pytest.raises(CardError) as info:
        load_cards(local_dir=tmp_path)

    assert str(path) in str(info.value)
    assert message in str(info.value)


def test_cards_out_of_the_environment_first_order_are_refused(tmp_path: Path) -> None:
    second = GOOD_CARD.split("cards:\n")[1].replace("clinic.peer_worker", "clinic.second")
    second = second.replace("layer: life_context", "layer: relationship")
    _write(tmp_path, "order.yaml", GOOD_CARD + second)

    with pytest.raises(CardError, match=r"field cards\.1\.layer"):
        load_cards(local_dir=tmp_path)


def test_a_missing_local_folder_is_reported(tmp_path: Path) -> None:
    with pytest.raises(CardError, match=LOCAL_CARDS_ENV):
        load_cards(local_dir=tmp_path / "nowhere")


def test_the_core_reads_no_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The folder is a setting (holdspace/web/settings.py, or the CLI's --local): the core
    # loads only what it is given.
    _write(tmp_path, "clinic.yaml", GOOD_CARD)
    monkeypatch.setenv(LOCAL_CARDS_ENV, str(tmp_path))

    assert "clinic.peer_worker" not in {c.id for c in load_cards()}
    assert "clinic.peer_worker" in {c.id for c in load_cards(local_dir=tmp_path)}


def test_signals_can_be_objects_and_unknown_kinds_are_refused() -> None:
    @dataclass
    class Signal:
        kind: str
        severity: str

    review = assemble([Signal("alliance", "review")], ReviewContext())
    assert review.signals[0].kind == "alliance"
    with pytest.raises(ReviewInputError, match=r"signal\.kind: 'bored'"):
        assemble([Signal("bored", "x")], ReviewContext())


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"direction": "sideways"}, "direction"),
        ({"min_sessions_after": 1}, "min_sessions_after"),
        ({"rc_threshold": -1.0}, "rc_threshold"),
    ],
)
def test_compare_adaptation_refuses_bad_input(kwargs: dict[str, object], message: str) -> None:
    args: dict[str, object] = {
        "points": [(1, 10.0)],
        "start_session": 2,
        "rc_threshold": 6.0,
        "direction": "higher_is_worse",
        "min_sessions_after": 3,
    }
    args.update(kwargs)
    with pytest.raises(AdaptationInputError, match=message):
        compare_adaptation(**args)  # type: ignore[arg-type]


def test_the_explanation_names_the_numbers() -> None:
    outcome = compare_adaptation(
        [(1, 20), (2, 18), (3, 12), (4, 11), (5, 10)], 3, 6.0, "higher_is_worse"
    )

    text = " ".join(outcome.explanation)
    assert "-8.00 points" in text  # 10 - 18
    assert "reliable improvement" in text


def test_pattern_prompts_follow_the_ptmf_questions() -> None:
    found = prompts()
    assert list(found) == list(PATTERN_FIELDS)
    assert found["strengths"].ptmf == "What are your strengths?"
    assert found["origin"].ptmf == "What has happened to you?"
    assert all(entry.sources for entry in glossary())


def test_the_cards_command_validates_and_names_the_bad_file(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from holdspace.cli import app

    runner = CliRunner()
    ok = runner.invoke(app, ["cards", "--local", str(tmp_path)])
    assert ok.exit_code == 0
    assert "36 cards, all valid." in ok.output

    bad = _write(tmp_path, "bad.yaml", GOOD_CARD.replace("layer: life_context", "layer: x"))
    failed = runner.invoke(app, ["cards", "--local", str(tmp_path)])
    assert failed.exit_code == 1
    assert str(bad) in failed.output and "cards.0.layer" in failed.output


def test_the_cards_command_reads_the_folder_from_the_environment(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from holdspace.cli import app

    _write(tmp_path, "clinic.yaml", GOOD_CARD)
    runner = CliRunner()

    with_env = runner.invoke(app, ["cards"], env={LOCAL_CARDS_ENV: str(tmp_path)})
    without = runner.invoke(app, ["cards"], env={LOCAL_CARDS_ENV: ""})

    assert with_env.exit_code == 0 and "37 cards, all valid." in with_env.output
    assert without.exit_code == 0 and "36 cards, all valid." in without.output
