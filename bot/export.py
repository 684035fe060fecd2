"""Progress of every task for a reporting period, as a summary and as a CSV/XLSX file.

    collect(svc, period, agency_ids=None, history=True, plan_id="kh147") -> Report
                                                         /tonghop, /trangthai, /xuat
    build_report(kb, history, period, as_of, tz, agency_ids=None) -> Report   (pure)
    build_export(kb, report, fmt, tz) -> Attachment      CSV (UTF-8 with BOM) or XLSX
    export_bytes(svc, fmt, period=None, plan_id="kh147") -> Attachment
    loaded_plans(svc) -> {plan id: Knowledge}            KH147 first, then PLANS_DIR's
    plan_knowledge(svc, plan_id) -> Knowledge            one of them (UnknownPlan)
    plan_short(plan_id, kb) -> str                       "KH134 – Kế hoạch số 134/KH-UBND …"
    cli_export(fmt, period, output) -> int               `python -m bot export`
    agency_tasks(kb, agency_id), general_tasks(kb), neutralise(value)

Every read is one plan's (KH147 unless `plan_id` names another loaded plan): its tasks, leads
and units, and only the status rows saved under it.

A task's status is its newest effective update (corrections and withdrawals applied, see
repo.effective), or the newest update of its whole section when that is newer (rows saved
under a section id by older versions speak for every task of it). A task's deadline is its own one-off
deadline if it has one, else the period's due date. Its category ("Đánh giá") follows the
latest reported status, never a guess:
    no update in the period window      -> "Chưa báo cáo", or "Chưa báo cáo (đã quá hạn)" once
                                           its deadline is reached (a past period: always)
    "xong" (also when reported done in an earlier period: completion carries over)
                                        -> on time / late, by when the run of "xong" began
    "dang"                              -> in progress within the deadline / overdue
    "chua"                              -> not started (within the deadline / overdue)
    "vuong"                             -> blocked (not completed, shown apart)
General duties (group 1, IV.1, IV.3) bind every agency: they appear for an agency once it has
reported on them and are not counted in its totals.
"""
from __future__ import annotations

import asyncio
import csv
import io
import re
import sys
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, tzinfo
from pathlib import Path

from bot.calendar import fmt_int
from bot.core import Attachment
from bot.db import repo
from bot.db.repo import StatusRow
from bot.knowledge import DEFAULT_PLAN
from bot.periods import Period, current_period, parse_period, reporting_agencies
from bot.statuses import label

CATEGORIES = {
    "ontime": "Hoàn thành đúng hạn",
    "late": "Hoàn thành quá hạn",
    "inprogress": "Đang thực hiện trong hạn",
    "overdue": "Quá hạn chưa hoàn thành",
    "todo": "Chưa thực hiện (trong hạn)",
    "todo_overdue": "Chưa thực hiện (quá hạn)",
    "blocked": "Vướng mắc",
    "unreported": "Chưa báo cáo",
    "unreported_overdue": "Chưa báo cáo (đã quá hạn)",
}
DONE = ("ontime", "late")
UNREPORTED = ("unreported", "unreported_overdue")
CSV_MIME = "text/csv; charset=utf-8"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATS = ("csv", "xlsx")


@dataclass(frozen=True)
class TaskRow:
    agency_id: str
    section_id: str
    task_id: str
    text: str
    latest: StatusRow | None  # as of the report's instant
    reported: bool  # an update for it falls within the period window
    category: str  # a key of CATEGORIES
    deadline: datetime
    general: bool = False


@dataclass
class AgencySummary:
    agency_id: str
    total: int = 0
    reported: list[str] = field(default_factory=list)  # an update in the window
    missing: list[str] = field(default_factory=list)  # category "Chưa báo cáo" (either kind)
    blocked: list[str] = field(default_factory=list)  # category "Vướng mắc"
    carried: list[str] = field(default_factory=list)  # reported done before the window
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(CATEGORIES, 0))
    any_update: bool = False  # at least one update (any item) in the window
    last_update: datetime | None = None

    @property
    def done(self) -> int:
        return sum(self.counts[k] for k in DONE)


@dataclass
class Report:
    period: Period
    as_of: datetime
    rows: list[TaskRow]
    agencies: list[AgencySummary]
    history: list[StatusRow] = field(default_factory=list)  # the period's rows, corrections too
    plan_id: str = DEFAULT_PLAN

    @property
    def silent(self) -> list[str]:
        """Agencies with no update at all in the period."""
        return [a.agency_id for a in self.agencies if not a.any_update]


