"""Deadlines and report dates: the cue of a question asking when, and the deadlines it asks
about (the wording of the answers is in schedule.py)."""
from __future__ import annotations

from datetime import date

from bot.answer.evidence import plausible
from bot.answer.help import help_answer
from bot.answer.index import Index
from bot.answer.model import Answer
from bot.answer.question import Question
from bot.answer.schedule import deadline_answer, deadlines_for, next_occurrence, upcoming_answer
from bot.answer.vocab import DUTY_WORDS, YEAR_RE, has_phrase

# words asking when
_TIME_CUES = ("han", "han chot", "thoi han", "khi nao", "bao gio", "ngay nao", "thang nao",
              "nam nao", "truoc ngay", "luc nao", "con bao nhieu ngay", "may ngay", "thoi diem",
              "moc", "tien do", "xong", "ngay may", "dinh ky", "khi nao xong")
# words of a deadline question that say nothing about which task
DEADLINE_WORDS = {"han", "chot", "xong", "hoan", "thanh", "nam", "moc", "ngay", "thang", "truoc",
                  "sap", "toi", "gan", "nhat", "tiep", "het", "thoi", "deadline", "luc", "bao",
                  "gio", "con", "may", "nhieu", "dau", "ca", "xem"} | DUTY_WORDS
_REPORT_WHERE = ("gui ve", "gui cho", "gui ai", "nop ve", "nop cho", "nop ai", "ve dau",
                 "gui dau", "nop dau", "noi nhan", "bao cao ai", "bao cao cho ai", "cho ai")


def deadline_cue(q: Question) -> bool:
    """Does the question ask when (a deadline, a report's date or recipient)?"""
    t = cue_text(q)
    report = has_phrase(t, "bao cao") and (
        has_phrase(t, *_TIME_CUES, *_REPORT_WHERE, "6 thang", "sau thang", "hang nam",
                   "bao cao nam", "nam", "ket qua thuc hien", "dinh ky", "nop", "gui",
                   "ky bao cao"))
    if report:
        return True
    # "xong" alone is no question of time ("học xong cấp 3"): "xong khi nào", "tháng mấy" are
    if has_phrase(t, "han", "han chot", "thoi han", "khi nao", "bao gio", "ngay nao",
                  "thang nao", "truoc ngay", "luc nao", "con bao nhieu ngay", "may ngay",
                  "thang may", "nam may", "ngay may", "bao lau"):
        return True
    return bool(YEAR_RE.search(t)) and has_phrase(t, "hoan thanh", "xong", "phai", "moc")


# words of "the unit's own detailed plan" (Mục IV.1): "kế hoạch cụ thể của phòng em"
_OWN_PLAN_WORDS = {"cu", "the", "rieng", "chi", "tiet", "ban", "hanh", "xay", "dung", "phong",
                   "don", "vi", "co", "quan", "dia", "phuong", "so", "nganh", "huyen", "minh"}


def cue_text(q: Question) -> str:
    """The cue words with look-alikes of "hạn" blanked: "hạn chế" restricts, "Hàn Quốc" is a
    country (when typed with its marks, "han" there is never "hạn")."""
    t = q.cues.replace("han che", "|").replace("han quoc", "|")
    if q.han_is_place:
        t = " ".join("|" if w == "han" else w for w in t.split())
    return t


def by_deadline(kb, q: Question, today: date) -> Answer | None:
    """A deadline or report date: the periodic reports asked about, the unit's own plan
    (IV.1), the deadlines still ahead, or those of the bullets the question's words point at."""
    if not deadline_cue(q):
        return None
    t = cue_text(q)
    if has_phrase(t, "bao cao", "nop", "gui"):
        reports = asked_reports(kb, t)
        if reports and not _topic_beats_reports(q):
            if not _plan_report(q):
                # an office report ("báo cáo chấm công"): the plan has nothing on it, and
                # the words it shares with a bullet are those of the plan's own reports
                return help_answer(kb, "none")
            reports.sort(key=lambda d: next_occurrence(d, today) or today)
            return deadline_answer(kb, reports, today, where=True)
    years = {int(y) for y in YEAR_RE.findall(t)}
    drop = DEADLINE_WORDS | {str(y) for y in years}
    content = q.content(drop, names=False)
    dls = _binding_named(kb, q)
    plans = [d for d in dls if d.kind == "plan"]
    if plans and _asks_own_plan(t, content):
        return deadline_answer(kb, plans, today)  # "kế hoạch của sở phải xong tháng mấy"
    if not content and not years:
        return _for_named(kb, q, upcoming_answer(kb, today, dls))
    if content and not plausible(q.idx, content):
        return None
    scores = q.idx.score(q.seq(drop, names=False)) if content else [0.0] * len(q.idx.docs)
    chosen = _matching(q.idx, dls, scores, years, bool(content))
    return None if chosen is None else deadline_answer(kb, chosen, today)


def _for_named(kb, q: Question, ans: Answer) -> Answer:
    """"hạn chót của Sở Y tế": the deadlines binding that agency, said to be its own, the agency
    first among the answer's agencies (the recipient of its reports after it)."""
    named = list(dict.fromkeys(m.agency_id for m in q.mentions if not m.weak))
    if len(named) != 1:
        return ans
    name = kb.agency(named[0]).name
    text = ans.text.replace("theo Kế hoạch", f"của {name} theo Kế hoạch", 1)
    names = (name, *[a for a in ans.agencies if a != name])
    ids = (named[0], *[a for a in ans.agency_ids if a != named[0]])
    return Answer(ans.intent, text, names, ids, ans.sections, ans.partner_sections, ans.tasks)


