from bot.core.extract import agency_names, kz_bin_valid, licenses, money, phones, tax_ids, telegram, urls

AD = ("ТОО «Дала Жұмыс» лицензия № KZ-TR-0415, БИН 190148159083. Зарплата 2 500$ в месяц, виза 500 долларов, "
      "2 млн сум, 600 €/month, 350 000 тг. Звоните +7 701 555 12 34 или 8 (727) 255-52-02, +998 90 555 11 22, "
      "пишите @jobkorea_bot, t.me/workabroad, сайт www.korea-job.kz/apply. email info@job.kz")


def test_phones_are_normalised_to_e164_with_country():
    got = {p.e164: p.country for p in phones(AD)}
    assert got == {"+77015551234": "KZ", "+77272555202": "KZ", "+998905551122": "UZ"}
    assert all(p.text in AD for p in phones(AD))


def test_links_and_handles_but_not_emails():
    assert [u.domain for u in urls(AD)] == ["korea-job.kz"]
    assert set(telegram(AD)) == {"@jobkorea_bot", "@workabroad"}


def test_money_amounts_currencies_and_periods():
    got = [(m.amount, m.currency, m.period) for m in money(AD)]
    assert (2500, "USD", "month") in got
    assert (500, "USD", None) in got
    assert (2_000_000, "UZS", None) in got
    assert (600, "EUR", "month") in got
    assert (350_000, "KZT", None) in got
    assert [(m.amount, m.currency) for m in money("$1,200 per month")] == [(1200, "USD")]


def test_licence_numbers_and_kz_bin_check_digit():
    assert licenses(AD) == ["KZ-TR-0415"]
    assert kz_bin_valid("190148159083")
    assert not kz_bin_valid("190148159084")
    assert [t.value for t in tax_ids(AD)] == ["190148159083"]
    assert tax_ids("БИН 190148159084")[0].valid is False


def test_agency_names_with_legal_forms_in_several_scripts():
    text = "ТОО «Дала Жұмыс», ОсОО \"Ала-Тоо Эмгек\", Ipak Yo'li MChJ, агентство «Global Work», ҶДММ «Сомон Кор»"
    assert set(agency_names(text)) == {"Дала Жұмыс", "Ала-Тоо Эмгек", "Ipak Yo'li", "Global Work", "Сомон Кор"}


def test_countries_in_case_forms(checker):
    from bot.core.extract import countries
    from bot.core.normalize import fold, tokens

    for text, code in [("работа в Корею", "KR"), ("Кореяға жұмыс", "KR"), ("Koreyaga ish", "KR"),
                       ("кор ба Русия", "RU"), ("Туркияга жумуш", "TR"), ("ишга Дубайга", "AE"),
                       ("work in the UAE", "AE"), ("Polshaga ish", "PL")]:
        f = fold(text)
        assert [c for c, _ in countries(checker.country_matcher, tokens(f), f)] == [code], text
