"""Reading the deadlines a task's text sets, in the forms plans use.

    "trong tháng 9 năm 2021"                 -> due 2021-09-30
    "Quý II/2026", "trong quý IV năm 2026"   -> due the quarter's last day
    "trong năm 2021", "Từ nay đến năm 2025",
    "hoàn thành trước năm 2025"              -> due the year's last day
    "trước ngày 15/6" (no year)              -> every year on 15/6 over the plan's years
    "trước ngày 15/6/2026"                   -> due that day
    "định kỳ hàng năm (trước ngày 10/12)"    -> every year on 10/12
    "trước ngày 20 hằng tháng",
    "hằng tháng trước ngày 20"               -> every month on the 20th
    "hằng quý trước ngày 20",
    "trước ngày 20 của tháng cuối quý"       -> every quarter, the 20th of its last month
    "thường xuyên"                           -> no date: the task is ongoing

A phrase that announces a time limit but gives none of these ("chậm nhất", "trước ngày" with
no date) is returned as unreadable, for a person to review.
"""
from __future__ import annotations

import calendar
import re
from dataclasses import dataclass

ROMAN = {"I": 1, "II": 2, "III": 3, "IV": 4}
MONTHLY = re.compile(r"(?:trước\s+ngày\s+(\d{1,2})\s+(?:hằng|hàng|mỗi)\s+tháng|"
                     r"(?:hằng|hàng|mỗi)\s+tháng[,]?\s+(?:\(?\s*)?(?:gửi\s+)?(?:báo\s+cáo\s+)?"
                     r"trước\s+ngày\s+"
                     r"(\d{1,2})(?!\s*/))", re.I)
DAY_MONTH = re.compile(r"(?:trước|chậm nhất|trong|vào)\s+(?:là\s+)?ngày\s+(\d{1,2})\s*[/.-]\s*"
                       r"(\d{1,2})(?:\s*[/.-]\s*(\d{4}))?|(?:trước|chậm nhất)\s+ngày\s+(\d{1,2})"
                       r"\s+tháng\s+(\d{1,2})(?:\s+năm\s+(\d{4}))?|"
                       # "trước 30/6/2026": without "ngày" only with its year
                       r"(?:trước|chậm nhất)\s+(\d{1,2})\s*/\s*(\d{1,2})\s*/\s*(\d{4})", re.I)
MONTH_YEAR = re.compile(r"(?:trong|trước|hết|cuối|đến)\s+tháng\s+(\d{1,2})\s*(?:năm\s+|/)"
                        r"(\d{4})", re.I)
QUARTER = re.compile(r"(?:trong\s+|trước\s+|đến\s+|hết\s+)?quý\s+(IV|III|II|I)\s*(?:năm\s+|/)"
                     r"(\d{4})", re.I)
YEAR = re.compile(r"(?:\b[Tt]rong\s+năm|[Tt]ừ\s+nay\s+đến(?:\s+hết)?(?:\s+năm)?|"
                  r"(?:hoàn\s+thành|xong)(?:\s+\w+){0,4}?\s+(?:trong|trước|đến|vào)(?:\s+cuối)?"
                  r"(?:\s+năm)?|đến\s+hết\s+năm|trước\s+năm|[Đđ]ến\s+cuối\s+năm)\s+(\d{4})\b")
QUARTER_DAY = re.compile(r"(?:hằng|hàng|mỗi)\s+quý[,]?\s+(?:\(?\s*)?(?:gửi\s+)?(?:báo\s+cáo\s+)?"
                         r"trước\s+ngày\s+(\d{1,2})(?!\s*/)|trước\s+ngày\s+(\d{1,2})\s+(?:của\s+)?"
                         r"(?:tháng\s+cuối\s+)?(?:hằng|hàng|mỗi)\s+quý|trước\s+ngày\s+(\d{1,2})\s+"
                         r"(?:của\s+)?tháng\s+cuối\s+(?:mỗi\s+|của\s+)?quý", re.I)
# "chi thường xuyên" is the budget's recurrent spending, not a timing
ONGOING = re.compile(r"(?<!chi\s)\bthường\s+xuyên\b", re.I)
# words that announce a time limit; a task with one and no date read is reviewed
ANNOUNCES = re.compile(r"\b(?:chậm\s+nhất|hạn\s+chót|trước\s+ngày|hoàn\s+thành\s+trước|"
                       r"(?:hằng|hàng|mỗi)\s+tuần)\b", re.I)
