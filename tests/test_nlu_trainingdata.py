import pytest

from nlu.trainingdata import TrainingDataError, parse_example, read

DOC = """
version: "3.1"
nlu:
- intent: check_offer
  examples: |
    - ищу [работу]{"entity": "offer_kind", "value": "job"} в [Корее](country:KR)
    - is [Ipak Yo'li](agency) legit?
- synonym: KR
  examples: |
    - Корея
    - Koreya
- lookup: country
  examples: |
    - Корея
    - Turkiya
- regex: license
  examples: |
    - [A-Z]{2}-\\d+
"""


def test_entity_markup_in_both_syntaxes():
    ex = parse_example('ищу [работу]{"entity": "offer_kind", "value": "job"} в [Корее](country:KR)', "check_offer")
    assert ex.text == "ищу работу в Корее"
    assert [(e.entity, e.value, ex.text[e.start:e.end]) for e in ex.entities] == [
        ("offer_kind", "job", "работу"), ("country", "KR", "Корее")]
    plain = parse_example("is [Ipak Yo'li](agency) legit?", "check_offer")
    assert plain.entities[0].value == "Ipak Yo'li" and plain.text == "is Ipak Yo'li legit?"


def test_synonyms_lookups_regexes():
    data = read(DOC)
    assert data.intents == ["check_offer"] and len(data.examples) == 2
    assert data.synonyms == {"корея": "KR", "koreya": "KR"}
    assert data.lookups == {"country": ["Корея", "Turkiya"]}
    assert data.regexes == {"license": ["[A-Z]{2}-\\d+"]}


@pytest.mark.parametrize("bad", ["nlu: 5", "- a\n- b", "nlu:\n- intent: x\n  examples: |\n    - [a]{bad json}\n", "a: [b"])
def test_malformed_files_are_reported(bad):
    with pytest.raises(TrainingDataError):
        read(bad, "f.yml")


def test_the_held_out_set_is_never_trained_on():
    from pathlib import Path

    from nlu.trainingdata import load

    root = Path(__file__).resolve().parents[1] / "nlu"
    train = {e.text.strip().lower() for e in load(root / "data").examples}
    held_out = {e.text.strip().lower() for e in load(root / "tests").examples}
    assert train & held_out == set()
