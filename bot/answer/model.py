"""What the engine returns: an `Answer`, and the intents it can have."""
from __future__ import annotations

from dataclasses import dataclass, field

INTENTS = ("agency", "topic", "deadline", "objective", "section", "document", "ambiguous",
           "help", "none")


@dataclass(frozen=True)
class Answer:
    intent: str
    text: str
    agencies: tuple[str, ...] = ()  # canonical names, most relevant first
    agency_ids: tuple[str, ...] = ()
    sections: tuple[str, ...] = ()  # section ids, most relevant first
    partner_sections: tuple[str, ...] = ()
    tasks: tuple[str, ...] = ()
    choices: tuple[tuple[str, str], ...] = field(default_factory=tuple)  # (label, query)
    # a unit the plan names that no longer exists: the current units holding its duties
    successors: tuple[str, ...] = ()

    def to_json(self, question: str) -> dict:
        """The object `ask --json` prints (README: Command line), with a few extra fields."""
        return {"question": question, "intent": self.intent, "agencies": list(self.agencies),
                "sections": list(self.sections), "answer": self.text,
                "agency_ids": list(self.agency_ids),
                "partner_sections": list(self.partner_sections), "tasks": list(self.tasks),
                "choices": [{"label": label, "query": q} for label, q in self.choices],
                "successors": list(self.successors)}