# ---------------------------------------------------------------- which plan

class UnknownPlan(ValueError):
    """A plan id no loaded plan has; the message is one line for the user."""


def loaded_plans(svc) -> dict:
    """Every plan the services serve, id -> Knowledge, KH147 first (Services.plans)."""
    return svc.plans.by_id


def plan_knowledge(svc, plan_id: str | None = DEFAULT_PLAN):
    """The plan `plan_id` names (UnknownPlan when no loaded plan has that id)."""
    plan_id = (plan_id or DEFAULT_PLAN).strip().lower()
    if plan_id == DEFAULT_PLAN:
        return svc.kb
    plans = loaded_plans(svc)
    if plan_id not in plans:
        raise UnknownPlan(f"Không có kế hoạch “{plan_id[:40]}”; các kế hoạch đang theo dõi: "
                          f"{', '.join(plans)} (xem lệnh /kehoach).")
    return plans[plan_id]


def plan_short(plan_id: str, kb) -> str:
    """A plan's name in a heading: "KH134 – Kế hoạch số 134/KH-UBND thực hiện Nghị quyết số
    34-NQ/TU"; KH147, whose number the file leaves blank: "KH147 – Kế hoạch thực hiện Nghị
    quyết số 147-NQ/TU"."""
    d = kb.document
    number = d.extra.get("number_display") or d.number or ""
    head = f"Kế hoạch số {number}" if re.search(r"\d", number) else "Kế hoạch"
    implements = d.extra.get("implements_short") or ""
    return f"{plan_id.upper()} – {head}" + (f" thực hiện {implements}" if implements else "")


# ---------------------------------------------------------------- which tasks

def agency_tasks(kb, agency_id: str) -> list:
    """Tasks the unit holds today, own and inherited (bot.units.held_tasks); without today's
    organisation, of the sections it leads (a district: its collective's), in plan order."""
    from bot.units import held_tasks

    return held_tasks(kb, agency_id)


def general_tasks(kb) -> list:
    general = {s.id for s in kb.sections if s.binds_all or s.id in kb.general_section_ids}
    return [t for t in kb.tasks if t.section in general]


def _end_of(d: date, tz: tzinfo) -> datetime:
    return datetime.combine(d, time(23, 59, 59, 999999), tzinfo=tz)


def task_deadline(kb, task, period: Period, tz: tzinfo) -> datetime:
    """The task's own one-off deadline, else the period's due date."""
    if task.deadline:
        dl = kb.deadline(task.deadline)
        if dl.due:
            return _end_of(date.fromisoformat(dl.due), tz)
    return period.due


# ---------------------------------------------------------------- the report

def _category(history: list[StatusRow], reported: bool, as_of: datetime,
              deadline: datetime) -> str:
    """The task's category from its history (oldest first, none after `as_of`)."""
    latest = history[-1] if history else None
    if latest is not None and latest.status == "xong":
        done_at = latest.created_at
        for row in reversed(history):  # completed when the trailing run of "xong" began
            if row.status != "xong":
                break
            done_at = row.created_at
        return "ontime" if done_at <= deadline else "late"
    if latest is None or not reported:
        # the deadline reached with nothing said: for a past period the window has closed
        return "unreported_overdue" if as_of >= deadline else "unreported"
    late = as_of > deadline
    if latest.status == "vuong":
        return "blocked"
    if latest.status == "chua":
        return "todo_overdue" if late else "todo"
    return "overdue" if late else "inprogress"


