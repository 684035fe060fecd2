"""The compiled period report (DOCX) Sở Công Thương sends UBND tỉnh (plan section IV.2-IV.3).

    build_report(svc, period=None, plan_id="kh147") -> bytes     the DOCX
    report_attachment(svc, period=None, plan_id="kh147") -> Attachment
    compile_period(svc, period, plan_id) -> Compiled              the figures, no layout
    render(compiled) -> bytes                                     pure: figures -> DOCX
    resolve_period(svc, text) -> Period | None                    "", "2026", "6T/2026", …
    cli_report(period, plan, output) -> int                       `python -m bot report`

Laid out as Nghị định 30/2020/NĐ-CP asks for an administrative document: A4, margins top and
bottom 20 mm, left 30 mm, right 15 mm, Times New Roman 14 (tables 11-12), the header block as a
borderless two-column table, "Kính gửi", parts I-V, the signature block, then the annexes
"Biểu 01" (task by task) and "Biểu 02" (counts by the Government Office's buckets, the units
that have not reported named) on landscape pages.

Only what the units reported is written as fact, quoted verbatim with who reported and when;
the parts only people can write (the assessment, the department's own proposals) are marked
placeholders "[Phần này do Sở Công Thương viết: …]", highlighted, never invented. The buckets
come from bot.buckets; which tasks each unit answers for, from bot.export (as /tonghop).
"""
from __future__ import annotations

import asyncio
import functools
import io
import re
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from xml.sax.saxutils import escape

from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_COLOR_INDEX
from docx.oxml import OxmlElement
from docx.oxml.ns import nsdecls, qn
from docx.shared import Mm, Pt

from bot import buckets, export
from bot.core import Attachment
from bot.db import repo
from bot.knowledge import DEFAULT_PLAN
from bot.periods import Period, current_period, fmt_local, parse_period, reporting_agencies
from bot.statuses import label

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
FONT = "Times New Roman"
BODY_PT, TABLE_PT = 14, 11
PLACEHOLDER = "[Phần này do Sở Công Thương viết: {}]"
ISSUER, ISSUER_ABBR, SIGNER = "SỞ CÔNG THƯƠNG", "SCT", "GIÁM ĐỐC"
TASK_CHARS = 160  # a task's text in part II is shortened to this; Biểu 01 keeps more
ANNEX_TASK_CHARS = 140
# What a WordprocessingML document cannot hold (python-docx refuses it): C0 controls but tab,
# LF, CR, and lone surrogates. Stored text is cleaned already; a report must not fail on one.
_UNFIT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


class ReportError(ValueError):
    """Bad input for a report (unknown plan); the message is one line for the user."""


# ---------------------------------------------------------------- the figures

@dataclass(frozen=True)
class Entry:
    """One unit's one task in the period."""

    agency_id: str
    task: object  # knowledge.Task
    latest: repo.StatusRow | None
    verdict: buckets.Verdict
    general: bool  # a duty binding every agency (group 1, IV.1, IV.3): part I, not counted


@dataclass
class Compiled:
    kb: object
    period: Period
    as_of: datetime  # statuses as they stood then
    today: datetime  # local time of writing (the document's date)
    tz: object
    plan_id: str
    entries: list[Entry]
    units: list[str]  # every reporting unit, in the plan's order
    reported: set[str] = field(default_factory=set)  # units with an update in the window

    @property
    def silent(self) -> list[str]:
        return [u for u in self.units if u not in self.reported]

    def counted(self) -> list[Entry]:
        return [e for e in self.entries if not e.general]

    def counts_of(self, agency_id: str | None = None) -> dict[str, int]:
        if agency_id is None:
            return buckets.count(e.verdict.bucket for e in self.counted())
        by_unit = self.__dict__.get("_by_unit")
        if by_unit is None:  # Biểu 02 asks for every unit: one pass, not one per unit
            by_unit = self.__dict__["_by_unit"] = defaultdict(list)
            for e in self.counted():
                by_unit[e.agency_id].append(e.verdict.bucket)
        return buckets.count(by_unit.get(agency_id, ()))


def knowledge_for(svc, plan_id: str | None):
    """The plan a report is about: KH147 (the services' own), or one loaded from PLANS_DIR."""
    try:
        return export.plan_knowledge(svc, plan_id)
    except export.UnknownPlan as e:
        raise ReportError(str(e)) from None


def resolve_period(svc, text: str | None) -> Period | None:
    """The period an admin typed ("" = the one whose report is due next), or None."""
    today = svc.local_now().date()
    if not (text or "").strip():
        return current_period(today, svc.settings.tz)
    return parse_period(text, svc.settings.tz, today)


async def compile_period(svc, period: Period | str | None = None,
                         plan_id: str = DEFAULT_PLAN) -> Compiled:
    kb = knowledge_for(svc, plan_id)
    tz = svc.settings.tz
    if not isinstance(period, Period):
        chosen = resolve_period(svc, period)
        if chosen is None:
            raise ReportError(f"Không hiểu kỳ báo cáo “{_clip(str(period), 40)}”.")
        period = chosen
    as_of = export.report_instant(svc, period)
    history = await read_history(svc, as_of, period.start, plan_id)
    return compile_history(kb, history, period, as_of, svc.local_now(), tz, plan_id)


