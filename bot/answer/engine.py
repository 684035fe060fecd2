"""One question in, one `Answer` out: the order in which a question is read.

How a question is read: set aside an official's self-introduction ("em ở phòng Kinh tế - Hạ
tầng, cho em hỏi …"), fold it (bot.text), drop chat courtesy ("ạ", "anh chị ơi", "tỉnh mình",
judged with the diacritics typed), spell out chat shorthand ("nv" → "nhiệm vụ", "j" → "gì",
"qly" → "quản lý"), fix typos against the plan's own vocabulary (question.py), then decide what
is asked, in this order: a section number ("mục 5.6", or a bare "7", "IV.3"; a number that is
no section gets a one-line hint), another document the plan cites, by its number ("Kế hoạch
1721/KH-UBND" → the bullet citing it), the document itself (who signed it, which resolution it
implements), using the bot (greetings; how to register, update progress, get reminders,
export: the command with an example), everyday information the plan does not hold (prices,
timetables, phone numbers, hiring, a person's name: "outside the plan" even when a word of
them is the plan's), UBND tỉnh itself (the plan's issuer, not Văn phòng UBND tỉnh), the
reports one agency owes (IV.3), "phối hợp" with no agency and no topic (who works with whom,
lead → partners), the duties binding every agency ("nhiệm vụ chung của các sở"), an
agency's duties (a name or alias with nothing else of substance, or with a duty
question and no topic the plan deals with; only the tasks naming it partner when "phối hợp" is
asked), a deadline or report date, an objective figure, or a topic.
"""
from __future__ import annotations

import os
from datetime import date, datetime

from bot.answer.agency import by_agency
from bot.answer.deadline import by_deadline
from bot.answer.document import by_document
from bot.answer.everyday import by_everyday
from bot.answer.foreign import by_foreign
from bot.answer.general import by_general_duties
from bot.answer.help import by_english, by_first_steps, by_help, help_answer
from bot.answer.model import Answer
from bot.answer.partners import by_coordination
from bot.answer.province import by_province_committee
from bot.answer.question import Question
from bot.answer.references import by_reference
from bot.answer.reports import by_agency_reports
from bot.answer.sections import by_section_number
from bot.answer.topic import by_topic


def answer(kb, question: str, today: date | None = None) -> Answer:
    """Answer one question about the plan (see the module docstring for the reading order)."""
    today = today or local_today()
    q = Question(kb, question)
    if not q.folded:
        return help_answer(kb, "help")
    for step in (by_help, by_english, by_first_steps, by_section_number, by_reference, by_foreign, by_document, by_everyday,
                 by_province_committee, by_agency_reports, by_coordination, by_general_duties,
                 by_agency,
                 by_deadline, by_topic):
        found = step(kb, q, today)
        if found is not None:
            return found
    return help_answer(kb, "none")


def local_today() -> date:
    """Today in the bot's time zone (BOT_TIMEZONE, Vietnam by default)."""
    try:
        from zoneinfo import ZoneInfo
        tz = ZoneInfo(os.environ.get("BOT_TIMEZONE") or "Asia/Ho_Chi_Minh")
        return datetime.now(tz).date()
    except Exception:  # an unknown zone name: the machine's date is close enough here
        return date.today()
