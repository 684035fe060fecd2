"""Questions about the plan: /hoi (and plain text), /nhiemvu, /muctieu.

The answering itself is bot.answer (platform-neutral); here an `Answer` becomes a `Reply`, and
an ambiguous answer's readings become buttons whose data ("hoi:a:<agency>", "hoi:p:<agency>"
for its partnering, "hoi:s:<section>", "hoi:q:<question>") carries all it needs after a
restart.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from bot.answer import Answer, agency_answer, answer, objectives_answer, partner_answer
from bot.answer.followup import Subject, converse, resolve
from bot.answer.live import asked_period, live_question
from bot.core import Choice, Reply, Request
from bot.db import pending as pending_store
from bot.knowledge import DEFAULT_PLAN
from bot.services import Services
from bot.text import fold, resolve_agency
from handlers.access import is_admin
from handlers.registry import callback, command

MAX_DATA = 64  # Telegram's callback_data limit, in bytes
STALE = "Lựa chọn này không còn hiệu lực. Xin hỏi lại."
ASK_HOW = ("Xin gõ câu hỏi sau lệnh, ví dụ: /hoi Sở Xây dựng phải làm gì? hoặc "
           "/hoi hạn báo cáo năm?")


def _today(svc: Services):
    return svc.local_now().date()


def _fit(prefix: str, text: str) -> str:
    """prefix + text cut to MAX_DATA bytes without splitting a character."""
    data = prefix + text
    while len(data.encode("utf-8")) > MAX_DATA:
        data = data[:-1]
    return data


def _choice_data(svc: Services, ans: Answer, label: str, query: str) -> str:
    """A compact, self-contained key for one reading of an ambiguous question."""
    partnering = _partnering_of(svc, query)
    if partnering:
        return f"hoi:p:{partnering}"
    for aid, name in zip(ans.agency_ids, ans.agencies, strict=False):
        if name == label:
            return f"hoi:a:{aid}"
    for a in svc.kb.agencies:  # an agency offered by name ("số điện thoại Sở Y tế")
        if a.name == label:
            return f"hoi:a:{a.id}"
    q = query.strip()
    low = q.casefold()
    for head in ("mục ", "muc "):
        if low.startswith(head):
            sid = q[len(head):].strip()
            if svc.kb.item(sid) is not None or sid in ("I", "II", "III", "IV"):
                return f"hoi:s:{sid}"
    return _fit("hoi:q:", q)


def _partnering_of(svc: Services, query: str) -> str | None:
    """The agency of an offer "<agency name> phối hợp …" (its partnering), else None."""
    q = " ".join(query.split())
    if "phối hợp" not in q:
        return None
    return next((a.id for a in svc.kb.agencies if q.startswith(f"{a.name} phối hợp")), None)


LABEL_SIZE = 60  # a button label longer than this is cut


def _short(text: str, size: int = LABEL_SIZE) -> str:
    """`text` cut at a word boundary to at most `size` characters, marked with "…"."""
    text = " ".join(text.split())
    if len(text) <= size:
        return text
    cut = text[:size - 1]
    if text[size - 1] != " " and " " in cut:
        cut = cut.rsplit(" ", 1)[0]  # never half a word
    return cut.rstrip(" ,;:-—") + "…"


def to_reply(svc: Services, ans: Answer) -> Reply:
    choices = tuple(Choice(_short(label), _choice_data(svc, ans, label, query))
                    for label, query in ans.choices)
    return Reply(ans.text, choices)


@command("hoi")
async def cmd_ask(req: Request, svc: Services, args: str) -> list[Reply]:
    """A question in a conversation: a follow-up read against the last subject (kept per
    chat and user in the database), live progress from the status store, the caller's own
    registration; anything else from the plan."""
    question = (args or "").strip()
    if not question:
        return [Reply(ASK_HOW)]
    other = await _other_plan(req, svc, question)
    if other is not None:
        return [other]
    previous = _last_subject()
    asked = resolve(svc.kb, question, previous) if previous else question
    if _asks_who_i_am(asked):
        return [await who_i_am(req, svc)]
    live = live_question(svc.kb, asked)
    if live is not None:
        reply = await live_reply(svc, live)
        _keep_subject(Subject(asked, "progress", live.agencies, live.items))
        return [reply]
    ans, subject = converse(svc.kb, asked, None, _today(svc))
    if subject is not None:
        _keep_subject(subject)
    return [to_reply(svc, ans)]


async def _other_plan(req: Request, svc: Services, question: str) -> Reply | None:
    """A question naming another plan of PLANS_DIR ("… theo kế hoạch 134"), or naming none in
    a chat whose default plan is another (/kehoach chon), is answered from that plan; choices
    are left out, since their buttons act on KH147."""
    if not getattr(svc.settings, "PLANS_DIR", None):
        return None
    from handlers.plans import chat_plan, plans_of

    plans = plans_of(svc)
    named = plans.named_in(question) or (await chat_plan(req, svc), question)
    if named[0] == DEFAULT_PLAN:
        return None
    pid, asked = named
    ans = answer(plans.get(pid), asked, _today(svc))
    return Reply(f"[Kế hoạch {pid}] {ans.text}")


def _last_subject() -> Subject | None:
    return Subject.from_dict(pending_store.current().subject())


def _keep_subject(subject: Subject) -> None:
    pending_store.current().keep_subject(subject.to_dict())


# "tôi là ai", "tôi đã đăng ký chưa": the caller's registration (folded, whole question)
_WHO_AM_I = re.compile(r"^(?:cho (?:toi|em|minh) hoi )?(?:toi|em|minh) (?:la ai|la can bo "
                       r"(?:cua )?(?:co quan|don vi|so) nao|(?:da )?dang ky (?:chua|gi|co "
                       r"quan nao)|thuoc (?:co quan|don vi) nao)(?: vay| a| the)?$")


def _asks_who_i_am(text: str) -> bool:
    return bool(_WHO_AM_I.match(fold(text)))


async def who_i_am(req: Request, svc: Services) -> Reply:
    """The caller's registration as the store has it, and what to do next."""
    from bot.db import repo
    from bot.periods import fmt_local
    admin = " Đồng chí là quản trị viên." if is_admin(req, svc) else ""
    member = await repo.member_of(svc.sessions, req.channel, req.user_id)
    if member is not None:
        name = svc.kb.agency(member.agency_id).name
        return Reply(f"Đồng chí{_named(member.display_name)} là cán bộ đầu mối của {name} "
                     f"(đã được duyệt).{admin} Cập nhật tiến độ: /capnhat MỤC TRẠNG THÁI "
                     f"[GHI CHÚ]; xem nhiệm vụ: /nhiemvu; tình trạng: /trangthai.")
    waiting = await repo.pending_request(svc.sessions, req.channel, req.user_id)
    if waiting is not None:
        name = svc.kb.agency(waiting.agency_id).name
        when = fmt_local(waiting.requested_at, svc.settings.tz)
        return Reply(f"Đồng chí đã đăng ký làm cán bộ đầu mối của {name} lúc {when}; yêu "
                     f"cầu đang chờ quản trị viên duyệt.{admin}")
    return Reply("Đồng chí chưa đăng ký làm cán bộ đầu mối của cơ quan nào." + admin
                 + " Đăng ký: /dangky CƠ QUAN, ví dụ: /dangky Sở Xây dựng.")