async def read_history(svc, until: datetime, since: datetime | None = None,
                       plan_id: str = DEFAULT_PLAN) -> list[repo.StatusRow]:
    """One plan's effective updates up to `until` that can matter for a period opening at
    `since`, oldest first (with `since` None: all of them). The rows repo.period_history
    gives /tonghop and the export: the period's window and, from before it, each (unit,
    item)'s latest update that is not "xong" and the "xong" after it (a completion carried
    over), so the report and the summary decide every task from the same rows."""
    if since is None:
        return await repo.status_history(svc.sessions, until=until, plan_id=plan_id)
    return await repo.period_history(svc.sessions, since, until, plan_id=plan_id)


def compile_history(kb, history, period: Period, as_of: datetime, today: datetime, tz,
                    plan_id: str = DEFAULT_PLAN) -> Compiled:
    """Pure: the period's entries from the effective history (oldest first).

    Which tasks a unit answers for follows /tonghop and the export (export.agency_tasks: the
    sections it leads; general duties once it reported on them); an update of a whole section
    speaks for each of its tasks."""
    from bot.units import row_unit

    items: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for r in history:
        if r.created_at <= as_of:  # a former agency's row counts for the unit holding it now
            items[row_unit(kb, r.agency_id, r.item_id)][r.item_id].append(r)
    general = export.general_tasks(kb)
    entries, units, reported = [], [], set()
    for agency_id in reporting_agencies(kb):
        units.append(agency_id)
        mine = items.get(agency_id, {})
        if any(period.start <= r.created_at <= period.end for rs in mine.values() for r in rs):
            reported.add(agency_id)
        own = export.agency_tasks(kb, agency_id)
        own_ids = {t.id for t in own}
        extra = [t for t in general if t.id not in own_ids and (t.id in mine or t.section in mine)]
        for task in own + extra:
            merged = mine.get(task.id, []) + mine.get(task.section, [])
            if task.section in mine and task.id in mine:
                merged.sort(key=lambda r: (r.created_at, r.id))
            verdict = buckets.classify(merged, period, as_of,
                                       buckets.task_deadline(kb, task, period, tz))
            entries.append(Entry(agency_id, task, merged[-1] if merged else None, verdict,
                                 task.id not in own_ids))
    return Compiled(kb, period, as_of, today, tz, plan_id, entries, units, reported)


# ---------------------------------------------------------------- words

def period_words(period: Period) -> str:
    """"6 tháng đầu năm 2026", "năm 2026"."""
    year = period.id.split("-")[0]
    if period.kind == "6T":
        return f"6 tháng đầu năm {year}"
    if period.kind == "year":
        return f"năm {year}"
    return period.label


def nd30_date(moment: datetime) -> str:
    """"ngày 01 tháng 12 năm 2026": days below 10 and months 1-2 with a leading zero
    (Nghị định 30/2020/NĐ-CP, Phụ lục I)."""
    month = f"{moment.month:02d}" if moment.month < 3 else str(moment.month)
    return f"ngày {moment.day:02d} tháng {month} năm {moment.year}"


def province(kb) -> str:
    """The province today ("Bắc Ninh": Bắc Giang joined it on 1/7/2025), else the plan's own."""
    org = getattr(kb, "org", None)
    name = (org.province.get("name") if org is not None else "") or ""
    name = name.removeprefix("tỉnh ").strip()
    return name or kb.document.extra.get("place") or "…"


def plan_words(kb) -> str:
    """"Kế hoạch số …/KH-UBND tháng 8/2021 của UBND tỉnh Bắc Giang triển khai thực hiện …"."""
    d = kb.document
    number = d.extra.get("number_display") or d.number
    kind = d.extra.get("kind") or "Kế hoạch"
    title = d.title[:1].lower() + d.title[1:]
    when = f" {d.dated}" if d.date else ""
    return f"{kind} số {number}{when} của {d.issued_by} {title}"


def _clip(text: str, limit: int) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def _clean(text: str) -> str:
    return _UNFIT.sub("", text or "")


def details(row: repo.StatusRow) -> list[tuple[str, str]]:
    """What a unit wrote, as (heading, verbatim text): result, obstacles, proposals, and the
    free note when it says something the labelled parts do not."""
    result, obstacles, proposals, note = (getattr(row, k, "") or "" for k in
                                          ("result", "obstacles", "proposals", "note"))
    parts = [("Kết quả", result), ("Khó khăn, vướng mắc", obstacles),
             ("Kiến nghị, đề xuất", proposals)]
    said = [(h, t.strip()) for h, t in parts if t and t.strip()]
    note = note.strip()
    if note and not any(note == t or note in t for _, t in said):
        said.append(("Ghi chú" if said else "Kết quả", note))
    return said


def who_when(row: repo.StatusRow, tz) -> str:
    who = row.user_name or "cán bộ đầu mối"
    channel = repo.CHANNEL_NAMES.get(row.channel, row.channel)
    return f"{who} báo cáo qua {channel} lúc {fmt_local(row.created_at, tz)}"


def _due(moment: datetime, tz) -> str:
    key = (moment, tz)
    found = _DUES.get(key)
    if found is None:  # a few deadlines, thousands of entries: strftime once each
        if len(_DUES) > 1000:
            _DUES.clear()
        found = _DUES[key] = moment.astimezone(tz).strftime("%d/%m/%Y")
    return found


_DUES: dict = {}


def progress_words(e: Entry, tz) -> str:
    """"Đang thực hiện — chưa hoàn thành, trong hạn (hạn 15/12/2026)"."""
    due = _due(e.verdict.deadline, tz)
    bucket = buckets.LABELS[e.verdict.bucket]
    if e.latest is None or e.verdict.bucket == buckets.UNREPORTED:
        return f"{bucket} (hạn {due})"
    return f"{label(e.latest.status)} — {bucket[:1].lower()}{bucket[1:]} (hạn {due})"


# ---------------------------------------------------------------- layout helpers

