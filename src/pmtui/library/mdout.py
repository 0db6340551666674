"""The library's views as GitHub-flavoured Markdown: `pmtui stats --md`
(tables plus Mermaid charts GitHub renders) and the review digest.

Everything from files is redacted, then escaped (pmtui.markdown); text
inside a Mermaid block keeps only characters Mermaid reads as plain
label text, so nothing a file holds can end the block or add syntax.
"""

from __future__ import annotations

import re

from pmtui import markdown as md
from pmtui.library.review import Digest, Item
from pmtui.library.stats import Recurring, Stats
from pmtui.model import format_duration
from pmtui.redact import redact

_MERMAID_UNSAFE = re.compile(r"[^A-Za-z0-9 _.:/@+-]")
TOP = 10  # rows in each "recurring" table


def _c(text: str) -> str:
    return md.cell(redact(text))


def mermaid_label(text: str, limit: int = 40) -> str:
    clean = " ".join(_MERMAID_UNSAFE.sub(" ", redact(text)).split())[:limit]
    return clean or "-"


def _dur(seconds: float | None) -> str:
    from datetime import timedelta

    return format_duration(timedelta(seconds=seconds)) if seconds is not None else "-"


def _fence(body: list[str]) -> str:
    return "```mermaid\n" + "\n".join(body) + "\n```"


def mermaid_monthly(st: Stats) -> str:
    totals = [sum(st.per_month[m].values()) for m in st.months]
    top = max([*totals, 1])
    return _fence([
        "xychart-beta",
        '    title "Incidents per month"',
        "    x-axis [" + ", ".join(f'"{m}"' for m in st.months) + "]",
        f'    y-axis "Incidents" 0 --> {top}',
        "    bar [" + ", ".join(str(t) for t in totals) + "]",
    ])


def mermaid_ttr(st: Stats) -> str:
    values = [st.durations[q]["ttr"][0] for q in st.quarters]
    minutes = [round((v or 0) / 60, 1) for v in values]
    top = max([*minutes, 1.0])
    return _fence([
        "xychart-beta",
        '    title "Median time to resolve per quarter (minutes)"',
        "    x-axis [" + ", ".join(f'"{q}"' for q in st.quarters) + "]",
        f'    y-axis "Minutes" 0 --> {top:g}',
        "    line [" + ", ".join(f"{v:g}" for v in minutes) + "]",
    ])


def mermaid_pie(title: str, counts: list[tuple[str, int]]) -> str:
    body = [f"pie title {mermaid_label(title)}"]
    body += [f'    "{mermaid_label(name)}" : {n}' for name, n in counts if n > 0]
    return _fence(body)


def _recurring_table(rows: list[Recurring], what: str) -> str:
    shown = rows[:TOP]
    if not shown:
        return f"_No {what} recorded._"
    lines = [[_c(r.name), str(len(r.incidents)),
              _c(", ".join(r.incidents[:8]) + (" …" if len(r.incidents) > 8 else ""))] for r in shown]
    out = md.table([what.capitalize(), "Incidents", "Which"], lines)
    if len(rows) > TOP:
        out += f"\n\n_{len(rows) - TOP} more not shown (`pmtui stats --json` lists all)._"
    return out


def stats_markdown(st: Stats) -> str:
    parts = ["# Post-mortem library: what keeps hurting us", ""]
    scope = f"{st.incidents} incidents" + (f" since {st.since.isoformat()}" if st.since else "")
    if st.undated:
        scope += f" ({st.undated} without a start time, left out of the dated views)"
    parts += [scope + ".", ""]
    parts += ["## Incidents per month and severity", ""]
    if st.months:
        parts += [mermaid_monthly(st), ""]
        rows = [[m, *[str(st.per_month[m].get(s, 0)) for s in st.severities], str(sum(st.per_month[m].values()))]
                for m in st.months]
        parts += [md.table(["Month", *[_c(s) for s in st.severities], "Total"], rows), ""]
    else:
        parts += ["_No dated incidents._", ""]
    parts += ["## Time to detect, mitigate and resolve, per quarter", ""]
    if st.quarters:
        parts += [mermaid_ttr(st), ""]
        rows = []
        for q in st.quarters:
            d = st.durations[q]
            rows.append([q, str(d["ttr"][2]), *(f"{_dur(d[k][0])} / {_dur(d[k][1])}" for k in ("ttd", "ttm", "ttr"))])
        headers = ["Quarter", "Incidents", "TTD median / p90", "TTM median / p90", "TTR median / p90"]
        parts += [md.table(headers, rows), ""]
    else:
        parts += ["_No incident times recorded._", ""]
    parts += ["## Contributing-factor categories", ""]
    if st.categories:
        parts += [mermaid_pie("Contributing factors", [(r.name, len(r.incidents)) for r in st.categories[:TOP]]), ""]
    parts += [_recurring_table(st.categories, "category"), ""]
    parts += ["## Services that recur", "", _recurring_table(st.services, "service"), ""]
    parts += ["## Alerts that recur", "", _recurring_table(st.alerts, "alert"), ""]
    parts += ["## Log signatures that recur", "", _recurring_table(st.signatures, "log signature"), ""]
    parts += ["## Systemic issues that repeat (in different words)", ""]
    if st.systemic:
        for g in st.systemic[:TOP]:
            ids = g["incidents"]
            parts.append(f"- **{len(ids)} incidents** ({_c(', '.join(ids[:6]) + (' …' if len(ids) > 6 else ''))}):")
            parts += [f"  - {md.inline(redact(t))}" for t in g["texts"][:5]]
        parts.append("")
    else:
        parts += ["_No systemic issue is named by two incidents._", ""]
    parts += ["## Action items by status and age", ""]
    if st.action_status:
        parts += [mermaid_pie("Action items by status", sorted(st.action_status.items())), ""]
        statuses = sorted(st.action_status)
        rows = [[label, *[str(st.action_age[label].get(s, 0)) for s in statuses]] for label in st.action_age]
        parts += [md.table(["Age (since the incident)", *[_c(s) for s in statuses]], rows), ""]
        parts += [f"{st.overdue} open item{'s' if st.overdue != 1 else ''} past their deadline.", ""]
    else:
        parts += ["_No action items._", ""]
    return "\n".join(parts).rstrip() + "\n"


