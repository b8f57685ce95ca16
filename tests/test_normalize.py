from bot.core.normalize import fold, key, tokens


def test_homoglyphs_and_digits_fold_into_the_words_script():
    assert fold("пасп0рт").text == "паспорт"
    assert fold("Kopeя").text == "корея"
    assert fold("PASP0RT").text == "pasport"


def test_invisible_characters_and_uzbek_apostrophes():
    assert fold("pas\u200bport").text == "pasport"
    variants = ["o'qish", "oʻqish", "o‘qish", "o’qish", "o`qish"]
    assert len({fold(v).text for v in variants}) == 1


def test_keys_meet_across_scripts():
    assert key("паспорт") == key("pasport") == key("PASPORT")
    assert key("Дала Жұмыс") == key("Dala Zhumys") == key("dala jumys")
    assert key("ўқиш") == key("o‘qish")
    assert key("Кореяға") == key("Koreyaga")


def test_offsets_map_back_to_the_exact_original_substring():
    text = "ВНИМАНИЕ: пасп0рт\u200b сдаёте нам"
    f = fold(text)
    toks = tokens(f)
    word = next(t for t in toks if t.key.startswith("pasport"))
    assert f.source(word.start, word.end) == "пасп0рт"


def test_decomposed_input_keeps_exact_offsets():
    text = "И\u0306ди сюда"  # Й written as И + combining breve
    f = fold(text)
    assert f.text.startswith("йди")
    assert f.source(0, 3) == "И\u0306ди"