def _set_font(style_or_run, size: float, bold=None, italic=None) -> None:
    font = style_or_run.font
    font.name = FONT
    font.size = Pt(size)
    if bold is not None:
        font.bold = bold
    if italic is not None:
        font.italic = italic
    el = style_or_run.element if hasattr(style_or_run, "element") else style_or_run._element
    rpr = el.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), FONT)


def _margins(section, landscape: bool = False) -> None:
    width, height = Mm(210), Mm(297)
    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        width, height = height, width
    section.page_width, section.page_height = width, height
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    section.header_distance, section.footer_distance = Mm(10), Mm(10)


def _new_document():
    doc = Document()
    _margins(doc.sections[0])
    normal = doc.styles["Normal"]
    _set_font(normal, BODY_PT)
    pf = normal.paragraph_format
    pf.space_before, pf.space_after, pf.line_spacing = Pt(0), Pt(6), 1.1
    table_style = doc.styles.add_style("Bảng", 1)  # 1 = paragraph style
    table_style.base_style = normal
    _set_font(table_style, TABLE_PT)
    tpf = table_style.paragraph_format
    tpf.space_before, tpf.space_after, tpf.line_spacing = Pt(2), Pt(2), 1.0
    tpf.first_line_indent = Mm(0)
    return doc


def _para(container, text: str = "", *, bold=False, italic=False, size=None,
          align=WD_ALIGN_PARAGRAPH.JUSTIFY, indent=True, after=None, style=None):
    p = container.add_paragraph(style=style)
    p.alignment = align
    if indent and align == WD_ALIGN_PARAGRAPH.JUSTIFY:
        p.paragraph_format.first_line_indent = Mm(12.7)
    if after is not None:
        p.paragraph_format.space_after = Pt(after)
    if text:
        _run(p, text, bold=bold, italic=italic, size=size)
    return p


def _run(p, text: str, *, bold=False, italic=False, size=None, highlight=False):
    r = p.add_run(_clean(text))
    if bold:
        r.bold = True
    if italic:
        r.italic = True
    if size:
        r.font.size = Pt(size)
    if highlight:
        r.font.highlight_color = WD_COLOR_INDEX.YELLOW
    return r


def _placeholder(doc, what: str) -> None:
    p = _para(doc)
    _run(p, PLACEHOLDER.format(what), italic=True, highlight=True)


def _rule(where, left_mm: float, right_mm: float, after_pt: float = 4,
          line_pt: float = 2) -> None:
    """A short line (under an agency's name, the motto, the title): a bottom border on an
    empty, indented paragraph added to a cell or the document (no drawing shapes, so every
    word processor shows it)."""
    p = where.add_paragraph()
    pf = p.paragraph_format
    pf.left_indent, pf.right_indent = Mm(left_mm), Mm(right_mm)
    pf.space_before, pf.space_after, pf.line_spacing = Pt(0), Pt(after_pt), Pt(line_pt)
    ppr = p._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for k, v in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        bottom.set(qn(k), v)
    borders.append(bottom)
    ppr.append(borders)


def _no_borders(table) -> None:
    tbl_pr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:val"), "nil")
        borders.append(el)
    tbl_pr.append(borders)


def _widths(table, widths_mm: list[float]) -> None:
    """Column widths on the grid and on every cell (Word reads one, LibreOffice the other)."""
    table.autofit = False
    grid = table._tbl.tblGrid
    for col, w in zip(grid.findall(qn("w:gridCol")), widths_mm, strict=True):
        col.set(qn("w:w"), str(int(Mm(w).twips)))
    for row in table.rows:
        for cell, w in zip(row.cells, widths_mm, strict=False):
            cell.width = Mm(w)


def _page_numbers(section) -> None:
    """Page number centred in the top margin from the second page on (Nghị định 30)."""
    section.different_first_page_header_footer = True
    p = section.header.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    field_el = OxmlElement("w:fldSimple")
    field_el.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "2"
    run.append(text)
    field_el.append(run)
    p._p.append(field_el)


# ---------------------------------------------------------------- the document

def render(c: Compiled) -> bytes:
    """Pure: the compiled figures as a DOCX."""
    doc = _new_document()
    _page_numbers(doc.sections[0])
    _header_block(doc, c)
    _title(doc, c)
    _part_one(doc, c)
    _part_two(doc, c)
    _part_three(doc, c)
    _part_four(doc, c)
    _part_five(doc, c)
    _signature(doc, c)
    _annexes(doc, c)
    return _saved(doc)


