"""/kehoach: the plans this bot serves (KH147 and every plan file of PLANS_DIR), and which one
this chat talks about when a message names none (`/kehoach chon …`, kept in the database)."""
from __future__ import annotations

import re

from bot.core import Reply, Request
from bot.db import repo
from bot.knowledge import DEFAULT_PLAN, KnowledgeError, Plans
from bot.services import Services
from bot.text import fold, shorten
from handlers.access import is_admin
from handlers.registry import command

CHOOSE = "chon"  # "/kehoach chọn kh134"
# marks that turn the direction of the text after them ("\u202e" shows "431 hk" as "kh 134")
_BIDI = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
NOT_ALLOWED = ("Trong nhóm, chỉ quản trị viên của nhóm hoặc quản trị viên bot mới chọn được kế "
               "hoạch mặc định; chưa thay đổi gì.")


def plans_of(svc: Services) -> Plans:
    """The plans this bot serves (Services.plans)."""
    return svc.plans


def echo(text: str) -> str:
    """A typed plan name as a reply quotes it: one line of at most 60 characters, without the
    marks that reverse the text after them."""
    return shorten(_BIDI.sub("", text), 60)


def find_plan(plans: Plans, wanted: str, exact: bool = False) -> str | None:
    """The plan a typed name stands for: its id ("kh134"), its number ("134"), or as a
    question names it ("kế hoạch 134", "KH khoáng sản"); None when none or several."""
    wanted = wanted.strip()
    if wanted.lower() in plans.ids:
        return wanted.lower()
    found = plans.named_in(wanted) or plans.named_in(f"kế hoạch {wanted}")
    if found and exact and found[1] not in (wanted, f"kế hoạch {wanted}"):
        return None  # named_in gives the words beside the name: a sentence, not a name
    return found[0] if found else None


async def chosen_plan(req: Request, svc: Services) -> str | None:
    """The plan this chat chose with /kehoach chon (None: never chosen, or a plan no longer
    loaded, e.g. its file was taken out of PLANS_DIR)."""
    pid = await repo.chat_plan(svc.sessions, req.channel, req.chat_id, default=None)
    return pid if pid in plans_of(svc).ids else None


async def chat_plan(req: Request, svc: Services) -> str:
    """The plan a message of this chat that names none is about: the chosen one, else KH147."""
    if not getattr(svc.settings, "PLANS_DIR", None):
        return DEFAULT_PLAN  # nothing else to choose from: spare the read
    return await chosen_plan(req, svc) or DEFAULT_PLAN


def plan_name(svc: Services, pid: str) -> str:
    """"Kế hoạch số 134/KH-UBND (kh134)", as a confirmation names a plan."""
    doc = plans_of(svc).get(pid).document
    number = doc.extra.get("number_display") or doc.number
    return f"Kế hoạch số {number} ({pid})"


def plan_line(pid: str, kb) -> str:
    doc = kb.document
    number = doc.extra.get("number_display") or doc.number
    when = doc.date if doc.date and "chưa" not in doc.date else ""
    head = f"• {pid}: Kế hoạch số {number}" + (f" {doc.dated}" if when else "")
    issuer = f" của {doc.issued_by}" if doc.issued_by and "chưa" not in doc.issued_by else ""
    return (f"{head}{issuer} — {doc.title}\n  {len(kb.tasks)} nhiệm vụ, "
            f"{len(kb.deadlines)} thời hạn")


@command("kehoach")
async def cmd_plans(req: Request, svc: Services, args: str) -> list[Reply]:
    try:
        plans = plans_of(svc)
    except KnowledgeError as e:
        return [Reply(f"Không đọc được danh sách kế hoạch: {e}")]
    head, _, rest = args.strip().partition(" ")
    if fold(head) == CHOOSE:
        return await _choose(req, svc, plans, rest)
    lines = [f"Các kế hoạch đang theo dõi ({len(plans.ids)}):"]
    lines += [plan_line(pid, kb) for pid, kb in plans.by_id.items()]
    wanted = args.strip()
    if wanted:
        # "/kehoach kh134", "/kehoach 134", "/kehoach kế hoạch 134", "/kehoach khoáng sản"
        found = find_plan(plans, wanted)
        if found is None:
            return [Reply(f"Không có kế hoạch «{echo(wanted)}». " + "\n".join(lines))]
        kb = plans.get(found)
        return [Reply(plan_line(found, kb) + f"\nThực hiện: {kb.document.implements}")]
    current = await chat_plan(req, svc)
    lines.append(f"\nKế hoạch mặc định của cuộc trò chuyện này: {current}"
                 + (" (chọn bằng /kehoach chon)." if current != DEFAULT_PLAN else ".")
                 + " Câu hỏi và /capnhat không nêu kế hoạch sẽ theo kế hoạch này; hỏi về kế "
                 "hoạch khác bằng cách nêu số của nó, ví dụ: «Sở Công Thương phải làm gì theo kế "
                 "hoạch 134».")
    if len(plans.ids) > 1:
        lines.append(f"Đổi kế hoạch mặc định: /kehoach chon MÃ (ví dụ: /kehoach chon "
                     f"{plans.ids[-1]}); trở lại {DEFAULT_PLAN}: /kehoach chon {DEFAULT_PLAN}.")
    return [Reply("\n".join(lines))]


async def _choose(req: Request, svc: Services, plans: Plans, wanted: str) -> list[Reply]:
    """/kehoach chon ID: this chat's default plan; in a group only its administrators."""
    if not req.is_private and not (is_admin(req, svc) or req.is_chat_admin):
        return [Reply(NOT_ALLOWED)]
    if not wanted.strip():
        return [Reply("Xin nêu kế hoạch cần chọn, ví dụ: /kehoach chon "
                      f"{plans.ids[-1]}. Xem danh sách: /kehoach.")]
    pid = find_plan(plans, wanted, exact=True)  # a state change: the name alone
    if pid is None:
        return [Reply(f"Không có kế hoạch «{echo(wanted)}»; chưa thay đổi gì. Các kế "
                      f"hoạch: {', '.join(plans.ids)}.")]
    kind = "private" if req.is_private else "group"
    await repo.set_chat_plan(svc.sessions, req.channel, req.chat_id, pid, kind, req.chat_title)
    where = "cuộc trò chuyện này" if req.is_private else "nhóm này"
    if pid == DEFAULT_PLAN:
        return [Reply(f"Kế hoạch mặc định của {where} trở lại {plan_name(svc, pid)}.")]
    return [Reply(f"Đã chọn {plan_name(svc, pid)} làm kế hoạch mặc định của {where}: câu hỏi "
                  f"và /capnhat không nêu kế hoạch sẽ theo kế hoạch này. Trở lại "
                  f"{DEFAULT_PLAN}: /kehoach chon {DEFAULT_PLAN}.")]
