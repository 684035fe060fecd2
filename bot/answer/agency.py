"""An agency's duties: reading a question that names an agency (or a unit typed loosely), and
the answer listing what it leads, by task group, each bullet quoted, then where it partners."""
from __future__ import annotations

import re
import textwrap
from datetime import date

from bot.answer.deadline import deadline_cue
from bot.answer.document import issuer
from bot.answer.evidence import topic_evidence
from bot.answer.index import index_for
from bot.answer.model import Answer
from bot.answer.objectives import objective_cue
from bot.answer.partners import asks_partner, asks_who_partners, pair_answer, partner_answer
from bot.answer.province import PROVINCE_RE
from bot.answer.question import OUTSIDE_HEADS, Question, districts_id
from bot.answer.render import (
    agency_name,
    clean,
    fmt_day,
    group_title,
    plan_ids,
    section_heading,
    section_label,
    with_parent,
)
from bot.answer.vocab import DUTY_PHRASES, DUTY_WORDS, POLITE, STOP, has_phrase
from bot.text import AFTER_NAME, SHORTHAND, fold, marked_words, resolve_agency

# "sở hữu", "số liệu", "số lượng", "sơ đồ": "so" that starts no department's name
_SO_WORDS = {"huu", "lieu", "luong", "do", "hoa", "sanh", "hieu", "voi", "ket", "kcn", "ccn",
             "khu", "cum"}
# the plan's own title in a question is no topic ("… trong KH phát triển công nghiệp")
_TITLE_PHRASES = ("ke hoach phat trien cong nghiep", "phat trien cong nghiep", "nghi quyet 147",
                  "ke hoach 147", "ke hoach nay", "ke hoach")
# the reorganisation asked about with a name: "… cũ", "trước đây", "nay ai tiếp nhận", "nay
# thuộc sở nào", "Bắc Ninh" (the province today): no topic of the plan
_TODAY_RE = re.compile(
    r"(?<!\S)(?:(?:tinh )?bac ninh|truoc day|truoc kia|hien nay|hien tai|bay gio|sau sap xep|"
    r"sau sap nhap|sau hop nhat|sap nhap|hop nhat|(?:nay |gio )?(?:ai|co quan nao|don vi nao|"
    r"so nao) (?:tiep nhan|dam nhan|phu trach|lam)|(?:nay |gio )?thuoc (?:so|co quan|don vi) "
    r"nao|(?:nay |gio )?(?:do ai|ai) (?:giu|lam)|tiep nhan|chuyen (?:ve|cho) (?:ai|dau)|"
    r"ve dau|cu(?! the)|nay|gio)(?!\S)")
# what every agency must do besides its own sections (Mục 1, IV.1, IV.3), in short
_KH147_GENERAL = ("Nhiệm vụ chung của mọi cơ quan: Mục 1 (tuyên truyền, người đứng đầu, phân "
                  "cấp); Mục IV.1 (xây dựng kế hoạch cụ thể, hoàn thành trong tháng 9 năm "
                  "2021); Mục IV.3 (báo cáo 6 tháng trước ngày 15/6, báo cáo năm trước ngày "
                  "15/12, gửi Sở Công Thương).")


def general_duties(kb) -> str:
    """The line on the sections binding every agency: KH147's in short, another plan's by its
    own general sections' titles, none when that plan has none."""
    if kb.shape.kh147:
        return _KH147_GENERAL
    found = [kb.section(sid) for sid in kb.general_section_ids]
    if not found:
        return ""
    return ("Nhiệm vụ chung của mọi cơ quan: "
            + "; ".join(f"Mục {s.id} ({textwrap.shorten(s.title.rstrip('.'), 70, placeholder=' …')})"
                        for s in found) + ".")


def _general_tail(kb) -> list[str]:
    line = general_duties(kb)
    return ["", line] if line else []


