"""Reading a plan document into paragraphs and tables, whatever the format.

`.txt` comes either as one paragraph a line with blank lines between (a copy of the text) or as
`pdftotext -layout` gives it (lines wrapped inside paragraphs, a first-line indent, the header
and signature in two columns); `.docx` paragraphs and tables come as they are; a text `.pdf`
is read with pypdf's layout mode and then treated like the layout text. Page-break splits are
joined everywhere: a paragraph that starts in lower case continues the one before it.
"""
from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

FORMATS = (".txt", ".docx", ".pdf")

# a line that opens a paragraph by its marker: "II. ", "2.1. ", "(3) ", "a) ", "- ", "+ "
MARKER = re.compile(r"^(?:(?:PHẦN\s+)?[IVX]{1,5}\.\s|\d{1,2}\.(?:\d{1,2}\.?)*\s|\(\d{1,2}\)\s|"
                    r"\d{1,2}\)\s|[a-zđ]\)\s|[-+•–*·]\s)")
COLUMN_GAP = re.compile(r"\S(\s{3,})\S")
TABLE_ROW = re.compile(r"^\s*\|(.*)\|\s*$")
TABLE_RULE = re.compile(r"^\s*\|?[\s:|-]+\|?\s*$")
PAGE_NUMBER = re.compile(r"^\s*(?:-\s*)?\d{1,3}(?:\s*-)?\s*$")
KIND_LINE = re.compile(r"^(?:KẾ HOẠCH|CHƯƠNG TRÌNH)(?: HÀNH ĐỘNG)?$")
SIGNATURE_START = re.compile(r"^\s*(?:Nơi nhận|TM\.\s|KT\.\s)", re.I)


class ReadError(ValueError):
    """The file cannot be read as a plan (format, encoding, no text)."""


@dataclass
class Para:
    text: str
    columns: list[str] = field(default_factory=list)  # header/signature lines split in cells


@dataclass
class Table:
    rows: list[list[str]]


def read_document(path: str | Path) -> list[Para | Table]:
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix not in FORMATS:
        raise ReadError(f"{p.name}: chỉ đọc được tệp .txt, .docx hoặc .pdf")
    if not p.is_file():
        raise ReadError(f"{p}: không tìm thấy tệp")
    if suffix == ".docx":
        blocks = _read_docx(p)
    elif suffix == ".pdf":
        blocks = paragraphs_from_lines(_pdf_lines(p))
    else:
        try:
            text = p.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError as e:
            raise ReadError(f"{p.name}: tệp văn bản không phải UTF-8") from e
        blocks = paragraphs_from_lines(text.splitlines())
    blocks = join_page_breaks([_clean(b) for b in blocks])
    if not any(isinstance(b, Para) and b.text for b in blocks):
        raise ReadError(f"{p.name}: không có chữ (bản quét ảnh cần nhận dạng ký tự trước)")
    return blocks


def _clean(b: Para | Table) -> Para | Table:
    if isinstance(b, Table):
        return Table([[normalize(c) for c in row] for row in b.rows])
    return Para(normalize(b.text), [normalize(c) for c in b.columns])


def normalize(s: str) -> str:
    """NFC, no markdown emphasis, one space between words."""
    s = unicodedata.normalize("NFC", s).replace("\u00a0", " ").replace("\t", " ")
    s = re.sub(r"\*\*(.+?)\*\*", r"\1", s, flags=re.S)
    s = re.sub(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])", r"\1", s, flags=re.S)
    return " ".join(s.split())


