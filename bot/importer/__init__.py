"""`python -m bot import FILE [-o OUT.json]`: a plan document into a plan file.

    import_plan(path) -> Imported      the plan file's data, what needs a person's review, and
                                       the id the file should have
    main(file, out)                    the command: writes the file, prints the review

The steps, one module each: read (formats into paragraphs and tables), structure (header,
parts, items, bullets, annexes, signature), units (recognising unit names), deadlines (the
forms of a date plans use), plan (assembling the file of CONTRACT §2's schema). The result is
validated by the same loader as knowledge/kh147.json (bot.knowledge.validate_plan).
"""
from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from bot.importer import deadlines as dl
from bot.importer.plan import (
    Built,
    Review,
    build_sections,
    document,
    note_unknown,
    part_list,
    plan_id,
    plan_years,
    unknown_review,
)
from bot.importer.read import ReadError, read_document
from bot.importer.structure import Annex, skeleton
from bot.importer.units import Catalogue, catalogue_for, slug
from bot.knowledge import DEFAULT_PATH, KnowledgeError, fold, validate_plan

SCHEMA = 1
ANNEX_HEAD = {"tt": re.compile(r"^(?:s?tt|số\s*tt|stt)$", re.I),
              "task": re.compile(r"nhiệm\s+vụ|nội\s+dung|công\s+việc|tên", re.I),
              "lead": re.compile(r"chủ\s+trì", re.I),
              "partners": re.compile(r"phối\s+hợp", re.I),
              "time": re.compile(r"thời\s+(?:gian|hạn)|tiến\s+độ|hoàn\s+thành", re.I),
              "product": re.compile(r"sản\s+phẩm|kết\s+quả", re.I)}


@dataclass
class Imported:
    plan: dict
    review: list[Review] = field(default_factory=list)
    plan_id: str = ""


def import_plan(path: str | Path) -> Imported:
    blocks = read_document(path)
    sk = skeleton(blocks)
    if not sk.parts:
        raise ReadError(f"{Path(path).name}: không thấy các phần I, II, … của một kế hoạch")
    doc, review = document(sk, part_list(sk))
    province = _province(doc)
    cat = catalogue_for(province)
    years = plan_years(doc)
    if years is None:
        review.append(Review("văn bản", "không rõ năm của kế hoạch; hạn định kỳ lấy năm nay"))
        years = (2026, 2026)
    built = build_sections(sk, cat, years)
    for annex in sk.annexes:
        _annex(built, cat, annex, doc)
    unknown_review(built)
    _run_to_last_deadline(built, doc, years)
    review += built.review
    agencies = _agencies(cat, built)
    main = next((p["id"] for p in doc["parts"] if re.search(r"NHIỆM VỤ|NỘI DUNG", p["title"],
                                                             re.I)), None)
    general = [s["id"] for s in built.sections if s["binds_all"]]
    doc["reporting"] = _reporting(built, cat)
    if not doc["reporting"]:
        review.append(Review("văn bản", "không tìm thấy chế độ báo cáo định kỳ"))
    doc["source_file"] = Path(path).name
    doc["layout"] = _layout(built, main)
    plan = {
        "schema": SCHEMA,
        "shape": {"parts": [p["id"] for p in doc["parts"]] + (["PL"] if sk.annexes else []),
                  "tasks_part": main, "general_sections": general,
                  "objectives_part": next((s["part"] for s in built.sections if s["id"] ==
                                           built.objectives[0]["id"]), None)
                  if built.objectives else None,
                  "task_leads": "own" if _own_leads(built) else "section"},
        "document": doc,
        "agencies": agencies,
        "sections": built.sections,
        "tasks": built.tasks,
        "objectives": built.objectives,
        "deadlines": built.deadlines,
        "places": [],
        "glossary": [],
    }
    if not cat_is_home(cat):
        plan["organisation"] = _organisation(doc, province, agencies, cat)
    plan["review"] = [r.to_json() for r in review]
    try:
        validate_plan(plan)
    except KnowledgeError as e:
        review.append(Review("tệp", f"tệp kế hoạch chưa hợp lệ: {e}"))
        plan["review"] = [r.to_json() for r in review]
    return Imported(plan, review, plan_id(doc))