def by_agency(kb, q: Question, today: date) -> Answer | None:
    """An agency named with nothing else of substance, or with a duty question and no topic
    the plan deals with: its duties (only its partnering when "phối hợp" is asked)."""
    ids = list(dict.fromkeys(m.agency_id for m in q.mentions))
    rest_text = _without_own_names(kb, ids, _besides_names(q))
    rest = [w for w in q.idx.canon(rest_text.split()) if w not in DUTY_WORDS and w not in STOP]
    if deadline_cue(q) or objective_cue(q):
        return None
    if q.fixed.startswith("phong ") and has_phrase(q.fixed, *DUTY_PHRASES):
        # "phòng Kinh tế - Hạ tầng huyện làm gì": an office of a district's committee, whatever
        # department its name echoes
        return duties(kb, q, _district_office(kb, q))
    if not ids and q.intro_mentions and has_phrase(q.fixed, *DUTY_PHRASES):
        # "em ở phòng Kinh tế - Hạ tầng, bọn em phải làm gì": a district office
        return duties(kb, q, q.intro_mentions[0].agency_id)
    if not ids:
        return _unlisted_agency(kb, q, rest_text.split())
    strong = [m for m in q.mentions if not m.weak]
    if _comes_with_topic(q, strong, rest, rest_text):
        return None  # the names come with a topic: ranked as a topic, led by them
    own = [a for a in ids if a not in _predecessors(kb, ids)]
    if len(own) == 1 and not asks_partner(q):
        # "Sở KH&CN làm gì, kể cả phần của Sở TT&TT": the unit that took over the other's
        return duties(kb, q, own[0])
    if len(ids) > 1 and len({kb.agency(a).parent or a for a in ids}) > 1:
        return _several_agencies(kb, q, strong)
    return duties(kb, q, ids[0])


def _predecessors(kb, ids: list[str]) -> set[str]:
    """The units whose duties one of `ids` took over."""
    return {src.id for a in ids for src, _, _ in kb.inherited(a)}


def _besides_names(q: Question) -> str:
    """What the question says besides the agency names, courtesy and the plan's own title
    (space-padded)."""
    words = q.fixed.split()
    taken = set()
    for m in q.mentions:
        taken |= set(range(m.start, m.end))
        if m.start and words[m.start - 1] in _SIDE_WORDS:
            taken.add(m.start - 1)  # "mảng công thương": the side a name stands for
    rest_raw = [w for i, w in enumerate(words) if i not in taken]
    rest_text = f" {' '.join(rest_raw)} "
    for p in (*POLITE, *_TITLE_PHRASES):
        rest_text = rest_text.replace(f" {p} ", " ")
    if q.mentions:  # "UBND tỉnh giao gì cho Sở Xây dựng": the committee assigns, no topic
        rest_text = PROVINCE_RE.sub(" ", rest_text)
        rest_text = f" {' '.join(_TODAY_RE.sub(' ', rest_text).split())} "
    return rest_text


# "bên giao thông", "mảng xây dựng": the side a name's words stand for
_SIDE_WORDS = {"ben", "phia", "mang", "khoi"}


def _without_own_names(kb, ids: list[str], rest_text: str) -> str:
    """The rest without the words of the named units' own names and of the units whose
    duties they took over: "Sở GTVT làm gì về giao thông", "Thanh tra tỉnh … về thanh tra",
    "Sở Xây dựng … kể cả phần bên giao thông" (its predecessor Sở GTVT) ask for the unit's
    duties; the name's words are no topic (space-padded)."""
    if not ids:
        return rest_text
    runs = _name_runs(kb, ids)
    words = rest_text.split()
    out: list[str] = []
    i = 0
    while i < len(words):
        n = next((n for n in range(min(len(words) - i, 8), 1, -1)
                  if tuple(words[i:i + n]) in runs), 0)
        if not n:
            out.append(words[i])
            i += 1
            continue
        if out and out[-1] in _SIDE_WORDS:
            out.pop()
        i += n
    return f" {' '.join(_without_kind_words(kb, ids, out))} "


def _without_kind_words(kb, ids: list[str], words: list[str]) -> list[str]:
    """The words without a named unit's kind standing for the unit itself: in "cán bộ phường
    Chũ, phường mình cần làm gì", "xã em", "huyện tôi" (the pronoun dropped as courtesy) the
    kind word is the unit named, no topic. A kind word inside a word pair the plan writes
    ("địa phương", "xã hội", "ban hành") is the plan's word and stays."""
    kinds = {_kind_word(kb.agency(a).name) for a in ids} - {""}
    pairs = index_for(kb).pairs
    return [w for j, w in enumerate(words) if w not in kinds
            or (j and (words[j - 1], w) in pairs)
            or (j + 1 < len(words) and (w, words[j + 1]) in pairs)]


def _kind_word(name: str) -> str:
    """The word naming a unit's kind: "phường" of "UBND phường Chũ", "ban" of "Ban Quản lý
    …"; none when the kind takes two words ("thành phố", "văn phòng"), those are runs."""
    words = fold(name).split()
    if words[:1] == ["ubnd"]:
        words = words[1:]
    if len(words) < 2 or (words[0], words[1]) in _TWO_WORD_KINDS:
        return ""
    return words[0]


