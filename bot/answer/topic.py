"""A topic: the plan's bullets ranked by BM25 for the question's words, the best sentence of
each quoted. A question whose words are too common to point anywhere gets two or three
choices instead."""
from __future__ import annotations

import re
from datetime import date

from bot.answer.agency import agency_answer
from bot.answer.evidence import MIN_COVERAGE, coverage, head_covered, plausible
from bot.answer.index import Index
from bot.answer.model import Answer
from bot.answer.objectives import (
    OBJECTIVE_WORDS,
    figure_free,
    objective_cue,
    objectives_answer,
)
from bot.answer.question import Question
from bot.answer.render import clean, lead_names, section_heading, section_label, sentences, trim
from bot.answer.vocab import DUTY_WORDS, STOP, has_phrase

# an objective answer must hold at least this share of what is measured (the question's
# words without its figure words and without "mục tiêu", evidence.coverage) in one of its
# objectives: an objective is no topic's bullet, so its floor is calibrated apart. Visible
# sets: lowest objective 0.351 ("tăng trưởng … phấn đấu bao nhiêu %"), next 0.41; a national
# programme asked by its name ("chương trình mục tiêu quốc gia …") 0.10
OBJECTIVE_MIN_COVERAGE = 0.25
# a place ("KCN Việt Hàn") named in the question lifts the bullets that name it
PLACE_BOOST = 0.6
_DIGIT = re.compile(r"\d")


def by_topic(kb, q: Question, today: date) -> Answer | None:
    """The bullets the question's words point at, best first (at most three sections, two
    bullets each); the objectives when those are asked; two or three choices when too broad."""
    idx = q.idx
    strong_ids = [m.agency_id for m in q.mentions if not m.weak]
    q2 = _without_names(q)
    content = q2.content()
    if not content:
        return agency_answer(kb, strong_ids[0]) if strong_ids else None
    objective = objective_cue(q)
    # a figure asked for: "bao nhiêu phần trăm", "tỷ trọng", "năm 2030" neither prove nor
    # disprove that the plan is asked about; what is measured ("GRDP", "KCN") must
    measured = ([w for w in figure_free(idx, q2.seq()) if w not in STOP] if objective else content)
    if objective and has_phrase(q.fixed, "muc tieu", "chi tieu") and not [
            w for w in measured if w not in DUTY_WORDS and w not in OBJECTIVE_WORDS]:
        return objectives_answer(kb)  # "mục tiêu của kế hoạch là gì", "chỉ tiêu năm 2025"
    # words typed with marks the plan never writes them with are not the plan's words
    judged = [w for w in (measured if _distinct(idx, measured) else content)
              if w not in q.homographs]
    vocabulary = idx.vocabulary_words(idx.canon(q.toks))
    if not judged or not plausible(idx, judged, vocabulary):
        return None
    if not head_covered(idx, q2.seq(), vocabulary):
        # what is asked is foreign to the plan, only its qualifiers are the plan's; an
        # objective too: "mục tiêu giảm nghèo đa chiều | của tỉnh" is no objective of it
        return None
    scores = idx.score(figure_free(idx, q2.seq(), keep_years=True) if objective else q2.seq())
    top = max(scores) if scores else 0.0
    if top <= 0:
        return None
    _lift(kb, idx, scores, top, idx.place_tasks(q.canon), objective, strong_ids)
    order = sorted(range(len(scores)), key=lambda i: -scores[i])
    if _too_broad(idx, content):
        return _ambiguous(kb, idx, content, order, scores, q.raw)
    picked = [i for i in order[:8] if scores[i] >= 0.45 * scores[order[0]]]
    intent = "objective" if idx.docs[picked[0]].kind == "objective" else "topic"
    if intent == "topic" and not objective and coverage(
            idx, content, order[:3], q.homographs) < MIN_COVERAGE:
        return None  # the best bullets hold too little of what is asked: not the plan's
    if intent == "objective" and objective:
        picked = [i for i in picked if idx.docs[i].kind == "objective"]
    if intent == "objective" and coverage(
            idx, _asked_of_objectives(measured) or content, picked[:3],
            q.homographs) < OBJECTIVE_MIN_COVERAGE:
        return None  # "chương trình mục tiêu quốc gia …": the objectives hold little of it
    return _topic_answer(kb, idx, q2, content, picked, intent)


def _asked_of_objectives(measured: list[str]) -> list[str]:
    """What is measured, without "mục tiêu"/"chỉ tiêu": those say that an objective is asked,
    every objective holds them, so they prove nothing of which one."""
    text = f" {' '.join(measured)} ".replace(" muc tieu ", " ").replace(" chi tieu ", " ")
    return text.split()


def _distinct(idx: Index, measured: list[str]) -> bool:
    """Do the words left besides the figure words name something? One word alone must be the
    plan's own term or a rare one ("GRDP", "vốn"), not "phát" of "lạm phát"."""
    if len(measured) != 1:
        return bool(measured)
    w = measured[0]
    return w in idx.marks or len(idx.postings.get(w, ())) <= 0.15 * len(idx.docs)


def _without_names(q: Question) -> Question:
    """The question with the agency names it gives left out of the ranked words; a weak name
    stays ("thanh tra" is also a verb)."""
    names = set()
    for m in q.mentions:
        names |= set(range(m.start, m.end))
    toks = [w for i, w in enumerate(q.toks) if i not in names or
            any(m.weak and m.start <= i < m.end for m in q.mentions)]
    q2 = Question.__new__(Question)
    q2.__dict__.update(q.__dict__)
    q2.canon = q.idx.expand(q.idx.canon(toks))
    return q2


