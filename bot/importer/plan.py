"""From a plan's skeleton to the plan file (README: the plan file's fields; CONTRACT §2).

Section ids follow KH147's: the main tasks part ("NỘI DUNG, NHIỆM VỤ" / "NỘI DUNG") numbers its
items bare ("2", "2.1"), every other part prefixes its numeral ("I.1", "IV.3", "V.7"); a task is
its section's id plus its position ("2.1.1"). A numbered item with nothing under it in a part
that assigns work is itself one task ("IV.1", "VI.1").

Who leads: a section headed by a unit's name ("2.1. Sở Kế hoạch và Đầu tư", "7. Ban Quản lý …")
leads all its tasks (the per-unit layout); in a section headed by a theme, each task is led by
the unit(s) it opens with ("- UBND cấp xã chủ trì, …"), the theme-organised layout. Partners are
the units listed after "phối hợp (với)". A section whose work falls on everyone ("Các sở,
ban, ngành …", "Giám đốc các Sở, …") binds every unit.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.importer import deadlines as dl
from bot.importer.structure import Node, Skeleton
from bot.importer.units import Catalogue, Mention, partners, subject

MAIN_TASKS = re.compile(r"NHIỆM VỤ|NỘI DUNG", re.I)
OBJECTIVES = re.compile(r"MỤC TIÊU|CHỈ TIÊU", re.I)
# parts that set out reasons, background, aims or money: no one is assigned work there
NOT_TASKS = re.compile(r"^(?:MỤC ĐÍCH|YÊU CẦU|MỤC TIÊU|QUAN ĐIỂM|CĂN CỨ|KINH PHÍ|VỐN|NGUỒN|"
                       r"KẾT QUẢ|THỰC TRẠNG|TÌNH HÌNH|ĐÁNH GIÁ|SỰ CẦN THIẾT|PHẠM VI|ĐỐI TƯỢNG)",
                       re.I)
EVERYONE = re.compile(r"(?:các|Các)\s+(?:sở|Sở)\b|Giám đốc các Sở|[Tt]hủ trưởng các (?:cơ quan|sở|"
                      r"Sở)|các cấp, các ngành|[Cc]ác cơ quan, đơn vị")
# items of any part that set the time, scope, place or who takes part ("1. Thời gian: Từ ngày
# 15/5 đến …"): no one's task either
NOT_TASK_ITEMS = re.compile(r"^(?:Thời gian|Thời hạn|Phạm vi|Địa điểm|Đối tượng|Thành phần|"
                            r"Quy mô|Hình thức|Kinh phí|Nguồn kinh phí|Mục đích|Yêu cầu|"
                            r"Quan điểm|Căn cứ)(?:\s+\w+){0,3}\s*(?::|$)", re.I)
# a tasks part that hands its work to an annex ("Chi tiết nhiệm vụ tại Phụ lục kèm theo")
TO_ANNEX = re.compile(r"[Pp]hụ lục", re.I)
REPORT = re.compile(r"báo\s+cáo", re.I)
FIGURE = re.compile(r"(\d{1,3}(?:\.\d{3})+|\d+(?:,\d+)?)\s*(%/năm|%|nghìn tỷ đồng|tỷ đồng|"
                    r"triệu đồng|ha|km|KCN|CCN|doanh nghiệp|dự án)(?![\w])")


@dataclass
class Review:
    where: str
    what: str
    text: str = ""

    def line(self) -> str:
        tail = f": «{self.text}»" if self.text else ""
        return f"[{self.where}] {self.what}{tail}"

    def to_json(self) -> dict:
        return {"where": self.where, "what": self.what, "text": self.text}


@dataclass
class Built:
    sections: list[dict] = field(default_factory=list)
    tasks: list[dict] = field(default_factory=list)
    deadlines: list[dict] = field(default_factory=list)
    objectives: list[dict] = field(default_factory=list)
    review: list[Review] = field(default_factory=list)
    used: dict[str, None] = field(default_factory=dict)  # unit ids named, in order
    outside: dict[str, None] = field(default_factory=dict)
    leadless: list[tuple[str, int]] = field(default_factory=list)  # (section id, tasks)
    unit_headed: list[str] = field(default_factory=list)  # sections headed by a unit's name
    unknown: dict[str, list[str]] = field(default_factory=dict)  # name -> where it is named


def build_sections(sk: Skeleton, cat: Catalogue, years: tuple[int, int]) -> Built:
    out = Built()
    main = next((p.id for p in sk.parts if MAIN_TASKS.search(p.title)), None)
    for part in sk.parts:
        assigns = not NOT_TASKS.search(part.title) or "NHIỆM VỤ" in part.title.upper()
        objectives = bool(OBJECTIVES.search(part.title))
        prefix = "" if part.id == main else f"{part.id}."
        if part.loose:
            _loose_section(out, cat, part, prefix, assigns)
        for k, node in enumerate(part.nodes, 1):
            _section(out, cat, node, prefix, None, assigns, part, k)
        if objectives:
            for s in out.sections:
                if s["part"] == part.id and s["group"] is None:
                    out.objectives.append(objective(s))
    if any(a.tables for a in sk.annexes):
        _themes_of_the_annex(out)
    _deadlines(out, cat, years)
    _targets(out, years)
    _leadless(out)
    _annex_notes(out, sk)
    return out


def _themes_of_the_annex(out: Built) -> None:
    """A part whose items end "(Chi tiết nhiệm vụ tại Phụ lục kèm theo)" only sums up the
    annex's table: its paragraphs naming no unit are the themes' words, not tasks (the table's
    rows are the tasks, each with its lead)."""
    parts = {s["part"] for s in out.sections
             if any(TO_ANNEX.search(n) for n in s.get("notes", []))}
    drop = {t["id"] for t in out.tasks if t["lead"] is None and not t.get("outside_lead") and
            next(s for s in out.sections if s["id"] == t["section"])["part"] in parts and
            not next(s for s in out.sections if s["id"] == t["section"])["binds_all"]}
    out.tasks = [t for t in out.tasks if t["id"] not in drop]
    left = {sid: sum(1 for t in out.tasks if t["section"] == sid and t["lead"] is None)
            for sid, _ in out.leadless}
    out.leadless = [(sid, left[sid]) for sid, _ in out.leadless if left[sid]]


def _leadless(out: Built) -> None:
    """One review line per part for the tasks no unit is named for."""
    by_part: dict[str, list[tuple[str, int]]] = {}
    part_of = {s["id"]: s["part"] for s in out.sections}
    for sid, n in out.leadless:
        by_part.setdefault(part_of[sid], []).append((sid, n))
    for part, items in by_part.items():
        total = sum(n for _, n in items)
        out.review.append(Review(f"phần {part}", f"{total} nhiệm vụ không nêu đơn vị chủ trì "
                                 f"(mục {', '.join(s for s, _ in items)}); để trống"))


def _annex_notes(out: Built, sk: Skeleton) -> None:
    """Annexes the text refers to ("chi tiết Phụ lục 01 đính kèm") but does not contain."""
    have = {a.number.lstrip("0") for a in sk.annexes}
    missing = []
    for s in out.sections:
        for note in s.get("notes", []):
            m = re.search(r"[Pp]hụ lục\s+(?:số\s+)?(\d+|[IVX]+)\b", note)
            if m and m.group(1).lstrip("0") not in have:
                missing.append(f"{m.group(1)} ({s['id']})")
    if missing:
        out.review.append(Review("phụ lục", "văn bản nhắc phụ lục nhưng tệp không có: " +
                                 ", ".join(missing)))


def _targets(out: Built, years: tuple[int, int]) -> None:
    """Dated targets of the objectives part ("đến cuối năm 2025 có thêm …"): deadlines of
    nobody in particular, for a person to assign."""
    ids = {o["id"] for o in out.objectives}
    for s in out.sections:
        if s["id"] not in ids:
            continue
        found, _ = dl.read_deadlines(s["text"])
        for d in found:
            if not d.due:
                continue
            did = _deadline_id(out, s["id"], d)
            out.deadlines.append({"id": did, "title": s["title"], "due": d.due,
                                  "applies_to": "all", "report_to": None, "source": s["id"],
                                  "kind": "target", "note": f"{s['id']}: «{d.phrase}»",
                                  "text_phrase": d.phrase})
            out.review.append(Review(did, "mục tiêu có hạn nhưng không nêu đơn vị; "
                                     "tạm áp cho mọi đơn vị", d.phrase))


def _node_id(node: Node, prefix: str, parent_id: str | None, pos: int) -> str:
    marker = node.marker.strip("()")
    if parent_id is None:
        return f"{prefix}{marker}"
    if "." in marker:  # "2.1" under "2": the numbering carries the parent already
        return f"{prefix}{marker}" if f"{prefix}{marker}".startswith(parent_id + ".") else \
            f"{parent_id}.{marker.rsplit('.', 1)[1]}"
    return f"{parent_id}.{marker}"


def _loose_section(out: Built, cat: Catalogue, part, prefix: str, assigns: bool) -> None:
    """Paragraphs of a part before (or without) numbered items: the part's own section."""
    sid = f"{prefix}0" if prefix else "0"
    text = "\n".join(_render(k, t) for k, t in part.loose)
    sec = {"id": sid, "title": part.title.capitalize(), "lead": None, "partners": [],
           "text": text, "part": part.id, "group": None, "binds_all": False}
    out.sections.append(sec)
    paras = [p for p in part.loose if p[0] != "note"]
    if assigns and paras:
        _tasks(out, cat, sec, paras, [], False)