def build_report(kb, history: list[StatusRow], period: Period, as_of: datetime, tz: tzinfo,
                 agency_ids: list[str] | None = None) -> Report:
    """The period's picture from the update history (oldest first, none after `as_of`)."""
    from bot.units import row_unit

    by_agency: dict[str, dict[str, list[StatusRow]]] = defaultdict(lambda: defaultdict(list))
    unit_of: dict[tuple[str, str], str] = {}  # row_unit is pure: once per (agency, item)
    for row in history:
        if row.created_at <= as_of:  # a former agency's row counts for the unit holding it now
            key = (row.agency_id, row.item_id)
            unit = unit_of.get(key)
            if unit is None:
                unit = unit_of[key] = row_unit(kb, row.agency_id, row.item_id)
            by_agency[unit][row.item_id].append(row)
    general = general_tasks(kb)
    deadlines: dict[str, datetime] = {}  # a task's deadline is the same for every agency
    start, end = period.start, period.end
    rows: list[TaskRow] = []
    summaries: list[AgencySummary] = []
    for agency_id in agency_ids or reporting_agencies(kb):
        items = by_agency.get(agency_id, {})
        summary = AgencySummary(agency_id)
        summary.any_update = any(start <= r.created_at <= end
                                 for rs in items.values() for r in rs)
        summary.last_update = max((r.created_at for rs in items.values() for r in rs),
                                  default=None)
        own = agency_tasks(kb, agency_id)
        own_ids = {t.id for t in own}
        extra = [t for t in general
                 if t.id not in own_ids and (t.id in items or t.section in items)]
        for task in own + extra:
            merged = items.get(task.id, []) + items.get(task.section, [])
            if len(merged) > 1:
                merged.sort(key=lambda r: (r.created_at, r.id))
            deadline = deadlines.get(task.id)
            if deadline is None:
                deadline = deadlines[task.id] = task_deadline(kb, task, period, tz)
            reported = any(start <= r.created_at <= end for r in merged)
            row = TaskRow(agency_id, task.section, task.id, task.text,
                          merged[-1] if merged else None, reported,
                          _category(merged, reported, as_of, deadline), deadline,
                          general=task.id not in own_ids)
            rows.append(row)
            if row.general:
                continue
            summary.total += 1
            summary.counts[row.category] += 1
            if reported:
                summary.reported.append(task.id)
            elif row.category in UNREPORTED:
                summary.missing.append(task.id)
            else:
                summary.carried.append(task.id)
            if row.category == "blocked":
                summary.blocked.append(task.id)
        summaries.append(summary)
    return Report(period, as_of, rows, summaries)


def report_instant(svc, period: Period) -> datetime:
    """Statuses are read as they stood at the period's end, or now for a running period."""
    return min(svc.now(), period.end)


async def collect(svc, period: Period | None = None, agency_ids: list[str] | None = None,
                  history: bool = True, plan_id: str = DEFAULT_PLAN) -> Report:
    """The period's picture, from only the rows that decide it (repo.period_history: the same
    picture as the whole history, a fraction of the rows); with `history`, report.history also
    holds every row written in the period, corrections and withdrawals included (the XLSX's
    history sheet: a decade of updates would be 600,000 cells no one reads in one file).
    One plan's (UnknownPlan when none is loaded under `plan_id`): its tasks, units and rows."""
    kb = plan_knowledge(svc, plan_id)
    plan_id = (plan_id or DEFAULT_PLAN).strip().lower()
    tz = svc.settings.tz
    period = period or current_period(svc.local_now().date(), tz)
    as_of = report_instant(svc, period)
    from bot.units import with_sources

    sources = with_sources(kb, agency_ids)
    rows = await repo.period_history(svc.sessions, period.start, as_of, sources, plan_id=plan_id)
    report = build_report(kb, rows, period, as_of, tz, agency_ids)
    report.plan_id = plan_id
    if history:
        report.history = await repo.status_history(svc.sessions, sources, until=as_of,
                                                    since=period.start, include_superseded=True,
                                                    plan_id=plan_id)
    return report


# ---------------------------------------------------------------- files

TASK_HEADER = ["Mục", "Cơ quan", "Mã nhiệm vụ", "Nội dung nhiệm vụ", "Trạng thái mới nhất",
               "Ghi chú", "Người cập nhật", "Thời điểm cập nhật", "Kỳ báo cáo",
               "Báo cáo trong kỳ", "Đánh giá", "Hạn", "Kết quả", "Khó khăn, vướng mắc",
               "Kiến nghị, đề xuất", "Cơ quan theo Kế hoạch"]
TASK_WIDTHS = [8, 30, 12, 70, 18, 50, 24, 18, 10, 10, 26, 12, 50, 50, 50, 30]
HISTORY_HEADER = ["Mã bản ghi", "Thời điểm cập nhật", "Cơ quan", "Mục", "Trạng thái",
                  "Ghi chú", "Kết quả", "Khó khăn, vướng mắc", "Kiến nghị, đề xuất",
                  "Người cập nhật", "Kênh", "Thay cho bản ghi", "Hiệu lực"]