# --- lines -> paragraphs -------------------------------------------------------------------


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def paragraphs_from_lines(lines: list[str]) -> list[Para | Table]:
    """Paragraphs from lines: a marker, a first-line indent, or a blank line followed by a
    capital opens a new paragraph; any other line continues the current one."""
    lines = _layout_tables([ln.replace("\t", "    ").rstrip() for ln in lines])
    indents = Counter(_indent(ln) for ln in lines if isinstance(ln, str) and ln.strip())
    base = min(indents.most_common(1)[0][0], 8) if indents else 0
    body = sum(indents.values()) or 1
    # a layout text: wrapped lines at the margin, the first line of each paragraph indented
    indented = sum(n for i, n in indents.items() if i >= base + 3) / body > 0.05 and \
        indents.get(base, 0) / body > 0.3
    out: list[Para | Table] = []
    cur: list[str] = []
    cells: list[str] = []
    table: list[list[str]] = []
    blank = True
    in_body = False  # between the first part heading and the signature: no columns there
    in_tail = False  # recipients and signature: one line each
    seen_kind = False  # the line naming the kind of document ("KẾ HOẠCH") has been read

    def flush() -> None:
        if cur:
            out.append(Para(_join(cur), list(cells)))
        cur.clear()
        cells.clear()

    for raw in lines:
        if isinstance(raw, Table):  # a table laid out in columns of spaces, read before
            flush()
            if table:
                out.append(Table(table))
                table = []
            out.append(raw)
            blank = True
            continue
        s = raw.strip()
        if TABLE_ROW.match(raw) or (table and TABLE_RULE.match(raw) and "|" in raw):
            flush()
            if not TABLE_RULE.match(raw):
                table.append([c.strip() for c in TABLE_ROW.match(raw).group(1).split("|")])
            blank = False
            continue
        if table:
            out.append(Table(table))
            table = []
        if not s:
            blank = True
            continue
        if re.match(r"^[IVX]{1,5}\.\s+\S", s) and s.split(None, 1)[1][:6].isupper():
            in_body = True
        if SIGNATURE_START.match(s):
            in_body = False
            in_tail = True
        ind = _indent(raw)
        ended = bool(cur) and cur[-1][-1] in ".:;!?"
        part_heading = bool(re.match(r"^[IVX]{1,5}\.\s+\S", s)) and _caps(s)
        # a marker opens a paragraph when indented, after a blank line or after a full stop;
        # a part's heading in capitals ("II. NHIỆM VỤ") always does
        marker = bool(MARKER.match(s)) and (ind > base or blank or ended) or part_heading
        capital = s[0].isupper() or s[0].isdigit() or not s[0].isalnum()
        if indented:  # paragraphs open with an indent: a blank line is a page break (in the
            # body; above it, a blank line separates the title from the preamble)
            starts = ind >= base + 3 or marker or (blank and capital and (ended or not in_body))
        else:
            starts = (blank and capital) or ind >= base + 3 or marker
        if not in_body and COLUMN_GAP.search(s):
            flush()  # a header or signature line in two columns: each cell its own line
            parts = [c.strip() for c in re.split(r"\s{3,}", s) if c.strip()]
            out.append(Para(" ".join(parts), parts))
            blank = False
            continue
        # before the body, a line in capitals ("KẾ HOẠCH") is a paragraph of its own, and so is
        # each line above it (issuer, number, place and date)
        caps_switch = not in_body and bool(cur) and _caps(cur[-1]) != _caps(s)
        above_title = not in_body and not seen_kind
        if KIND_LINE.match(s):
            seen_kind = True
        # a title centred over two lines: the first spans the page, the second is centred
        title_wrap = seen_kind and not in_body and not blank and bool(cur) and \
            not KIND_LINE.match(cur[-1]) and cur[-1][-1] not in ".:;" and \
            not MARKER.match(s) and (ind >= base + 10 or ind <= base + 1) and not caps_switch
        if (starts and not title_wrap) or not cur or in_tail or caps_switch or above_title:
            flush()
        cur.append(s)
        blank = False
        if part_heading:  # "II. NHIỆM VỤ" stands alone, whatever follows at its indent
            flush()
    flush()
    if table:
        out.append(Table(table))
    return out


# --- tables laid out with spaces (pdftotext -layout, pypdf's layout mode) -------------------