def _section(out: Built, cat: Catalogue, node: Node, prefix: str, parent: dict | None,
             assigns: bool, part, pos: int) -> None:
    sid = _node_id(node, prefix, parent["id"] if parent else None, pos)
    if any(s["id"] == sid for s in out.sections):
        out.review.append(Review(sid, "số mục trùng với một mục trước; đã thêm hậu tố", node.heading))
        sid = f"{sid}.{pos}x"
    node.children = [_as_task(cat, c) for c in node.children]
    title, body = split_heading(cat, node.heading)
    if NOT_TASK_ITEMS.match(title):
        assigns = False  # "1. Thời gian: Từ ngày 15/5/2026 …", "2. Phạm vi: …"
    heading_units = unit_heading(cat, title)
    paragraphs = [c for c in node.children if isinstance(c, tuple)]
    if body:
        paragraphs.insert(0, ("plain", body))
    subsections = [c for c in node.children if isinstance(c, Node)]
    if heading_units is None and _looks_like_unit(title):
        out.review.append(Review(sid, "tên đơn vị ở đầu mục chưa nhận ra", title))
    leads = [m.unit for m in heading_units or [] if m.kind == "unit"]
    everyone = bool(heading_units) and not leads
    if heading_units is None and parent is not None and parent["id"] in out.unit_headed:
        # a theme inside a unit's section ("1.1. Sở A" / "1.1.1. Xây dựng sản phẩm"): its work
        inherited = parent.get("leads") or [parent["lead"]]
        sec_leads = list(inherited)
    else:
        sec_leads = leads
    leads = sec_leads
    sec = {"id": sid, "title": title.rstrip(" :") or node.heading, "lead": leads[0] if leads
           else None, "partners": [], "text": "", "part": part.id,
           "group": parent["id"] if parent else None, "binds_all": False}
    if len(leads) > 1:
        sec["leads"] = leads
    if leads:
        out.unit_headed.append(sid)
    for u in leads:
        out.used.setdefault(u)
    out.sections.append(sec)
    task_paras = [p for p in paragraphs if p[0] != "note"]
    if not paragraphs and not subsections:
        sec["text"] = node.heading
        if assigns and heading_units is None and not node.heading.rstrip().endswith(":"):
            task_paras = [("plain", node.heading)]
    else:
        sec["text"] = "\n".join(_render(k, t) for k, t in paragraphs) or sec["title"]
    notes = [t for k, t in paragraphs if k == "note"]
    if notes:
        sec["notes"] = notes
    if assigns and task_paras:
        _tasks(out, cat, sec, task_paras, leads, everyone)
    for k, child in enumerate(subsections, 1):
        _section(out, cat, child, prefix, sec, assigns, part, k)


