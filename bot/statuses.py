"""Status vocabulary and how a typed update line is read.

    STATUSES                      codes in display order: chua, dang, xong, vuong
    LABELS[code]                  "Chưa thực hiện", "Đang thực hiện", "Hoàn thành", "Vướng mắc"
    label(code) -> str
    parse_update(text) -> Parsed  item, status (or the candidates when ambiguous), free text
    details(code, text) -> Details   note / result / obstacles / proposals of the free text
    parse_status(text) -> (code | None, rest)   a clear status at the start of `text`
    plan_prefix(text, named_in) -> PlanPrefix    the plan named before the item, if any

Reading rules (tests/data/status_updates.tsv holds the cases):

- A status phrase is read whole, typed with or without diacritics: "chưa thực hiện", "đang
  làm", "xong rồi", "đã hoàn thành", "gặp vướng mắc", "bị vướng"… The longest phrase wins and
  trailing fillers ("rồi", "ạ", "nhé") go with it: they never become the note.
- Ambiguous phrases give several candidates and the bot asks: "chưa hoàn thành", "chưa xong"
  (not started, or in progress?), "cơ bản hoàn thành", "đã thực hiện", "đã triển khai" (in
  progress, or done?), a bare "chưa …" that is no known phrase ("chưa có vốn").
- A figure is progress, not completion: "hoàn thành 80%" / "đạt 80%" is "dang" and the words
  stay in the note as the result; "hoàn thành 100%" is "xong". A bare "đang …" that is no known
  phrase ("đang trình UBND tỉnh") is "dang" and keeps its words.
- The item may come first or after the status, with "mục", "nhiệm vụ", "NV" before it, and the
  Vietnamese decimal comma: "mục 2.2.2", "2,2", "xong 2.2.1", "nhiệm vụ 2.2.1".

Details of the free text after the status (see `details`):

- Labels, any case, with or without diacritics, followed by ":": "Kết quả:", "Khó khăn:",
  "Vướng mắc:", "Kiến nghị:", "Đề xuất:", "Đề nghị:", "Ghi chú:" (also "KQ:", "KK:", "KN:").
- Unlabelled text is split into clauses at ", " "; " ". " and new lines; a clause starting
  with "vướng", "còn vướng", "khó khăn", "gặp khó khăn"… is an obstacle, one starting with
  "kiến nghị", "đề nghị", "đề xuất" a proposal; the clauses after it follow it until another
  marker. The rest is the result; for a "vướng mắc" status unmarked text is the obstacle.
- `note` is the unlabelled text as typed (plus any "Ghi chú:"); `result` is "Kết quả:" when
  given, else the unlabelled text read as result. So for a plain "/capnhat 2.2.1 xong Đã ban
  hành" note == result == "Đã ban hành".
"""
from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

from bot.text import fold

STATUSES = ("chua", "dang", "xong", "vuong")
LABELS = {
    "chua": "Chưa thực hiện",
    "dang": "Đang thực hiện",
    "xong": "Hoàn thành",
    "vuong": "Vướng mắc",
}
DETAIL_LABELS = {"result": "Kết quả", "obstacles": "Khó khăn, vướng mắc",
                 "proposals": "Kiến nghị, đề xuất"}

