"""Words that government registries use, in ru/kk/uz/ky/tg/en: column headers, licence statuses, month names.

Kept apart from the importer so an NGO (or a reviewer who reads the language) can extend a list without reading
code. Headers are compared after `header_key()` (case, punctuation and ё/е folded); statuses and months after the
phonetic `normalize.key()`, so Cyrillic and Latin spellings of the same word meet ("amal qilmoqda" = "амал
қилмоқда"). A trailing `*` makes a phrase's last word a prefix.
"""

from __future__ import annotations

# --- column headers -----------------------------------------------------------------------------------------

# Exact header texts (after header_key) -> canonical field. The canonical names themselves are accepted too.
HEADER_EXACT: dict[str, tuple[str, ...]] = {
    "name": (
        "наименование", "название", "наименование организации", "наименование юридического лица",
        "полное наименование", "наименование агентства", "наименование частного агентства занятости",
        "наименование лицензиата", "лицензиат", "организация", "юридическое лицо", "компания",
        "name", "company", "company name", "agency", "agency name", "organization", "organisation",
        "legal entity", "licensee", "name of organization", "name of the agency",
        "атауы", "атау", "ұйымның атауы", "заңды тұлғаның атауы", "лицензиаттың атауы", "ұйым",
        "nomi", "nomlanishi", "tashkilot nomi", "tashkilot", "korxona nomi", "yuridik shaxs nomi",
        "номи", "номланиши", "ташкилот номи", "ташкилот", "корхона номи", "юридик шахс номи",
        "аталышы", "уюмдун аталышы", "юридикалык жактын аталышы", "уюм",
        "ном", "номгӯй", "номи ташкилот", "номи шахси ҳуқуқӣ",
    ),
    "aliases": (
        "aliases", "also known as", "aka", "other names", "short name", "brand", "trade name",
        "другие названия", "сокращенное наименование", "краткое наименование", "бренд", "торговое наименование",
        "қысқаша атауы", "qisqa nomi", "қисқа номи", "кыскача аталышы", "номи мухтасар",
    ),
    "license_no": (
        "номер лицензии", "№ лицензии", "лицензия №", "лицензия", "номер лицензия", "регистрационный номер",
        "рег номер", "номер разрешения", "разрешение", "№ разрешения",
        "license", "licence", "license no", "licence no", "license number", "licence number", "license №",
        "permit", "permit number", "лицензия нөмірі", "лицензияның нөмірі", "рұқсат нөмірі",
        "litsenziya", "litsenziya raqami", "litsenziya №", "лицензия рақами", "лицензиянын номери",
        "лицензия номери", "иҷозатнома", "рақами иҷозатнома", "рақами литсензия", "литсензия",
    ),
    "tax_id": (
        "бин", "иин", "бин иин", "иин бин", "инн", "стир", "stir", "инн стир", "stir inn", "tin", "tax id",
        "tax number", "taxpayer id", "bin", "iin", "inn", "рма", "рмм", "идентификационный номер",
        "бсн", "жсн", "бсн жсн",
    ),
    "status": (
        "статус", "состояние", "статус лицензии", "состояние лицензии", "status", "license status",
        "licence status", "мәртебесі", "мәртебе", "лицензия мәртебесі", "holati", "holat", "litsenziya holati",
        "ҳолати", "ҳолат", "холати", "абалы", "статусу", "вазъ", "вазъият", "ҳолати иҷозатнома",
    ),
    "valid_until": (
        "срок действия", "действует до", "действительна до", "срок действия до", "дата окончания",
        "дата окончания действия", "срок действия лицензии", "valid until", "valid to", "valid thru",
        "expiry", "expires", "expiry date", "expiration date", "end date",
        "жарамдылық мерзімі", "қолданылу мерзімі", "амал қилиш муддати", "amal qilish muddati",
        "жарактуулук мөөнөтү", "мөөнөтү", "мӯҳлати эътибор", "мӯҳлат",
    ),
    "phones": (
        "телефон", "телефоны", "контактный телефон", "тел", "phone", "phones", "telephone", "tel",
        "phone number", "telefon", "telefon raqami", "телефон рақами", "телефон нөмірі", "байланыс телефоны",
        "телефон номери", "рақами телефон",
    ),
    "website": (
        "сайт", "веб сайт", "вебсайт", "website", "web site", "web", "url", "интернет ресурс", "sayt",
        "veb sayt", "сомона", "интернет сайт",
    ),
    "address": (
        "адрес", "юридический адрес", "фактический адрес", "адрес местонахождения", "местонахождение",
        "address", "legal address", "мекенжай", "мекенжайы", "заңды мекенжайы", "manzil", "manzili",
        "yuridik manzil", "манзил", "манзили", "дарек", "дареги", "юридикалык дареги", "суроға", "суроғаи ҳуқуқӣ",
    ),
    "source_url": ("source url", "source"),
    "retrieved": ("retrieved",),
}

