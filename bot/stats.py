"""Anonymous daily statistics for NGO reports: a table and a chart from the store's daily counters.

Counters carry no person: fields are like `checks`, `risk:high`, `kind:job`, `dest:KR`, `locale:ru`,
`flag:upfront_fee`, `handoff:opened`, `handoff:closed`, `handoff:first_reply_s` (sum of seconds) and
`handoff:first_reply_n`, `screenings`, `screening:indicator:<id>`, `screening:danger`, `report:received`.
"""

from __future__ import annotations

import io
from collections import Counter
from typing import Callable

Daily = dict[str, dict[str, int]]  # YYYY-MM-DD -> field -> count
RISKS = ("high", "medium", "low", "unknown")


def totals(daily: Daily) -> Counter[str]:
    total: Counter[str] = Counter()
    for fields in daily.values():
        total.update(fields)
    return total


def summary(daily: Daily) -> dict[str, object]:
    """Totals grouped for people: checks by risk/kind/destination/locale, top flags, handoffs."""
    t = totals(daily)

    def group(prefix: str) -> dict[str, int]:
        return dict(sorted(((k[len(prefix):], v) for k, v in t.items() if k.startswith(prefix)),
                           key=lambda kv: (-kv[1], kv[0])))

    replies = t.get("handoff:first_reply_n", 0)
    return {
        "days": len(daily), "checks": t.get("checks", 0), "risk": {r: t.get(f"risk:{r}", 0) for r in RISKS},
        "kind": group("kind:"), "destination": group("dest:"), "locale": group("locale:"), "flags": group("flag:"),
        "handoffs": {"opened": t.get("handoff:opened", 0), "closed": t.get("handoff:closed", 0),
                     "avg_first_reply_min": round(t.get("handoff:first_reply_s", 0) / replies / 60, 1) if replies else None},
        "screening": group("screening:indicator:"), "screenings": t.get("screenings", 0),
        "screening_danger": t.get("screening:danger", 0), "reports": t.get("report:received", 0),
    }


def chart_png(daily: Daily, days: list[str], _: Callable[[str], str] = lambda s: s) -> bytes:
    """A two-panel PNG: checks per day stacked by risk, and the most frequent warning signs."""
    import matplotlib

    matplotlib.use("Agg")  # no display on servers
    from matplotlib import pyplot as plt

    colours = {"high": "#d62728", "medium": "#ff7f0e", "low": "#2ca02c", "unknown": "#9e9e9e"}
    labels = {"high": _("High risk"), "medium": _("Medium risk"), "low": _("Low risk"), "unknown": _("Unknown")}
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(9, 7.5), gridspec_kw={"height_ratios": [3, 2]})
    x = range(len(days))
    base = [0] * len(days)
    for risk in RISKS:
        values = [daily.get(d, {}).get(f"risk:{risk}", 0) for d in days]
        top.bar(x, values, bottom=base, color=colours[risk], label=labels[risk])
        base = [a + b for a, b in zip(base, values)]
    top.set_title(_("Offers checked per day"))
    step = max(1, len(days) // 10)
    top.set_xticks(list(x)[::step], [d[5:] for d in days][::step])
    top.legend(loc="upper left", fontsize=8)
    totals_by_group = summary(daily)
    top_flags = list(totals_by_group["flags"].items())[:8][::-1]
    bottom.barh([k for k, _v in top_flags], [v for _k, v in top_flags], color="#1f77b4")
    bottom.set_title(_("Most frequent warning signs"))
    handoffs = totals_by_group["handoffs"]
    fig.text(0.01, 0.01, _("Talks with a person: {opened} opened, {closed} closed").format(**handoffs), fontsize=8)
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110)
    plt.close(fig)
    return buf.getvalue()
