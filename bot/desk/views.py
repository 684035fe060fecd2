"""The desk's pages (GET only): overview, matrix, a unit, a task, downloads."""
from __future__ import annotations

import inspect
from collections import defaultdict
from urllib.parse import urlencode

import aiohttp_jinja2
from aiohttp import web

from bot import buckets, export
from bot.calendar import fmt_int
from bot.desk import data
from bot.periods import Period, fmt_local, fmt_window, parse_period
from bot.statuses import label

SYMBOLS = {buckets.DONE_ONTIME: "✓", buckets.DONE_LATE: "✓", buckets.OPEN_ONTIME: "•",
           buckets.OPEN_OVERDUE: "!", buckets.UNREPORTED: "?"}
MIMES = {"csv": export.CSV_MIME, "xlsx": export.XLSX_MIME,
         "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}
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


def _svc(request: web.Request):
    from bot.desk.routes import SVC

    return request.app[SVC]


def _bad(message: str) -> web.HTTPBadRequest:
    return web.HTTPBadRequest(text=message)


def _period(request: web.Request) -> tuple[Period, list[Period]]:
    svc = _svc(request)
    choices = data.periods(svc)
    wanted = request.query.get("ky", "").strip()
    if not wanted:
        return choices[0], choices
    found = parse_period(wanted, svc.settings.tz)
    if found is None or found.id not in {p.id for p in choices}:
        raise _bad("Không có kỳ báo cáo này; xin chọn một kỳ trong danh sách.")
    return found, choices


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
    period, choices = _period(request)
    snap = await data.snapshot(_svc(request), period)
    return {"period": period, "periods": choices, "snap": snap, "ky": period.id,
            "page": request.match_info.route.name, "signed_in": True}


def _render(name: str, request: web.Request, context: dict) -> web.Response:
    return aiohttp_jinja2.render_template(name, request, context)


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
    kb, snap = _svc(request).kb, ctx["snap"]
    group, unit, bucket = _filters(request, kb, snap)
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
    ctx.update(title="Ma trận", rows=rows, columns=columns, groups=data.groups(kb),
               nhom=group, donvi=unit, loai=bucket,
               shown=sum(len(c) for _u, c in rows))
    return _render("matrix.html", request, ctx)


def _history_by_item(rows) -> dict[tuple[str, str], list]:
    out: dict[tuple[str, str], list] = defaultdict(list)
    for r in rows:
        out[(r.agency_id, r.item_id)].append(r)
    return out


def _merged(hist, agency_id: str, task_id: str, section_id: str) -> list:
    """A task's updates, newest first, the whole section's ones included."""
    rows = hist.get((agency_id, task_id), []) + hist.get((agency_id, section_id), [])
    return sorted(rows, key=lambda r: (r.created_at, r.id), reverse=True)


async def unit(request: web.Request) -> web.Response:
    ctx = await _base(request)
    svc, snap = _svc(request), ctx["snap"]
    agency_id = request.match_info["agency"]
    found = next((u for u in snap.units if u.agency_id == agency_id), None)
    if found is None:
        raise web.HTTPNotFound()
    hist = _history_by_item(await data.history(svc, [agency_id], until=snap.as_of))
    items = [(c, _merged(hist, agency_id, c.row.task_id, c.row.section_id))
             for c in found.cells]
    ctx.update(title=found.name, unit=found, items=items, bar=_bar(found.counts))
    return _render("unit.html", request, ctx)


async def task(request: web.Request) -> web.Response:
    ctx = await _base(request)
    svc, snap = _svc(request), ctx["snap"]
    task_id = request.match_info["task"]
    item = svc.kb.item(task_id)
    if item is None or not hasattr(item, "section"):
        raise web.HTTPNotFound()
    pairs = snap.by_task.get(task_id, [])
    hist = _history_by_item(await data.history(svc, [u.agency_id for u, _c in pairs],
                                               until=snap.as_of)) if pairs else {}
    items = [(u, c, _merged(hist, u.agency_id, task_id, item.section)) for u, c in pairs]
    ctx.update(title=f"Nhiệm vụ {task_id}", task=item, items=items,
               section=svc.kb.section(item.section),
               bar=_bar(buckets.count(c.bucket for _u, c in pairs)))
    return _render("task.html", request, ctx)


async def download(request: web.Request) -> web.Response:
    fmt = request.match_info["fmt"]
    if fmt not in MIMES:
        raise web.HTTPNotFound()
    svc = _svc(request)
    period, _choices = _period(request)
    if fmt == "docx":
        if not report_available():
            raise web.HTTPNotFound()
        from bot.report import build_report

        body = build_report(svc, period, plan_id="kh147")
        if inspect.isawaitable(body):
            body = await body
        name = f"kh147_bao_cao_{period.id}.docx"
    else:
        snap = await data.snapshot(svc, period)
        attachment = export.build_export(svc.kb, snap.report, fmt, svc.settings.tz)
        body, name = attachment.content, attachment.filename
    return web.Response(body=body, headers={
        "Content-Type": MIMES[fmt],
        "Content-Disposition": f'attachment; filename="{name}"'})
