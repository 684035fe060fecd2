"""/kehoach: the plans this bot serves (KH147 and every plan file of PLANS_DIR)."""
from __future__ import annotations

from bot.core import Reply, Request
from bot.knowledge import DEFAULT_PLAN, KnowledgeError, Plans, load_plans
from bot.services import Services
from handlers.registry import command


def plans_of(svc: Services) -> Plans:
    """The plans of the services' settings (the default plan is the one the services carry),
    read once per services: a question in chat asks for them, and the files change only with
    a restart, as kh147.json does."""
    cached = getattr(svc, "_plans", None)
    if cached is None:
        plans = load_plans(getattr(svc.settings, "PLANS_DIR", None))
        cached = Plans({DEFAULT_PLAN: svc.kb, **{k: v for k, v in plans.by_id.items()
                                                if k != DEFAULT_PLAN}})
        svc._plans = cached
    return cached


def plan_line(pid: str, kb) -> str:
    doc = kb.document
    number = doc.extra.get("number_display") or doc.number
    when = doc.date if doc.date and "chưa" not in doc.date else ""
    head = f"• {pid}: Kế hoạch số {number}" + (f" ngày {when}" if when else "")
    issuer = f" của {doc.issued_by}" if doc.issued_by and "chưa" not in doc.issued_by else ""
    return (f"{head}{issuer} — {doc.title}\n  {len(kb.tasks)} nhiệm vụ, "
            f"{len(kb.deadlines)} thời hạn")


@command("kehoach")
async def cmd_plans(req: Request, svc: Services, args: str) -> list[Reply]:
    try:
        plans = plans_of(svc)
    except KnowledgeError as e:
        return [Reply(f"Không đọc được danh sách kế hoạch: {e}")]
    lines = [f"Các kế hoạch đang theo dõi ({len(plans.ids)}):"]
    lines += [plan_line(pid, kb) for pid, kb in plans.by_id.items()]
    lines.append(f"\nMặc định: {DEFAULT_PLAN}. Hỏi về kế hoạch khác bằng cách nêu số của nó, "
                 "ví dụ: «Sở Công Thương phải làm gì theo kế hoạch 134».")
    wanted = args.strip()
    if wanted:
        # "/kehoach kh134", "/kehoach 134", "/kehoach kế hoạch 134", "/kehoach khoáng sản"
        found = ((wanted.lower(), "") if wanted.lower() in plans.ids else None) or \
            plans.named_in(wanted) or plans.named_in(f"kế hoạch {wanted}")
        if found is None:
            return [Reply(f"Không có kế hoạch «{wanted[:60]}». " + lines[0] + "\n"
                          + "\n".join(lines[1:-1]))]
        kb = plans.get(found[0])
        return [Reply(plan_line(found[0], kb) + f"\nThực hiện: {kb.document.implements}")]
    return [Reply("\n".join(lines))]