def _header_block(doc, c: Compiled) -> None:
    place = province(c.kb)
    table = doc.add_table(rows=1, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _no_borders(table)
    _widths(table, [62, 103])
    left, right = table.rows[0].cells
    center = WD_ALIGN_PARAGRAPH.CENTER
    p = left.paragraphs[0]
    p.alignment = center
    p.paragraph_format.space_after = Pt(0)
    _run(p, f"UBND TỈNH {place.upper()}", size=13)
    _para(left, ISSUER, bold=True, size=13, align=center, after=0)
    _rule(left, 18, 18)
    _para(left, f"Số: …/BC-{ISSUER_ABBR}", size=13, align=center, after=0)
    p = right.paragraphs[0]
    p.alignment = center
    p.paragraph_format.space_after = Pt(0)
    _run(p, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", bold=True, size=12)
    _para(right, "Độc lập - Tự do - Hạnh phúc", bold=True, size=13, align=center, after=0)
    _rule(right, 25, 25)
    _para(right, f"{place}, {nd30_date(c.today)}", italic=True, size=14, align=center,
          after=0)


def _title(doc, c: Compiled) -> None:
    center = WD_ALIGN_PARAGRAPH.CENTER
    p = _para(doc, "BÁO CÁO", bold=True, align=center, after=0)
    p.paragraph_format.space_before = Pt(18)
    p = _para(doc, f"Kết quả thực hiện {plan_words(c.kb)}", bold=True, align=center, after=0)
    p.runs[-1].add_break()
    _run(p, f"({period_words(c.period)})", bold=True)
    _rule(doc, 65, 65, after_pt=0, line_pt=6)
    p = _para(doc, f"Kính gửi: UBND tỉnh {province(c.kb)}.", align=center, after=12)
    p.paragraph_format.space_before = Pt(6)
    reported = len(c.reported)
    _para(doc, f"Thực hiện {plan_words(c.kb)} (sau đây gọi là Kế hoạch), trên cơ sở báo cáo "
               f"của các cơ quan, đơn vị gửi qua hệ thống trợ lý Kế hoạch ({reported}/"
               f"{len(c.units)} cơ quan, đơn vị đã báo cáo; số liệu đến "
               f"{fmt_local(c.as_of, c.tz)}), Sở Công Thương tổng hợp, báo cáo kết quả thực "
               f"hiện {period_words(c.period)} như sau:")


def _heading(doc, text: str, level: int = 1) -> None:
    p = _para(doc, text, bold=True, italic=level >= 3)
    p.paragraph_format.keep_with_next = True
    if level == 1:
        p.paragraph_format.space_before = Pt(6)


# ---------------------------------------------------------------- bulk XML

_MARK = "kh147-splice-{}"


def _splice(doc, xml: str) -> None:
    """Body XML (paragraphs, a table) put in at this point of the document when it is saved
    (`_saved`): a marker paragraph now, the text in its place in word/document.xml. Parsing
    13 MB of Biểu 01 into lxml and moving it into the document's tree cost most of the
    report's time; the text goes into the file as it is."""
    pending = doc.__dict__.setdefault("_splices", [])
    p = OxmlElement("w:p")
    run = OxmlElement("w:r")
    mark = OxmlElement("w:t")
    mark.text = _MARK.format(len(pending))
    run.append(mark)
    p.append(run)
    doc.element.body.sectPr.addprevious(p)
    pending.append(xml.replace(f" {nsdecls('w')}", ""))  # the document declares w: already


def _saved(doc) -> bytes:
    """The DOCX with every spliced piece in place of its marker paragraph."""
    import zipfile

    buf = io.BytesIO()
    doc.save(buf)
    pending = doc.__dict__.get("_splices", [])
    if not pending:
        return buf.getvalue()
    out = io.BytesIO()
    with zipfile.ZipFile(buf) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED,
                                                      compresslevel=3) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "word/document.xml":
                data = _filled(data.decode("utf-8"), pending).encode("utf-8")
            dst.writestr(info.filename, data)
    return out.getvalue()


def _filled(xml: str, pending: list[str]) -> str:
    pieces, at = [], 0
    for i, body in enumerate(pending):
        mark = xml.index(f">{_MARK.format(i)}<", at)
        start, end = xml.rindex("<w:p>", at, mark), xml.index("</w:p>", mark) + len("</w:p>")
        pieces += [xml[at:start], body]
        at = end
    pieces.append(xml[at:])
    return "".join(pieces)


class _Flow:
    """Body paragraphs written as WordprocessingML and inserted in one piece. python-docx
    inserts each paragraph by scanning the body for its end, so thousands of quoted entries
    (a wide period) would take minutes; this takes milliseconds. Runs are (text, flags):
    "b" bold, "i" italic, "h" highlighted."""

    JC = {"both": "both", "left": "left", "right": "right", "center": "center"}

    def __init__(self, doc) -> None:
        self.doc = doc
        self.parts: list[str] = []

    def p(self, runs: list[tuple[str, str]] | str, *, align="both", indent=True, keep=False,
          before: float = 0, after: float | None = None, size: float | None = None) -> None:
        if isinstance(runs, str):
            runs = [(runs, "")]
        out = "".join(f'<w:r>{_run_pr(flags, size)}<w:t xml:space="preserve">'
                      f"{escape(_clean(text))}</w:t></w:r>" for text, flags in runs)
        self.parts.append(f"<w:p>{_para_pr(align, indent, keep, before, after)}{out}</w:p>")

    def heading(self, text: str, level: int = 1) -> None:
        self.p([(text, "b")], keep=True, before=6 if level == 1 else 0)

    def placeholder(self, what: str) -> None:
        self.p([(PLACEHOLDER.format(what), "ih")])

    def close(self) -> None:
        if self.parts:
            _splice(self.doc, "".join(self.parts))
            self.parts = []


# thousands of paragraphs share a handful of formats: each drawn once
@functools.cache
def _para_pr(align: str, indent: bool, keep: bool, before: float, after: float | None) -> str:
    ppr = "<w:keepNext/>" if keep else ""
    spacing = f'w:before="{int(before * 20)}"'
    if after is not None:
        spacing += f' w:after="{int(after * 20)}"'
    ppr += f"<w:spacing {spacing}/>"
    if indent and align == "both":
        ppr += '<w:ind w:firstLine="720"/>'
    return f'<w:pPr>{ppr}<w:jc w:val="{_Flow.JC[align]}"/></w:pPr>'


@functools.cache
def _run_pr(flags: str, size: float | None) -> str:
    rpr = ("<w:b/>" if "b" in flags else "") + ("<w:i/>" if "i" in flags else "")
    if size:
        rpr += f'<w:sz w:val="{int(size * 2)}"/><w:szCs w:val="{int(size * 2)}"/>'
    if "h" in flags:
        rpr += '<w:highlight w:val="yellow"/>'
    return f"<w:rPr>{rpr}</w:rPr>" if rpr else ""


def _names(kb, ids) -> str:
    return ", ".join(kb.agency(i).name for i in ids)


def _part_one(doc, c: Compiled) -> None:
    f = _Flow(doc)
    f.heading("I. CÔNG TÁC CHỈ ĐẠO, TRIỂN KHAI")
    f.placeholder("các văn bản chỉ đạo, hướng dẫn, đôn đốc của UBND tỉnh và Sở Công Thương "
                  "trong kỳ; công tác kiểm tra, tuyên truyền")
    general = [e for e in c.entries if e.general and e.verdict.reported and e.latest]
    if not general:
        f.p("Trong kỳ, chưa có cơ quan, đơn vị nào báo cáo riêng về các nhiệm vụ chung "
            "(lãnh đạo, chỉ đạo; xây dựng kế hoạch cụ thể; báo cáo định kỳ).")
    else:
        f.p("Các cơ quan, đơn vị báo cáo về các nhiệm vụ chung của Kế hoạch:")
        for e in general:
            _quoted_entry(f, c, e, with_unit=True)
    f.close()


def _group_key(kb, section_id: str) -> str:
    s = kb.section(section_id)
    if s.group:
        return s.group
    return s.id if s.part == "III" else s.part


def _group_title(kb, key: str) -> str:
    if key == "IV":
        return "Tổ chức thực hiện (mục IV của Kế hoạch)"
    try:
        return f"Nhóm nhiệm vụ {key}: {kb.section(key).title}"
    except KeyError:
        return f"Nhóm nhiệm vụ {key}"


def _part_two(doc, c: Compiled) -> None:
    kb, f = c.kb, _Flow(doc)
    f.heading("II. KẾT QUẢ THỰC HIỆN")
    f.heading("1. Tình hình báo cáo và kết quả chung", 2)
    counts = c.counts_of()
    total = sum(counts.values())
    f.p(f"Số cơ quan, đơn vị đã báo cáo trong kỳ: {len(c.reported)}/{len(c.units)}. "
        f"Tổng số nhiệm vụ được giao theo Kế hoạch (tính theo từng cơ quan, đơn vị chủ "
        f"trì): {total}; trong đó: " + _counts_sentence(counts) + " (chi tiết tại Biểu "
        "01 và Biểu 02 kèm theo).")
    if c.silent:
        f.p(f"Các cơ quan, đơn vị chưa báo cáo trong kỳ ({len(c.silent)}): "
            f"{_names(kb, c.silent)}.")
    f.heading("2. Kết quả thực hiện theo nhóm nhiệm vụ và theo cơ quan, đơn vị", 2)
    by_group: dict[str, dict[str, dict[str, list[Entry]]]] = {}
    for e in sorted(c.counted(), key=lambda e: _plan_order(kb, e)):
        group = by_group.setdefault(_group_key(kb, e.task.section), {})
        group.setdefault(e.task.section, {}).setdefault(e.agency_id, []).append(e)
    for n, (key, sections) in enumerate(by_group.items(), 1):
        f.heading(f"2.{n}. {_group_title(kb, key)}", 2)
        silent: list[str] = []  # units that said nothing on a section of this group
        for section_id, units in sections.items():
            for agency_id, entries in units.items():
                if any(_said(e) for e in entries):
                    _unit_block(f, c, section_id, agency_id, entries)
                else:
                    ids = ", ".join(e.task.id for e in entries)
                    silent.append(f"{kb.agency(agency_id).name} ({ids})")
        if silent:
            f.p([("Chưa báo cáo trong kỳ: ", "bi"), ("; ".join(silent) + ".", "i")])
    f.close()


def _said(e: Entry) -> bool:
    """The unit said something on the task that stands for this period (or finished it)."""
    return e.latest is not None and e.verdict.bucket != buckets.UNREPORTED


def _counts_sentence(counts: dict[str, int]) -> str:
    return "; ".join(f"{buckets.LABELS[k].lower()}: {n}" for k, n in counts.items())


def _unit_block(f: _Flow, c: Compiled, section_id: str, agency_id: str,
                entries: list[Entry]) -> None:
    f.p([(f"- {c.kb.agency(agency_id).name} (mục {section_id}):", "bi")], keep=True)
    missing = [e.task.id for e in entries if not _said(e)]
    for e in entries:
        if _said(e):
            _quoted_entry(f, c, e)
    if missing:
        f.p([("Chưa báo cáo các nhiệm vụ: " + ", ".join(missing) + ".", "i")])


def _quoted_entry(f: _Flow, c: Compiled, e: Entry, with_unit: bool = False) -> None:
    row = e.latest
    head = f"Nhiệm vụ {e.task.id}"
    if with_unit:
        head = f"{c.kb.agency(e.agency_id).name}, nhiệm vụ {e.task.id}"
    f.p([(f"{head} ({_clip(e.task.text, TASK_CHARS)}): ", "i"),
         (f"{progress_words(e, c.tz)}.", "")])
    for heading, text in details(row):
        f.p([(f"{heading}: ", "i"), (f"“{text}”", "")])
    carried = "" if e.verdict.reported else "; báo cáo từ kỳ trước"
    f.p([(f"({who_when(row, c.tz)}{carried}.)", "i")], align="right", size=12)


def _part_three(doc, c: Compiled) -> None:
    _heading(doc, "III. ĐÁNH GIÁ CHUNG")
    _heading(doc, "1. Kết quả đạt được", 2)
    _placeholder(doc, "đánh giá những kết quả nổi bật trong kỳ so với mục tiêu của Kế hoạch")
    _heading(doc, "2. Tồn tại, hạn chế và nguyên nhân", 2)
    _placeholder(doc, "những tồn tại, hạn chế, nguyên nhân chủ quan và khách quan")


def _part_four(doc, c: Compiled) -> None:
    _heading(doc, "IV. NHIỆM VỤ THỜI GIAN TỚI")
    _placeholder(doc, "các nhiệm vụ, giải pháp trọng tâm thời gian tới")
    overdue = [e for e in c.counted() if e.verdict.bucket == buckets.OPEN_OVERDUE]
    if overdue:
        _para(doc, "Các nhiệm vụ đã quá hạn nhưng chưa hoàn thành, cần tập trung chỉ đạo, đôn "
                   "đốc (theo báo cáo của các cơ quan, đơn vị): "
              + "; ".join(f"{e.task.id} ({c.kb.agency(e.agency_id).name})" for e in overdue)
              + ".")


def _part_five(doc, c: Compiled) -> None:
    _heading(doc, "V. KIẾN NGHỊ")
    proposals = [(e, (getattr(e.latest, "proposals", "") or "").strip())
                 for e in c.entries if e.latest is not None and e.verdict.reported]
    proposals = [(e, t) for e, t in proposals if t]
    if proposals:
        f = _Flow(doc)
        f.p("Kiến nghị, đề xuất của các cơ quan, đơn vị trong kỳ:")
        for e, text in proposals:
            f.p([(f"- {c.kb.agency(e.agency_id).name} (nhiệm vụ {e.task.id}): ", "i"),
                 (f"“{text}”", "")])
        f.close()
    else:
        _para(doc, "Trong kỳ, các cơ quan, đơn vị không có kiến nghị, đề xuất qua hệ thống.")
    _placeholder(doc, "kiến nghị, đề xuất của Sở Công Thương với UBND tỉnh")
    p = _para(doc, f"Trên đây là báo cáo kết quả thực hiện Kế hoạch {period_words(c.period)}, "
                   f"Sở Công Thương kính báo cáo UBND tỉnh xem xét, chỉ đạo./.")
    p.paragraph_format.keep_with_next = True  # the signature follows it on the same page


def _signature(doc, c: Compiled) -> None:
    table = doc.add_table(rows=1, cols=2)
    _no_borders(table)
    _widths(table, [85, 80])
    table.rows[0]._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))  # one page
    left, right = table.rows[0].cells
    p = left.paragraphs[0]
    p.paragraph_format.space_after = Pt(0)
    _run(p, "Nơi nhận:", bold=True, italic=True, size=12)
    for line in ("- Như trên;", "- Văn phòng UBND tỉnh;", "- Giám đốc, các PGĐ Sở;",
                 "- Lưu: VT, …"):
        _para(left, line, size=11, align=WD_ALIGN_PARAGRAPH.LEFT, after=0)
    center = WD_ALIGN_PARAGRAPH.CENTER
    p = right.paragraphs[0]
    p.alignment = center
    _run(p, SIGNER, bold=True, size=14)
    for _ in range(3):
        _para(right, "", align=center, after=0)
    _para(right, "[Họ và tên]", bold=True, align=center)


