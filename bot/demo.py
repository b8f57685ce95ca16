"""`make demo`: the offer checker on a few realistic offers in several languages, on embedded defaults.

The agencies named below are from the fictional SAMPLE registry in content/registries/.
"""

from __future__ import annotations

import sys

from rich.console import Console
from rich.rule import Rule

from .content import load_content
from .core.verdict import checker_from_content
from .present import RICH, render_verdict

OFFERS = [
    ("ru", "🇰🇷 СРОЧНО! Работа в Корее на заводе, зарплата от 3000$ без опыта и без языка! "
           "Нужно только оплатить визу 500$ заранее. Едем по туристической визе, на месте всё оформим. "
           "Паспорт сдаёте работодателю на хранение. Пишите только в Telegram @korea_job_fast"),
    ("kk", "Кореяға жұмыс! ТОО «Дала Жұмыс Серіктес», лицензия KZ-TR-0415. Жұмысқа дейін жазбаша "
           "келісімшарт жасалады, визаны жұмыс беруші төлейді, жұмысшыдан ешқандай төлем алынбайды."),
    ("uz", "Rossiyaga ish bor! Bilet bepul, keyin oyligingizdan ushlab qolamiz. Pasportingizni bizga "
           "topshirasiz. Qo'ng'iroq qiling: +998 90 555 12 34"),
    ("en", "Marriage agency: meet a husband in Dubai within 2 weeks! We arrange everything, visa and "
           "ticket free, you work a little in a hotel to repay. Girls 18-25, attractive appearance."),
    ("ky", "ОсОО «Тулпар Кадр Сервис» Түркияга жумушка чакырат, айлык 800$. Катталуу үчүн 200$ төлөйсүз."),
]


def main() -> None:
    console = Console(highlight=False, soft_wrap=True)
    content = load_content()
    for e in content.errors:
        console.print(f"[red]{e}[/red]", markup=True)
    checker = checker_from_content(content)
    for locale, text in OFFERS:
        console.print(Rule(f"[bold]{locale}[/bold]"))
        console.print(text, markup=False, style="dim")
        console.print()
        verdict = checker.check(text, lang=locale).to_dict()
        console.print(render_verdict(verdict, locale, RICH))
        console.print()
    console.print(Rule())
    console.print("Try your own:  .venv/bin/saqbol check \"…offer text…\"   (or --json, --lang kk, --jsonl)",
                  markup=False)
    if sys.stdin.isatty():
        console.print("Now the conversation itself (the Telegram bot's dialogue in the terminal; /quit to leave):\n",
                      markup=False)
        from .chat import main as chat_main

        chat_main()


if __name__ == "__main__":
    main()