# Phrases looked for inside a header when no exact text matched, field by field in this order (the first field
# with a matching phrase wins): "Статус лицензии" is a status, not a licence number. IGNORE comes first so that
# "Дата выдачи лицензии" (date of issue) is not taken for a licence number.
HEADER_PHRASES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("ignore", ("выдач*", "выдан*", "issue*", "issuing", "берілг*", "berilg*", "берилг*", "дода*", "вид*",
                "activity", "п п", "№ п*", "email", "e mail", "почта", "эл почта")),
    ("status", ("статус*", "состояни*", "сост", "status", "мәртебе*", "holat*", "ҳолат*", "холат*", "абал*", "вазъ*")),
    ("valid_until", ("срок*", "действ* до", "действител* до", "окончан*", "valid*", "expir*", "мерзім*",
                     "muddat*", "муддат*", "мөөнөт*", "мӯҳлат*")),
    ("tax_id", ("бин", "иин", "инн", "стир", "stir", "tin", "tax*", "рма", "бсн", "жсн", "идентификац*")),
    ("phones", ("телефон*", "тел", "phone*", "tel", "telephone", "telefon*")),
    ("website", ("сайт*", "веб*", "website*", "web*", "url", "интернет*", "sayt*", "veb*", "сомона*")),
    ("address", ("адрес*", "address*", "мекенжай*", "manzil*", "манзил*", "дарек*", "дарег*", "суроға*",
                 "местонахожд*")),
    ("aliases", ("сокращ*", "кратк*", "alias*", "aka", "бренд*", "brand*", "қысқа*", "qisqa*", "қисқа*",
                 "кыскача*", "мухтасар*", "торгов*")),
    ("license_no", ("лиценз*", "№ лиц*", "рег* №", "licen*", "litsenz*", "литсенз*", "иҷозатнома*", "разрешен*",
                    "рұқсат*", "ruxsatnoma*", "permit*")),
    ("name", ("наименован*", "наим", "назван*", "атау*", "nomi", "номи", "аталыш*", "name", "организац*", "компан*",
              "company", "agency", "ташкилот*", "tashkilot*", "ұйым*", "уюм*", "лицензиат*")),
)

# --- statuses -----------------------------------------------------------------------------------------------

# Checked in this order, each phrase against the phonetic key of the cell (a word ending in * is a prefix): the
# first status with a matching phrase wins, so "срок действия истёк" is expired and "действие приостановлено"
# suspended even though both mention "действ-". NOT_ACTIVE phrases ("не действует", "amal qilmaydi") name no single status:
# such a row is rejected with a hint to say what the registry means in the map file (status_words).
NOT_ACTIVE = ("не действ*", "not valid", "not active", "inactive", "amal qilmay*", "амал қилмай*", "жарамсыз*",
              "эътибор надор*", "амал намекун*", "күчүндө эмес", "жарактуу эмес", "қолданыста емес")