# ---------------------------------------------------------------- annexes

ANNEX1_HEADER = ["TT", "Nhiệm vụ", "Đơn vị chủ trì", "Kết quả trong kỳ", "Tiến độ",
                 "Khó khăn, vướng mắc", "Kiến nghị"]
ANNEX1_WIDTHS = [10, 70, 28, 58, 30, 28, 28]  # mm, 252 = landscape A4 less margins
ANNEX2_WIDTHS = [10, 82, 22, 23, 23, 23, 23, 23, 23]


def _annex_title(doc, c: Compiled, number: str, title: str) -> None:
    _para(doc, f"Biểu {number}", bold=True, align=WD_ALIGN_PARAGRAPH.RIGHT, after=0)
    _para(doc, title, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, after=0)
    _para(doc, f"(Kèm theo Báo cáo số …/BC-{ISSUER_ABBR} {nd30_date(c.today)} của Sở Công "
               f"Thương)", italic=True, align=WD_ALIGN_PARAGRAPH.CENTER, after=8)


def _annexes(doc, c: Compiled) -> None:
    section = doc.add_section(WD_SECTION.NEW_PAGE)
    _margins(section, landscape=True)
    _annex_title(doc, c, "01", "KẾT QUẢ THỰC HIỆN CÁC NHIỆM VỤ CỦA KẾ HOẠCH "
                 f"{period_words(c.period).upper()}")
    _annex_one(doc, c)
    doc.add_page_break()
    _annex_title(doc, c, "02", "TỔNG HỢP TÌNH HÌNH THỰC HIỆN NHIỆM VỤ THEO CƠ QUAN, ĐƠN VỊ "
                 f"{period_words(c.period).upper()}")
    _annex_two(doc, c)


