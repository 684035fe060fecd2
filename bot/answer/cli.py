"""`python -m bot ask [--json] QUESTION|-`: one question, or one per stdin line."""
from __future__ import annotations

import json
import os
import sys
from datetime import date

from bot.answer.engine import answer, local_today
from bot.answer.model import Answer


def _emit(ans: Answer, question: str, as_json: bool, one_line: bool,
          plan: str = "kh147") -> None:
    """Print one answer: a JSON line, or the text (on one line, " | "-joined, for stdin mode)."""
    if as_json:
        out = json.dumps({**ans.to_json(question), "plan": plan}, ensure_ascii=False)
    else:
        text = ans.text + "".join(f"\n• {label}: «{q}»" for label, q in ans.choices)
        out = text.replace("\n", " | ") if one_line else text
    sys.stdout.write(out + "\n")
    sys.stdout.flush()


def cli_ask(question: str, as_json: bool, plan: str | None = None) -> int:
    """`ask`: one question, or with "-" one question per stdin line (one output line each).
    `plan` scopes the questions to one plan; without it a question naming its plan ("kế
    hoạch 134") is answered from that plan, any other from KH147."""
    from bot.knowledge import KnowledgeError, load_plans
    try:
        plans = load_plans(_plans_dir())
    except KnowledgeError as e:
        sys.stderr.write(f"Không đọc được dữ liệu Kế hoạch: {e}\n")
        return 1
    if plan is not None and plan not in plans.ids:
        sys.stderr.write(f"Không có kế hoạch «{plan}»; các kế hoạch: {', '.join(plans.ids)}\n")
        return 2
    today = local_today()

    def one(q: str, one_line: bool) -> None:
        pid, asked = (plan, q) if plan else plans.pick(q)
        _emit(_safe_answer(plans.get(pid), asked, today), q, as_json, one_line, pid)

    try:
        if question.strip() != "-":
            one(question, one_line=False)
            return 0
        for line in sys.stdin:
            one(line.rstrip("\r\n"), one_line=True)
    except BrokenPipeError:  # the reader went away (`| head`): nothing left to do
        sys.stderr.close()
    return 0


def _plans_dir() -> str | None:
    """PLANS_DIR for `ask`. Without the variable and without a `.env` file there is nothing
    to read: bot.config (pydantic-settings, ~130 ms to import) is left out of the process.
    Otherwise it reads the setting as every command does (a missing folder: one line, exit 2);
    like pydantic-settings, the variable's name is matched whatever its case."""
    if not any(k.upper() == "PLANS_DIR" for k in os.environ) and not os.path.exists(".env"):
        return None
    from bot.config import plans_dir_setting
    return plans_dir_setting()


def _safe_answer(kb, question: str, today: date) -> Answer:
    """One odd line must not cost the answers to the lines after it."""
    try:
        return answer(kb, question, today)
    except Exception as e:  # noqa: BLE001 — reported, and the stream goes on
        sys.stderr.write(f"ask: {type(e).__name__}: {e} (question: {question[:80]!r})\n")
        return Answer("none", "Xin lỗi, chưa trả lời được câu hỏi này. Xin hỏi cách khác, ví dụ "
                              "«Nhiệm vụ của Sở Y tế?».")