def _run_to_last_deadline(built: Built, doc: dict, years: tuple[int, int]) -> None:
    """A plan whose title names no period (a directive's, open-ended) runs as long as its
    tasks do: its yearly and periodic deadlines recur up to the last year a task is due, and
    a person is told so."""
    if "-" in doc.get("period", ""):
        return
    last = max((int(d["due"][:4]) for d in built.deadlines if d.get("due")), default=years[1])
    if last <= years[1]:
        return
    rules = [d for d in built.deadlines if not d.get("due")]
    for d in rules:
        d["to_year"] = last
    if rules:
        built.review.append(Review("văn bản", f"kế hoạch không nêu thời hạn chung; các hạn "
                                   f"định kỳ tính đến năm {last} (hạn muộn nhất trong văn bản)"))


def cat_is_home(cat: Catalogue) -> bool:
    return any(u.source == "plan" for u in cat.units.values())


def _province(doc: dict) -> str:
    m = re.match(r"UBND (?:tỉnh|thành phố) (.+)$", doc["issued_by"])
    return m.group(1) if m else doc.get("place", "")


def _own_leads(built: Built) -> bool:
    by_id = {s["id"]: s for s in built.sections}
    return any(t["lead"] != by_id[t["section"]]["lead"] for t in built.tasks)


def _layout(built: Built, main: str | None) -> str:
    """"by_unit" when the tasks part (or, without one, the plan) is organised by unit headings
    (KH147), "by_theme" when by themes with the units named in each task (KH134)."""
    part_of = {s["id"]: s["part"] for s in built.sections}
    with_tasks = {t["section"] for t in built.tasks}
    scope = [s for s in with_tasks if main is None or part_of[s] == main]
    headed = sum(1 for s in scope if s in built.unit_headed)
    return "by_unit" if scope and headed * 2 >= len(scope) else "by_theme"


def _agencies(cat: Catalogue, built: Built) -> list[dict]:
    ids = dict(built.used)
    for d in built.deadlines:
        if d.get("report_to"):
            ids.setdefault(d["report_to"])
        if isinstance(d["applies_to"], list):
            for a in d["applies_to"]:
                ids.setdefault(a)
    for uid in list(ids):  # a collective's members, and a member's collective
        u = cat.unit(uid)
        if u.parent:
            ids.setdefault(u.parent)
        for child in cat.children(uid):
            if child.source != "plan" or child.kind == "district":
                ids.setdefault(child.id)
    order = list(cat.units)
    out = []
    for uid in sorted(ids, key=order.index):
        u = cat.unit(uid)
        name = cat.named.get(uid, u.name)  # "Chi cục Hải quan khu vực VIII", as the plan says
        aliases = _aliases(u, cat.province)
        if name != u.name:
            aliases = [a for a in [u.name, *aliases] if fold(a) != fold(name)]
        out.append({"id": u.id, "name": name, "kind": u.kind, "short": u.short or name,
                    "parent": u.parent if u.parent in ids else None, "aliases": aliases})
    return out


def _aliases(u, province: str) -> list[str]:
    if u.source == "plan":
        return list(u.aliases)
    out = list(u.aliases)
    if u.short and u.short != u.name:
        out.append(u.short)
    out.append(fold(u.name))
    if province and u.kind not in ("collective", "commune", "ward", "investor"):
        base = u.name.removesuffix(" tỉnh")
        out += [f"{base} {province}", f"{base} tỉnh {province}"]
    seen = {fold(u.name)}
    uniq = []
    for a in out:
        if fold(a) and fold(a) not in seen:
            seen.add(fold(a))
            uniq.append(a)
    return uniq


