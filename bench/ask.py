"""Speed of the answering engine.

    python bench/ask.py [QUESTIONS.jsonl] [--repeat 20] [--runs 5]

Prints the median and 99th-percentile time per question over the question set (default
../shared/eval/questions.jsonl, or a built-in sample when absent) repeated N times in one
process, then the median wall time of a whole `python -m bot ask "Sở Xây dựng phải làm gì?"`.
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_SET = ROOT.parent / "shared" / "eval" / "questions.jsonl"
SAMPLE = ["Sở Xây dựng phải làm gì?", "so xay dugn", "ai lo GPMB KCN Việt Hàn?",
          "nhà ở xã hội cho công nhân", "hạn báo cáo năm?", "mục 5.6", "công nghiệp",
          "mục tiêu GRDP công nghiệp", "Ai ký kế hoạch?", "giá vàng hôm nay"]
ONE = "Sở Xây dựng phải làm gì?"


def load_questions(path: Path) -> list[str]:
    try:
        rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()
                if line.strip()]
        return [r["q"] for r in rows if r.get("q")] or SAMPLE
    except (OSError, ValueError, KeyError, TypeError):
        print(f"({path} unavailable: using {len(SAMPLE)} built-in questions)")
        return SAMPLE


def percentile(values: list[float], p: float) -> float:
    s = sorted(values)
    k = min(len(s) - 1, max(0, round(p / 100 * (len(s) - 1))))
    return s[k]


def in_process(questions: list[str], repeat: int) -> list[float]:
    from bot.answer import answer
    from bot.knowledge import load_knowledge

    kb = load_knowledge()
    answer(kb, "khởi động")  # the index is built once; time the questions, not the build
    times = []
    for _ in range(repeat):
        for q in questions:
            t0 = time.perf_counter()
            answer(kb, q)
            times.append(time.perf_counter() - t0)
    return times


def whole_process(runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "bot", "ask", ONE], cwd=ROOT, check=True,
                       stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - t0)
    return times


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("questions", nargs="?", default=str(DEFAULT_SET))
    ap.add_argument("--repeat", type=int, default=20)
    ap.add_argument("--runs", type=int, default=5)
    a = ap.parse_args()
    qs = load_questions(Path(a.questions))
    t0 = time.perf_counter()
    from bot.answer import index_for
    from bot.knowledge import load_knowledge
    index_for(load_knowledge())
    build = time.perf_counter() - t0
    times = in_process(qs, a.repeat)
    print(f"questions: {len(qs)} x {a.repeat} = {len(times)} answers")
    print(f"load + index build: {build * 1000:.1f} ms (once per process)")
    print(f"per question: median {statistics.median(times) * 1000:.3f} ms, "
          f"p99 {percentile(times, 99) * 1000:.3f} ms, max {max(times) * 1000:.3f} ms")
    # each question's fastest run: what the engine costs, without the waits of a busy
    # machine (other processes preempting this one show up in the figures above only)
    best = [min(times[i::len(qs)]) for i in range(len(qs))]
    print(f"per question, best of {a.repeat}: median {statistics.median(best) * 1000:.3f} ms, "
          f"p99 {percentile(best, 99) * 1000:.3f} ms, max {max(best) * 1000:.3f} ms")
    wall = whole_process(a.runs)
    print(f"`python -m bot ask \"{ONE}\"`: median {statistics.median(wall):.3f} s "
          f"over {a.runs} runs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