def _as_task(cat: Catalogue, child):
    """A lettered item ("a) Sở A chủ trì …") with nothing under it is a task of its parent,
    not a section; one that names a unit only ("a) Sở A:") stays a section."""
    lettered = child.marker[0].isalpha() or child.marker.endswith(")") if \
        isinstance(child, Node) else False
    if lettered and not child.children and unit_heading(cat, child.heading) is None and \
            not child.heading.rstrip().endswith(":"):
        return (f"item:{child.marker.rstrip(')')}", child.heading)
    return child


def _render(kind: str, text: str) -> str:
    if kind.startswith("item:"):
        return f"{kind[5:]}) {text}"
    return {"bullet": "- ", "sub": "+ "}.get(kind, "") + text


def split_heading(cat: Catalogue, heading: str) -> tuple[str, str | None]:
    """'Sở Y tế: Xây dựng …' -> ('Sở Y tế', 'Xây dựng …'); a theme heading ending in ':' keeps
    its words."""
    m = re.match(r"^([^:]{3,120}?):\s*(.*)$", heading, re.S)
    if m and m.group(2).strip():
        head = m.group(1).strip()
        if unit_heading(cat, head) is not None or len(head.split()) <= 12:
            return head, m.group(2).strip()
    return heading.strip(), None


def unit_heading(cat: Catalogue, title: str) -> list[Mention] | None:
    """The names a heading consists of, when it is nothing but names ("Sở Công Thương",
    "Ban Quản lý A và Ban Quản lý B tỉnh X", "Các sở, ban, ngành và các đơn vị khác")."""
    t = title.strip().rstrip(":").strip()
    ms = [m for m in cat.mentions(t) if m.kind in ("unit", "everyone")]
    run = subject(cat, t, ms)
    if not run:
        return None
    rest = t[run[-1].end:]
    if re.fullmatch(r"[\s,;.()]*(?:(?:và|các|có|liên|quan|khác|trên|địa|bàn|tỉnh|đơn vị|cơ quan|"
                    r"[A-ZĐ\u00c0-\u1ef8][\w]*)[\s,;.()]*)*", rest) and \
            not re.search(r"\b[a-zđ]\w*\s+[a-zđ]\w*\s+[a-zđ]\w*", rest.replace("liên quan", "")):
        return run
    return None