HISTORY_WIDTHS = [10, 18, 30, 10, 18, 50, 50, 50, 50, 24, 10, 12, 30]
AGENCY_HEADER = ["Cơ quan", "Số nhiệm vụ", "Đã báo cáo trong kỳ", "Chưa báo cáo (tổng)",
                 "Đã hoàn thành", "Chưa hoàn thành", *CATEGORIES.values(),
                 "Cập nhật gần nhất", "Nhiệm vụ chưa báo cáo", "Nhiệm vụ vướng mắc",
                 "Cơ quan theo Kế hoạch"]
AGENCY_WIDTHS = [34, 12, 14, 14, 12, 12, *[14] * len(CATEGORIES), 18, 40, 30, 40]
_DANGEROUS = ("=", "+", "-", "@", "\t", "\r")
# what a sheet cannot hold: the C0 controls but tab, LF, CR (openpyxl's ILLEGAL_CHARACTERS_RE),
# lone surrogates (no UTF-8 writer takes them), U+FFFE and U+FFFF (no XML character either)
_UNFIT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def neutralise(value):
    """The one sanitiser of every exported cell, CSV and XLSX alike (a new column needs
    nothing more). Order matters: characters a sheet may not hold (NUL and the other C0
    controls but tab, LF and CR, lone surrogates) are removed *first*, because removing
    them after the check would turn "\x01=cmd()" into a live "=cmd()". Then a text a
    spreadsheet could run as a formula gets a leading apostrophe: one starting, after any
    leading blanks, with = + - @ or their fullwidth and small forms (＝ ＋ － ＠, NFKC folds
    them to ASCII), or with a tab."""
    if not isinstance(value, str):
        return value
    if _UNFIT.search(value):
        value = _UNFIT.sub("", value)
    if value[:1].isalnum():  # most cells: no letter or digit folds to = + - @ (a test checks)
        return _capped(value)
    head = value.lstrip()[:1]
    if value.startswith(_DANGEROUS) or (head and unicodedata.normalize("NFKC", head)
                                        .startswith(_DANGEROUS)):
        value = "'" + value
    return _capped(value)


# Excel takes at most 32,767 characters a cell (UTF-16 units) and "repairs" a file with more
CELL_MAX = 32_767


def _capped(value: str) -> str:
    """A cell cut to what Excel takes, the cut marked with "…" (an old row's long note)."""
    if len(value) <= CELL_MAX // 2:  # a code point is at most two UTF-16 units
        return value
    units = value.encode("utf-16-le")
    if len(units) <= 2 * CELL_MAX:
        return value
    return units[:2 * (CELL_MAX - 1)].decode("utf-16-le", "ignore") + "…"


def _local(moment: datetime | None, tz: tzinfo) -> str:
    return moment.astimezone(tz).strftime("%d/%m/%Y %H:%M") if moment else ""


def task_table(kb, report: Report, tz: tzinfo) -> list[list]:
    """One row per task; the last column names the unit the plan names for it (today's unit
    in "Cơ quan", e.g. Sở Tài chính for Sở Kế hoạch và Đầu tư's 2.1.1)."""
    from bot.units import plan_name

    out = []
    for r in report.rows:
        latest = r.latest
        task = kb.task(r.task_id)
        out.append([
            r.section_id, kb.agency(r.agency_id).name, r.task_id, r.text,
            label(latest.status) if latest else "Chưa có cập nhật",
            latest.note if latest else "", latest.user_name if latest else "",
            _local(latest.created_at if latest else None, tz), report.period.id,
            "Có" if r.reported else "Không", CATEGORIES[r.category],
            r.deadline.astimezone(tz).strftime("%d/%m/%Y"),
            latest.result if latest else "", latest.obstacles if latest else "",
            latest.proposals if latest else "",
            plan_name(kb, r.agency_id, task) or kb.agency(r.agency_id).name])
    return out