def _organisation(doc: dict, province: str, agencies: list[dict], cat: Catalogue) -> dict:
    """Today's units of another province, as the plan names them (the shape of
    knowledge/organisation.json's `units`)."""
    units = []
    for a in agencies:
        u = cat.unit(a["id"])
        if u.former:
            continue
        units.append({"id": a["id"], "name": a["name"], "kind": a["kind"], "since": None,
                      "short": a["short"], "aliases": a["aliases"], "source": u.source,
                      **({"collective": a["parent"]} if a["parent"] else {})})
    return {"province": {"name": f"tỉnh {province}", "aliases": [province, f"tỉnh {province}",
                                                                 fold(province)]},
            "as_of": doc.get("date_iso") or None, "units": units,
            "note": "Đơn vị nhận ra từ văn bản theo danh mục đơn vị cấp tỉnh (bot/importer/"
                    "units.json); xã, phường lấy theo tên nêu trong văn bản."}


def _reporting(built: Built, cat: Catalogue) -> dict | None:
    reports = [d for d in built.deadlines if d["kind"] == "report"]
    if not reports:
        return None
    # the regime binds everyone and names a recipient; a unit's own report comes after
    reports.sort(key=lambda d: (d["applies_to"] != "all", not d.get("report_to") and not
                                d.get("report_to_name")))
    first = reports[0]
    # a unit's own report to someone else ("Kho bạc … báo cáo Sở Tài chính hằng quý") is that
    # unit's deadline, not the plan's reporting regime
    reports = [d for d in reports if d is first or d["applies_to"] == "all" or
               (d.get("report_to"), d.get("report_to_name")) in (
                   (first.get("report_to"), first.get("report_to_name")), (None, None))]
    out = {"source": first["source"], "deadlines": [d["id"] for d in reports],
           "report_to": first.get("report_to"),
           "report_to_name": first.get("report_to_name") or (
               cat.name(first["report_to"]) if first.get("report_to") else None)}
    if first.get("report_via"):
        out["final_recipient"] = first["report_via"]
    return out


# --- annex tables --------------------------------------------------------------------------


def _annex(built: Built, cat: Catalogue, annex: Annex, doc: dict) -> None:
    for t_i, rows in enumerate(annex.tables, 1):
        cols = _columns(rows)
        if cols is None:
            built.review.append(Review(f"phụ lục {annex.number}", "bảng không có cột nhiệm vụ/"
                                       "chủ trì; bỏ qua", " | ".join(rows[0]) if rows else ""))
            continue
        head_row, cols = cols
        sid = f"PL{slug(annex.number).upper()}" + (f".{t_i}" if len(annex.tables) > 1 else "")
        sec = {"id": sid, "title": annex.title or f"Phụ lục {annex.number}", "lead": None,
               "partners": [], "text": "", "part": "PL", "group": None, "binds_all": False}
        built.sections.append(sec)
        lines = []
        group = None
        for row in rows[head_row + 1:]:
            cell = {k: (row[i].strip() if i is not None and i < len(row) else "")
                    for k, i in cols.items()}
            if not cell.get("task"):
                continue
            lines.append(" | ".join(c for c in row if c.strip()))
            filled = [c.strip() for c in row[1:] if c.strip()]
            merged = len(filled) > 1 and len(set(filled)) == 1  # a group row merged in Word
            if re.fullmatch(r"[IVX]+\.?|[A-Z]\.?", cell.get("tt", "")) or merged or not (
                    cell.get("lead") or cell.get("time")):
                group = cell["task"]
                continue
            _annex_task(built, cat, sec, cell, group, doc)
        sec["text"] = "\n".join(lines) or sec["title"]
        leads = {t["lead"] for t in built.tasks if t["section"] == sid}
        if len(leads) == 1 and None not in leads:
            sec["lead"] = leads.pop()
        ps = [p for t in built.tasks if t["section"] == sid for p in t["partners"]]
        sec["partners"] = [p for p in dict.fromkeys(ps) if p != sec["lead"]]


def _columns(rows: list[list[str]]) -> tuple[int, dict] | None:
    for r_i, row in enumerate(rows[:3]):
        cols: dict[str, int | None] = {k: None for k in ANNEX_HEAD}
        for i, c in enumerate(row):
            for k, rx in ANNEX_HEAD.items():
                if cols[k] is None and rx.search(c.strip()):
                    cols[k] = i
                    break
        if cols["task"] is not None and cols["lead"] is not None:
            return r_i, cols
    return None


