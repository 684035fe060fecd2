"""Score two-turn conversations (bench/heldout_followups.jsonl, rules in bench/HELDOUT.md).

    python bench/followups.py [FILE] [-v] [--alone]

Each conversation's first turn is answered with no history, the second with the subject the
first left (bot.answer.followup.converse); --alone answers the second turn on its own (what the
bot did before it kept a subject). The expectation applies to the second turn.
"""
from __future__ import annotations

import argparse
import json
import sys
import unicodedata
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, "/work/shared/eval")

from score import EXTRA, GENERAL  # noqa: E402

from bot.answer.followup import converse  # noqa: E402
from bot.knowledge import load_knowledge  # noqa: E402

TODAY = date(2026, 3, 2)


def norm(s: str) -> str:
    return " ".join(unicodedata.normalize("NFC", s or "").casefold().split())


def check(expect: dict, ans: dict) -> str | None:
    """None when the second turn's answer meets the expectation, else a short reason."""
    kind = expect["intent"]
    secs = [str(s) for s in ans["sections"]]
    agencies = [norm(a) for a in ans["agencies"]]
    want_ag = [norm(a) for a in expect.get("agencies") or []]
    want = expect.get("sections") or []
    text = norm(ans["answer"])
    if kind == "agency":
        allowed = set(want) | GENERAL | EXTRA.get(expect["agencies"][0], set())
        if not agencies or agencies[0] != want_ag[0]:
            return f"agency {agencies[:1]} != {want_ag[:1]}"
        if not set(want) <= set(secs) or not set(secs) <= allowed:
            return f"sections {secs} != {want}"
        return None
    if want_ag and kind in ("lead", "section") and not set(want_ag) & set(agencies):
        return f"agencies {agencies[:2]} lack {want_ag}"
    if kind == "lead" and want_ag and (not agencies or agencies[0] != want_ag[0]):
        return f"lead {agencies[:1]} != {want_ag}"
    if kind in ("deadline", "fact", "section", "lead") and not set(want) <= set(secs):
        return f"sections {secs[:5]} lack {want}"
    if kind == "topic" and not set(want) & set(secs[:3]):
        return f"top-3 {secs[:3]} has none of {want}"
    if kind in ("deadline", "fact") and expect.get("answer_contains_any") and not any(
            norm(c) in text for c in expect["answer_contains_any"]):
        return f"answer lacks any of {expect['answer_contains_any']}"
    return None


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("file", nargs="?", default=str(Path(__file__).with_name(
        "heldout_followups.jsonl")))
    ap.add_argument("-v", action="store_true")
    ap.add_argument("--alone", action="store_true")
    args = ap.parse_args()
    kb = load_knowledge()
    lines = Path(args.file).read_text(encoding="utf-8").splitlines()
    rows = [json.loads(line) for line in lines if line.strip()]
    ok = 0
    by: dict[str, list[int]] = {}
    for row in rows:
        first, second = row["turns"][:2]
        _, subject = converse(kb, first, None, TODAY)
        ans, _ = converse(kb, second, None if args.alone else subject, TODAY)
        why = check(row["expect"], ans.to_json(second))
        k = by.setdefault(row["expect"]["intent"], [0, 0])
        k[1] += 1
        if why is None:
            ok += 1
            k[0] += 1
        elif args.v:
            print(f"MISS [{row['expect']['intent']}] {row['turns']}: {why}")
    print("by intent: " + ", ".join(f"{k} {a}/{n}" for k, (a, n) in sorted(by.items())))
    print(f"accuracy: {ok}/{len(rows)} = {ok / len(rows):.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