HALF_YEAR = re.compile(r"(?:6|sáu)\s+tháng(?:\s+(?:đầu|cuối)\s+năm)?|giữa\s+năm", re.I)
QUARTERLY = re.compile(r"(?:hằng|hàng|mỗi)\s+quý|định\s+kỳ\s+quý", re.I)
# which report a date is for, by the nearest of these words before it
PERIOD_WORDS = (("6T", HALF_YEAR), ("year", re.compile(r"\bnăm\b", re.I)),
                ("quarter", re.compile(r"\bquý\b", re.I)),
                ("final", re.compile(r"tổng\s+kết|sơ\s+kết", re.I)))
# a table cell that names a recurrence and no date ("Hằng năm", "Định kỳ hằng quý"): the task
# recurs, there is no date to remind of
RECURRING = re.compile(r"^(?:định\s+kỳ\s+)?(?:hằng|hàng|mỗi)\s+(?:năm|quý|tháng)\.?$", re.I)
YEAR_RANGE = re.compile(r"^(?:[Gg]iai\s+đoạn\s+|[Nn]ăm\s+|[Tt]ừ\s+(?:năm\s+)?)?(\d{4})\s*"
                        r"(?:[-–]|đến(?:\s+năm)?)\s*(\d{4})$")
YEARLY_IN = re.compile(r"((?:[Qq]uý\s+(?:IV|III|II|I)|[Tt]háng\s+\d{1,2})(?:\s*(?:,|và)\s*"
                       r"(?:[Qq]uý\s+(?:IV|III|II|I)|[Tt]háng\s+\d{1,2}))*)\s+(?:hằng|hàng)\s+năm$")


@dataclass(frozen=True)
class Due:
    """One deadline read from text: `due` (ISO) or a rule (`frequency` with month/day)."""
    phrase: str
    start: int
    due: str | None = None
    frequency: str | None = None  # "yearly", "monthly"
    month: int | None = None
    day: int | None = None
    period: str | None = None  # "6T", "year", "month" for reports

    @property
    def key(self) -> tuple:
        return (self.due, self.frequency, self.month, self.day)


def _last_day(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}-{calendar.monthrange(year, month)[1]:02d}"


def _valid(year: int, month: int, day: int) -> bool:
    return 1 <= month <= 12 and 1 <= day <= calendar.monthrange(year or 2024, month)[1]


def read_deadlines(text: str) -> tuple[list[Due], list[str]]:
    """The deadlines in a text, in order, and the phrases that announce one it cannot read."""
    found: list[Due] = []
    spans: list[tuple[int, int]] = []

    def free(m) -> bool:
        return not any(a < m.end() and m.start() < b for a, b in spans)

    def add(m, **kw) -> None:
        spans.append(m.span())
        found.append(Due(m.group(0).strip(), m.start(), **kw))

    for m in MONTHLY.finditer(text):
        day = int(m.group(1) or m.group(2))
        if 1 <= day <= 31:
            add(m, frequency="monthly", day=day, period="month")
    for m in QUARTER_DAY.finditer(text):
        day = int(m.group(1) or m.group(2) or m.group(3))
        if free(m) and 1 <= day <= 31:  # read as the quarter's last month (3, 6, 9, 12)
            add(m, frequency="quarterly", day=day, period="quarter")
    for m in DAY_MONTH.finditer(text):
        if not free(m):
            continue
        k = next(i for i in (1, 4, 7) if m.group(i))
        day, month, year = m.group(k), m.group(k + 1), m.group(k + 2)
        day, month = int(day), int(month)
        if not _valid(int(year or 0), month, day):
            continue
        if year:
            add(m, due=f"{int(year):04d}-{month:02d}-{day:02d}",
                period=(_period(text, m.start()) or "once") if _reports(text, m.start())
                else None)
        else:
            add(m, frequency="yearly", month=month, day=day, period=_period(text, m.start()))
    for m in MONTH_YEAR.finditer(text):
        if free(m) and 1 <= int(m.group(1)) <= 12:
            add(m, due=_last_day(int(m.group(2)), int(m.group(1))))
    for m in QUARTER.finditer(text):
        if free(m):
            add(m, due=_last_day(int(m.group(2)), ROMAN[m.group(1).upper()] * 3))
    for m in YEAR.finditer(text):
        if free(m) and not re.search(r"tầm\s+nhìn\s*$", text[:m.start()]):
            add(m, due=f"{int(m.group(1)):04d}-12-31")
    found.sort(key=lambda d: d.start)
    unread = []
    shown = 0  # where the last excerpt ended: two phrases in one excerpt are one
    for m in ANNOUNCES.finditer(text):
        # "hoàn thành trước ngày 15/3/2026": the announcing words run into a date read
        if not any(a - 20 <= m.start() < b for a, b in spans) and m.start() >= shown:
            unread.append(_excerpt(text, m.start(), m.end()))
            shown = m.end() + 40
    return found, unread


