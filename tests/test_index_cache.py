"""The agency name index is built once per content, not once per process: a later process
reads it from the user's cache (keyed by what the index is built from); a cache that cannot
be written or read costs a build, never an error or another answer."""
from __future__ import annotations

import json
import os
import subprocess
import sys

from bot import text
from bot.answer.index import Index
from bot.knowledge import load_knowledge

QUESTION = "hạn báo cáo của Sở Y tế"


def test_an_index_read_back_is_the_index_built():
    kb = load_knowledge()
    built = text.AgencyIndex(kb)
    back = text.AgencyIndex(kb, json.loads(json.dumps(built.data())))
    for name in ("keys", "prefixes", "weak", "corpus", "compact", "heads", "first_words",
                 "vocab", "max_len", "compact_max", "choices"):
        assert getattr(back, name) == getattr(built, name), name
    assert [m.agency_id for m in text.find_agencies(kb, "so xay dugn va SKHĐT")] == ["sxd", "skhdt"]


def test_the_plan_index_from_the_cache_is_the_one_built(tmp_path, monkeypatch):
    kb = load_knowledge()
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    built = Index(kb)  # builds, writes the file
    assert list((tmp_path / "kh147").glob("plan-index-*.json"))
    back = Index(kb)  # reads it back
    for name in ("vocab_freq", "postings", "pairs", "marked", "idf", "avg_len", "marks"):
        assert getattr(back, name) == getattr(built, name), name
    assert list(back.vocab_freq) == list(built.vocab_freq)  # the same order: the same ties
    assert [d.length for d in back.docs] == [d.length for d in built.docs]


def test_built_once_per_content(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    calls: list[int] = []

    def build():
        calls.append(1)
        return {"n": len(calls)}

    assert text.disk_cached("probe", ["a", "b"], build) == {"n": 1}
    assert text.disk_cached("probe", ["a", "b"], build) == {"n": 1}  # read back, not built
    assert text.disk_cached("probe", ["a", "c"], build) == {"n": 2}  # other inputs, other file
    assert len(calls) == 2


def test_a_damaged_file_is_built_again(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert text.disk_cached("probe", ["a"], lambda: {"v": 1}) == {"v": 1}
    [path] = (tmp_path / "kh147").glob("probe-*.json")
    path.write_text('{"v": ', encoding="utf-8")  # a half-written or damaged file
    assert text.disk_cached("probe", ["a"], lambda: {"v": 2}) == {"v": 2}
    assert json.loads(path.read_text(encoding="utf-8")) == {"v": 2}


def test_an_unwritable_cache_builds_and_fails_nothing(tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("", encoding="utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))  # "<file>/kh147" can never be made
    assert text.disk_cached("probe", ["x"], lambda: {"ok": True}) == {"ok": True}


def _ask(cache_home) -> str:
    env = {**os.environ, "XDG_CACHE_HOME": str(cache_home)}
    p = subprocess.run([sys.executable, "-m", "bot", "ask", "--json", QUESTION], env=env,
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    return p.stdout


def test_a_second_process_answers_the_same_from_the_cache(tmp_path):
    first = _ask(tmp_path)
    assert list((tmp_path / "kh147").glob("agency-index-*.json"))
    assert _ask(tmp_path) == first
    blocker = tmp_path / "file"
    blocker.write_text("", encoding="utf-8")
    assert _ask(blocker) == first  # no cache at all: the same answer
    assert json.loads(first)["agencies"][0] == "Sở Y tế"