_CLEAR = {
    "chua": ["chua thuc hien", "chua lam", "chua bat dau", "chua trien khai", "chua th",
             "chua tien hanh", "chua bat dau thuc hien", "chua trien khai thuc hien",
             "chua duoc thuc hien", "chua duoc trien khai", "not started"],
    "dang": ["dang lam", "dang thuc hien", "dang trien khai", "dang tien hanh", "dang th",
             "dang xu ly", "in progress", "dang trien khai thuc hien", "dang lam do",
             "lam do", "dang hoan thien", "dang tiep tuc", "dang tiep tuc thuc hien",
             "tiep tuc thuc hien", "van dang thuc hien", "van dang lam", "dang thuc hien do dang",
             "gan xong", "sap xong", "sap hoan thanh", "gan hoan thanh", "dang lam tiep"],
    "xong": ["xong", "da xong", "hoan thanh", "da hoan thanh", "hoan tat", "da hoan tat",
             "ht", "da ht", "done", "hoan thanh xong", "da hoan thanh xong", "thuc hien xong",
             "da thuc hien xong", "lam xong", "da lam xong", "xong het", "da xong het",
             "da hoan thanh het", "hoan thanh het", "da trien khai xong", "trien khai xong"],
    "vuong": ["vuong", "vuong mac", "co vuong mac", "dang vuong mac", "dang vuong", "bi vuong",
              "bi vuong mac", "gap vuong", "gap vuong mac", "dang gap vuong mac", "con vuong",
              "con vuong mac", "kho khan", "gap kho khan", "co kho khan", "dang gap kho khan",
              "bi kho khan", "con kho khan", "kho khan vuong mac", "vuong mac kho khan",
              "blocked"],
}
_AMBIGUOUS = {
    ("chua", "dang"): ["chua hoan thanh", "chua xong", "chua hoan tat", "chua ht",
                       "chua xong het", "chua hoan thanh xong", "chua thuc hien xong",
                       "chua lam xong", "chua xong han", "chua hoan thanh het",
                       "chua hoan thanh han"],
    ("dang", "xong"): ["co ban hoan thanh", "co ban xong", "da thuc hien", "da trien khai",
                       "co ban da hoan thanh"],
}
# single words that need the status to end there: "chưa" alone is "not started", "chưa có
# vốn" is no known phrase; "đang" alone is "in progress", "đang trình …" keeps its words
_BARE = {"chua": ("chua", "dang", "vuong"), "dang": ("dang",)}
_FILLERS = {"roi", "a", "nhe", "nha", "ha"}  # "xong rồi ạ": part of the status, not a note
_LEADS = {("trang", "thai"), ("tinh", "trang"), ("tien", "do")}  # "trạng thái: xong"
_ITEM_PREFIXES = [("tieu", "muc"), ("muc", "so"), ("muc",), ("nhiem", "vu", "so"),
                  ("nhiem", "vu"), ("nv",), ("so",)]
_PCT = re.compile(r"^(\d{1,3})(?:[.,]\d+)?\s?%[.,;:]*$")
_PCT_LEADS = {("dat",), ("duoc",), ("da", "dat"), ("thuc", "hien", "duoc"), ("dat", "duoc")}
_ITEM = re.compile(r"^(?:(?:i{1,3}|iv|v)\.)?\d{1,2}(?:[.,]\d{1,2}){0,2}$|^(?:i{1,3}|iv|v)$")
_WORD = re.compile(r"\S+")
_LEAD_SEP = re.compile(r"^[\s:;,.\-–—|]+")

_PHRASES: dict[tuple[str, ...], tuple[str, ...]] = {}
for _code, _ps in _CLEAR.items():
    for _p in _ps:
        _PHRASES[tuple(_p.split())] = (_code,)
for _codes, _ps in _AMBIGUOUS.items():
    for _p in _ps:
        _PHRASES[tuple(_p.split())] = _codes
for _code in ("xong", "vuong"):  # the codes themselves; "chua", "dang" are in _BARE
    _PHRASES[(_code,)] = (_code,)
_LONGEST = max(len(p) for p in _PHRASES)


def label(code: str) -> str:
    return LABELS.get(code, code)


@dataclass(frozen=True)
class Parsed:
    item: str | None  # "2.2.1" (commas made dots, roman upper), None when none was typed
    codes: tuple[str, ...]  # () no status; one: clear; several: ask which
    phrase: str  # the status words as typed ("chưa hoàn thành"), for the question back
    rest: str  # the free text after item and status, as typed
    head: str = ""  # the first word when it is neither an item nor a status ("abc")

    @property
    def status(self) -> str | None:
        return self.codes[0] if len(self.codes) == 1 else None


@dataclass(frozen=True)
class Details:
    note: str = ""
    result: str = ""
    obstacles: str = ""
    proposals: str = ""