STATUS_PHRASES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("revoked", ("revoked", "revoc*", "cancel*", "terminat*", "withdrawn", "annul*", "invalid*",
                 "отозван*", "отзыв*", "аннулир*", "прекращ*", "лишен*", "недействит*",
                 "кері қайтарыл*", "кері шақырыл*", "күші жойыл*", "жойылд*", "күшін жой*",
                 "bekor qilin*", "бекор қилин*", "чакыртылып алын*", "жокко чыгарыл*", "кайтарылып алын*",
                 "бекор карда*", "бозхонд*", "лағв*")),
    ("suspended", ("suspend*", "приостан*", "тоқтатыл*", "тоқтатыла*", "to'xtatil*", "тўхтатил*", "токтотул*",
                   "боздошт*")),
    ("expired", ("expired", "expir*", "lapsed", "истек*", "истёк*", "просроч*", "мерзімі өт*", "мерзімі аяқтал*",
                 "muddati o't*", "muddati tuga*", "муддати ўт*", "муддати туга*", "мөөнөтү бүт*", "мөөнөтү өт*",
                 "мӯҳлат* гузашт*", "мӯҳлаташ гузашт*")),
    ("active", ("active", "valid", "in force", "current", "действ*", "активн*", "жарамды", "қолданыста",
                "қолданылады", "күшінде", "белсенді", "amal qil*", "амал қил*", "faol", "фаол", "амалда",
                "жарактуу", "күчүндө", "колдонууда", "эътибор дорад", "эътиборнок", "амал мекунад",
                "амалкунанда", "фаъол", "выдан*", "переоформл*", "issued")),
)

# --- dates --------------------------------------------------------------------------------------------------

# Month names (nominative, genitive, short) in ru, kk, uz (Latin and Cyrillic), ky, tg, en; matched on the first
# three letters of the phonetic key, which are distinct across all of them.
MONTHS: dict[int, tuple[str, ...]] = {
    1: ("январь", "января", "янв", "қаңтар", "yanvar", "январ", "january", "jan"),
    2: ("февраль", "февраля", "фев", "ақпан", "fevral", "феврал", "february", "feb"),
    3: ("март", "марта", "мар", "наурыз", "mart", "march", "mar"),
    4: ("апрель", "апреля", "апр", "сәуір", "aprel", "апрел", "april", "apr"),
    5: ("май", "мая", "мамыр", "may"),
    6: ("июнь", "июня", "июн", "маусым", "iyun", "june", "jun"),
    7: ("июль", "июля", "июл", "шілде", "iyul", "july", "jul"),
    8: ("август", "августа", "авг", "тамыз", "avgust", "august", "aug"),
    9: ("сентябрь", "сентября", "сен", "қыркүйек", "sentabr", "сентябр", "september", "sep"),
    10: ("октябрь", "октября", "окт", "қазан", "oktabr", "октябр", "october", "oct"),
    11: ("ноябрь", "ноября", "ноя", "қараша", "noyabr", "ноябр", "november", "nov"),
    12: ("декабрь", "декабря", "дек", "желтоқсан", "dekabr", "декабр", "december", "dec"),
}
# "Without end date": an empty valid_until.
NO_END_DATE = ("бессрочн*", "без срока", "не ограничен*", "indefinite*", "unlimited", "no expiry", "permanent",
               "мерзімсіз", "муддатсиз", "muddatsiz", "мөөнөтсүз", "бемӯҳлат", "бе мӯҳлат")
# Words around a written date that are not the day, month or year ("12 марта 2024 г.", "2024-yil 12-mart").
DATE_FILLER = ("г", "года", "год", "гг", "ж", "жыл", "жылы", "жылғы", "yil", "йил", "йилнинг", "й", "сол", "с",
               "соли", "жылдын", "of", "the", "th", "st", "nd", "rd")