# kinds written in two words: their runs are taken with the name already
_TWO_WORD_KINDS = {("thanh", "pho"), ("van", "phong"), ("thanh", "tra"), ("cong", "an")}


def _name_runs(kb, ids: list[str]) -> set[tuple[str, ...]]:
    """Every stretch of two words or more of the units' names and aliases (folded, and with
    abbreviations expanded), theirs and their predecessors'."""
    idx = index_for(kb)
    units = {a for a in ids} | {src.id for a in ids for src, _, _ in kb.inherited(a)}
    runs: set[tuple[str, ...]] = set()
    for a in units:
        agency = kb.agency(a)
        for name in (agency.name, *agency.aliases):
            folded = fold(name).split()
            for toks in (folded, idx.canon(folded)):
                runs |= {tuple(toks[j:k]) for j in range(len(toks))
                         for k in range(j + 2, len(toks) + 1)}
    return runs


def _district_office(kb, q: Question) -> str:
    """The district a "phòng …" question names, else the districts' collective."""
    collective = districts_id(kb)
    local = [m.agency_id for m in q.mentions if m.agency_id == collective
             or kb.agency(m.agency_id).parent == collective]
    return local[0] if local else collective


def _unlisted_agency(kb, q: Question, words: list[str]) -> Answer | None:
    """No agency found in the question: a unit typed loosely ("sở xd"), or a ministry, a
    department or a commune the plan gives no task of its own."""
    if words and words[0] in OUTSIDE_HEADS and has_phrase(q.fixed, *DUTY_PHRASES):
        return _unknown_agency(kb)  # "Bộ Công an làm gì": a ministry, not in the plan
    if not (words and len(words) <= 8 and words[0] in ("so", "ban", "ubnd", "van", "vp")
            and not (len(words) > 1 and words[0] == "so" and words[1] in _SO_WORDS)):
        return None
    if words[0] == "so" and _typed_number(q):
        return None  # "số KCN năm 2030": a count, not a department
    name = _name_words(words)
    guess = resolve_agency(kb, " ".join(name))
    guess = [a for a in guess if not (a.parent and any(g.id == a.parent for g in guess))]
    if len(guess) == 1:
        return duties(kb, q, guess[0].id)
    if 1 < len(guess) <= 4:
        return _choose_agency(kb, [a.id for a in guess])
    # "Sở Tài chính có nhiệm vụ gì?": a department the plan does not name
    if (words[0] == "so" and 2 <= len(name) <= 4 and words[1] not in ("nao", "nganh")
            and (len(words) <= 4 or has_phrase(q.fixed, *DUTY_PHRASES))):
        return _unknown_agency(kb)
    # "UBND xã …": communes get no task of their own, their district does
    if words[0] == "ubnd" and words[1:2] in (["xa"], ["phuong"], ["thi"]):
        return _unknown_agency(kb)
    return None


def _typed_number(q: Question) -> bool:
    """"số" typed with its marks and no "sở": a number asked, not a department."""
    marked = marked_words(q.raw)
    return "số" in marked and "sở" not in marked


def _name_words(words: list[str]) -> list[str]:
    """The name runs until the question proper starts."""
    name = words[:1]
    for w in words[1:]:
        if w in AFTER_NAME:
            break
        name.append(w)
    return name


def _comes_with_topic(q: Question, strong, rest: list[str], rest_text: str) -> bool:
    """Do the names come with a topic the plan deals with? An agency and words the plan never
    uses ("Sở Y tế xyz") is still that agency."""
    unknown_only = bool(strong) and not any(w in q.idx.postings for w in rest)
    said = [w for w in q.idx.canon(rest_text.split()) if w not in STOP]
    return bool(rest) and not unknown_only and not (_asks_duty(q, strong)
                                                    and not topic_evidence(q.idx, rest, said))


def _several_agencies(kb, q: Question, strong) -> Answer:
    """Different agencies named: a full name outranks an abbreviation, one that is also chat
    shorthand goes; two asked "phối hợp" are a pair; else the official chooses."""
    words = q.fixed.split()
    full = [m for m in (strong or q.mentions) if not m.abbr]
    abbr = [m for m in (strong or q.mentions) if m.abbr
            and not (full and words[m.start] in SHORTHAND)]
    pick = list(dict.fromkeys(m.agency_id for m in full + abbr))
    if len(pick) == 1:
        return duties(kb, q, pick[0])
    if len(pick) == 2 and asks_partner(q):  # "Sở KH&ĐT phối hợp với Sở Xây dựng …"
        return pair_answer(kb, pick[0], pick[1])
    return _choose_agency(kb, pick)


