"""/tonghop, the CSV and XLSX exports and the DOCX report on a full database, with their outputs
kept so a change can be checked not to alter them.

    python bench/export.py [--units 60] [--periods 10] [--runs 3] [--no-postgres]
                           [--dump DIR] [--profile csv|xlsx|tonghop|docx|progress]

The data is bench/desk.py's: KH147 with every task given to a collective of `--units` member
units, one update per (unit, task, period), about 49,000 rows. Timed on a fresh SQLite file,
then on PostgreSQL (TEST_POSTGRES_URL or 127.0.0.1:5432, a throw-away schema): `/tonghop`
through handlers.dispatch, `export_bytes` CSV and XLSX, `unit_progress` (reminders,
/trangthai) and the DOCX `build_report`. Aim: each under 1 s.

With --dump DIR, each engine writes DIR/<engine>/tonghop.txt, export.csv, xlsx.json (every
sheet's cell values), progress.txt and document.xml (the DOCX's body, canonical XML); `diff -r` two dumps to compare before and after.
"""
from __future__ import annotations

import argparse
import io
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


from bench.desk import fill  # noqa: E402
from bench.wide import NOW, on_each_engine, wide_plan  # noqa: E402
from bot import export, progress  # noqa: E402
from bot.core import Request  # noqa: E402
from bot.periods import current_period  # noqa: E402
from handlers import dispatch  # noqa: E402


def xlsx_values(content: bytes) -> dict:
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(content), read_only=True)
    return {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in wb}


async def steps(svc):
    """name -> coroutine factory returning something to dump."""
    req = Request(channel="telegram", user_id="900", chat_id="900", text="/tonghop")
    period = current_period(svc.local_now().date(), svc.settings.tz)

    async def tonghop():
        return "\n".join(r.text for r in await dispatch(req, svc))

    async def csv():
        return (await export.export_bytes(svc, "csv")).content

    async def xlsx():
        return (await export.export_bytes(svc, "xlsx")).content

    async def prog():
        found = await progress.unit_progress(svc, period)
        return "\n".join(f"{k}: {v.text()}" for k, v in found.items())

    async def docx():
        from bot.report import build_report

        return await build_report(svc, period, plan_id="kh147")

    return {"tonghop": tonghop, "csv": csv, "xlsx": xlsx, "progress": prog, "docx": docx}


def dump(folder: Path, name: str, value) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    if name == "tonghop" or name == "progress":
        (folder / f"{name}.txt").write_text(value)
    elif name == "csv":
        (folder / "export.csv").write_bytes(value)
    elif name == "docx":
        import zipfile

        from lxml import etree

        body = zipfile.ZipFile(io.BytesIO(value)).read("word/document.xml")
        (folder / "document.xml").write_bytes(etree.tostring(etree.fromstring(body),
                                                             method="c14n"))
    elif name == "xlsx":
        (folder / "xlsx.json").write_text(json.dumps(xlsx_values(value), ensure_ascii=False,
                                                     indent=0, default=str))


async def run(svc, label: str, args) -> None:
    svc.kb = wide_plan(args.units)
    svc.clock = lambda: NOW
    n = await fill(svc, args.units, args.periods)
    print(f"[{label}] {n:,} updates")
    for name, make in (await steps(svc)).items():
        if args.only and name not in args.only:
            continue
        if args.profile == name:
            from pyinstrument import Profiler

            with Profiler(async_mode="enabled") as prof:
                await make()
            prof.write_html(f"/tmp/profile_{label}_{name}.html")
            print(prof.output_text(unicode=True, color=False, show_all=False)[:args.chars])
            continue
        times, cpu, value = [], [], None
        for _ in range(args.runs):
            t, c = time.perf_counter(), time.process_time()
            value = await make()
            times.append((time.perf_counter() - t) * 1000)
            cpu.append((time.process_time() - c) * 1000)
        # CPU time too (every thread of the process, the driver's included): on a shared,
        # loaded machine the wall clock mostly measures the neighbours
        print(f"[{label}] {name:9s} p50 {statistics.median(times):8.1f} ms, "
              f"max {max(times):8.1f} ms, CPU p50 {statistics.median(cpu):8.1f} ms "
              f"over {args.runs}", flush=True)
        if args.dump:
            dump(Path(args.dump) / label, name, value)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--units", type=int, default=60)
    ap.add_argument("--periods", type=int, default=10)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--no-postgres", action="store_true")
    ap.add_argument("--no-sqlite", action="store_true")
    ap.add_argument("--only", nargs="*", help="tonghop csv xlsx progress docx")
    ap.add_argument("--dump", help="write the outputs under this folder")
    ap.add_argument("--profile", help="profile this step once (pyinstrument) instead")
    ap.add_argument("--chars", type=int, default=6000, help="profile text shown")
    args = ap.parse_args()
    on_each_engine(run, args, sqlite=not args.no_sqlite, postgres=not args.no_postgres,
                   ADMIN_TELEGRAM_IDS="900")


if __name__ == "__main__":
    main()