def _annex_task(built: Built, cat: Catalogue, sec: dict, cell: dict, group: str | None,
                doc: dict) -> None:
    k = sum(1 for t in built.tasks if t["section"] == sec["id"]) + 1
    tid = f"{sec['id']}.{k}"
    lead_ms = [m for m in cat.mentions(cell.get("lead", "")) if m.kind in ("unit", "unknown")]
    for m in lead_ms:
        if m.kind == "unknown":
            note_unknown(built, tid, m.text)
    leads = [m.unit for m in lead_ms if m.kind == "unit"]
    if cell.get("lead") and not leads:
        built.review.append(Review(tid, "đơn vị chủ trì chưa nhận ra", cell["lead"]))
    part_text = cell.get("partners", "")
    pm = cat.mentions(part_text)
    ps = [m.unit for m in pm if m.kind == "unit" and m.unit not in leads]
    for m in pm:
        if m.kind == "unknown":
            note_unknown(built, tid, m.text)
    task = {"id": tid, "section": sec["id"], "lead": leads[0] if leads else None,
            "partners": list(dict.fromkeys(ps)), "text": cell["task"], "deadline": None,
            "deadlines": [], "places": []}
    if group:
        task["group"] = group
    if cell.get("product"):
        task["product"] = cell["product"]
    if len(leads) > 1:
        task["leads"] = leads
    for u in [*leads, *ps]:
        built.used.setdefault(u)
    time = cell.get("time", "")
    if time:
        task["timing"] = time
        found = dl.read_cell(time)
        if not found and not dl.is_ongoing(time) and not dl.is_recurring(time):
            built.review.append(Review(tid, "chưa đọc được thời gian", time))
        years = plan_years(doc) or (2026, 2026)
        for d in found:
            did = f"{tid}-{d.due[:4]}" if d.due else f"{tid}-{d.frequency or 'yearly'}"
            if did in task["deadlines"]:  # "Quý II và Quý IV hằng năm": two dates a year
                did += f"-{len(task['deadlines']) + 1}"
            x = {"id": did, "title": " ".join(cell["task"].split()[:14]), "due": d.due,
                 "applies_to": [task["lead"]] if task["lead"] else "all", "report_to": None,
                 "source": sec["id"], "kind": "milestone", "note": f"{tid}: «{time}»"}
            if d.frequency:
                x.update({"month": d.month, "day": d.day, "from_year": years[0],
                          "to_year": years[1]})
                if d.frequency == "monthly":
                    x["frequency"] = "monthly"
            if did not in {y["id"] for y in built.deadlines}:
                built.deadlines.append(x)
            task["deadlines"].append(did)
        task["deadline"] = task["deadlines"][0] if task["deadlines"] else None
    built.tasks.append(task)


# --- the command ---------------------------------------------------------------------------


def main(file: str, out: str | None) -> int:
    try:
        result = import_plan(file)
    except ReadError as e:
        print(e, file=sys.stderr)
        return 2
    target = Path(out) if out else Path("knowledge") / f"{result.plan_id}.json"
    if target.resolve() == DEFAULT_PATH:  # the hand-checked default plan is never overwritten
        print(f"{target}: đây là tệp Kế hoạch mặc định đã được kiểm tra; xin chọn tệp khác "
              f"bằng -o", file=sys.stderr)
        return 2
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(result.plan, ensure_ascii=False, indent=1) + "\n",
                      encoding="utf-8")
    p = result.plan
    print(f"{target}: {len(p['sections'])} mục, {len(p['tasks'])} nhiệm vụ, "
          f"{len(p['agencies'])} đơn vị, {len(p['deadlines'])} thời hạn "
          f"({p['document']['number']}, {p['document']['date']})")
    if result.review:
        print(f"Cần người kiểm tra ({len(result.review)}):")
        for r in result.review:
            print(f"  - {r.line()}")
    else:
        print("Không có mục nào cần kiểm tra.")
    return 0