def _named(display_name: str) -> str:
    return f" ({display_name})" if display_name else ""


AGENCY_CHOICES = {"a": agency_answer, "p": partner_answer}


@callback("hoi")
async def on_ask_choice(req: Request, svc: Services, rest: str) -> list[Reply]:
    kind, _, key = rest.partition(":")
    if kind in AGENCY_CHOICES:  # "a": an agency's duties, "p": what it partners on
        try:
            svc.kb.agency(key)
        except KeyError:
            return [Reply(STALE)]
        return [to_reply(svc, AGENCY_CHOICES[kind](svc.kb, key))]
    if kind == "s" and key:
        return [to_reply(svc, answer(svc.kb, f"mục {key}", _today(svc)))]
    if kind == "q" and key.strip():
        return [to_reply(svc, answer(svc.kb, key, _today(svc)))]
    return [Reply(STALE)]


def _agency_picker(svc: Services, text: str, ids: list[str] | None = None) -> Reply:
    """Buttons for the agencies that lead sections (or the given ones)."""
    kb = svc.kb
    if ids is None:
        leads = {s.lead for s in kb.sections if s.lead}
        ids = [a.id for a in kb.agencies if a.id in leads]
    return Reply(text, tuple(Choice(kb.agency(a).name, f"nv:{a}") for a in ids))


async def _own_agency(req: Request, svc: Services) -> str | None:
    """The agency of an approved member, if the storage layer knows one."""
    try:
        from bot.db.repo import member_agency
        return await member_agency(svc.sessions, req.channel, req.user_id)
    except (ImportError, AttributeError):
        return None


@command("nhiemvu")
async def cmd_duties(req: Request, svc: Services, args: str) -> list[Reply]:
    name = (args or "").strip()
    if not name:
        own = await _own_agency(req, svc)
        if own:
            try:
                return [to_reply(svc, agency_answer(svc.kb, own))]
            except KeyError:
                pass
        return [_agency_picker(svc, "Xin chọn cơ quan để xem nhiệm vụ:")]
    found = resolve_agency(svc.kb, name)
    if len(found) == 1:
        return [to_reply(svc, agency_answer(svc.kb, found[0].id))]
    if found:
        return [_agency_picker(svc, f"“{_short(name)}” có thể là một trong các cơ quan sau, xin chọn:",
                               [a.id for a in found])]
    return [_agency_picker(svc, f"Không tìm thấy cơ quan “{_short(name)}” trong Kế hoạch. "
                                "Xin chọn trong danh sách:")]


@callback("nv")
async def on_duties_choice(req: Request, svc: Services, rest: str) -> list[Reply]:
    try:
        svc.kb.agency(rest)
    except KeyError:
        return [Reply(STALE)]
    return [to_reply(svc, agency_answer(svc.kb, rest))]


