"""The plan's objectives (part II): the whole list, and the cue of a question asking for one."""
from __future__ import annotations

from bot.answer.model import Answer
from bot.answer.question import Question
from bot.answer.render import clean, section_label
from bot.answer.vocab import FIGURE_PHRASES, STOP, YEAR_LEAD, YEAR_RE, has_phrase

# an objective or a figure asked for
_OBJ_CUES = ("muc tieu", "chi tieu", "bao nhieu", "ty le", "ty trong", "toc do", "tang truong",
             "phan tram", "den nam 2030", "den 2030", "vao nam 2030", "tong so", "so luong",
             "dat bao nhieu", "may khu", "may cum", "bao nhieu khu", "bao nhieu cum",
             "chi so", "grdp", "ty dong", "nghin ty", "chiem")


# words of a question about the objectives in general ("kế hoạch có mấy mục tiêu")
OBJECTIVE_WORDS = {"muc", "tieu", "chi", "may", "gom", "bao", "nhieu", "chinh", "the", "neu",
                   "ra", "de", "tat", "ca", "cac", "nhung", "dat", "duoc", "den", "2030"}


def objective_cue(q: Question) -> bool:
    """Does the question ask for an objective or a figure ("bao nhiêu", "tỷ lệ", "%")?"""
    return has_phrase(q.cues, *_OBJ_CUES) or "%" in q.raw


_FIGURE_SEQS = sorted((tuple(p.split()) for p in FIGURE_PHRASES), key=len, reverse=True)


def figure_free(idx, words: list[str], keep_years: bool = False) -> list[str]:
    """The words of a figure question that name what is measured: "công nghiệp chiếm bao nhiêu
    phần trăm GRDP vào 2030" → "công nghiệp GRDP". A figure word that makes a word pair of the
    plan with its neighbour stays ("hạ tầng", "tăng trưởng", "đất ở"); years go unless
    `keep_years`, with the words leading to them ("đến năm 2030")."""
    drop = [False] * len(words)
    for j, w in enumerate(words):
        if YEAR_RE.fullmatch(w):
            drop[j] = not keep_years
            k = j - 1
            while k >= 0 and words[k] in YEAR_LEAD:
                drop[k] = True
                k -= 1
    j = 0
    while j < len(words):
        n = _figure_at(idx, words, j)
        for k in range(j, j + n):
            drop[k] = True
        j += n or 1
    return [w for w, d in zip(words, drop, strict=True) if not d]


def _figure_at(idx, words: list[str], j: int) -> int:
    """How many words of a figure phrase start at `j` (0 for none, or when the phrase makes a
    word pair of the plan with a neighbour)."""
    for seq in _FIGURE_SEQS:
        end = j + len(seq)
        if tuple(words[j:end]) != seq:
            continue
        near = [(words[j - 1], seq[0])] if j else []
        near += [(seq[-1], words[end])] if end < len(words) else []
        # "trong | công nghiệp" is no term: a stopword pairs with anything
        return 0 if any(f"{a} {b}" in idx.postings and a not in STOP and b not in STOP
                        for a, b in near) else len(seq)
    return 0


def objectives_answer(kb) -> Answer:
    """The objectives part, every objective (the /muctieu command); a plan without one (its
    targets are the headings of its tasks, as in Lào Cai's KH134) lists those headings."""
    if not kb.objectives:
        return _headings_answer(kb)
    lines = [f"Mục tiêu của Kế hoạch (phần {kb.shape.objectives_part or 'II'}):"]
    for o in kb.objectives:
        lines.append(f"• {section_label(o.id)}: {clean(o.text)}")
    return Answer("objective", "\n".join(lines), (), (), tuple(o.id for o in kb.objectives))


def _headings_answer(kb) -> Answer:
    part = kb.shape.tasks_part
    heads = [s for s in kb.sections if s.part == part and s.group is None]
    lines = [f"Kế hoạch số {kb.document.number} không có phần mục tiêu riêng; các nhiệm vụ "
             f"chính (phần {part}):"]
    lines += [f"• {section_label(s.id)}: {clean(s.title)}" for s in heads]
    return Answer("objective", "\n".join(lines), sections=tuple(s.id for s in heads))