HEAD_TT = re.compile(r"^(?:S?TT|Số\s*TT)$", re.I)
HEAD_NEEDS = (re.compile(r"chủ\s*trì", re.I), re.compile(r"nhiệm\s*vụ|nội\s*dung|công\s*việc",
                                                           re.I))
ROW_NUMBER = re.compile(r"^(?:[IVX]{1,5}|[A-Z]|\d{1,3})\.?$")


def _chunks(line: str) -> list[tuple[int, str]]:
    """(column, text) of each run of text separated by two spaces or more."""
    return [(m.start(), m.group(0)) for m in re.finditer(r"\S+(?: \S+)*", line)]


def _layout_tables(lines: list[str]) -> list:
    """Lines, with each table in columns (a header naming "TT", the task and "chủ trì")
    replaced by a Table of its rows; a row goes on over the lines until the next number."""
    out: list = []
    i = 0
    while i < len(lines):
        head = _table_head(lines, i)
        if head is None:
            out.append(lines[i])
            i += 1
            continue
        first, last, starts, header = head
        out = out[:len(out) - (i - first)]  # a header line above the TT line joins the head
        rows = [header]
        j = last + 1
        while j < len(lines):
            line = lines[j]
            if not line.strip():
                k = j + 1
                while k < len(lines) and not lines[k].strip():
                    k += 1
                if k < len(lines) and _in_table(lines[k], starts):
                    j = k
                    continue
                break
            if not _in_table(line, starts):
                break
            cells = _cut(line, starts)
            if ROW_NUMBER.match(cells[0]) or len(rows) == 1:
                rows.append(cells)
            else:  # a wrapped line: each column's words go on in the row above
                rows[-1] = [(a + " " + b).strip() for a, b in zip(rows[-1], cells, strict=True)]
            j += 1
        out.append(Table(rows))
        i = j
    return out


def _table_head(lines: list[str], i: int):
    chunks = _chunks(lines[i])
    if len(chunks) < 3 or not HEAD_TT.match(chunks[0][1]):
        return None
    first, last = i, i
    if i > 0 and len(_chunks(lines[i - 1])) >= 2 and "  " in lines[i - 1].strip():
        first = i - 1
    if i + 1 < len(lines) and len(_chunks(lines[i + 1])) >= 2 and \
            not ROW_NUMBER.match(_chunks(lines[i + 1])[0][1]):
        last = i + 1
    starts = sorted({c for c, _ in chunks})
    header = [""] * len(starts)
    for k in range(first, last + 1):
        for col, text in _chunks(lines[k]):
            idx = _column(starts, col, text)
            header[idx] = (header[idx] + " " + text).strip()
    joined = " ".join(header)
    if not all(rx.search(joined) for rx in HEAD_NEEDS):
        return None
    return first, last, starts, header


def _column(starts: list[int], col: int, text: str) -> int:
    """The column a run of text belongs to: the one whose span holds most of it."""
    mid = col + len(text) / 2
    best = 0
    for k, s in enumerate(starts):
        if s - 2 <= col or s <= mid and k == 0:
            best = k
    return best


def _cut(line: str, starts: list[int]) -> list[str]:
    cells = [""] * len(starts)
    for col, text in _chunks(line):
        idx = _column(starts, col, text)
        cells[idx] = (cells[idx] + " " + text).strip()
    return cells


def _in_table(line: str, starts: list[int]) -> bool:
    """Still the table: text split in columns, or a wrapped cell starting past the TT column."""
    chunks = _chunks(line)
    if not chunks:
        return False
    if is_heading_like(line.strip()):
        return False
    return len(chunks) >= 2 or chunks[0][0] >= starts[1] - 2


def is_heading_like(s: str) -> bool:
    return bool(re.match(r"^(?:[IVX]{1,5}\.\s|PH[ỤU] L[ỤU]C|Nơi nhận|TM\.\s)", s, re.I))