def _annex_one(doc, c: Compiled) -> None:
    """One row per unit and task; a task's number and text span the rows of its units."""
    kb = c.kb
    t = _XmlTable(doc, ANNEX1_WIDTHS)
    t.row([(h, {"bold": True, "align": "center"}) for h in ANNEX1_HEADER], header=True)
    by_task: dict[str, list[Entry]] = {}
    for e in sorted(c.counted(), key=lambda e: _plan_order(kb, e)):
        by_task.setdefault(e.task.id, []).append(e)
    current = None
    for number, entries in enumerate(by_task.values(), 1):
        task = entries[0].task
        key = _group_key(kb, task.section)
        if key != current:
            current = key
            t.row([(_group_title(kb, key), {"bold": True, "span": len(ANNEX1_HEADER)})])
        lines = [[(text, {}) for text in _annex_one_cells(c, e)] for e in entries if _said(e)]
        silent = [e for e in entries if not _said(e)]
        if silent:  # the units that said nothing share one row, names across two columns
            names = ", ".join(c.kb.agency(e.agency_id).name for e in silent)
            if len(silent) > 1:
                names = f"{len(silent)} đơn vị chưa báo cáo: {names}"
            lines.append([(names, {"span": 2}), (progress_words(silent[0], c.tz), {}),
                          ("", {}), ("", {})])
        for k, cells in enumerate(lines):
            merge = "restart" if len(lines) > 1 and k == 0 else ("continue" if k else None)
            first = [(str(number) if k == 0 else "", {"align": "center", "vmerge": merge}),
                     (f"{task.id}. {_clip(task.text, ANNEX_TASK_CHARS)}" if k == 0 else "",
                      {"vmerge": merge})]
            t.row(first + cells)
    t.close()