# ---------------------------------------------------------------- words

@dataclass(frozen=True)
class _Word:
    start: int
    end: int
    folded: str
    raw: str


def _words(text: str, limit: int = 16) -> list[_Word]:
    """The first `limit` words (item, status and fillers are never more): a long note is
    not folded word by word."""
    out = []
    for m in _WORD.finditer(text):
        folded = fold(m.group()[:40])  # no status or item word is longer
        if folded:  # a lone "-" or "—" is a separator, not a word
            out.append(_Word(m.start(), m.end(), folded, m.group()))
            if len(out) == limit:
                break
    return out


def _rest(text: str, words: list[_Word], i: int) -> str:
    """The text after the first `i` words, separators typed after them dropped."""
    rest = text[words[i - 1].end:] if i else text
    return _LEAD_SEP.sub("", rest).strip() if _starts_with_sep(rest) else rest.strip()


def _starts_with_sep(rest: str) -> bool:
    """A separator typed between status and note ("xong: …", "xong - …"), not a note's sign."""
    m = _LEAD_SEP.match(rest)
    return bool(m) and (m.end() == len(rest) or rest[m.end() - 1].isspace())


def _ends_phrase(words: list[_Word], i: int, n: int) -> bool:
    """The phrase words[i:i+n] is a whole status: nothing follows, or a separator or an item."""
    last = words[i + n - 1]
    return i + n == len(words) or last.raw[-1:] in ",;:.-–—)" or _is_item(words[i + n])


def _is_item(word: _Word) -> bool:
    return bool(_ITEM.match(word.raw.lower().strip(".:,;()")))


def _status_at(words: list[_Word], i: int) -> tuple[tuple[str, ...], int]:
    """(candidate codes, words consumed) for a status at word i. Consumed words are dropped
    from the note; a progress figure or a bare "đang …" keeps its words (0 consumed)."""
    f = [w.folded for w in words[i:i + _LONGEST + 2]]
    j = 0
    for lead in _LEADS:  # "trạng thái: đang làm"
        if tuple(f[:len(lead)]) == lead:
            j = len(lead)
            break
    for lead in _PCT_LEADS:  # "đạt 80%"
        n = len(lead)
        if tuple(f[j:j + n]) == lead and i + j + n < len(words) and _PCT.match(
                words[i + j + n].raw):
            return ("dang",), j
    if i + j < len(words) and _PCT.match(words[i + j].raw):  # "80%"
        return ("dang",), j
    top = min(_LONGEST, len(f) - j)
    for k in range(top):  # a phrase does not run over punctuation: "vướng mắc. Khó khăn: …"
        if words[i + j + k].raw[-1:] in ",;:.!?":
            top = k + 1
            break
    for n in range(top, 0, -1):
        codes = _PHRASES.get(tuple(f[j:j + n]))
        if codes is None:
            continue
        k = i + j + n
        if codes == ("xong",) and k < len(words) and _PCT.match(words[k].raw):
            if int(_PCT.match(words[k].raw).group(1)) >= 100:
                return ("xong",), j + n + 1
            return ("dang",), j  # "hoàn thành 80%": progress, said in the note
        while k < len(words) and words[k].folded in _FILLERS:
            k += 1
        return codes, k - i
    word = f[j] if j < len(f) else ""
    if word in _BARE:
        if _ends_phrase(words, i + j, 1):
            return (word,), j + 1
        return _BARE[word], j  # "chưa có vốn", "đang trình …": the words stay
    return (), 0


def _item_at(words: list[_Word], i: int) -> tuple[str | None, int]:
    """(item id, words consumed) for an item at word i, prefixes like "mục" included."""
    f = [w.folded for w in words[i:i + 4]]
    for prefix in [*_ITEM_PREFIXES, ()]:
        n = len(prefix)
        if tuple(f[:n]) == prefix and len(f) > n and _is_item(words[i + n]):
            return normalise_item(words[i + n].raw), n + 1
    return None, 0