def _asks_duty(q: Question, strong) -> bool:
    """An agency named outright and asked what it must do ("… được giao những việc gì")."""
    return bool(strong) and has_phrase(q.fixed, *DUTY_PHRASES)


def _unknown_agency(kb) -> Answer:
    leads = {s.lead for s in kb.sections if s.lead}
    names = [a.name for a in kb.agencies if a.id in leads]
    text = ("Kế hoạch không giao nhiệm vụ riêng cho cơ quan này (ngoài các nhiệm vụ chung ở Mục 1, "
            "IV.1 và IV.3). Các cơ quan chủ trì: " + "; ".join(names) + ".")
    return Answer("none", text)


def _choose_agency(kb, ids: list[str]) -> Answer:
    names = [agency_name(kb, a) for a in ids]
    text = "Có nhiều cơ quan khớp với câu hỏi. Xin chọn cơ quan Đồng chí muốn hỏi."
    return Answer("ambiguous", text, tuple(names), tuple(ids), (), (), (),
                  tuple((n, f"Nhiệm vụ của {n}") for n in names))


def agency_answer(kb, agency_id: str) -> Answer:
    """Every subsection the agency leads, by task group, each bullet quoted; then partner work.

    A unit of today holds its own duties and those it took over (each said where it came
    from); a unit the plan names that no longer exists answers for itself and says who holds
    its duties now."""
    if kb.org is not None and kb.is_current(agency_id) and kb.inherited(agency_id):
        return current_answer(kb, agency_id)
    ans = _plan_answer(kb, agency_id)
    if not kb.is_former(agency_id):
        return ans
    from dataclasses import replace
    lines = ans.text.split("\n")
    lines[1:1] = successor_lines(kb, agency_id)
    return replace(ans, text="\n".join(lines),
                   successors=tuple(a.name for a in kb.successors(agency_id)))


def successor_lines(kb, agency_id: str) -> list[str]:
    """Who holds a former unit's duties today, from when, on what basis."""
    a = kb.agency(agency_id)
    ch = kb.org.change_of(agency_id) or kb.org.change_of(a.parent or "")
    if ch is None:
        return []
    holders = kb.successors(agency_id)
    when = fmt_day(ch.date)
    if ch.kind == "split":
        by: dict[str, list[str]] = {}
        for tid, share in ch.tasks.items():
            for h in kb.successors(agency_id, tid):
                by.setdefault(h.name, []).append(
                    tid + (f" ({share.about})" if share.about else ""))
        parts = [f"{', '.join(ts)} — {name}" for name, ts in by.items()]
        text = (f"Nay: {a.name} không còn; từ {when} nhiệm vụ được chia theo từng việc: "
                + "; ".join(parts) + ".")
        if ch.note:
            text += f" {ch.note}"
    elif ch.kind == "territory" or a.parent:
        text = (f"Nay: không còn cấp huyện; từ {when} nhiệm vụ của {a.name} trên địa bàn do "
                f"các xã, phường đảm nhận, mỗi xã, phường báo cáo riêng: "
                + ", ".join(h.name for h in holders) + ".")
    else:
        names = ", ".join(h.name for h in holders)
        text = f"Nay: {names} — tiếp nhận nhiệm vụ của {a.name} từ {when}."
        if ch.id == "huyen-cap-xa" or any(h.kind == "collective" for h in holders):
            text += " Mỗi xã, phường báo cáo riêng phần địa bàn của mình."
    return [text, f"Căn cứ: {ch.source}."]


def current_answer(kb, agency_id: str) -> Answer:
    """A unit of today: every subsection whose duties it holds, its own and inherited, each
    inherited one with where it came from."""
    a = kb.agency(agency_id)
    held = list(kb.sections_held_by(a.id))
    held_ids = [s.id for s in held]
    held_tasks = {t.id for t in kb.tasks_held_by(a.id)}
    lines = [f"Nhiệm vụ của {a.name} theo Kế hoạch triển khai {_implements(kb)} của "
             f"{issuer(kb)}: {len(held)} mục"
             + (f" ({', '.join(held_ids)})" if held_ids else "") + "."]
    sources = []
    for src, ch, tids in kb.inherited(a.id):
        secs = list(dict.fromkeys(kb.task(t).section for t in tids))
        where = " trên địa bàn" if src.parent else ""
        part = ""
        if ch is not None and ch.kind == "split":
            part = " (" + "; ".join(f"{t}: {ch.tasks[t].about}" for t in tids
                                    if ch.tasks[t].about) + ")"
        when = f" từ {fmt_day(ch.date)}" if ch is not None else ""
        lines.append(f"{a.name} — tiếp nhận nhiệm vụ của {src.name}{where}{when}: Mục "
                     f"{', '.join(secs)}{part}.")
        if ch is not None and ch.source not in sources:
            sources.append(ch.source)
    if a.kind in ("commune", "ward", "collective"):
        lines.append("Mỗi xã, phường báo cáo riêng phần địa bàn của mình.")
    led_lines, tasks = _led_lines(kb, held, keep=held_tasks)
    partner_lines, partner_secs = _partner_lines(kb, a, held_ids, plan_ids(kb, a.id))
    lines += [*led_lines, *partner_lines, *_general_tail(kb)]
    lines += [f"Căn cứ: {s}." for s in sources]
    sections = tuple(held_ids) + tuple(g for g in kb.general_section_ids if g not in held_ids)
    names, aids = with_parent(kb, a)  # a commune: and "UBND cấp xã"
    return Answer("agency", "\n".join(lines).strip(), names, aids, sections,
                  tuple(s for s in partner_secs if s not in held_ids), tuple(tasks))