def _looks_like_unit(title: str) -> bool:
    return bool(re.match(r"^(?:Sở|Ban Quản lý|BQL|UBND|Ủy ban|Uỷ ban|Công an|Thanh tra|Cục|"
                         r"Chi cục|Bộ Chỉ huy|Kho bạc|Văn phòng|Trung tâm)\s", title)) and \
        len(title.split()) <= 14


def _tasks(out: Built, cat: Catalogue, sec: dict, paras: list[tuple[str, str]],
           leads: list[str], everyone: bool) -> None:
    texts: list[str] = []
    for kind, text in paras:
        if kind == "sub" and texts:  # "+" points under a "-" bullet belong to it
            texts[-1] += "\n+ " + text
        else:
            texts.append(text)
    own_leads = []
    for k, text in enumerate(texts, 1):
        ms = cat.mentions(text)
        _unknown(out, f"{sec['id']}.{k}", ms)
        subj = subject(cat, text, ms)
        task_leads = leads or [m.unit for m in subj if m.kind == "unit"]
        if not leads and any(m.kind == "everyone" for m in subj):
            task_leads = []  # "Các sở, ngành và UBND …": everyone's task
        outside_lead = not leads and not task_leads and bool(subj) and subj[0].kind == "outside"
        found = partners(cat, text, ms)
        ps = [m.unit for m in found if m.kind == "unit" and m.unit not in task_leads]
        task = {"id": f"{sec['id']}.{k}", "section": sec["id"],
                "lead": task_leads[0] if task_leads else None,
                "partners": list(dict.fromkeys(ps)), "text": text, "deadline": None,
                "deadlines": [], "places": []}
        if len(task_leads) > 1:
            task["leads"] = task_leads
        if outside_lead:  # "Các doanh nghiệp trên địa bàn …": outside the administration
            task["outside_lead"] = subj[0].text
        outside = [m.text for m in found if m.kind == "outside"]
        if outside:
            task["outside_partners"] = list(dict.fromkeys(outside))
            for o in outside:
                out.outside.setdefault(o)
        if dl.is_ongoing(text):
            task["timing"] = "thường xuyên"
        for u in [*task_leads, *ps]:
            out.used.setdefault(u)
        own_leads.append(task["lead"] if not outside_lead else "")
        out.tasks.append(task)
    if not leads:
        distinct = set(own_leads)  # "": a task of bodies outside the administration
        if len(distinct) == 1 and None not in distinct and "" not in distinct:
            sec["lead"] = next(iter(distinct))  # a theme whose every task falls on one unit
        first = texts[0] if texts else ""
        if distinct == {None} and (everyone or EVERYONE.search(first[:160])):
            sec["binds_all"] = True  # nobody in particular: everyone's work
        if sec["lead"] is None and None in distinct and not sec["binds_all"]:
            out.leadless.append((sec["id"], own_leads.count(None)))
    ps = [p for t in out.tasks if t["section"] == sec["id"] for p in t["partners"]]
    sec["partners"] = [p for p in dict.fromkeys(ps) if p != sec["lead"]]


