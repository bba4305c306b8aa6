"""Property tests: any answer vector either scores or raises AnswerError; nothing else."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from holdspace.instruments import SKIP, AnswerError, Instrument, all_instruments, score

ALL = all_instruments()

any_answer = st.one_of(
    st.integers(min_value=-3, max_value=12),
    st.just(SKIP),
    st.none(),
    st.booleans(),
    st.floats(allow_nan=True),
    st.text(max_size=4),
)


def valid_answer(ins: Instrument, index: int) -> st.SearchStrategy[object]:
    return st.one_of(st.sampled_from(ins.items[index].values), st.just(SKIP), st.none())


@pytest.mark.parametrize("ins", ALL, ids=[i.id for i in ALL])
@settings(max_examples=50, deadline=None)
@given(data=st.data())
def test_any_vector_scores_or_raises_answer_error(ins: Instrument, data: st.DataObject) -> None:
    size = data.draw(st.integers(min_value=0, max_value=len(ins.items) + 2))
    answers = data.draw(st.lists(any_answer, min_size=size, max_size=size))

    try:
        result = score(ins, answers)
    except AnswerError as exc:
        item_ids = {item.id for item in ins.items}
        assert exc.item in item_ids or exc.item.startswith("#")
        assert "allowed:" in str(exc) and exc.allowed
        return
    # Unscored items at the end (PHQ-9 item 10) may be left off; nothing else may.
    assert ins.fewest_answers <= len(answers) <= len(ins.items)
    json.dumps(result.to_dict())


@pytest.mark.parametrize("ins", ALL, ids=[i.id for i in ALL])
@settings(max_examples=50, deadline=None)
@given(data=st.data())
def test_valid_vectors_keep_every_invariant(ins: Instrument, data: st.DataObject) -> None:
    answers = [data.draw(valid_answer(ins, i)) for i in range(len(ins.items))]

    result = score(ins, answers)

    if result.total is not None:
        assert ins.total_min - 1e-9 <= result.total <= ins.total_max + 1e-9
        if ins.bands:
            assert result.band in {band.label for band in ins.bands}
    else:
        assert result.band is None and result.caseness is None
    # A risk answer is never lost, whatever else is missing.
    for risk in ins.risk:
        value = answers[ins.items.index(ins.item(risk.item))]
        raised = isinstance(value, int) and value >= risk.min_value
        assert raised == (risk.item in [flag.item for flag in result.flags])
    ids = [item.id for item in ins.items]
    assert result.skipped == [i for i, a in zip(ids, answers, strict=True) if a == SKIP]
    assert result.missing == [i for i, a in zip(ids, answers, strict=True) if a is None]
    assert result.explanation
    assert set(result.algorithms) == {a.id for a in ins.algorithms}
