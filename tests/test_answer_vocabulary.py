"""knowledge/vocabulary.json: every everyday phrase leads to the section it is there for, and
the plan's spelling variants (i/y, tone placement) read alike."""
from __future__ import annotations

import pytest

from bot.answer import answer
from bot.answer.vocab import VOCABULARY
from bot.knowledge import load_knowledge

KB = load_knowledge()
ENTRIES = [e for e in VOCABULARY["synonyms"] if e.get("section")]


def test_the_file_is_read():
    assert len(VOCABULARY["synonyms"]) >= 40
    assert "Hà Nội" in VOCABULARY["provinces"] and "Bắc Giang" not in VOCABULARY["provinces"]


@pytest.mark.parametrize("entry", ENTRIES, ids=[e["everyday"] for e in ENTRIES])
def test_every_everyday_phrase_reaches_its_section(entry):
    ans = answer(KB, entry["everyday"])
    assert entry["section"] in ans.sections[:3], (entry, ans.intent, ans.sections)


@pytest.mark.parametrize("entry", ENTRIES, ids=[e["everyday"] for e in ENTRIES])
def test_an_everyday_phrase_in_a_question_reaches_its_section(entry):
    ans = answer(KB, f"ai phụ trách {entry['everyday']}?")
    assert entry["section"] in ans.sections[:3], (entry, ans.intent, ans.sections)