def _implements(kb) -> str:
    """"Nghị quyết 147-NQ/TU": what the plan (KH147 or an imported one) implements."""
    return kb.document.extra.get("implements_short", "Nghị quyết số 147-NQ/TU").replace(" số ", " ")


def _plan_answer(kb, agency_id: str) -> Answer:
    a = kb.agency(agency_id)
    led = list(kb.sections_led_by(a.id))
    led_ids = [s.id for s in led]
    who = a.name
    if a.parent:
        who = f"{a.name} (thuộc {agency_name(kb, a.parent)})"
    lines = [f"Nhiệm vụ của {who} theo Kế hoạch triển khai {_implements(kb)}: chủ trì "
             f"{len(led)} mục" + (f" ({', '.join(led_ids)})" if led_ids else "") + "."]
    led_lines, tasks = _led_lines(kb, led)
    partner_lines, partner_secs = _partner_lines(kb, a, led_ids)
    lines += [*led_lines, *partner_lines, *_general_tail(kb)]
    sections = tuple(led_ids) + tuple(g for g in kb.general_section_ids if g not in led_ids)
    names, aids = with_parent(kb, a)
    return Answer("agency", "\n".join(lines).strip(), names, aids, sections,
                  tuple(s for s in partner_secs if s not in led_ids), tuple(tasks))


def _led_lines(kb, led, keep: set[str] | None = None) -> tuple[list[str], list[str]]:
    """The sections led, under their task group's title, each bullet quoted (only those in
    `keep` when given); and the task ids."""
    lines: list[str] = []
    tasks: list[str] = []
    last_group = None
    for s in led:
        group = group_title(kb, s.id) or ("IV. Tổ chức thực hiện" if s.part == "IV" else "")
        if group != last_group:
            lines.append("")
            lines.append(group)
            last_group = group
        lines.append(section_heading(kb, s.id))
        for t in kb.tasks_of(s.id):
            if keep is not None and t.id not in keep:
                continue
            lines.append(f"• {clean(t.text)}")
            tasks.append(t.id)
    return lines, tasks


def _partner_lines(kb, a, led_ids: list[str],
                   also: set[str] = frozenset()) -> tuple[list[str], list[str]]:
    """Where another agency leads and this one partners: the tasks naming it (all of a
    section's when only the section does); and those sections. `also`: agencies whose
    partner roles it took over."""
    ids = {a.id, a.parent or a.id} | set(also)
    partner_tasks = [t for t in kb.tasks if t.section not in led_ids and ids & set(t.partners)
                     and t.lead not in ids]
    partner_secs = list(dict.fromkeys(
        [t.section for t in partner_tasks]
        + [s.id for x in sorted(ids) for s in kb.partner_sections(x)]))
    if not partner_secs:
        return [], partner_secs
    lines = ["", "Phối hợp (cơ quan khác chủ trì):"]
    for sid in partner_secs:
        s = kb.section(sid)
        lines.append(f"{section_label(sid)} — {agency_name(kb, s.lead) or s.title} chủ trì")
        for t in kb.tasks_of(sid):
            if t in partner_tasks or not any(x.section == sid for x in partner_tasks):
                lines.append(f"• {clean(t.text)}")
    return lines, partner_secs


def duties(kb, q: Question, agency_id: str) -> Answer:
    """One agency's duties, or only its partnering when that is what is asked."""
    if asks_partner(q):
        return partner_answer(kb, agency_id, who_first=asks_who_partners(q))
    return agency_answer(kb, agency_id)