def _binding_named(kb, q: Question) -> list:
    """Every deadline, or when agencies are named ("hạn của BQL KCN") those binding them."""
    dls = list(kb.deadlines)
    agencies = [m.agency_id for m in q.mentions if not m.weak]
    if agencies:
        bound = {d.id for a in agencies for d in deadlines_for(kb, a)}
        dls = [d for d in dls if d.id in bound]
    return dls


def _asks_own_plan(t: str, content: list[str]) -> bool:
    """"kế hoạch cụ thể của phòng em phải xong khi nào": the unit's own plan (Mục IV.1)."""
    return (not [w for w in content if w not in _OWN_PLAN_WORDS] and has_phrase(t, "ke hoach")
            and has_phrase(t, "xong", "hoan thanh", "ban hanh", "xay dung"))


def _matching(idx: Index, dls: list, scores: list[float], years: set[int],
              has_content: bool) -> list | None:
    """The deadlines of the bullets the words point at (the best few), or all those of the
    years asked, by date; None when the words point at a bullet with no date."""
    ranked = _scored(idx, dls, scores, years)
    if not ranked:
        return None
    ranked.sort(key=lambda x: (-x[0], x[1].due or ""))
    top = ranked[0][0]
    if has_content and top <= 0:
        return None
    if has_content and max(scores) > 2 * top:
        return None  # the words point at a bullet with no date: "cấp phép … mất mấy ngày"
    if has_content and top > 0:
        return [d for s, d in ranked if s >= 0.85 * top][:4]
    return [d for _, d in sorted(ranked, key=lambda x: x[1].due or "")]


def _scored(idx: Index, dls: list, scores: list[float], years: set[int]) -> list[tuple]:
    """Each dated deadline (of the years asked, if any) with the best score among the bullets
    linked to it (else those of its section)."""
    ranked = []
    for d in dls:
        if d.kind == "report":
            continue
        if years and not (d.due and int(d.due[:4]) in years):
            continue
        linked = [i for i, doc in enumerate(idx.docs) if d.id in idx.doc_deadlines[doc.id]]
        linked = linked or [i for i, doc in enumerate(idx.docs) if doc.section == d.source]
        ranked.append((max((scores[i] for i in linked), default=0.0), d))
    return ranked


# the words of "which report, when, to whom" besides those qualifying the report; duty words
# stay, so that a compound they are part of ("chấm | công") is judged whole
_REPORT_ASK_WORDS = (DEADLINE_WORDS - DUTY_WORDS) | {
    "bao", "cao", "nop", "gui", "6", "sau", "dinh", "ky", "hang", "nua", "cuoi", "nam", "thang",
    "ket", "qua", "uy", "nhan", "dan", "ve", "dau", "ai"}


def _plan_report(q: Question) -> bool:
    """Is the report asked about the plan's own (Mục IV.3)? What qualifies "báo cáo" must be
    the plan's wording: "báo cáo chấm công", "mẫu báo cáo tổng kết của công đoàn" are office
    reports the plan never mentions, not its periodic report on the plan's results."""
    content = q.content(_REPORT_ASK_WORDS, names=False)
    # words the plan never uses ("chào bot, …") neither prove nor disprove anything, nor does
    # one word alone ("bao h": "h" read as "huyện" is "giờ" there)
    known = [w for w in content if w in q.idx.postings]
    if len(known) < 2 or not [w for w in known if w not in DUTY_WORDS]:
        return True
    vocabulary = q.idx.vocabulary_words(q.idx.canon(q.toks))
    return plausible(q.idx, content, vocabulary)


def asked_reports(kb, t: str) -> list:
    """The periodic reports a question's cue words point at: the 6-month one, the annual
    one, or both."""
    reports = [d for d in kb.deadlines if d.kind == "report"]
    if has_phrase(t, "6 thang", "sau thang", "nua nam"):
        return [d for d in reports if d.month and d.month <= 6]
    if has_phrase(t, "bao cao nam", "hang nam", "cuoi nam", "ca nam") or (
            has_phrase(t, "nam") and not YEAR_RE.search(t)):
        return [d for d in reports if d.month and d.month > 6] or reports
    return reports


def _topic_beats_reports(q: Question) -> bool:
    """"báo cáo đánh giá tác động môi trường" is a topic, not the periodic report."""
    # the committee the reports end up with is no topic ("UBND tỉnh nhận báo cáo khi nào")
    drop = DEADLINE_WORDS | {"cao", "nop", "gui", "6", "ket", "qua", "dinh", "ky", "hang",
                             "uy", "ban", "nhan", "dan"}
    content = q.content(drop, names=False)
    if len(content) < 2:
        return False
    scores = q.idx.score(q.seq({"bao", "cao", "nop", "gui", "han", "ngay", "thang"}, names=False))
    best = max(range(len(scores)), key=scores.__getitem__)
    return scores[best] > 6 and q.idx.docs[best].section != "IV.3"
