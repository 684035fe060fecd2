"""The compiled DOCX report (bot/report.py) on a full database: 60 units x 82 tasks x 10
periods of updates (~49,000 rows).

    python bench/report.py [--units 60] [--periods 10] [--runs 7]

The plan is KH147 with every task given to a collective of `--units` member units, so each
unit answers for all 82 tasks: the widest report there can be (4,920 unit-task entries, each
quoted in part II and listed in Biểu 01). Each (unit, task, period) gets one update inside the
period's window, with a result and, for some, obstacles and proposals. Timed on a fresh SQLite
file, then on PostgreSQL (TEST_POSTGRES_URL or 127.0.0.1:5432, in a throw-away schema): the
whole `build_report` (read the history, compile, render) min / median / p95 over `--runs`,
and apart the reading-and-compiling and the rendering. Aim: under 1 s.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.wide import NOW, STATUSES, fill_updates, on_each_engine, pct, wide_plan  # noqa: E402
from bot import report  # noqa: E402


def report_fields(rnd, p) -> dict:
    """A result for every update; obstacles for the stuck ones, proposals for a tenth."""
    status = rnd.choice(STATUSES)
    result = f"Kỳ {p.id}: tiến độ {rnd.randint(0, 100)}%, đã làm việc với các đơn vị."
    return dict(status=status, note=result, result=result,
                obstacles="Thiếu kinh phí thực hiện" if status == "vuong" else "",
                proposals="Đề nghị bố trí vốn" if rnd.random() < 0.1 else "")


async def fill(svc, units: int, periods: int) -> int:
    return await fill_updates(svc, units, periods, report_fields)


def line(name: str, ms: list[float]) -> str:
    return (f"  {name:<28} min {min(ms):7.0f} ms   median {statistics.median(ms):7.0f} ms   "
            f"p95 {pct(ms, 0.95):7.0f} ms")


async def run(svc, label: str, args) -> None:
    svc.kb = wide_plan(args.units)
    svc.clock = lambda: NOW
    t = time.perf_counter()
    n = await fill(svc, args.units, args.periods)
    print(f"[{label}] {n:,} updates stored in {time.perf_counter() - t:.1f} s "
          f"({args.units} units x {len(svc.kb.tasks)} tasks x {args.periods} periods)")
    whole, compiled, rendered, size = [], [], [], 0
    for _ in range(args.runs):
        t0 = time.perf_counter()
        c = await report.compile_period(svc, "6T/2026")
        t1 = time.perf_counter()
        data = report.render(c)
        t2 = time.perf_counter()
        compiled.append((t1 - t0) * 1000)
        rendered.append((t2 - t1) * 1000)
        t3 = time.perf_counter()
        data = await report.build_report(svc, "6T/2026")
        whole.append((time.perf_counter() - t3) * 1000)
        size = len(data)
    print(f"  entries {len(c.entries):,}, DOCX {size / 1024:,.0f} KiB")
    print(line("build_report (whole)", whole))
    print(line("read history + compile", compiled))
    print(line("render DOCX", rendered))


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--units", type=int, default=60)
    p.add_argument("--periods", type=int, default=10)
    p.add_argument("--runs", type=int, default=7)
    args = p.parse_args()
    on_each_engine(run, args)


if __name__ == "__main__":
    main()