# -- the review digest ---------------------------------------------------------------


def _item_row(i: Item, *, with_pm: bool, with_owner: bool) -> list[str]:
    a = i.action
    cells = []
    if with_pm:
        cells.append(_c(i.pm_id))
    cells += [_c(a.id), _c(a.action)]
    if with_owner:
        cells.append(_c(a.owner) if a.owner.strip() else "_(no owner)_")
    cells += [a.deadline.isoformat() if a.deadline else "-", _c(a.priority), _c(a.status),
              f"**{i.overdue_days} d overdue**" if i.overdue_days else "-",
              md.link(f"#{a.issue}" if a.issue else "issue", a.tracker) if a.tracker else "-"]
    return cells


def review_markdown(d: Digest) -> str:
    p = [f"# Post-mortem review, week of {d.week_start.isoformat()}", ""]
    p += [f"{len(d.open)} open action items ({len(d.overdue)} overdue), {len(d.closed)} recently closed, "
          f"{len(d.unshared)} post-mortems unshared after 48 h, {len(d.follow_ups)} follow-up reviews due.", ""]
    p += ["## Overdue", ""]
    if d.overdue:
        p += [md.table(["Post-mortem", "ID", "Action", "Owner", "Deadline", "Priority", "Status", "Late", "Tracking"],
                       [_item_row(i, with_pm=True, with_owner=True) for i in d.overdue]), ""]
    else:
        p += ["_Nothing is overdue._", ""]
    p += ["## Open, by owner", ""]
    if d.open:
        for owner, items in d.by_owner().items():
            p += [f"### {md.heading(redact(owner))} ({len(items)})", ""]
            p += [md.table(["Post-mortem", "ID", "Action", "Deadline", "Priority", "Status", "Late", "Tracking"],
                           [_item_row(i, with_pm=True, with_owner=False) for i in items]), ""]
    else:
        p += ["_No open action items._", ""]
    p += ["## Open, by post-mortem", ""]
    for pm_id, items in d.by_postmortem().items():
        p += [f"### {md.heading(redact(pm_id))}: {md.heading(redact(items[0].pm_title))} ({len(items)})", ""]
        p += [md.table(["ID", "Action", "Owner", "Deadline", "Priority", "Status", "Late", "Tracking"],
                       [_item_row(i, with_pm=False, with_owner=True) for i in items]), ""]
    p += ["## Recently closed", "", f"_{d.closed_note}._", ""]
    if d.closed:
        p += [md.table(["Post-mortem", "ID", "Action", "Owner", "Tracking"],
                       [[_c(i.pm_id), _c(i.action.id), _c(i.action.action), _c(i.action.owner) or "-",
                         md.link(f"#{i.action.issue}" if i.action.issue else "issue", i.action.tracker)
                         if i.action.tracker else "-"] for i in d.closed]), ""]
    else:
        p += ["_None._", ""]
    p += ["## Still unshared 48 hours after resolution", ""]
    if d.unshared:
        p += [md.table(["Post-mortem", "Title", "Resolved", "Waiting"],
                       [[_c(s.id), _c(s.title), s.resolved.strftime("%Y-%m-%d %H:%M UTC") if s.resolved else "-",
                         format_duration(delta)] for s, _f, delta in d.unshared]), ""]
    else:
        p += ["_Every resolved incident's post-mortem is shared._", ""]
    p += ["## Follow-up reviews due", ""]
    if d.follow_ups:
        p += [md.table(["Post-mortem", "Title", "Follow-up", ""],
                       [[_c(s.id), _c(s.title), when.isoformat(), "**overdue**" if when < d.today else "this week"]
                        for s, _f, when in d.follow_ups]), ""]
    else:
        p += ["_None due this week._", ""]
    if d.problems:
        p += ["## Files that could not be read", ""]
        p += [f"- `{md.one_line_text(redact(f)).replace('`', '')}`: {md.inline(redact(why))}" for f, why in d.problems]
        p.append("")
    return "\n".join(p).rstrip() + "\n"
