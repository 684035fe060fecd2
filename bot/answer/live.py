"""Questions about live progress, read without the database: "Sở Xây dựng đã báo cáo chưa?",
"ai chưa báo cáo kỳ này?", "tiến độ mục 2.2", "mục 5.6 đang vướng gì?".

    live_question(kb, text) -> LiveAsk | None
    asked_period(live, tz, today, kb=None, plan_id="kh147") -> Period | str
                                                      the period named, or the refusal line
    await progress_text(svc, live, plan_id="kh147") -> str    the answer from the status store

The plan's text cannot answer these; the chat (handlers/ask.py `live_reply`) answers them from
the status store of the plan asked about, with the period and the time the figures stand at.
A question may name its period ("kỳ 6 tháng đầu năm 2026", "6 tháng cuối năm 2025", "năm
2025", "6T/2026", "kỳ trước"); without one it is the current period, for another plan with a
periodic report its next report (kh134: the month before the 20th, as /tonghop takes it) and
"kỳ trước" the one before. `ask` on the command line has no store and answers them from the
plan as before; only progress_text reads the database (its imports are inside it).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, tzinfo

from bot.answer.vocab import has_phrase
from bot.knowledge import DEFAULT_PLAN
from bot.periods import (
    Period,
    current_period,
    fmt_local,
    fmt_window,
    half_year,
    in_plan,
    parse_period,
    period_refusal,
    regime_periods,
    year_period,
)
from bot.text import find_agencies, fold, fuzzy_agencies

# "đã báo cáo chưa", "cập nhật chưa", "nộp báo cáo chưa" (folded; "chưa" kept here, though
# courtesy-dropping removes it from questions: a rewritten follow-up may lack it)
_REPORTED = ("da bao cao chua", "bao cao chua", "da cap nhat chua", "cap nhat chua",
             "nop bao cao chua", "gui bao cao chua", "co bao cao chua", "da bao cao",
             "da cap nhat", "da nop bao cao", "bao cao du chua", "bao cao den dau")
_MISSING = ("ai chua bao cao", "nhung ai chua bao cao", "ai chua cap nhat", "con ai chua",
            "nao chua bao cao", "nao chua cap nhat", "chua bao cao ky nay", "chua bao cao du",
            "ai chua nop", "nao chua nop", "ai con thieu bao cao", "nao con thieu bao cao")
_PROGRESS = ("tien do", "den dau", "xong chua", "hoan thanh chua", "tinh hinh thuc hien",
             "tinh hinh", "trang thai", "thuc hien the nao", "lam den dau", "da lam gi",
             "ket qua thuc hien")
_OBSTACLES = ("vuong gi", "vuong mac", "kho khan", "dang vuong", "bi vuong", "vuong o dau",
              "vuong cho nao", "tac o dau", "vuong")
# an item id, in the question as typed (folding turns "V.1" into "v 1"): "2.2", "5.6.1", and
# ids under a Roman part ("IV.3", another plan's "V.1.2")
_ITEM = re.compile(r"(?<![\d.])(\d{1,2}(?:\.\d{1,2}){1,2})(?!\d)"
                   r"|(?<![\w.])([ivx]{1,4}(?:\.\d{1,2}){1,2})(?!\d)", re.IGNORECASE)
# a period named in a folded question: "ky 6 thang dau nam 2026", "6t 2026", "2026 6t", "6 thang
# cuoi nam 2025", "(ky bao cao) nam 2025", "ky 2025", "ky truoc", "ky nay"; "6 thang (dau nam)
# (nay)", "(ca) nam nay": this year's
_PERIOD = re.compile(
    r"(?<!\S)(?P<ky>(?:ky|dot) (?:bao cao )?)?(?:"
    r"6 ?t(?:hang)?(?: (?P<side>dau|cuoi))?(?: nam)? (?P<half>20\d\d|nay)"
    r"|(?P<six>6 ?t(?:hang)?(?: (?P<side2>dau|cuoi))?(?: nam)?)"
    r"|(?:ca )?nam (?P<now>nay)"
    r"|(?P<half2>20\d\d) 6 ?t(?:hang)?"
    r"|(?:ca )?nam (?P<year>20\d\d)"
    r"|(?P<bare>20\d\d)"
    r"|(?P<prev>truoc|vua qua|lien truoc)"
    r"|(?P<this>nay|hien tai|hien nay))(?!\S)")


@dataclass(frozen=True)
class LiveAsk:
    kind: str  # "reported", "missing", "progress", "obstacles"
    agencies: tuple[str, ...] = ()  # agency ids
    items: tuple[str, ...] = ()  # section or task ids
    period: str = ""  # as bot.periods reads it ("6T/2026", "năm 2025"), "trước", "" (current)


THIS_YEAR = "{nay}"  # in a period's text: the year of `today` (asked_period fills it in)


def period_named(folded: str) -> tuple[str, re.Match] | None:
    """The period a folded question names, as bot.periods.parse_period reads it ("6T/2026",
    "năm 2025"; "trước": the one before the current; "": the current), with its match."""
    for m in _PERIOD.finditer(folded):
        if m.group("bare") and not m.group("ky"):
            continue  # a bare year is a period only as "kỳ 2025"
        if m.group("prev") or m.group("this"):
            if not m.group("ky"):
                continue  # "trước", "nay" alone are ordinary words
            return ("trước" if m.group("prev") else ""), m
        if m.group("half"):  # the second half of a year is reported in that year's report
            y = m.group("half").replace("nay", THIS_YEAR)
            return (f"năm {y}" if m.group("side") == "cuoi" else f"6T/{y}"), m
        if m.group("six"):  # "6 tháng đầu năm": this year's; "6 tháng cuối năm": its annual
            return (f"năm {THIS_YEAR}" if m.group("side2") == "cuoi" else "6T"), m
        if m.group("now"):
            return f"năm {THIS_YEAR}", m
        if m.group("half2"):
            return f"6T/{m.group('half2')}", m
        return f"năm {m.group('year') or m.group('bare')}", m
    return None


def asked_period(live: LiveAsk, tz: tzinfo, today: date, kb=None,
                 plan_id: str = DEFAULT_PLAN) -> Period | str:
    """The period a progress question is about, or the one line refusing a period that is not
    one of the plan's. Another plan (`kb`) with periodic reports: its own next one, or with
    "kỳ trước" the one before; a period typed ("năm 2026") reads as for KH147."""
    own = regime_periods(kb, today, tz) if kb is not None and plan_id != DEFAULT_PLAN else []
    if own and live.period in ("", "trước"):
        if not live.period:
            return own[0]
        if len(own) > 1:
            return own[1]
        return f"Kỳ báo cáo {own[0].label} là kỳ đầu tiên của kế hoạch; chưa có kỳ trước."
    current = current_period(today, tz)
    if not live.period:
        return current
    typed = live.period.replace(THIS_YEAR, str(today.year))
    if live.period == "trước":
        year = current.due.year
        before = year_period(year - 1, tz) if current.kind == "6T" else half_year(year, tz)
        if in_plan(before):
            return before
        # only the year before the plan's first report falls outside it
        return period_refusal(f"năm {before.due.year}", tz, today) or ""
    return parse_period(typed, tz, today) or period_refusal(typed, tz, today) or ""


def live_question(kb, text: str) -> LiveAsk | None:
    """A question the status store answers, or None."""
    t = fold(text)
    if not t:
        return None
    items = tuple(dict.fromkeys(i for i in (_item_id(m) for m in _ITEM.finditer(text))
                                if _has_tasks(kb, i)))
    named = period_named(t)
    if named is None:
        return _kind_of(kb, t, items)
    # asked without the period's words ("đã báo cáo 6T/2026 chưa" is "đã báo cáo chưa")
    m = named[1]
    ask = _kind_of(kb, " ".join(f"{t[:m.start()]} {t[m.end():]}".split()), items)
    return None if ask is None else LiveAsk(ask.kind, ask.agencies, ask.items, named[0])


def _kind_of(kb, t: str, items: tuple[str, ...]) -> LiveAsk | None:
    """What a folded question asks of the status store (`items`: the plan's items it names),
    or None."""
    if items and has_phrase(t, *_OBSTACLES):
        return LiveAsk("obstacles", items=items)
    if items and has_phrase(t, *_PROGRESS, *_REPORTED):
        return LiveAsk("progress", items=items)
    if items:
        return None
    if has_phrase(t, *_MISSING):
        return LiveAsk("missing")
    mentions = find_agencies(kb, t, fuzzy=False) or fuzzy_agencies(kb, t)
    ids = tuple(dict.fromkeys(m.agency_id for m in mentions if not m.weak))
    if ids and (has_phrase(t, *_REPORTED) or (has_phrase(t, "tien do", "tinh hinh thuc hien")
                                              and not has_phrase(t, "han", "khi nao"))):
        return LiveAsk("reported", agencies=ids[:1])
    return None


def _item_id(m: re.Match) -> str:
    return (m.group(1) or m.group(2)).upper()


def _has_tasks(kb, item_id: str) -> bool:
    """A task, or a section with tasks (KH147's II.6 is an objective: no one reports on it)."""
    found = kb.item(item_id)
    if found is None:
        return False
    return hasattr(found, "section") or bool(kb.tasks_of(item_id)) or item_id[0].isdigit()


# ---------------------------------------------------------------- the answer, from the store

MAX_LINES = 30  # units or tasks listed in one answer; the rest are counted


async def progress_text(svc, live: LiveAsk, plan_id: str = DEFAULT_PLAN) -> str:
    """A progress question answered from the status store of one plan (KH147 unless given:
    its rows, units and tasks only), for the period it names (else the plan's current one),
    with the time the figures stand at; a period not in the plan is refused in one line.
    Another plan's answer opens with the plan's name."""
    from bot import export

    kb = export.plan_knowledge(svc, plan_id)
    period = asked_period(live, svc.settings.tz, svc.local_now().date(), kb, plan_id)
    if isinstance(period, str):
        return period
    if svc.now() < period.start:
        text = (f"Kỳ báo cáo {period.label} ({fmt_window(period)}) chưa bắt đầu; chưa có "
                "số liệu.")
    elif live.kind == "missing":
        text = await _missing(svc, kb, plan_id, period)
    elif live.kind == "reported":
        text = await _reported(svc, kb, plan_id, live.agencies[0], period)
    else:
        text = await _items(svc, kb, plan_id, live.items, live.kind == "obstacles", period)
    return text if plan_id == DEFAULT_PLAN else f"{export.plan_short(plan_id, kb)}\n{text}"


def _when(svc, period, as_of) -> str:
    """"kỳ báo cáo 6 tháng năm 2027 (16/12/2026 – 15/06/2027, hạn 15/06/2027), số liệu tính
    đến 10:15 ngày 02/03/2027"."""
    tz = svc.settings.tz
    return (f"kỳ báo cáo {period.label} ({fmt_window(period)}, hạn "
            f"{fmt_local(period.due, tz, False)}), số liệu tính đến {fmt_local(as_of, tz)}")


async def _reported(svc, kb, plan_id: str, agency_id: str, period) -> str:
    """Has one unit (or each unit of a collective) reported for the period?"""
    from bot import export
    from bot.progress import from_report

    ids = [c.id for c in kb.children(agency_id)] or [agency_id]
    report = await export.collect(svc, period, agency_ids=ids, plan_id=plan_id)
    progress = from_report(report)
    name, when = kb.agency(agency_id).name, _when(svc, period, report.as_of)
    if len(ids) == 1:
        p = progress.get(agency_id)
        said = p.text() if p is not None else "không chủ trì nhiệm vụ riêng nào"
        return f"{name} — {when}: {said}."
    done = [i for i in ids if i in progress and progress[i].complete]
    lines = [f"{name} — {when}: {len(done)}/{len(ids)} đơn vị đã báo cáo đủ."]
    lines += _listed([f"• {kb.agency(i).name}: {progress[i].text()}" for i in ids
                      if i in progress and not progress[i].complete])
    return "\n".join(lines)


async def _missing(svc, kb, plan_id: str, period) -> str:
    """Who has not reported in full for the period."""
    from bot import export
    from bot.progress import from_report

    report = await export.collect(svc, period, plan_id=plan_id)
    progress = from_report(report)
    short = [p for p in progress.values() if p.total and not p.complete]
    total = sum(1 for p in progress.values() if p.total)
    when = _when(svc, period, report.as_of)
    if not short:
        return f"Tất cả {total} cơ quan, đơn vị đã báo cáo đủ — {when}."
    lines = [f"{len(short)}/{total} cơ quan, đơn vị chưa báo cáo đủ — {when}:"]
    local = [p for p in short if kb.agency(p.agency_id).kind in ("commune", "ward")]
    lines += _listed([f"• {kb.agency(p.agency_id).name}: {p.text()}" for p in short
                      if p not in local])
    if local:  # the communes and wards in one line: names and how far each is
        lines.append(f"• {len(local)} xã, phường: " + "; ".join(
            f"{kb.agency(p.agency_id).name} ({p.reported}/{p.total})" for p in local))
    lines.append(f"Chi tiết một đơn vị: /trangthai TÊN CƠ QUAN{_cue(plan_id, kb)}.")
    return "\n".join(lines)


def _cue(plan_id: str, kb) -> str:
    """" kế hoạch 134" after a command about another plan; nothing for KH147."""
    if plan_id == DEFAULT_PLAN:
        return ""
    from bot.reminders import plan_cue

    return f" {plan_cue(plan_id, kb)}"


async def _items(svc, kb, plan_id: str, items: tuple[str, ...], obstacles: bool,
                 period) -> str:
    """The latest status of each task of the sections (or tasks) asked about; with
    `obstacles`, only what is reported blocking them."""
    from bot import export
    from bot.db import repo
    from bot.statuses import label
    from bot.text import shorten  # the chat's one-line cut, as /trangthai uses

    tz = svc.settings.tz
    as_of = export.report_instant(svc, period)
    latest = await repo.effective_latest(svc.sessions, kb, until=as_of, plan_id=plan_id)
    by_task: dict[str, list] = {}
    for (_agency, task), row in latest.items():
        by_task.setdefault(task, []).append(row)
    tasks = [t for i in items for t in (kb.tasks_of(i) if kb.item(i) and not hasattr(
        kb.item(i), "section") else (kb.item(i),))]
    what = "Vướng mắc được báo cáo" if obstacles else "Tiến độ"
    lines = [f"{what} — Mục {', '.join(items)}; {_when(svc, period, as_of)}:"]
    body: list[str] = []
    for t in tasks:
        rows = sorted(by_task.get(t.id, []), key=lambda r: (r.created_at, r.id), reverse=True)
        if obstacles:
            rows = [r for r in rows if r.status == "vuong" or r.obstacles]
            body += [f"• {t.id} — {kb.agency(r.agency_id).name} "
                     f"({fmt_local(r.created_at, tz, False)}): "
                     f"{shorten(r.obstacles or r.note or label(r.status), 160)}" for r in rows]
            continue
        if not rows:
            body.append(f"• {t.id} {shorten(t.text, 80)} — Chưa có cập nhật")
            continue
        r = rows[0]
        more = f"; {shorten(r.result or r.note, 120)}" if (r.result or r.note) else ""
        others = f" (và {len(rows) - 1} đơn vị khác)" if len(rows) > 1 else ""
        body.append(f"• {t.id} {shorten(t.text, 80)} — {label(r.status)} "
                    f"({kb.agency(r.agency_id).name}, {fmt_local(r.created_at, tz, False)})"
                    f"{others}{more}")
    if obstacles and not body:
        body = ["Chưa có vướng mắc nào được báo cáo."]
    return "\n".join(lines + _listed(body))


def _listed(lines: list[str]) -> list[str]:
    if len(lines) <= MAX_LINES:
        return lines
    return lines[:MAX_LINES] + [f"… và {len(lines) - MAX_LINES} dòng khác."]