class _XmlTable:
    """A bordered table written as WordprocessingML in one piece: python-docx's cell objects
    cost milliseconds each, and Biểu 01 has thousands of cells."""

    def __init__(self, doc, widths_mm: list[float]) -> None:
        self.doc = doc
        self.widths = [int(Mm(w).twips) for w in widths_mm]
        self.style = doc.styles["Bảng"].style_id
        self.grid = doc.styles["Table Grid"].style_id
        self.rows: list[str] = []

    def row(self, cells: list[tuple[str, dict]], header: bool = False) -> None:
        out, col = [], 0
        for text, opts in cells:
            span = opts.get("span", 1)
            width = sum(self.widths[col:col + span])
            col += span
            out.append(self._cell(text, width, **opts))
        tr_pr = "<w:trPr><w:tblHeader/><w:cantSplit/></w:trPr>" if header else ""
        self.rows.append(f"<w:tr>{tr_pr}{''.join(out)}</w:tr>")

    def _cell(self, text: str, width: int, bold=False, align="left", span=1,
              vmerge=None) -> str:
        head = _cell_head(width, span, vmerge, align, self.style)
        run_pr = "<w:rPr><w:b/></w:rPr>" if bold else ""
        lines = _clean(text).split("\n")
        runs = "<w:r><w:br/></w:r>".join(
            f'<w:r>{run_pr}<w:t xml:space="preserve">{escape(line)}</w:t></w:r>'
            for line in lines)
        return f"{head}{runs}</w:p></w:tc>"

    def close(self) -> None:
        grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in self.widths)
        xml = (f'<w:tbl {nsdecls("w")}><w:tblPr><w:tblStyle w:val="{self.grid}"/>'
               f'<w:tblW w:w="{sum(self.widths)}" w:type="dxa"/><w:tblLayout w:type="fixed"/>'
               f'<w:tblLook w:val="04A0" w:firstRow="1" w:lastRow="0" w:firstColumn="1" '
               f'w:lastColumn="0" w:noHBand="0" w:noVBand="1"/></w:tblPr>'
               f"<w:tblGrid>{grid}</w:tblGrid>{''.join(self.rows)}</w:tbl>")
        _splice(self.doc, xml)


@functools.cache
def _cell_head(width: int, span: int, vmerge: str | None, align: str, style: str) -> str:
    """A cell up to its paragraph's runs: a table has thousands, in a few shapes."""
    tc_pr = f'<w:tcW w:w="{width}" w:type="dxa"/>'
    if span > 1:
        tc_pr += f'<w:gridSpan w:val="{span}"/>'
    if vmerge:
        tc_pr += f'<w:vMerge w:val="{vmerge}"/>' if vmerge == "restart" else "<w:vMerge/>"
    p_pr = f'<w:pPr><w:pStyle w:val="{style}"/><w:jc w:val="{align}"/></w:pPr>'
    return f"<w:tc><w:tcPr>{tc_pr}</w:tcPr><w:p>{p_pr}"


_TASK_ORDER: dict = {}


def _plan_order(kb, e: Entry) -> tuple:
    order = _TASK_ORDER.get(id(kb))
    if order is None or order[0] is not kb:
        order = _TASK_ORDER[id(kb)] = (kb, {t.id: i for i, t in enumerate(kb.tasks)},
                                       {a.id: i for i, a in enumerate(kb.agencies)})
    return order[1].get(e.task.id, 0), order[2].get(e.agency_id, 0)


def _annex_one_cells(c: Compiled, e: Entry) -> list[str]:
    """Unit, result (with who and when), progress, obstacles, proposals."""
    row = e.latest if e.verdict.bucket != buckets.UNREPORTED else None
    said = dict(details(row)) if row is not None else {}
    result = said.get("Kết quả", "")
    if said.get("Ghi chú"):
        result = f"{result}\n{said['Ghi chú']}".strip()
    if row is not None:
        carried = "" if e.verdict.reported else ", từ kỳ trước"
        result = (f"{result}\n" if result else "") + \
            f"({row.user_name or 'cán bộ đầu mối'}, {fmt_local(row.created_at, c.tz, False)}" \
            f"{carried})"
    return [c.kb.agency(e.agency_id).name, result or "—", progress_words(e, c.tz),
            said.get("Khó khăn, vướng mắc", ""), said.get("Kiến nghị, đề xuất", "")]