@command("muctieu")
async def cmd_objectives(req: Request, svc: Services, args: str) -> list[Reply]:
    return [to_reply(svc, objectives_answer(svc.kb))]


# ---------------------------------------------------------------- live progress

MAX_LINES = 30  # units or tasks listed in one answer; the rest are counted


async def live_reply(svc: Services, live) -> Reply:
    """A progress question answered from the status store, for the period it names (else the
    current one), with the time the figures stand at; a period not in the plan is refused."""
    period = asked_period(live, svc.settings.tz, _today(svc))
    if isinstance(period, str):
        return Reply(period)
    if svc.now() < period.start:
        from bot.periods import fmt_window
        return Reply(f"Kỳ báo cáo {period.label} ({fmt_window(period)}) chưa bắt đầu; chưa có "
                     "số liệu.")
    if live.kind == "missing":
        return Reply(await _missing(svc, period))
    if live.kind == "reported":
        return Reply(await _reported(svc, live.agencies[0], period))
    return Reply(await _items(svc, live.items, live.kind == "obstacles", period))


def _when(svc: Services, report) -> str:
    """"kỳ báo cáo 6 tháng năm 2027 (16/12/2026 – 15/06/2027, hạn 15/06/2027), số liệu tính
    đến 10:15 ngày 02/03/2027"."""
    from bot.periods import fmt_local, fmt_window
    p = report.period
    return (f"kỳ báo cáo {p.label} ({fmt_window(p)}, hạn "
            f"{fmt_local(p.due, svc.settings.tz, False)}), số liệu tính đến "
            f"{fmt_local(report.as_of, svc.settings.tz)}")


@dataclass(frozen=True)
class _Now:
    """A period and the instant its figures stand at (no rows needed)."""

    period: object
    as_of: object


def _as_of(svc: Services, period) -> _Now:
    from bot import export
    return _Now(period, export.report_instant(svc, period))


async def _reported(svc: Services, agency_id: str, period) -> str:
    """Has one unit (or each unit of a collective) reported for the period?"""
    from bot import export
    from bot.progress import from_report
    kb = svc.kb
    ids = [c.id for c in kb.children(agency_id)] or [agency_id]
    report = await export.collect(svc, period, agency_ids=ids)
    progress = from_report(report)
    name = kb.agency(agency_id).name
    if len(ids) == 1:
        p = progress.get(agency_id)
        said = p.text() if p is not None else "không chủ trì nhiệm vụ riêng nào"
        return f"{name} — {_when(svc, report)}: {said}."
    done = [i for i in ids if i in progress and progress[i].complete]
    lines = [f"{name} — {_when(svc, report)}: {len(done)}/{len(ids)} đơn vị đã báo cáo đủ."]
    lines += _listed([f"• {kb.agency(i).name}: {progress[i].text()}" for i in ids
                      if i in progress and not progress[i].complete])
    return "\n".join(lines)


async def _missing(svc: Services, period) -> str:
    """Who has not reported in full for the period."""
    from bot import export
    from bot.progress import from_report
    report = await export.collect(svc, period)
    progress = from_report(report)
    short = [p for p in progress.values() if p.total and not p.complete]
    total = sum(1 for p in progress.values() if p.total)
    if not short:
        return f"Tất cả {total} cơ quan, đơn vị đã báo cáo đủ — {_when(svc, report)}."
    lines = [f"{len(short)}/{total} cơ quan, đơn vị chưa báo cáo đủ — {_when(svc, report)}:"]
    kb = svc.kb
    local = [p for p in short if kb.agency(p.agency_id).kind in ("commune", "ward")]
    lines += _listed([f"• {kb.agency(p.agency_id).name}: {p.text()}" for p in short
                      if p not in local])
    if local:  # the communes and wards in one line: names and how far each is
        lines.append(f"• {len(local)} xã, phường: " + "; ".join(
            f"{kb.agency(p.agency_id).name} ({p.reported}/{p.total})" for p in local))
    lines.append("Chi tiết một đơn vị: /trangthai TÊN CƠ QUAN.")
    return "\n".join(lines)


async def _items(svc: Services, items: tuple[str, ...], obstacles: bool, period) -> str:
    """The latest status of each task of the sections (or tasks) asked about; with
    `obstacles`, only what is reported blocking them."""
    from bot.db import repo
    from bot.periods import fmt_local
    from bot.statuses import label
    from handlers.status import shorten
    kb, tz = svc.kb, svc.settings.tz
    report = _as_of(svc, period)
    latest = await repo.effective_latest(svc.sessions, kb, until=report.as_of)
    by_task: dict[str, list] = {}
    for (_agency, task), row in latest.items():
        by_task.setdefault(task, []).append(row)
    tasks = [t for i in items for t in (kb.tasks_of(i) if kb.item(i) and not hasattr(
        kb.item(i), "section") else (kb.item(i),))]
    what = "Vướng mắc được báo cáo" if obstacles else "Tiến độ"
    lines = [f"{what} — Mục {', '.join(items)}; {_when(svc, report)}:"]
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