def _unknown(out: Built, where: str, ms: list[Mention]) -> None:
    for m in ms:
        if m.kind == "unknown":
            note_unknown(out, where, m.text)


def note_unknown(out: Built, where: str, name: str) -> None:
    places = out.unknown.setdefault(name, [])
    if where not in places:
        places.append(where)


def unknown_review(out: Built) -> None:
    """One review line per name not recognised, naming where it stands (a name the plan
    repeats in twenty tasks is one question for a person, not twenty)."""
    names = sorted(out.unknown, key=len, reverse=True)
    for short in names:  # "Ban Chỉ đạo" and "Ban Chỉ đạo 389" where "Ban Chỉ đạo 389 tỉnh" is
        longer = next((n for n in names if n.startswith(short + " ") and n in out.unknown),
                      None)
        if longer:
            out.unknown[longer] += [w for w in out.unknown.pop(short)
                                    if w not in out.unknown[longer]]
    for name, places in out.unknown.items():
        where = ", ".join(places[:6]) + (f" (+{len(places) - 6})" if len(places) > 6 else "")
        out.review.append(Review(where, "tên đơn vị chưa nhận ra", name))
    out.unknown.clear()


# --- deadlines -----------------------------------------------------------------------------


def _deadlines(out: Built, cat: Catalogue, years: tuple[int, int]) -> None:
    by_id = {s["id"]: s for s in out.sections}
    seen: dict[tuple, str] = {}
    for t in out.tasks:
        sec = by_id[t["section"]]
        found, unread = dl.read_deadlines(t["text"])
        if unread:  # one line a task, its phrases together
            out.review.append(Review(t["id"], "có hạn nhưng chưa đọc được ngày",
                                     " … ".join(unread)))
        for d in found:
            # one deadline per date of a section and its leads: two tasks of a theme due the
            # same day but led by different units are two deadlines
            key = (sec["id"], d.key, tuple(t.get("leads") or [t["lead"]]))
            if key in seen:
                did = seen[key]
            else:
                did = _deadline_id(out, sec["id"], d)
                seen[key] = did
                out.deadlines.append(_deadline(cat, did, sec, t, d, years))
            if did not in t["deadlines"]:
                t["deadlines"].append(did)
        t["deadline"] = t["deadlines"][0] if t["deadlines"] else None


def _deadline_id(out: Built, sid: str, d: dl.Due) -> str:
    if d.frequency:
        base = f"{sid}-" + {"6T": "6m", "year": "year", "month": "month",
                            "quarter": "quarter"}.get(
            d.period or "", f"{d.month or 0:02d}{d.day:02d}")
    else:
        base = f"{sid}-{d.due[:4]}"
    did, k = base, 2
    ids = {x["id"] for x in out.deadlines}
    while did in ids:
        did, k = f"{base}-{k}", k + 1
    return did


