"""Recognising a plan's structure: header, parts, numbered sections, tasks, annex tables,
signature.

A plan of this administrative form reads: the issuer and the number in two columns; the kind
("KẾ HOẠCH") and its title; a preamble; parts numbered I, II, … in capitals; inside them items
"1.", "1.1.", "(1)", "a)"; bullets "-" and "+" and plain paragraphs under the items; then the
recipients ("Nơi nhận") and the signature; perhaps annexes ("PHỤ LỤC") with tables.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.importer.read import Para, Table

PART = re.compile(r"^(?:PHẦN\s+|Phần\s+)?([IVX]{1,5})[.:]\s+(.+)$")
SUB3 = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{1,2})\.?\s+(\S.*)$")
SUB = re.compile(r"^(\d{1,2})\.(\d{1,2})\.?\s+(\S.*)$")
PAREN = re.compile(r"^(\d{1,2})\)\s+(\S.*)$")
ITEM = re.compile(r"^(\d{1,2})\.\s+(\S.*)$")
NUMBERED = re.compile(r"^\((\d{1,2})\)\s+(\S.*)$")
LETTER = re.compile(r"^([a-zđ])\)\s+(\S.*)$")
BULLET = re.compile(r"^([-–•+*·])\s*(\S.*)$")
NOTE = re.compile(r"^\((?:chi tiết|chi tiêt|có|kèm theo|theo)\b[^()]*\)\.?$", re.I)
ANNEX = re.compile(r"^PH[ỤU] L[ỤU]C(?:\s+(?:SỐ\s+)?([0-9IVX]+))?\b\.?\s*(.*)$", re.I)
TAIL = re.compile(r"^(?:Nơi nhận|TM\.\s|KT\.\s)", re.I)
CLOSING = re.compile(r"^Trên đây là\b")


@dataclass
class Node:
    """A numbered item: its marker, heading text and what follows it."""
    part: str
    marker: str  # "2", "2.1", "(3)", "a"
    heading: str
    level: int
    children: list = field(default_factory=list)  # Node or ("bullet"|"sub"|"plain"|"note", text)
    parent: Node | None = None


@dataclass
class Part:
    id: str
    title: str
    nodes: list[Node] = field(default_factory=list)
    loose: list[tuple[str, str]] = field(default_factory=list)  # paragraphs before item 1


@dataclass
class Annex:
    number: str
    title: str
    tables: list[list[list[str]]] = field(default_factory=list)


@dataclass
class Skeleton:
    header: list[Para] = field(default_factory=list)
    parts: list[Part] = field(default_factory=list)
    closing: list[str] = field(default_factory=list)
    tail: list[Para] = field(default_factory=list)
    annexes: list[Annex] = field(default_factory=list)


def is_part_heading(text: str) -> re.Match | None:
    m = PART.match(text)
    if m and m.group(2)[:12].upper() == m.group(2)[:12] and any(c.isalpha() for c in m.group(2)):
        return m
    return None


def skeleton(blocks: list[Para | Table]) -> Skeleton:
    sk = Skeleton()
    stage = "header"
    part: Part | None = None
    stack: list[Node] = []
    annex: Annex | None = None
    for b in blocks:
        if isinstance(b, Table):
            if annex is None:
                annex = Annex(str(len(sk.annexes) + 1), "")
                sk.annexes.append(annex)
            annex.tables.append(b.rows)
            continue
        text = b.text
        m_annex = ANNEX.match(text)
        if m_annex and stage in ("tail", "body") and (text.isupper() or stage == "tail"):
            annex = Annex(m_annex.group(1) or str(len(sk.annexes) + 1),
                          m_annex.group(2).strip(" :.-"))
            sk.annexes.append(annex)
            stage = "annex"
            continue
        if stage == "annex":
            if annex is not None and not annex.title and not annex.tables:
                annex.title = text
            continue
        if stage != "tail" and (TAIL.match(text) or (b.columns and TAIL.match(b.columns[0]))):
            stage = "tail"
        if stage == "tail":
            sk.tail.append(b)
            continue
        m = is_part_heading(text)
        if m:
            stage = "body"
            part = Part(m.group(1), m.group(2).strip())
            sk.parts.append(part)
            stack = []
            continue
        if stage == "header":
            sk.header.append(b)
            continue
        if CLOSING.match(text) or stage == "closing":
            stage = "closing"
            sk.closing.append(text)
            continue
        _place(part, stack, text)
    return sk


def _place(part: Part, stack: list[Node], text: str) -> None:
    """Put one body paragraph in the tree of its part."""
    node = _as_node(part.id, text, stack)
    if node is not None:
        while stack and stack[-1].level >= node.level:
            stack.pop()
        node.parent = stack[-1] if stack else None
        (node.parent.children if node.parent else part.nodes).append(node)
        stack.append(node)
        return
    kind, body = _kind(text)
    if stack:
        stack[-1].children.append((kind, body))
    else:
        part.loose.append((kind, body))


def _as_node(part: str, text: str, stack: list[Node]) -> Node | None:
    m = SUB3.match(text)
    if m:
        return Node(part, f"{m.group(1)}.{m.group(2)}.{m.group(3)}", m.group(4), 3)
    m = SUB.match(text)
    if m:
        return Node(part, f"{m.group(1)}.{m.group(2)}", m.group(3), 2)
    m = ITEM.match(text)
    if m:
        return Node(part, m.group(1), m.group(2), 1)
    m = NUMBERED.match(text)
    if m:
        return Node(part, f"({m.group(1)})", m.group(2), 1)
    m = LETTER.match(text) or PAREN.match(text)
    if m and stack:
        marker = m.group(1) + (")" if m.group(1).isdigit() else "")  # "a", "1)"
        return Node(part, marker, m.group(2), stack[-1].level + 1 if
                    stack[-1].marker.isdigit() or "." in stack[-1].marker else stack[-1].level)
    return None


def _kind(text: str) -> tuple[str, str]:
    if NOTE.match(text):
        return "note", text
    m = BULLET.match(text)
    if m:
        return ("sub" if m.group(1) == "+" else "bullet"), m.group(2)
    return "plain", text