def normalise_item(text: str) -> str:
    """ "iv.1" -> "IV.1", "2,2" -> "2.2", "2.2.1." -> "2.2.1"."""
    item = text.strip().strip(".:,;()").replace(",", ".")
    m = re.match(r"^(i{1,3}|iv|v)(?=\.|$)", item, re.I)
    return m.group(1).upper() + item[m.end():] if m else item


def parse_update(text: str) -> Parsed:
    """Item, status and free text of "/capnhat" arguments, in either order."""
    text = unicodedata.normalize("NFC", text or "").strip()
    words = _words(text)
    if not words:
        return Parsed(None, (), "", "")
    item, used = _item_at(words, 0)
    if item is not None:
        codes, n = _status_at(words, used)
        phrase = text[words[used].start:words[used + n - 1].end].strip(_TRIM) if n else ""
        return Parsed(item, codes, phrase, _rest(text, words, used + n))
    codes, n = _status_at(words, 0)
    if codes and n:
        item, m = _item_at(words, n)
        phrase = text[words[0].start:words[n - 1].end].strip(_TRIM)
        # no item after the status: the caller may know it (/sua corrects the last one)
        return Parsed(item, codes, phrase, _rest(text, words, n + m))
    return Parsed(None, codes, "", text, head=words[0].raw)


@dataclass(frozen=True)
class PlanPrefix:
    plan: str | None  # the plan named before the item; None: none named
    rest: str  # the update without the plan's words ("1.2 đang thực hiện …")
    unknown: str = ""  # words that look like a plan's name but name no loaded plan


# how a plan's name starts: "kế hoạch", "KH", "KH134", "134/KH-UBND", "nghị quyết 34", "theo …"
_PLAN_HEAD = re.compile(r"^(?:theo |cua |thuoc )?(?:ke hoach|kh\b|kh\d|\d+ kh ubnd|nghi quyet|"
                        r"chi thi|nq\b|nq\d)")

_PLAN_TAIL = {"hoach", "so", "kh"}


def plan_prefix(text: str, named_in) -> PlanPrefix:
    """The plan an update names before its item ("kế hoạch 134 1.2 đang thực hiện …",
    "KH134 mục 1.2 xong", "theo kế hoạch khoáng sản, 2.3 xong"). `named_in` is
    bot.knowledge.Plans.named_in. A plan named only in the note ("1.2 xong theo kế hoạch
    134") is the note's; words that start like a plan's name but name none are `unknown`."""
    text = unicodedata.normalize("NFC", text or "").strip()
    if not _PLAN_HEAD.match(" ".join(w.folded for w in _words(text, limit=3))):
        return PlanPrefix(None, text)  # the common case: three words folded, no more
    words = _words(text, limit=12)
    for i in range(1, len(words)):
        rest = text[words[i].start:]
        parsed = parse_update(rest)
        if parsed.item is None and not (parsed.codes and parsed.phrase):
            continue  # the update does not start here
        if words[i - 1].folded in _PLAN_TAIL:
            continue  # "kế hoạch số 88": the plan's number, not an item
        named = named_in(text[:words[i].start])
        if named is not None:
            return PlanPrefix(named[0], rest)
        if parsed.item is not None and parsed.codes:  # surely the update: no plan before it
            return PlanPrefix(None, rest, unknown=text[:words[i].start].strip(_TRIM))
    named = named_in(text)  # a plan and no update after it ("/capnhat kế hoạch 134")
    if named is not None:
        return PlanPrefix(named[0], "")
    return PlanPrefix(None, text, unknown=" ".join(w.raw for w in words[:4]))


def parse_status(text: str) -> tuple[str | None, str]:
    """A clear status the text starts with, and the rest as typed.

    "đang làm Đã phê duyệt 2 đồ án" -> ("dang", "Đã phê duyệt 2 đồ án"); an ambiguous or
    unknown start gives (None, text)."""
    text = unicodedata.normalize("NFC", text or "").strip()
    words = _words(text)
    if not words:
        return None, ""
    codes, n = _status_at(words, 0)
    if len(codes) != 1:
        return None, text
    return codes[0], _rest(text, words, n)