def _excerpt(text: str, start: int, end: int) -> str:
    """The words around a phrase, cut at word boundaries."""
    a = text.rfind(" ", 0, max(0, start - 30)) + 1 if start > 30 else 0
    b = text.find(" ", end + 40)
    return text[a:b if b != -1 else len(text)].strip()


def _clause_before(text: str, at: int) -> str:
    before = text[max(0, at - 80):at]
    last = max(before.rfind(";"), before.rfind("."))
    return before[last + 1:]


def _reports(text: str, at: int) -> bool:
    """A dated deadline is a report's when its clause says so ("báo cáo năm gửi trước …")."""
    return bool(re.search(r"báo\s+cáo", _clause_before(text, at), re.I))


def _period(text: str, at: int) -> str | None:
    """Which report a yearly date is for: the words just before it ("Báo cáo 6 tháng gửi …")."""
    clause = _clause_before(text, at)[-60:]
    best = None
    half = [m.span() for m in HALF_YEAR.finditer(clause)]  # "năm" of "6 tháng đầu năm"
    for name, rx in PERIOD_WORDS:  # "6 tháng (trước ngày 15/6) và hằng năm (trước ngày 15/12)"
        hits = [h for h in rx.finditer(clause)
                if name == "6T" or not any(a <= h.start() < b for a, b in half)]
        if hits and (best is None or hits[-1].start() > best[1]):
            best = (name, hits[-1].start())
    if best and best[0] == "quarter":
        return None  # a quarter's report is read by QUARTER_DAY; a date here is another's
    return best[0] if best else None


def is_ongoing(text: str) -> bool:
    return bool(ONGOING.search(text))


def is_recurring(cell: str) -> bool:
    return bool(RECURRING.match(" ".join(cell.split())))


def read_cell(cell: str) -> list[Due]:
    """A table's "thời gian" cell: "Năm 2025", "Quý II/2026", "Tháng 6/2026", "2026",
    "Trước 15/6 hằng năm", "Thường xuyên"."""
    s = " ".join(cell.split())
    found, _ = read_deadlines(s)
    if found:
        return found
    m = re.fullmatch(r"(?:[Nn]ăm\s+)?(\d{4})", s)
    if m:
        return [Due(s, 0, due=f"{int(m.group(1)):04d}-12-31")]
    m = re.fullmatch(r"(?:[Tt]háng\s+)?(\d{1,2})\s*/\s*(\d{4})", s) or \
        re.fullmatch(r"[Tt]háng\s+(\d{1,2})\s+năm\s+(\d{4})", s)
    if m and 1 <= int(m.group(1)) <= 12:
        return [Due(s, 0, due=_last_day(int(m.group(2)), int(m.group(1))))]
    m = re.fullmatch(r"[Qq]uý\s+(IV|III|II|I)\s*/\s*(\d{4})", s)
    if m:
        return [Due(s, 0, due=_last_day(int(m.group(2)), ROMAN[m.group(1).upper()] * 3))]
    m = re.search(r"(\d{1,2})\s*/\s*(\d{1,2})\s*(?:hằng|hàng)\s+năm", s)
    if m and _valid(0, int(m.group(2)), int(m.group(1))):
        return [Due(s, 0, frequency="yearly", month=int(m.group(2)), day=int(m.group(1)))]
    m = YEAR_RANGE.match(s)  # "2026 - 2028", "Giai đoạn 2026-2030": by the end of the last
    if m and int(m.group(1)) <= int(m.group(2)):
        return [Due(s, 0, due=f"{int(m.group(2)):04d}-12-31")]
    m = re.fullmatch(r"(?:[Đđ]ến|[Tt]rước|[Tt]rong)\s+năm\s+(\d{4})", s)
    if m:
        return [Due(s, 0, due=f"{int(m.group(1)):04d}-12-31")]
    m = YEARLY_IN.match(s)  # "Quý II và Quý IV hằng năm", "Tháng 12 hằng năm": every year
    if m:
        return _yearly_in(s, m.group(1))
    return []


def _yearly_in(cell: str, spec: str) -> list[Due]:
    out = []
    for q, month in re.findall(r"[Qq]uý\s+(IV|III|II|I)|[Tt]háng\s+(\d{1,2})", spec):
        mo = ROMAN[q.upper()] * 3 if q else int(month)
        if not 1 <= mo <= 12:
            return []
        out.append(Due(cell, 0, frequency="yearly", month=mo,
                       day=calendar.monthrange(2023, mo)[1]))
    return out