def history_table(kb, report: Report, tz: tzinfo) -> list[list]:
    """Every update of the period, oldest first: a correction names the row it replaces, a superseded or
    withdrawn row says by which one (the history stays append-only)."""
    by = {r.supersedes_id: r for r in report.history if r.supersedes_id is not None}
    out = []
    for r in report.history:
        if r.withdrawn:
            state = f"Rút lại bản ghi số {r.supersedes_id}"
        elif r.id in by:
            later = by[r.id]
            state = (f"Đã rút lại (bản ghi số {later.id})" if later.withdrawn
                     else f"Đã sửa bởi bản ghi số {later.id}")
        else:
            state = "Đang hiệu lực"
        try:
            agency = kb.agency(r.agency_id).name
        except KeyError:
            agency = r.agency_id
        out.append([r.id, _local(r.created_at, tz), agency, r.item_id, label(r.status),
                    r.note, r.result, r.obstacles, r.proposals, r.user_name, r.channel,
                    r.supersedes_id or "", state])
    return out


def agency_table(kb, report: Report, tz: tzinfo) -> list[list]:
    from bot.units import plan_names

    return [[kb.agency(a.agency_id).name, a.total, len(a.reported), len(a.missing),
             a.done, a.total - a.done, *a.counts.values(),
             _local(a.last_update, tz), ", ".join(a.missing), ", ".join(a.blocked),
             "; ".join(plan_names(kb, a.agency_id))]
            for a in report.agencies]


def file_part(period_id: str) -> str:
    """A period id as part of a file name: another plan's "VI.1-month@2026-12-20" becomes
    "VI.1-month_2026-12-20"; KH147's "2026" and "2026-6T" stay as they are."""
    return re.sub(r"[^0-9A-Za-z.-]+", "_", period_id)


def build_export(kb, report: Report, fmt: str, tz: tzinfo) -> Attachment:
    name = f"{report.plan_id}_tien_do_{file_part(report.period.id)}.{fmt}"
    tasks = task_table(kb, report, tz)
    if fmt == "csv":
        return Attachment(name, _csv(TASK_HEADER, tasks), CSV_MIME)
    if fmt == "xlsx":
        sheets = [("Theo nhiệm vụ", TASK_HEADER, tasks, TASK_WIDTHS),
                  ("Tổng hợp theo cơ quan", AGENCY_HEADER, agency_table(kb, report, tz),
                   AGENCY_WIDTHS),
                  ("Lịch sử cập nhật", HISTORY_HEADER, history_table(kb, report, tz),
                   HISTORY_WIDTHS)]
        return Attachment(name, _xlsx(sheets), XLSX_MIME)
    raise ValueError(f"unknown export format {fmt!r}")


def _csv(header: list[str], rows: list[list]) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([neutralise(v) for v in row] for row in rows)
    return buf.getvalue().encode("utf-8-sig")  # the BOM makes Excel read UTF-8


def _xlsx(sheets) -> bytes:
    """The workbook, its parts written as text (bot.export's own SpreadsheetML writer): the
    task and history sheets are 200,000 cells, and a writer that makes a call or an object per
    cell is too slow for the 1 s aim. Measured on bench/export.py's 49,200 rows (SQLite, whole
    export): openpyxl write-only 2.5 s, XlsxWriter constant-memory 1.7 s, PyExcelerate 1.35 s,
    this 0.6 s. openpyxl still reads every file back in the tests, and LibreOffice Calc opens it. Strings are shared (sharedStrings.xml) and never formulas;
    the header row is bold, every cell wraps and sits at the top; frozen first row, column
    widths and an auto-filter per sheet, as a spreadsheet application would write them."""
    import zipfile

    strings: dict[str, int] = {}
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=3) as z:
        z.writestr("[Content_Types].xml", _content_types(len(sheets)))
        z.writestr("_rels/.rels", _ROOT_RELS)
        z.writestr("xl/workbook.xml", _workbook_xml(sheets))
        z.writestr("xl/_rels/workbook.xml.rels", _workbook_rels(len(sheets)))
        z.writestr("xl/styles.xml", _STYLES)
        for i, (_title, header, rows, widths) in enumerate(sheets, 1):
            z.writestr(f"xl/worksheets/sheet{i}.xml", _sheet_xml(header, rows, widths, strings))
        z.writestr("xl/sharedStrings.xml", _shared_strings(strings))
    return buf.getvalue()


_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_ROOT_RELS = (_HEAD + '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
              f'relationships"><Relationship Id="rId1" Type="{_REL}/officeDocument" '
              'Target="xl/workbook.xml"/></Relationships>')