def _caps(s: str) -> bool:
    return any(c.isalpha() for c in s) and s.upper() == s


def _join(lines: list[str]) -> str:
    text = lines[0]
    for ln in lines[1:]:
        # a compound name split at its hyphen ("Trung Sơn-" / "Ninh Sơn") joins without space
        glue = "" if text.endswith("-") and not text.endswith(" -") else " "
        text += glue + ln
    return text


def join_page_breaks(blocks: list[Para | Table]) -> list[Para | Table]:
    """A paragraph that starts in lower case, or follows a name cut at its hyphen, continues
    the one before it (the page broke inside it)."""
    out: list[Para | Table] = []
    for b in blocks:
        if isinstance(b, Para) and not b.text:
            continue
        prev = out[-1] if out else None
        if isinstance(b, Para) and isinstance(prev, Para) and not b.columns and \
                not prev.columns and _continues(prev.text, b.text):
            glue = "" if prev.text.endswith("-") else " "
            prev.text = prev.text + glue + b.text
            continue
        out.append(b)
    return out


def _continues(prev: str, text: str) -> bool:
    if MARKER.match(text):  # "a) …", "- …": an item of its own even in lower case
        return False
    first = text[0]
    if first.isdigit() and prev[-1] not in ".:;!?)":  # "… Nghị định số" / "32/2024/NĐ-CP"
        return True
    if first.islower():
        return True
    return prev.endswith("-") and not prev.endswith(" -") and first.isalpha()


# --- formats -------------------------------------------------------------------------------


def _read_docx(path: Path) -> list[Para | Table]:
    import docx
    from docx.table import Table as DocxTable
    from docx.text.paragraph import Paragraph

    try:
        d = docx.Document(str(path))
    except Exception as e:  # noqa: BLE001 — python-docx raises several kinds for a bad file
        raise ReadError(f"{path.name}: không mở được tệp .docx ({type(e).__name__})") from e
    out: list[Para | Table] = []
    numbers = _Numbering(d)
    for el in d.element.body.iterchildren():
        tag = el.tag.rsplit("}", 1)[-1]
        if tag == "p":
            para = Paragraph(el, d)
            text = para.text
            label = numbers.label(para) if text.strip() else None
            if label and not MARKER.match(text.strip()):
                text = f"{label} {text.strip()}"  # Word's automatic numbering is not in text
            # a line break inside one paragraph (header cells, signature) separates cells
            cells = [c.strip() for c in re.split(r"[\n\v]|\t{1,}", text) if c.strip()]
            out.append(Para(" ".join(cells), cells if len(cells) > 1 else []))
        elif tag == "tbl":
            rows = [[c.text for c in row.cells] for row in DocxTable(el, d).rows]
            if _is_layout_table(rows):  # the two-column header or signature block
                for col in zip(*rows, strict=False):
                    for cell in col:
                        cells = [c.strip() for c in cell.split("\n") if c.strip()]
                        out += [Para(c, [c]) for c in cells]
            else:
                out.append(Table([[" ".join(c.split()) for c in r] for r in rows]))
    return out