def _lift(kb, idx: Index, scores: list[float], top: float, places: set[str], objective: bool,
          strong_ids: list[str]) -> None:
    """Raise, in place, the scores of the bullets naming a place asked about, of objectives
    when a figure is asked, and of those the named agencies lead."""
    for i, d in enumerate(idx.docs):
        s = scores[i]
        if s <= 0:
            continue
        if places and d.id in places:
            s += PLACE_BOOST * top
        if objective and d.kind == "objective":
            s *= 1.6
        if strong_ids and (d.lead in strong_ids or _parent_in(kb, d.lead, strong_ids)):
            s *= 1.5
        scores[i] = s


def _parent_in(kb, aid: str | None, ids: list[str]) -> bool:
    """Is `aid` the collective one of the agencies `ids` belongs to?"""
    if not aid:
        return False
    return any(kb.agency(x).parent == aid for x in ids if x in kb._agency)


def _too_broad(idx: Index, content: list[str]) -> bool:
    """Every word of the question is everywhere in the plan ("công nghiệp" alone)."""
    if len(content) > 3:
        return False
    terms = Index.terms(content)
    n = len(idx.docs)
    dfs = [len(idx.postings.get(t, ())) for t in terms]
    dfs = [x for x in dfs if x]
    return bool(dfs) and min(dfs) >= 0.25 * n


def _ambiguous(kb, idx: Index, content, order, scores, q_raw: str) -> Answer:
    """Offer the two or three readings that fit best instead of guessing."""
    choices: list[tuple[str, str]] = []
    sections: list[str] = []
    if any(idx.docs[i].kind == "objective" for i in order[:15]):
        choices.append(("Các mục tiêu của Kế hoạch (phần II)", "mục II"))
        sections.append("II")
    groups: list[str] = []
    for i in order:
        s = kb.section(idx.docs[i].section)
        g = s.group or (s.id if s.part == "III" else None)
        if g and g not in groups:
            groups.append(g)
        if len(groups) + len(choices) >= 3:
            break
    for g in groups:
        gs = kb.section(g)
        choices.append((f"Nhóm {g}: {gs.title}", f"mục {g}"))
        sections.append(g)
    choices = choices[:3]
    words = " ".join(re.sub(r"[^\w\s&/-]", " ", q_raw).split()) or " ".join(content)
    text = (f"Từ “{words}” có trong nhiều phần của Kế hoạch. Xin chọn một nội dung, hoặc hỏi cụ "
            "thể hơn (ví dụ: cơ quan nào, việc gì).")
    return Answer("ambiguous", text, (), (), (), (), (), tuple(choices))


def _best_sentence(idx: Index, content: list[str], text: str, quantity: bool = False) -> str:
    """The sentence of a bullet that answers best (a figure when one is asked for)."""
    want = set(content)
    pairs = {f"{a} {b}" for a, b in zip(content, content[1:], strict=False)}
    best, best_s = "", -1.0
    for s in sentences(text):
        toks = idx.canon_text(s)
        ts = set(toks)
        score = sum(idx.idf.get(w, 0.5) for w in want if w in ts)
        score += 1.5 * len(pairs & {f"{a} {b}" for a, b in zip(toks, toks[1:], strict=False)})
        if (quantity or any(w.isdigit() for w in want)) and _DIGIT.search(s):
            score += 1.0
        if score > best_s:
            best, best_s = s, score
    if len(best) > 420:  # a long sentence: the clause that matches, marked as cut
        clauses = best.split("; ")
        ranked = max(range(len(clauses)), key=lambda k: _overlap(idx, want, clauses[k]))
        part = clauses[ranked]
        return trim(("… " if ranked else "") + part + (" …" if ranked < len(clauses) - 1 else ""))
    return trim(best)


def _overlap(idx: Index, want: set[str], text: str) -> float:
    """The information (idf) the text shares with the wanted words."""
    toks = set(idx.canon_text(text))
    return sum(idx.idf.get(w, 0.5) for w in want if w in toks)


def _topic_answer(kb, idx: Index, q: Question, content, picked, intent) -> Answer:
    """At most three sections, best first, each with its heading and its two best bullets
    quoted (the sentence that answers best; an objective whole)."""
    lines = ["Theo Kế hoạch, nội dung liên quan:"]
    tasks: list[str] = []
    by_section = _by_section(idx, picked)
    for sid, docs in by_section.items():
        lines.append(_topic_heading(kb, sid, idx.docs[docs[0]].kind == "objective"))
        for i in docs[:2]:
            d = idx.docs[i]
            if d.kind == "task":
                tasks.append(d.id)
            quote = (clean(d.text) if d.kind == "objective" else
                     _best_sentence(idx, content, d.text, objective_cue(q)))
            lines.append(f"• «{quote}»")
    sections = list(by_section)
    names, aids = lead_names(kb, sections)
    return Answer(intent, "\n".join(lines), names, aids, tuple(sections), (), tuple(tasks))


def _by_section(idx: Index, picked: list[int]) -> dict[str, list[int]]:
    """The picked bullets grouped by section, in order, the first three sections only."""
    by_section: dict[str, list[int]] = {}
    for i in picked:
        sid = idx.docs[i].section
        if sid not in by_section and len(by_section) >= 3:
            continue
        by_section.setdefault(sid, []).append(i)
    return by_section


def _topic_heading(kb, sid: str, objective: bool) -> str:
    s = kb.section(sid)
    if objective:
        return f"{section_label(sid)} — Mục tiêu: {s.title}"
    if s.lead:
        return section_heading(kb, sid)
    return f"{section_label(sid)} — {s.title}"
