"""UBND tỉnh itself: the plan's issuer, which assigns its tasks and leads none (not Văn phòng
UBND tỉnh, which is offered as a choice)."""
from __future__ import annotations

import re
from datetime import date

from bot.answer.document import document_facts, issuer
from bot.answer.model import Answer
from bot.answer.question import Question
from bot.answer.vocab import DUTY_WORDS, STOP

# "UBND tỉnh", "ủy ban nhân dân tỉnh Bắc Giang", "ub tỉnh" (shorthand spelled out), in folded
# words; "văn phòng UBND tỉnh" and "các cơ quan thuộc UBND tỉnh" are other bodies
PROVINCE_RE = re.compile(r"(?<!\S)(?:ubnd|uy ban(?: nhan dan)?)(?: tinh)(?: bac giang)?(?!\S)")
# "vp UBND tỉnh", "các cơ quan thuộc UBND tỉnh": another body
_NOT_BEFORE_PROVINCE = {"vp", "phong", "thuoc", "truc"}
# besides the name: who in it, and courtesy
_PROVINCE_FRAME = {"chu", "tich", "pho", "lanh", "dao", "chi", "dieu", "hanh", "ban"}


def by_province_committee(kb, q: Question, today: date) -> Answer | None:
    """"UBND tỉnh phải làm gì": the committee issued the plan and assigns its tasks; it is no
    section's lead, and not Văn phòng UBND tỉnh (offered as a choice)."""
    if any(not m.weak for m in q.mentions):
        return None
    m = PROVINCE_RE.search(q.fixed)
    if not m or (q.fixed[:m.start()].split()[-1:] and
                 q.fixed[:m.start()].split()[-1] in _NOT_BEFORE_PROVINCE):
        return None
    rest = (q.fixed[:m.start()] + " " + q.fixed[m.end():]).split()
    if any(w not in DUTY_WORDS and w not in STOP and w not in _PROVINCE_FRAME for w in rest):
        return None  # "ai tham mưu UBND tỉnh ban hành …" is a topic
    return province_committee_answer(kb)


def province_committee_answer(kb) -> Answer:
    """The committee issued the plan; the plan assigns its tasks to the sở, ngành, districts."""
    d, number, title = document_facts(kb)
    try:
        vp = kb.agency("vpubnd")  # the committee's office: the one the name is mistaken for
    except KeyError:
        vp = None
    text = (f"{issuer(kb)} là cơ quan ban hành Kế hoạch này (Kế hoạch số {number}, tháng "
            f"{d.date}, người ký: {d.signer}" + (f", {title}" if title else "") + "), triển "
            f"khai thực hiện {d.extra.get('implements_short') or d.implements}.\n"
            "Kế hoạch không giao nhiệm vụ cho UBND tỉnh mà giao cho các sở, ngành và UBND huyện, "
            "thành phố; Sở Công Thương tổng hợp, báo cáo UBND tỉnh (Mục IV.2, IV.3).")
    choices: tuple[tuple[str, str], ...] = ()
    if vp is not None:
        led = ", ".join(s.id for s in kb.sections_led_by(vp.id))
        text += f"\nNếu Đồng chí hỏi về {vp.name} (chủ trì Mục {led}), xin chọn bên dưới."
        choices = ((vp.name, f"Nhiệm vụ của {vp.name}"),)
    return Answer("document", text, choices=choices)
