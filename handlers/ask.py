"""Questions about the plan: /hoi (and plain text), /nhiemvu, /muctieu.

The answering itself is bot.answer (platform-neutral); here an `Answer` becomes a `Reply`, and
an ambiguous answer's readings become buttons whose data ("hoi:a:<agency>", "hoi:p:<agency>"
for its partnering, "hoi:s:<section>", "hoi:q:<question>") carries all it needs after a
restart.
"""
from __future__ import annotations

import re

from bot.answer import Answer, agency_answer, answer, objectives_answer, partner_answer
from bot.answer.followup import Subject, converse, resolve
from bot.answer.live import live_question, progress_text
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
    a chat whose default plan is another (/kehoach chon), is answered from that plan (a
    progress question from its status rows); choices are left out, since their buttons act
    on KH147."""
    if not getattr(svc.settings, "PLANS_DIR", None):
        return None
    from handlers.plans import chat_plan, plans_of

    plans = plans_of(svc)
    named = plans.named_in(question) or (await chat_plan(req, svc), question)
    if named[0] == DEFAULT_PLAN:
        return None
    pid, asked = named
    live = live_question(plans.get(pid), asked)
    if live is not None:  # progress: that plan's rows, in its own period
        return await live_reply(svc, live, pid)
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

async def live_reply(svc: Services, live, plan_id: str = DEFAULT_PLAN) -> Reply:
    """A progress question answered from the status store of the plan asked about
    (bot.answer.live.progress_text: that plan's rows and period, the plan named)."""
    return Reply(await progress_text(svc, live, plan_id))