class _Numbering:
    """Word's automatic list numbers ("1.", "1.1.", "a)", "-"), which python-docx leaves out
    of a paragraph's text: counted the way Word counts them."""

    def __init__(self, doc) -> None:
        self.levels: dict[str, dict[int, tuple[str, str, int]]] = {}
        self.counters: dict[str, dict[int, int]] = {}
        try:
            root = doc.part.numbering_part.element
        except (NotImplementedError, KeyError, AttributeError):
            return
        abstract = {}
        for an in root.findall(_w("abstractNum")):
            lv = {}
            for lvl in an.findall(_w("lvl")):
                fmt = lvl.find(_w("numFmt"))
                txt = lvl.find(_w("lvlText"))
                start = lvl.find(_w("start"))
                lv[int(lvl.get(_w("ilvl")))] = (
                    fmt.get(_w("val")) if fmt is not None else "decimal",
                    txt.get(_w("val")) if txt is not None else "",
                    int(start.get(_w("val"))) if start is not None else 1)
            abstract[an.get(_w("abstractNumId"))] = lv
        for num in root.findall(_w("num")):
            ref = num.find(_w("abstractNumId"))
            if ref is not None:
                self.levels[num.get(_w("numId"))] = abstract.get(ref.get(_w("val")), {})

    def label(self, para) -> str | None:
        num_id, ilvl = self._num_pr(para)
        if num_id is None or num_id not in self.levels:
            return None
        levels = self.levels[num_id]
        fmt, text, _ = levels.get(ilvl, ("bullet", "", 1))
        if fmt == "bullet" or fmt == "none":
            return "-" if fmt == "bullet" else None
        counts = self.counters.setdefault(num_id, {})
        counts[ilvl] = counts.get(ilvl, levels.get(ilvl, ("", "", 1))[2] - 1) + 1
        for deeper in [k for k in counts if k > ilvl]:
            del counts[deeper]
        out = text or f"%{ilvl + 1}."
        for k in range(ilvl + 1):
            kfmt = levels.get(k, ("decimal", "", 1))[0]
            n = counts.get(k, levels.get(k, ("", "", 1))[2])
            out = out.replace(f"%{k + 1}", _format(n, kfmt))
        return out

    @staticmethod
    def _num_pr(para) -> tuple[str | None, int]:
        for ppr in (para._p.pPr, para.style.element.pPr if para.style is not None else None):
            num = ppr.numPr if ppr is not None else None
            if num is not None and num.numId is not None:
                ilvl = num.ilvl.val if num.ilvl is not None else 0
                return str(num.numId.val), int(ilvl)
        return None, 0


def _w(tag: str) -> str:
    return "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}" + tag


def _format(n: int, fmt: str) -> str:
    if fmt == "upperRoman":
        return _roman(n)
    if fmt == "lowerRoman":
        return _roman(n).lower()
    if fmt in ("lowerLetter", "upperLetter"):
        letter = "abcdeghiklmnopqrstuvxy"[(n - 1) % 22]  # the Vietnamese alphabet's order
        return letter.upper() if fmt == "upperLetter" else letter
    return str(n)


def _roman(n: int) -> str:
    out = ""
    for value, sym in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
                       (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"),
                       (1, "I")):
        while n >= value:
            out += sym
            n -= value
    return out


def _is_layout_table(rows: list[list[str]]) -> bool:
    """A borderless table that only places the header or signature in two columns."""
    text = " ".join(c for r in rows for c in r)
    return len(rows) <= 4 and bool(re.search(r"CỘNG HÒA|CỘNG HOÀ|Nơi nhận|TM\.|KT\.", text))


def _pdf_lines(path: Path) -> list[str]:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(str(path))
        pages = [pg.extract_text(extraction_mode="layout") or "" for pg in reader.pages]
    except (PdfReadError, OSError, ValueError) as e:
        raise ReadError(f"{path.name}: không đọc được tệp PDF ({e})") from e
    lines: list[str] = []
    for page in pages:
        page_lines = [ln for ln in page.splitlines()]
        # page numbers printed alone on a line at the top or bottom are not text
        while page_lines and (not page_lines[0].strip() or PAGE_NUMBER.match(page_lines[0])):
            page_lines.pop(0)
        while page_lines and (not page_lines[-1].strip() or PAGE_NUMBER.match(page_lines[-1])):
            page_lines.pop()
        lines += page_lines
        lines.append("")  # a page break reads as a blank line; join_page_breaks mends splits
    return _dedent(lines)


def _dedent(lines: list[str]) -> list[str]:
    """pypdf's layout mode keeps the left margin: remove the margin common to all lines."""
    margins = [_indent(ln) for ln in lines if ln.strip()]
    cut = min(margins) if margins else 0
    return [ln[cut:] for ln in lines]
