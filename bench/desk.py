"""The web desk under load: 60 units x 82 tasks x 10 periods of updates (~49,000 rows).

    python bench/desk.py [--units 60] [--periods 10] [--requests 40]

The plan is KH147 with every task given to a collective of `--units` member units, so each
unit answers for all 82 tasks (the widest matrix the desk can meet). Each (unit, task, period)
gets one update inside the period's window. Timed, on a fresh SQLite file and then on
PostgreSQL (TEST_POSTGRES_URL or 127.0.0.1:5432, a throw-away schema):

- the overview and matrix pages, through the real aiohttp app with a signed-in cookie:
  p50/p95 of `--requests` loads, and the first load after a new update (snapshot rebuilt);
- `/tonghop` through handlers.dispatch; the XLSX export; the DOCX report (bot/report.py).
"""
from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from aiohttp.test_utils import TestClient, TestServer  # noqa: E402

from bench.wide import NOW, STATUSES, fill_updates, on_each_engine, pct, wide_plan  # noqa: E402
from bot import export  # noqa: E402
from bot.core import Request  # noqa: E402
from bot.db import repo  # noqa: E402
from bot.desk import auth, data, routes  # noqa: E402
from bot.web import make_app  # noqa: E402
from handlers import dispatch  # noqa: E402


def desk_fields(rnd, p) -> dict:
    return dict(status=rnd.choice(STATUSES),
                note=f"Báo cáo kỳ {p.id}: tiến độ {rnd.randint(0, 100)}%, "
                     "đã làm việc với các đơn vị liên quan.")


async def fill(svc, units: int, periods: int) -> int:
    return await fill_updates(svc, units, periods, desk_fields)


async def timed(coro) -> float:
    t = time.perf_counter()
    await coro
    return (time.perf_counter() - t) * 1000


async def page_times(cl, path: str, headers, n: int) -> list[float]:
    out = []
    for _ in range(n):
        t = time.perf_counter()
        r = await cl.get(path, headers=headers)
        await r.read()
        assert r.status == 200, (path, r.status)
        out.append((time.perf_counter() - t) * 1000)
    return out


async def run(svc, label: str, args) -> None:
    svc.kb = wide_plan(args.units)
    svc.clock = lambda: NOW
    svc.settings = svc.settings.model_copy(update={"PUBLIC_BASE_URL": "http://127.0.0.1"})
    t = time.perf_counter()
    n = await fill(svc, args.units, args.periods)
    print(f"[{label}] {n:,} updates stored in {time.perf_counter() - t:.1f} s "
          f"({args.units} units x {len(svc.kb.tasks)} tasks x {args.periods} periods)")
    token = await auth.open_session(svc, "telegram", "900")
    headers = {"Cookie": f"{routes.COOKIE}={token}"}
    app = make_app([])
    routes.setup(app, svc)
    async with TestClient(TestServer(app)) as cl:
        for path, name in (("/desk/", "overview"), ("/desk/matran", "matrix"),
                           ("/desk/matran?nhom=2&loai=open_overdue", "matrix, filtered"),
                           ("/desk/donvi/dv07", "unit page")):
            cold = (await page_times(cl, path, headers, 1))[0]
            warm = await page_times(cl, path, headers, args.requests)
            print(f"[{label}] {name:17s} first {cold:7.1f} ms; p50 {pct(warm, .5):6.1f} ms, "
                  f"p95 {pct(warm, .95):6.1f} ms over {args.requests}")
        # a unit reports: the period's snapshot is rebuilt in a worker thread
        first, ready = [], []
        for i in range(3):
            await repo.add_status(svc.sessions, user_id=1, agency_id="dv01", item_id="2.2.1",
                                  status="dang", note=f"mới {i}", channel="telegram",
                                  at=NOW - timedelta(minutes=5 - i))
            t = time.perf_counter()
            first += await page_times(cl, "/desk/", headers, 1)
            while True:  # until the page shows the new picture
                r = await cl.get("/desk/", headers=headers)
                if "Đang tổng hợp" not in await r.text():
                    break
                await asyncio.sleep(0.05)
            ready.append((time.perf_counter() - t) * 1000)
        print(f"[{label}] overview after a new update: answered in p50 "
              f"{statistics.median(first):6.1f} ms (max {max(first):6.1f}); the new picture "
              f"shown after p50 {statistics.median(ready):6.1f} ms (max {max(ready):6.1f})")
        if args.pages_only:
            return
        xlsx_page = await page_times(cl, "/desk/tai/xlsx", headers, 1)
        print(f"[{label}] XLSX download (desk, the /xuat file) {xlsx_page[0]:8.1f} ms")
    req = Request(channel="telegram", user_id="900", chat_id="900", text="/tonghop")
    tonghop = [await timed(dispatch(req, svc)) for _ in range(3)]
    print(f"[{label}] /tonghop (dispatch) p50 {statistics.median(tonghop):6.1f} ms, "
          f"max {max(tonghop):6.1f} ms over 3")
    csv = await timed(export.export_bytes(svc, "csv"))
    print(f"[{label}] CSV (export_bytes, from the database) {csv:8.1f} ms")
    try:
        from bot.report import build_report
    except ImportError:
        print(f"[{label}] DOCX: bot/report.py not there yet")
        return
    period = data.periods(svc)[0]

    async def docx():
        body = build_report(svc, period, plan_id="kh147")
        if asyncio.iscoroutine(body):
            await body

    times = [await timed(docx()) for _ in range(3)]
    print(f"[{label}] DOCX report p50 {statistics.median(times):6.1f} ms, "
          f"max {max(times):6.1f} ms over 3")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--units", type=int, default=60)
    ap.add_argument("--periods", type=int, default=10)
    ap.add_argument("--requests", type=int, default=40)
    ap.add_argument("--no-postgres", action="store_true")
    ap.add_argument("--pages-only", action="store_true", help="skip /tonghop and the files")
    args = ap.parse_args()
    on_each_engine(run, args, postgres=not args.no_postgres, ADMIN_TELEGRAM_IDS="900")


if __name__ == "__main__":
    main()