def _annex_two(doc, c: Compiled) -> None:
    kb = c.kb
    t = _XmlTable(doc, ANNEX2_WIDTHS)
    head = {"bold": True, "align": "center"}
    t.row([("TT", dict(head, vmerge="restart")), ("Cơ quan, đơn vị", dict(head, vmerge="restart")),
           ("Tổng số nhiệm vụ", dict(head, vmerge="restart")),
           ("Đã hoàn thành", dict(head, span=2)), ("Chưa hoàn thành", dict(head, span=2)),
           ("Chưa báo cáo", dict(head, vmerge="restart")),
           ("Báo cáo trong kỳ", dict(head, vmerge="restart"))], header=True)
    cont = dict(head, vmerge="continue")
    t.row([("", cont), ("", cont), ("", cont), ("Đúng hạn", head), ("Quá hạn", head),
           ("Trong hạn", head), ("Quá hạn", head), ("", cont), ("", cont)], header=True)
    center = {"align": "center"}
    for n, unit in enumerate(c.units, 1):
        counts = c.counts_of(unit)
        t.row([(str(n), center), (kb.agency(unit).name, {}),
               (str(sum(counts.values())), center),
               *((str(counts[k]), center) for k in buckets.BUCKETS),
               ("Đã báo cáo" if unit in c.reported else "Chưa báo cáo", center)])
    counts = c.counts_of()
    t.row([("Tổng cộng", dict(head, span=2)), (str(sum(counts.values())), head),
           *((str(counts[k]), head) for k in buckets.BUCKETS),
           (f"{len(c.reported)}/{len(c.units)}", head)])
    t.close()
    p = _para(doc, "", indent=False)
    p.paragraph_format.space_before = Pt(8)
    if c.silent:
        _run(p, f"Các cơ quan, đơn vị chưa báo cáo trong kỳ ({len(c.silent)}): ", bold=True)
        _run(p, _names(kb, c.silent) + ".")
    else:
        _run(p, "Tất cả các cơ quan, đơn vị đã báo cáo trong kỳ.", bold=True)
    _para(doc, "Cách tính: hạn của nhiệm vụ là hạn riêng ghi trong Kế hoạch, nhiệm vụ không có "
               "hạn riêng lấy hạn báo cáo của kỳ; tình trạng là báo cáo mới nhất của cơ quan, "
               f"đơn vị đến {fmt_local(c.as_of, c.tz)}; nhiệm vụ đã hoàn thành từ kỳ trước "
               "được tính là hoàn thành.", italic=True, size=11, indent=False)


# ---------------------------------------------------------------- entry points

async def build_report(svc, period: Period | str | None = None,
                       plan_id: str = DEFAULT_PLAN) -> bytes:
    """The DOCX of the period's compiled report (ReportError on an unknown plan or period)."""
    compiled = await compile_period(svc, period, plan_id)
    return await asyncio.to_thread(render, compiled)  # a few hundred ms: off the event loop


def report_filename(period: Period, plan_id: str = DEFAULT_PLAN) -> str:
    return f"bao_cao_{plan_id}_{export.file_part(period.id)}.docx"


async def report_attachment(svc, period: Period | str | None = None,
                            plan_id: str = DEFAULT_PLAN) -> Attachment:
    compiled = await compile_period(svc, period, plan_id)
    content = await asyncio.to_thread(render, compiled)
    return Attachment(report_filename(compiled.period, compiled.plan_id), content, DOCX_MIME)


def cli_report(period: str | None, plan: str | None, output: str) -> int:
    """`python -m bot report`: 0 written, 2 bad input, 1 the database or the file failed."""
    from bot.config import load_settings

    out = Path(output)
    if out.suffix.lower() != ".docx":
        print(f"Tệp ra “{output}” phải có đuôi .docx.", file=sys.stderr)
        return 2
    settings = load_settings()
    chosen = None
    if period:
        chosen = parse_period(period, settings.tz, datetime.now(settings.tz).date())
        if chosen is None:
            print(f"Không hiểu kỳ báo cáo “{_clip(period, 40)}”: ví dụ 2026, 6T/2026, "
                  f"2026-6T.", file=sys.stderr)
            return 2
    if not out.parent.is_dir():  # a typo in the path must not create folders silently
        why = "không phải là thư mục" if out.parent.exists() else "không tồn tại"
        print(f"Thư mục “{out.parent}” {why}.", file=sys.stderr)
        return 1
    try:
        attachment = asyncio.run(_cli_build(settings, chosen, plan or DEFAULT_PLAN))
    except ReportError as e:
        print(e, file=sys.stderr)
        return 2
    except Exception as e:  # one line for the operator, never a traceback
        first = (str(e).strip().splitlines() or [""])[0]
        print(f"Không lập được báo cáo (cơ sở dữ liệu {_db_name(settings)}): "
              f"{type(e).__name__}: {first}", file=sys.stderr)
        return 1
    try:
        out.write_bytes(attachment.content)
    except OSError as e:
        print(f"Không ghi được tệp “{output}”: {e.strerror or e}.", file=sys.stderr)
        return 1
    print(f"Đã lập báo cáo {out} ({len(attachment.content):,} byte).".replace(",", "."))
    return 0


def _db_name(settings) -> str:
    """The database URL without its password, to say which one failed."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(settings.DATABASE_URL).render_as_string(hide_password=True)
    except Exception:
        return "DATABASE_URL"


async def _cli_build(settings, period: Period | None, plan: str) -> Attachment:
    from bot.services import open_services

    svc = await open_services(settings)
    try:
        return await report_attachment(svc, period, plan)
    finally:
        await svc.close()
