"""The embedded classifier as the bot uses it: every locale, safety rules, hostile input."""

import pytest

from nlu.embedded import EmbeddedNLU

INTENTS = {"greet", "goodbye", "thanks", "affirm", "deny", "check_offer", "ask_rights", "emergency",
           "talk_to_human", "hotlines", "change_language", "delete_data", "out_of_scope"}


@pytest.fixture(scope="module")
def nlu():
    return EmbeddedNLU.load()


@pytest.mark.parametrize("text,intent", [
    ("they took my passport and lock me in, help", "emergency"),
    ("помогите, меня бьют и не выпускают", "emergency"),
    ("мені қамап қойды, паспортымды алды", "emergency"),
    ("pasportimni olib qo'yishdi, chiqishga ruxsat yo'q, yordam bering", "emergency"),
    ("паспортумду алып коюшту, чыгарышпайт", "emergency"),
    ("шиносномаамро гирифтанд ва маро намемонанд, ёрӣ диҳед", "emergency"),
    ("I want to talk to a real person", "talk_to_human"),
    ("удалите мои данные", "delete_data"),
    ("горячая линия номер", "hotlines"),
])
def test_clear_messages_in_several_locales(nlu, text, intent):
    assert nlu.parse(text)["intent"]["name"] == intent


def test_a_pasted_offer_goes_to_check_offer(nlu):
    ad = ("🔥 Срочно! Работа в Корее на заводе, зарплата 2500$ в месяц. Виза 500$ заранее. Звоните +7 701 555 12 34, "
          "пишите @job_kr. Билет за счёт фирмы, жильё есть, опыт не нужен.")
    result = nlu.parse(ad)
    assert result["intent"]["name"] == "check_offer"
    assert {"entity": "country", "value": "KR"}.items() <= result["entities"][0].items() or any(
        e["entity"] == "country" and e["value"] == "KR" for e in result["entities"])


@pytest.mark.parametrize("text", ["", "😀😀😀", "1234567890", "qwzx vbnm plok", "x" * 4000, "ы" * 10000, "\x00\x01"])
def test_hostile_input_returns_a_valid_result(nlu, text):
    result = nlu.parse(text)
    assert result["intent"]["name"] in INTENTS
    assert 0 <= result["intent"]["confidence"] <= 1
    assert result["backend"] == "embedded"


def test_result_shape(nlu):
    r = nlu.parse("Кореяға жұмыс бар ма?")
    assert set(r) >= {"intent", "intent_ranking", "entities", "language", "backend"}
    assert r["language"] == "kk"
    assert any(e["entity"] == "country" and e["value"] == "KR" for e in r["entities"])


def test_fast_inference_equals_scikit_learn():
    """The hand-written inference must give the very scores the trained scikit-learn pipeline gives."""
    import numpy as np

    from nlu import trainingdata
    from nlu.embedded import TESTS_DIR, features

    trained = EmbeddedNLU.train()
    texts = [features(e.text) for e in trainingdata.load(TESTS_DIR).examples][::7]
    expected = trained.last_pipeline.decision_function(texts)
    got = np.array([trained.model.decision(t) for t in texts])
    assert np.allclose(got, expected, atol=1e-9)