# styles: xf 0 the default, xf 1 the header (bold, wrapped, top), xf 2 the body (wrapped, top)
_STYLES = (_HEAD + f'<styleSheet {_NS}>'
           '<fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
           '<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
           '<fills count="2"><fill><patternFill patternType="none"/></fill>'
           '<fill><patternFill patternType="gray125"/></fill></fills>'
           '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border>'
           '</borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" '
           'borderId="0"/></cellStyleXfs><cellXfs count="3">'
           '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
           '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1" '
           'applyAlignment="1"><alignment vertical="top" wrapText="1"/></xf>'
           '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" '
           'applyAlignment="1"><alignment vertical="top" wrapText="1"/></xf></cellXfs>'
           '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/>'
           '</cellStyles></styleSheet>')


def _content_types(n: int) -> str:
    main = "application/vnd.openxmlformats-officedocument.spreadsheetml"
    sheets = "".join(f'<Override PartName="/xl/worksheets/sheet{i}.xml" '
                     f'ContentType="{main}.worksheet+xml"/>' for i in range(1, n + 1))
    return (_HEAD + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Default Extension="rels" ContentType="application/'
            'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" '
            'ContentType="application/xml"/><Override PartName="/xl/workbook.xml" '
            f'ContentType="{main}.sheet.main+xml"/>{sheets}'
            f'<Override PartName="/xl/styles.xml" ContentType="{main}.styles+xml"/>'
            '<Override PartName="/xl/sharedStrings.xml" '
            f'ContentType="{main}.sharedStrings+xml"/></Types>')


def _workbook_rels(n: int) -> str:
    links = [f'<Relationship Id="rId{i}" Type="{_REL}/worksheet" '
             f'Target="worksheets/sheet{i}.xml"/>' for i in range(1, n + 1)]
    links.append(f'<Relationship Id="rId{n + 1}" Type="{_REL}/styles" Target="styles.xml"/>')
    links.append(f'<Relationship Id="rId{n + 2}" Type="{_REL}/sharedStrings" '
                 'Target="sharedStrings.xml"/>')
    return (_HEAD + '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
            'relationships">' + "".join(links) + "</Relationships>")


def _column(n: int) -> str:
    """The letters of the 1-based column n: A … Z, AA …"""
    out = ""
    while n:
        n, rest = divmod(n - 1, 26)
        out = chr(65 + rest) + out
    return out


def _filter_ref(header: list, rows: list[list]) -> str:
    return f"A1:{_column(max([len(header), *map(len, rows)]))}{len(rows) + 1}"


def _workbook_xml(sheets) -> str:
    names, filters = [], []
    for i, (title, header, rows, _widths) in enumerate(sheets):
        names.append(f'<sheet name="{_xml(title)}" sheetId="{i + 1}" r:id="rId{i + 1}"/>')
        if "'" in title:  # LibreOffice refuses a quoted quote there; our titles have none
            continue
        ref = re.sub(r"([A-Z]+)(\d+)", r"$\1$\2", _filter_ref(header, rows))
        filters.append(f'<definedName name="_xlnm._FilterDatabase" localSheetId="{i}" '
                       f"hidden=\"1\">'{_xml(title)}'!{ref}</definedName>")
    return (_HEAD + f'<workbook {_NS} xmlns:r="{_REL}"><bookViews><workbookView/></bookViews>'
            f'<sheets>{"".join(names)}</sheets><definedNames>{"".join(filters)}'
            '</definedNames></workbook>')


def _xml(text: str) -> str:
    """Text as XML content: the markup characters escaped, a CR kept as a reference (a parser
    would turn a bare one into LF)."""
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;").replace("\r", "&#13;"))


def _sheet_xml(header: list, rows: list[list], widths: list[int],
               strings: dict[str, int]) -> str:
    ref = _filter_ref(header, rows)
    letters = [_column(i) for i in range(1, max([len(header), *map(len, rows)]) + 1)]
    cols = "".join(f'<col min="{i}" max="{i}" width="{w}" customWidth="1"/>'
                   for i, w in enumerate(widths, 1))
    out = [_HEAD, f'<worksheet {_NS} xmlns:r="{_REL}"><dimension ref="{ref}"/>'
           '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" '
           'activePane="bottomLeft" state="frozen"/><selection pane="bottomLeft" '
           'activeCell="A2" sqref="A2"/></sheetView></sheetViews>'
           f'<sheetFormatPr defaultRowHeight="15"/><cols>{cols}</cols><sheetData>',
           _row_xml(1, header, letters, 1, strings)]
    for n, row in enumerate(rows, 2):
        out.append(_row_xml(n, row, letters, 2, strings))
    out.append(f'</sheetData><autoFilter ref="{ref}"/><pageMargins left="0.75" right="0.75" '
               'top="1" bottom="1" header="0.5" footer="0.5"/></worksheet>')
    return "".join(out)


