"""Command line: `python -m bot {run,chat,ask,remind,export,report,db}` (README: Command line).

Each sub-command imports only what it needs, so `ask` starts fast and never loads a channel.
"""
from __future__ import annotations

import argparse
import os
import sys


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="kh147", description="Trợ lý Kế hoạch thực hiện NQ 147-NQ/TU")
    sub = p.add_subparsers(dest="cmd", required=True)
    sub.add_parser("run", help="serve Telegram/Zalo and the reminder loop")
    c = sub.add_parser("chat", help="the conversation in the terminal")
    c.add_argument("--user-id", default="1")
    c.add_argument("--admin", action="store_true")
    a = sub.add_parser("ask", help="answer one question, or one per stdin line with '-'")
    a.add_argument("--json", action="store_true")
    a.add_argument("--plan", default=None, help="answer from this plan (id); default KH147")
    a.add_argument("question", nargs="+")
    r = sub.add_parser("remind", help="one reminder pass as of an instant")
    r.add_argument("--at", required=True, help="ISO 8601 instant, e.g. 2026-12-01T08:00+07:00")
    r.add_argument("--dry-run", action="store_true")
    e = sub.add_parser("export", help="status export (CSV/XLSX)")
    e.add_argument("--format", choices=("csv", "xlsx"), default=None)
    e.add_argument("--period", default=None)
    e.add_argument("-o", "--output", required=True)
    rp = sub.add_parser("report", help="the compiled period report (DOCX)")
    rp.add_argument("--period", default=None)
    rp.add_argument("--plan", default=None)
    rp.add_argument("-o", "--output", required=True)
    d = sub.add_parser("db", help="database maintenance")
    d.add_argument("action", choices=("upgrade",))
    i = sub.add_parser("import", help="a plan document (.txt/.docx/.pdf) into a plan file")
    i.add_argument("file")
    i.add_argument("-o", "--output", default=None, help="default: knowledge/<plan id>.json")
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.cmd == "ask":
        from bot.answer import cli_ask
        return cli_ask(" ".join(args.question), as_json=args.json, plan=args.plan)
    if args.cmd == "chat":
        from bot.channels.console import cli_chat
        return cli_chat(user_id=str(args.user_id), admin=args.admin)
    if args.cmd == "run":
        from bot.runner import cli_run
        return cli_run()
    if args.cmd == "remind":
        from bot.remind_cli import cli_remind
        return cli_remind(at=args.at, dry_run=args.dry_run)
    if args.cmd == "export":
        from bot.export import cli_export
        return cli_export(fmt=args.format, period=args.period, output=args.output)
    if args.cmd == "report":
        from bot.report import cli_report
        return cli_report(period=args.period, plan=args.plan, output=args.output)
    if args.cmd == "db":
        from bot.db.migrate import cli_upgrade
        return cli_upgrade()
    if args.cmd == "import":
        from bot.importer import main as cli_import
        return cli_import(args.file, args.output)
    return 2


def cli() -> int:
    """`main`, with the two endings every sub-command shares: a channel whose settings do not
    fit together (one line, exit 2), and a reader of our output that went away (`| head`)."""
    from bot.errors import ConfigError

    try:
        return main()
    except ConfigError as e:
        print(e, file=sys.stderr)
        return 2
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(cli())
