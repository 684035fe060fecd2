"""Readers of a JSON file's fields, each failure naming its place ("task '2.2.1': missing field
'text'"). The plan's loader (bot/knowledge.py) and the organisation's (bot/organisation.py)
share them, each raising its own error class."""
from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any


class FieldReader:
    """The field checks of one file kind; `error` is the exception class they raise."""

    def __init__(self, error: type[Exception]) -> None:
        self.error = error

    def need(self, obj: Any, key: str, where: str) -> Any:
        if not isinstance(obj, dict):
            raise self.error(f"{where}: expected an object")
        if key not in obj:
            raise self.error(f"{where}: missing field '{key}'")
        return obj[key]

    def text(self, obj: dict, key: str, where: str, required: bool = True) -> str:
        """A non-empty string; an optional one may be absent (then "") or empty."""
        v = self.need(obj, key, where) if required else obj.get(key, "")
        if not isinstance(v, str) or (required and not v.strip()):
            raise self.error(f"{where}: field '{key}' must be a non-empty string")
        return v

    def texts(self, obj: dict, key: str, where: str, required: bool = True) -> tuple[str, ...]:
        """A list of non-empty strings; an optional one may be absent (then ())."""
        v = self.need(obj, key, where) if required else obj.get(key, [])
        if not isinstance(v, list) or not all(isinstance(x, str) and x.strip() for x in v):
            raise self.error(f"{where}: field '{key}' must be a list of strings")
        return tuple(v)

    def items(self, raw: dict, key: str, required: bool = True) -> list:
        """A top-level list of the file; an optional one may be absent (then [])."""
        v = self.need(raw, key, "file") if required else raw.get(key, [])
        if not isinstance(v, list):
            raise self.error(f"file: field '{key}' must be a list")
        return v

    def claim_names(self, owner: dict[str, str], entries: Iterable, kind: str,
                    fold: Callable[[str], str], also: str = "",
                    empty_ok: bool = False) -> dict[str, str]:
        """Each entry's name and aliases, folded, claimed in `owner` (folded -> entry id): an
        alias empty once folded (unless `empty_ok`) or already another's is an error, named
        "<kind> '<id>': alias '<alias>' also names <also>'<other>'". Returns `owner`."""
        for e in entries:
            for alias in (e.name, *e.aliases):
                key = fold(alias)
                if not key and not empty_ok:
                    raise self.error(f"{kind} '{e.id}': alias '{alias}' is empty once folded")
                other = owner.setdefault(key, e.id)
                if other != e.id:
                    raise self.error(f"{kind} '{e.id}': alias '{alias}' also names "
                                     f"{also}'{other}'")
        return owner


def where(kind: str, items: list, i: int) -> str:
    """How a failure names the `i`-th entry of a list: by its id when it has one."""
    it = items[i]
    ident = it.get("id") if isinstance(it, dict) else None
    return f"{kind} '{ident}'" if isinstance(ident, str) else f"{kind}[{i}]"