def _row_xml(n: int, row: list, letters: list[str], style: int,
             strings: dict[str, int]) -> str:
    """One <row>: a string as an index into the shared strings (sanitised by `neutralise`,
    so never a formula), a number as a number, an empty or missing value as a styled blank."""
    cells = []
    for letter, value in zip(letters, row, strict=False):
        value = neutralise(value)
        if isinstance(value, str) and value:
            index = strings.get(value)
            if index is None:
                index = strings[value] = len(strings)
            cells.append(f'<c r="{letter}{n}" s="{style}" t="s"><v>{index}</v></c>')
        elif isinstance(value, bool):
            cells.append(f'<c r="{letter}{n}" s="{style}" t="b"><v>{int(value)}</v></c>')
        elif isinstance(value, int | float):
            cells.append(f'<c r="{letter}{n}" s="{style}"><v>{value}</v></c>')
        elif value is None or value == "":
            cells.append(f'<c r="{letter}{n}" s="{style}"/>')
        else:
            raise TypeError(f"an export cell holds {type(value).__name__}")
    return f'<row r="{n}">{"".join(cells)}</row>'


# Excel and LibreOffice read "_xHHHH_" in a shared string as the character U+HHHH; its "_"
# written as "_x005F_" keeps the text as typed (openpyxl reads that back the same way)
_ESCAPE_LIKE = re.compile(r"_(?=[xX][0-9A-Fa-f]{4}_)")


def _shared_strings(strings: dict[str, int]) -> str:
    items = []
    for text in strings:  # insertion order is index order
        space = ' xml:space="preserve"' if text != text.strip() else ""
        if "_x" in text or "_X" in text:  # "_x0001_" typed: literal, not the escape it reads as
            text = _ESCAPE_LIKE.sub("_x005F_", text)
        items.append(f"<si><t{space}>{_xml(text)}</t></si>")
    return (_HEAD + f'<sst {_NS} count="{len(items)}" uniqueCount="{len(items)}">'
            + "".join(items) + "</sst>")


async def export_bytes(svc, fmt: str, period: Period | None = None,
                       plan_id: str = DEFAULT_PLAN) -> Attachment:
    report = await collect(svc, period, history=fmt == "xlsx", plan_id=plan_id)
    return build_export(plan_knowledge(svc, plan_id), report, fmt, svc.settings.tz)


# ---------------------------------------------------------------- command line

def cli_export(fmt: str | None, period: str | None, output: str) -> int:
    from bot.config import load_settings

    out = Path(output)
    fmt = (fmt or out.suffix.lstrip(".")).lower()
    if fmt not in FORMATS:
        print(f"Không rõ định dạng tệp “{output}”: dùng --format csv|xlsx hoặc đuôi .csv/.xlsx.",
              file=sys.stderr)
        return 2
    settings = load_settings()
    chosen = None
    if period:
        today = datetime.now(settings.tz).date()
        chosen = parse_period(period, settings.tz, today)
        if chosen is None:
            print(f"Không hiểu kỳ báo cáo “{period}”: ví dụ 2026, 6T/2026, 2026-6T.",
                  file=sys.stderr)
            return 2
    folder = out.parent
    if not folder.is_dir():  # a typo in the path must not create folders silently
        why = "không phải là thư mục" if folder.exists() else "không tồn tại"
        print(f"Thư mục “{folder}” {why}.", file=sys.stderr)
        return 1
    try:
        attachment = asyncio.run(_export(settings, fmt, chosen))
        out.write_bytes(attachment.content)
    except Exception as e:  # one line for the operator, never a traceback
        print(f"Không xuất được báo cáo: {type(e).__name__}: {e}", file=sys.stderr)
        return 1
    print(f"Đã xuất {out} ({fmt_int(len(attachment.content))} byte).")
    return 0


async def _export(settings, fmt: str, period: Period | None) -> Attachment:
    from bot.services import open_services

    svc = await open_services(settings)
    try:
        return await export_bytes(svc, fmt, period)
    finally:
        await svc.close()