# ---------------------------------------------------------------- details

@functools.lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    base = unicodedata.normalize("NFD", ch)[0].lower()[:1] or ch
    return "d" if base == "đ" else base


def _char_fold(text: str) -> str:
    """Folded character by character, so positions match the original text."""
    return "".join(map(_fold_char, text))


_LABEL = re.compile(
    r"(?:^|(?<=[\s.;,]))(ket qua|kq|kho khan(?:,? vuong mac)?|vuong mac(?:,? kho khan)?|kk|"
    r"kien nghi(?:,? de xuat)?|de xuat(?:,? kien nghi)?|de nghi|kn|ghi chu)\s*:")
_LABEL_KIND = {"ket": "result", "kq": "result", "kho": "obstacles", "vuong": "obstacles",
               "kk": "obstacles", "kien": "proposals", "de": "proposals", "kn": "proposals",
               "ghi": "note"}
_CLAUSE_END = re.compile(r"[,;]\s+|\.\s+|\n+")
_OBSTACLE = re.compile(
    r"^(?:(?:con|do|vi|bi|gap|dang|hien|nhung|tuy nhien|song|va|van)\s+){0,3}"
    r"(?:vuong|kho khan|tro ngai|ach tac)\b")
_PROPOSAL = re.compile(r"^(?:(?:xin|kinh|va|dong thoi)\s+){0,2}(?:kien nghi|de nghi|de xuat)\b")
_TRIM = " \t\n,;.:-–—"


def details(code: str | None, text: str) -> Details:
    """Split the free text after the status into note, result, obstacles and proposals."""
    text = unicodedata.normalize("NFC", text or "").strip()
    folded = _char_fold(text)
    labelled: dict[str, list[str]] = {"result": [], "obstacles": [], "proposals": [],
                                      "note": []}
    marks = list(_LABEL.finditer(folded))
    free = text[:marks[0].start()] if marks else text
    for k, m in enumerate(marks):
        end = marks[k + 1].start() if k + 1 < len(marks) else len(text)
        part = text[m.end():end].strip(_TRIM)
        if part:
            labelled[_LABEL_KIND[m.group(1).split()[0]]].append(part)
    free = free.strip(_TRIM)
    buckets = _clauses(code, free)
    note = "; ".join(p for p in [free, *labelled["note"]] if p)
    result = "; ".join(labelled["result"]) or buckets["result"]
    obstacles = "; ".join(p for p in [buckets["obstacles"], *labelled["obstacles"]] if p)
    proposals = "; ".join(p for p in [buckets["proposals"], *labelled["proposals"]] if p)
    if not labelled["result"] and labelled["note"] and not buckets["result"]:
        result = "; ".join(labelled["note"]) if code != "vuong" else ""
    return Details(note, result, obstacles, proposals)


def _clauses(code: str | None, free: str) -> dict[str, str]:
    """Unlabelled text by clause: obstacle and proposal markers switch the bucket."""
    out: dict[str, list[str]] = {"result": [], "obstacles": [], "proposals": []}
    if not free:
        return {k: "" for k in out}
    bounds = [0]
    for m in _CLAUSE_END.finditer(free):
        bounds += [m.start(), m.end()]
    bounds.append(len(free))
    spans = [(bounds[i], bounds[i + 1]) for i in range(0, len(bounds), 2)]
    bucket = "obstacles" if code == "vuong" else "result"
    runs: list[tuple[str, int, int]] = []
    for start, end in spans:
        clause = _char_fold(free[start:end]).strip()
        if _PROPOSAL.match(clause):
            bucket = "proposals"
        elif _OBSTACLE.match(clause):
            bucket = "obstacles"
        if runs and runs[-1][0] == bucket:
            runs[-1] = (bucket, runs[-1][1], end)
        else:
            runs.append((bucket, start, end))
    for bucket, start, end in runs:
        part = free[start:end].strip(_TRIM)
        if part:
            out[bucket].append(part)
    return {k: "; ".join(v) for k, v in out.items()}
