import pytest

from bot.core.normalize import fold, tokens
from bot.core.patterns import PatternError, PatternSet, parse_pattern


def search(patterns, text, max_gap=2):
    ps = PatternSet(max_gap=max_gap)
    for p in patterns:
        ps.add(p, p)
    f = fold(text)
    return [(m.payload, f.source(m.start, m.end)) for m in ps.search(tokens(f), f)]


def test_stems_cover_inflection_and_script():
    assert search(["паспорт*"], "Оставьте ПАСПОРТА у нас") == [("паспорт*", "ПАСПОРТА")]
    assert search(["pasport*"], "паспортыңызды береді") == [("pasport*", "паспортыңызды")]


def test_gap_of_two_words_but_not_three():
    assert search(["забер* паспорт*"], "заберём ваш паспорт") == [("забер* паспорт*", "заберём ваш паспорт")]
    assert search(["забер* паспорт*"], "заберём у вас потом паспорт") == []


def test_lone_star_is_exactly_one_word():
    assert search(["pay * fee"], "pay a fee") == [("pay * fee", "pay a fee")]
    assert search(["pay * fee"], "pay fee") == []


def test_regex_patterns_report_original_span():
    assert search(["re:\\d+ ?\\$"], "виза 500 $ сразу") == [("re:\\d+ ?\\$", "500 $")]


@pytest.mark.parametrize("bad", ["", "ab*", "* word", "re:(unclosed", "!!!"])
def test_unusable_patterns_are_rejected_with_a_reason(bad):
    with pytest.raises(PatternError):
        parse_pattern(bad)