def _deadline(cat: Catalogue, did: str, sec: dict, task: dict, d: dl.Due,
              years: tuple[int, int]) -> dict:
    text = task["text"]
    reporting = bool(REPORT.search(text)) and (d.frequency is not None or d.period is not None)
    applies = "all" if sec["binds_all"] or not task["lead"] else \
        list(task.get("leads") or [task["lead"]])
    x = {"id": did, "title": _title(sec, task, d, reporting), "due": d.due,
         "applies_to": applies, "report_to": None, "source": sec["id"],
         "kind": "report" if reporting else "plan" if re.search(
             r"xây\s+dựng\s+kế\s+hoạch", text, re.I) else "milestone",
         "note": f"{sec['id']}: «{d.phrase}»", "text_phrase": d.phrase}
    if d.frequency:
        x.update({"frequency": d.frequency, "month": d.month, "day": d.day,
                  "from_year": years[0], "to_year": years[1]})
        if d.frequency == "yearly":
            x.pop("frequency")
    if d.period:
        x["period"] = d.period
    if reporting:
        to, name, via = recipient(cat, text)
        x["report_to"] = to
        if name:
            x["report_to_name"] = name
        if via:
            x["report_via"] = via
    return x


def _title(sec: dict, task: dict, d: dl.Due, reporting: bool) -> str:
    if reporting:
        return {"6T": "Báo cáo 6 tháng kết quả thực hiện", "year": "Báo cáo năm kết quả thực hiện",
                "month": "Báo cáo tháng kết quả thực hiện", "final": "Báo cáo tổng kết",
                "once": "Báo cáo kết quả thực hiện",
                "quarter": "Báo cáo quý kết quả thực hiện"}.get(d.period or "", "Báo cáo định kỳ")
    words = task["text"].split()
    return " ".join(words[:14]) + ("…" if len(words) > 14 else "")


def recipient(cat: Catalogue, text: str) -> tuple[str | None, str | None, str | None]:
    """Who reports go to: "gửi … về Sở Công Thương" -> sct; "báo cáo UBND tỉnh (qua Sở Nông
    nghiệp và Môi trường)" -> snnmt, with the UBND tỉnh as the final recipient."""
    ms = cat.mentions(text)
    via = re.search(r"\(\s*qua\s+([^)]+)\)", text)
    if via:
        inner = [m for m in ms if m.kind == "unit" and via.start(1) <= m.start < via.end(1)]
        if inner:
            before = text[:via.start()]
            final = next((m.text for m in reversed(ms) if m.end <= via.start() and
                          m.kind == "issuer"), "UBND tỉnh")
            return inner[0].unit, cat.name(inner[0].unit), final if before else None
    # "gửi (về) Sở A", "báo cáo tình hình … với Sở A"
    for verb in re.finditer(r"\bgửi\b|\bbáo\s+cáo\b(?:[^.;()]{0,60}?\s(?:với|về|cho)\b)?"
                            r"(?=\s+[A-ZĐ])", text):
        clause_end = re.search(r"[.;]", text[verb.end():])
        end = verb.end() + (clause_end.start() if clause_end else len(text))
        for m in ms:
            if verb.end() <= m.start < end and m.kind in ("unit", "issuer"):
                if m.kind == "unit":
                    return m.unit, cat.name(m.unit), None
                return None, m.text, None
    return None, None, None


# --- objectives ------------------------------------------------------------------------------


def objective(sec: dict) -> dict:
    figures = []
    for k, m in enumerate(FIGURE.finditer(sec["text"]), 1):
        raw, unit = m.group(1), m.group(2)
        value = float(raw.replace(".", "").replace(",", ".")) if ("." in raw and len(
            raw.split(".")[-1]) == 3) or "," in raw else float(raw)
        after = sec["text"][m.end():m.end() + 25]
        year = re.search(r"năm\s+(\d{4})", after)
        fig = {"name": f"f{k}", "label": sec["text"][max(0, m.start() - 60):m.start()].strip(),
               "value": int(value) if value.is_integer() else value, "unit": unit}
        if year:
            fig["year"] = int(year.group(1))
        figures.append(fig)
    return {"id": sec["id"], "title": sec["title"], "text": sec["text"], "figures": figures}


