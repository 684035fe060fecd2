"""The plan's objectives (part II): the whole list, and the cue of a question asking for one."""
from __future__ import annotations

from bot.answer.model import Answer
from bot.answer.question import Question
from bot.answer.render import clean, section_label
from bot.answer.vocab import has_phrase

# an objective or a figure asked for
_OBJ_CUES = ("muc tieu", "chi tieu", "bao nhieu", "ty le", "ty trong", "toc do", "tang truong",
             "phan tram", "den nam 2030", "den 2030", "vao nam 2030", "tong so", "so luong",
             "dat bao nhieu", "may khu", "may cum", "bao nhieu khu", "bao nhieu cum",
             "chi so", "grdp", "ty dong", "nghin ty")


# words of a question about the objectives in general ("kế hoạch có mấy mục tiêu")
OBJECTIVE_WORDS = {"muc", "tieu", "chi", "may", "gom", "bao", "nhieu", "chinh", "the", "neu",
                   "ra", "de", "tat", "ca", "cac", "nhung", "dat", "duoc", "den", "2030"}


def objective_cue(q: Question) -> bool:
    """Does the question ask for an objective or a figure ("bao nhiêu", "tỷ lệ", "%")?"""
    return has_phrase(q.cues, *_OBJ_CUES) or "%" in q.raw


def objectives_answer(kb) -> Answer:
    """Part II, all six objectives (the /muctieu command)."""
    lines = ["Mục tiêu của Kế hoạch (phần II):"]
    for o in kb.objectives:
        lines.append(f"• {section_label(o.id)}: {clean(o.text)}")
    return Answer("objective", "\n".join(lines), (), (), tuple(o.id for o in kb.objectives))
