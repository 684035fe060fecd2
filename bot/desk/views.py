"""The desk's pages (GET only): overview, matrix, a unit, a task, downloads.

Every page and download is one plan's: `?plan=ID` (KH147 when absent), chosen beside the
period; a plan the bot does not serve is "not found", like any other unknown page."""
from __future__ import annotations

import inspect
from urllib.parse import urlencode

import aiohttp_jinja2
from aiohttp import web
from markupsafe import Markup, escape

from bot import buckets, export
from bot.calendar import fmt_int
from bot.desk import data
from bot.knowledge import DEFAULT_PLAN
from bot.periods import Period, fmt_local, fmt_window, parse_period
from bot.statuses import label

SYMBOLS = {buckets.DONE_ONTIME: "✓", buckets.DONE_LATE: "✓", buckets.OPEN_ONTIME: "•",
           buckets.OPEN_OVERDUE: "!", buckets.UNREPORTED: "?"}
MIMES = {"csv": export.CSV_MIME, "xlsx": export.XLSX_MIME,
         "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}
MAX_RENDERED = 300  # pages kept per snapshot
NOTE_IN_TITLE = 300  # characters of a note shown on hover; the unit's page has it whole
DOWNLOAD_NAMES = {"csv": "CSV", "xlsx": "Excel (XLSX)", "docx": "Báo cáo (DOCX)"}


def register_filters(env, svc) -> None:
    tz = svc.settings.tz
    env.filters["when"] = lambda m: fmt_local(m, tz) if m else ""
    env.filters["day"] = lambda m: fmt_local(m, tz, with_time=False) if m else ""
    env.filters["num"] = fmt_int
    env.filters["status"] = label
    env.globals.update(qs=_qs, LABELS=buckets.LABELS, BUCKETS=buckets.BUCKETS,
                       SYMBOLS=SYMBOLS, DOWNLOAD_NAMES=DOWNLOAD_NAMES, fmt_window=fmt_window,
                       report_available=report_available)


def _qs(**params) -> str:
    return urlencode({k: v for k, v in params.items() if v})


def report_available() -> bool:
    try:
        from bot.report import build_report  # noqa: F401  (the compiled DOCX, bot/report.py)
    except ImportError:
        return False
    return True


SVC = web.AppKey("desk_svc", object)


def _svc(request: web.Request):
    return request.app[SVC]


def _bad(message: str) -> web.HTTPBadRequest:
    return web.HTTPBadRequest(text=message)


def _plan(request: web.Request) -> tuple[str, object, dict]:
    """(plan id, its Knowledge, every loaded plan) from `?plan=`; 404 for a plan not served."""
    plans = export.loaded_plans(_svc(request))
    wanted = request.query.get("plan", "").strip() or DEFAULT_PLAN
    if wanted not in plans:
        raise web.HTTPNotFound()
    return wanted, plans[wanted], plans


def _period(request: web.Request, plan_id: str, kb) -> tuple[Period, list[Period]]:
    """(the period of `?ky=`, the chooser's periods). Another plan with its own reports
    (ids like "VI.1-month@2026-12-20") also takes a KH147 period ("2026", as /tonghop kh134
    2026 does), shown in its chooser then; a period it does not have is "not found"."""
    svc = _svc(request)
    choices = data.periods(svc, plan_id, kb)
    wanted = request.query.get("ky", "").strip()
    if not wanted:
        return choices[0], choices
    listed = next((p for p in choices if p.id == wanted), None)
    if listed is not None:
        return listed, choices
    found = parse_period(wanted, svc.settings.tz)
    kh147 = choices if plan_id == DEFAULT_PLAN else data.periods(svc)
    if found is not None and found.id in {p.id for p in kh147}:
        return found, choices if found in choices else [*choices, found]
    if choices[0].kind in _KH147_KINDS:
        raise _bad("Không có kỳ báo cáo này; xin chọn một kỳ trong danh sách.")
    raise web.HTTPNotFound()  # another plan's period id: nothing of it is echoed


_KH147_KINDS = ("6T", "year")  # the periods of KH147's IV.3 reports (bot.periods)


def _bar(counts: dict[str, int]) -> list[tuple[str, int, float, float]]:
    """(bucket, count, x, width) in percent, for a stacked SVG bar."""
    total = sum(counts.values()) or 1
    out, x = [], 0.0
    for key in buckets.BUCKETS:
        width = 100.0 * counts.get(key, 0) / total
        if counts.get(key):
            out.append((key, counts[key], round(x, 3), round(width, 3)))
        x += width
    return out


async def _base(request: web.Request) -> dict:
    plan_id, kb, plans = _plan(request)
    period, choices = _period(request, plan_id, kb)
    snap, refreshing = await data.current(_svc(request), period, plan_id=plan_id)
    return {"period": period, "periods": choices, "snap": snap, "ky": period.id,
            "page": request.match_info.route.name, "signed_in": True,
            "refreshing": refreshing, "kb": kb, "plan_id": plan_id,
            # in links: nothing for KH147, so its addresses stay as they were
            "plan": "" if plan_id == DEFAULT_PLAN else plan_id,
            "plan_name": export.plan_short(plan_id, kb),
            "plans": [(pid, export.plan_short(pid, k)) for pid, k in plans.items()]}


def _render(name: str, request: web.Request, context: dict) -> web.Response:
    """A page drawn from a snapshot is drawn once: it shows nothing about who asks."""
    snap = context["snap"]
    key = ("page", request.path_qs)
    text = None if context["refreshing"] else snap.rendered.get(key)
    if text is None:
        text = aiohttp_jinja2.render_string(name, request, context)
        if not context["refreshing"] and len(snap.rendered) < MAX_RENDERED:
            snap.rendered[key] = text
    return web.Response(text=text, content_type="text/html", charset="utf-8")


async def overview(request: web.Request) -> web.Response:
    ctx = await _base(request)
    snap = ctx["snap"]
    total = sum(snap.totals.values())
    ctx.update(title="Tổng quan", total=total, bar=_bar(snap.totals),
               unit_bars=[(u, _bar(u.counts)) for u in snap.units],
               done=sum(snap.totals[k] for k in buckets.DONE))
    return _render("overview.html", request, ctx)


def _filters(request: web.Request, kb, snap) -> tuple[str, str, str]:
    group = request.query.get("nhom", "").strip()
    unit = request.query.get("donvi", "").strip()
    bucket = request.query.get("loai", "").strip()
    if group and group not in {g for g, _t, _ids in data.groups(kb)}:
        raise _bad("Không có nhóm nhiệm vụ này.")
    if unit and unit not in {u.agency_id for u in snap.units}:
        raise _bad("Không có cơ quan, đơn vị này trong kỳ báo cáo.")
    if bucket and bucket not in buckets.LABELS:
        raise _bad("Không có loại đánh giá này.")
    return group, unit, bucket


async def matrix(request: web.Request) -> web.Response:
    ctx = await _base(request)
    svc, snap, kb = _svc(request), ctx["snap"], ctx["kb"]
    group, unit, bucket = _filters(request, kb, snap)
    key = ("matrix", group, unit, bucket)
    if key not in snap.rendered:  # the same picture until the next update or minute
        snap.rendered[key] = _matrix(svc, kb, ctx["plan"], snap, group, unit, bucket)
    ctx.update(snap.rendered[key])
    ctx.update(title="Ma trận", groups=data.groups(kb), nhom=group, donvi=unit, loai=bucket)
    return _render("matrix.html", request, ctx)


def _matrix(svc, kb, plan: str, snap, group: str, unit: str, bucket: str) -> dict:
    in_group = None
    if group:
        in_group = next(set(ids) for g, _t, ids in data.groups(kb) if g == group)
    rows = []
    used: set[str] = set()
    for u in snap.units:
        if unit and u.agency_id != unit:
            continue
        cells = {c.row.task_id: c for c in u.cells
                 if (in_group is None or c.row.task_id in in_group)
                 and (not bucket or c.bucket == bucket)}
        if cells:
            rows.append((u, cells))
            used.update(cells)
    columns = []  # (group id, group title, [task ids]) with only the tasks some row has
    for g, title, ids in data.groups(kb):
        shown = [t for t in ids if t in used]
        if shown:
            columns.append((g, title, shown))
    order = [t for _g, _title, ids in columns for t in ids]
    ky = _qs(ky=snap.period.id, plan=plan)
    body = Markup("").join(_matrix_row(u, cells, order, ky, svc.settings.tz)
                           for u, cells in rows)
    return {"rows": rows, "columns": columns, "body": body,
            "shown": sum(len(c) for _u, c in rows)}


def _matrix_row(u, cells, order: list[str], ky: str, tz) -> Markup:
    """One unit's row; drawn here, not in the template: a matrix has thousands of cells."""
    href = f"/desk/donvi/{escape(u.agency_id)}?{escape(ky)}"
    out = [f'<tr><th scope="row" class="unitname"><a href="{href}">{escape(u.name)}</a></th>']
    for t in order:
        c = cells.get(t)
        if c is None:
            out.append('<td class="na"></td>')
            continue
        out.append(f'<td class="b-{c.bucket}"><a href="{href}#t-{escape(t)}" '
                   f'title="{escape(_cell_title(u, c, tz))}">{SYMBOLS[c.bucket]}</a></td>')
    out.append("</tr>\n")
    return Markup("".join(out))


def _cell_title(u, c, tz) -> str:
    r = c.row.latest
    lines = [f"{c.row.task_id} · {u.name}", buckets.LABELS[c.bucket]]
    if r is None:
        lines.append("Chưa có cập nhật")
    else:
        who = f", {r.user_name}" if r.user_name else ""
        lines.append(f"{label(r.status)}, {fmt_local(r.created_at, tz)}{who}")
        if r.note:
            note = r.note if len(r.note) <= NOTE_IN_TITLE else r.note[:NOTE_IN_TITLE] + "…"
            lines.append(f"Ghi chú: {note}")
    return "\n".join(lines)


async def unit(request: web.Request) -> web.Response:
    ctx = await _base(request)
    snap = ctx["snap"]
    agency_id = request.match_info["agency"]
    found = next((u for u in snap.units if u.agency_id == agency_id), None)
    if found is None:
        raise web.HTTPNotFound()
    items = [(c, snap.history_of(agency_id, c.row.task_id, c.row.section_id))
             for c in found.cells]
    ctx.update(title=found.name, unit=found, items=items, bar=_bar(found.counts))
    return _render("unit.html", request, ctx)


async def task(request: web.Request) -> web.Response:
    ctx = await _base(request)
    snap, kb = ctx["snap"], ctx["kb"]
    task_id = request.match_info["task"]
    item = kb.item(task_id)
    if item is None or not hasattr(item, "section"):
        raise web.HTTPNotFound()
    pairs = snap.by_task.get(task_id, [])
    items = [(u, c, snap.history_of(u.agency_id, task_id, item.section)) for u, c in pairs]
    ctx.update(title=f"Nhiệm vụ {task_id}", task=item, items=items,
               section=kb.section(item.section),
               bar=_bar(buckets.count(c.bucket for _u, c in pairs)))
    return _render("task.html", request, ctx)


async def download(request: web.Request) -> web.Response:
    fmt = request.match_info["fmt"]
    if fmt not in MIMES:
        raise web.HTTPNotFound()
    svc = _svc(request)
    plan_id, kb, _plans = _plan(request)
    period, _choices = _period(request, plan_id, kb)
    if fmt == "docx":
        if not report_available():
            raise web.HTTPNotFound()
        from bot import report

        body = report.build_report(svc, period, plan_id=plan_id)
        if inspect.isawaitable(body):
            body = await body
        naming = getattr(report, "report_filename", None)
        name = naming(period, plan_id) if naming else f"bao_cao_{plan_id}_{period.id}.docx"
    else:  # the same file as /xuat
        attachment = await export.export_bytes(svc, fmt, period, plan_id=plan_id)
        body, name = attachment.content, attachment.filename
    return web.Response(body=body, headers={
        "Content-Type": MIMES[fmt],
        "Content-Disposition": f'attachment; filename="{name}"'})