# --- header and signature --------------------------------------------------------------------


def document(sk: Skeleton, parts: list[dict]) -> tuple[dict, list[Review]]:
    review: list[Review] = []
    cells = [c for p in sk.header for c in (p.columns or [p.text])]
    number = next((re.sub(r"\s*/\s*", "/", c.split(":", 1)[1].strip()) for c in cells
                   if re.match(r"^Số\s*:", c)), "")
    date_m = next((m for c in cells if (m := re.match(
        r"^(.+?),\s*ngày\s+(\d{1,2})?\s*tháng\s+(\d{1,2})?\s*năm\s+(\d{4})", c))), None)
    place = date_m.group(1).strip() if date_m else ""
    day, month, year = (date_m.group(2), date_m.group(3), date_m.group(4)) if date_m else \
        (None, None, None)
    kind_i = next((i for i, c in enumerate(cells) if re.fullmatch(
        r"KẾ HOẠCH|CHƯƠNG TRÌNH|KẾ HOẠCH HÀNH ĐỘNG|CHƯƠNG TRÌNH HÀNH ĐỘNG", c)), None)
    title = ""
    preamble: list[str] = []
    if kind_i is not None:
        after = [p.text for p in sk.header if not p.columns or len(p.columns) == 1]
        after = after[[i for i, t in enumerate(after) if t == cells[kind_i]][0] + 1:] \
            if cells[kind_i] in after else []
        if after:
            title = after[0]
            preamble = after[1:]
    if not title:
        review.append(Review("văn bản", "không tìm thấy tên (trích yếu) của kế hoạch"))
    issuer = _issuer(cells, number, place)
    if issuer[1]:
        review.append(Review("văn bản", issuer[1]))
    implements = _implements(title, preamble)
    if not implements[0]:
        review.append(Review("văn bản", "không rõ kế hoạch thực hiện văn bản nào"))
    if not re.match(r"^\d", number):
        review.append(Review("văn bản", "văn bản chưa có số (bản dự thảo hoặc số để trống)",
                             number))
    if not year:
        review.append(Review("văn bản", "không đọc được ngày ban hành"))
    tail = [c for p in sk.tail for c in (p.columns or [p.text])]
    signer, sign_block = _signer(tail)
    if not signer:
        review.append(Review("văn bản", "không tìm thấy người ký"))
    period = re.search(r"giai đoạn\s+(\d{4})\s*[-–]\s*(\d{4})", title) or \
        re.search(r"năm\s+(\d{4})\s*$", title)
    date_str = "/".join(str(int(x)) for x in (day, month, year) if x) if year else ""
    date_iso = "-".join(x for x in (year, f"{int(month):02d}" if month else None,
                                     f"{int(day):02d}" if day and month else None) if x) \
        if year else ""
    doc = {
        "number": number or "(chưa có số)", "kind": (cells[kind_i].capitalize() if kind_i
                                                     is not None else "Kế hoạch"),
        "title": title or "(chưa rõ)", "issued_by": issuer[0], "place": place,
        "date": date_str or "(chưa rõ)", "date_text": date_m.group(0) if date_m else "",
        "date_iso": date_iso, "signer": signer or "(chưa rõ)",
        "signer_title": _signer_title(sign_block), "sign_block": sign_block,
        "implements": implements[0] or "(chưa rõ)", "implements_short": implements[1],
        "period": "-".join(period.groups()) if period else (year or ""),
        "preamble": "\n".join(preamble), "parts": parts,
        "recipients": [c[2:].strip() for c in tail if c.startswith(("- ", "+ "))],
    }
    if "." in number.split("/")[0]:
        doc["number_display"] = number
    if number.startswith("/"):
        doc["number_display"] = "…" + number
    if sk.closing:
        doc["closing"] = "\n".join(sk.closing)
    return doc, review


def _issuer(cells: list[str], number: str, place: str) -> tuple[str, str | None]:
    for i, c in enumerate(cells):
        if re.fullmatch(r"(?:ỦY|UỶ|UBND)(?: BAN NHÂN DÂN)?", c.strip()):
            for nxt in cells[i + 1:i + 4]:
                m = re.fullmatch(r"(TỈNH|THÀNH PHỐ)\s+(.+)", nxt.strip())
                if m:
                    return f"UBND {m.group(1).lower()} {m.group(2).title()}", None
        m = re.fullmatch(r"(?:ỦY BAN NHÂN DÂN|UỶ BAN NHÂN DÂN|UBND) (TỈNH|THÀNH PHỐ) "
                         r"([^\Wa-z\d_][^a-z\d]*?)"
                         r"(?: CỘNG HÒA.*| CỘNG HOÀ.*)?", c.strip())
        if m:
            return f"UBND {m.group(1).lower()} {m.group(2).title()}", None
    if number.upper().endswith("UBND") and place:
        return f"UBND tỉnh {place}", ("cơ quan ban hành suy ra từ số hiệu (…/KH-UBND) và địa "
                                      f"danh «{place}»; xin kiểm tra")
    return "(chưa rõ)", "không tìm thấy cơ quan ban hành"


def _implements(title: str, preamble: list[str]) -> tuple[str, str]:
    kinds = r"Nghị quyết|Chỉ thị|Quyết định|Kết luận|Chương trình|Nghị định|Thông tư|Kế hoạch|Đề án"
    for text in (title, *preamble):
        m = re.search(rf"(?:[Tt]hực hiện|[Tt]riển khai(?: thực hiện)?)\s+((?:{kinds}) số .+)$",
                      text)
        if m:
            # "…; Ủy ban nhân dân tỉnh ban hành Kế hoạch … như sau": the issuer's own words
            full = re.split(r"[;,]\s*(?:Ủy|Uỷ|UBND)(?:\s+ban\s+nhân\s+dân)?\s+tỉnh\s+ban\s+hành",
                            m.group(1))[0].rstrip(" .,:;")
            short = re.match(rf"(?:{kinds}) số [\w/.-]+", full)
            return full, short.group(0) if short else full
    return "", ""


def _signer(tail: list[str]) -> tuple[str, list[str]]:
    block = [c for c in tail if re.match(r"^(?:TM\.|KT\.|Q\.|TL\.|CHỦ TỊCH|PHÓ CHỦ TỊCH|"
                                         r"GIÁM ĐỐC)", c)]
    names = [c for c in tail if re.fullmatch(r"(?:[A-ZĐ\u00c0-\u1ef8][a-zđ\u00e0-\u1ef9]+\s+){1,4}"
                                             r"[A-ZĐ\u00c0-\u1ef8][a-zđ\u00e0-\u1ef9]+", c.strip())
             and not c.startswith(("Nơi", "Lưu"))]
    return (names[-1].strip() if names else ""), block


def _signer_title(block: list[str]) -> str:
    last = block[-1] if block else ""
    if "PHÓ CHỦ TỊCH" in last:
        return "Phó Chủ tịch UBND tỉnh"
    if "CHỦ TỊCH" in last:
        return "Chủ tịch UBND tỉnh"
    return last.capitalize()


def part_list(sk: Skeleton) -> list[dict]:
    return [{"id": p.id, "title": p.title} for p in sk.parts]


def plan_years(doc: dict) -> tuple[int, int] | None:
    m = re.match(r"(\d{4})(?:-(\d{4}))?$", doc.get("period", ""))
    year = int(doc["date_iso"][:4]) if doc.get("date_iso") else None
    if m:
        start = int(m.group(1))
        end = int(m.group(2) or m.group(1))
        return (max(start, year) if year and year <= end else start), end
    return (year, year) if year else None


def plan_id(doc: dict) -> str:
    """A file name for the plan: "kh134-2026" from "134/KH-UBND" of 2026."""
    num = re.match(r"(\d+)", doc["number"]) or re.search(r"(\d+)", doc.get("implements_short",
                                                                          ""))
    return f"kh{num.group(1)}" if num else "kehoach"

