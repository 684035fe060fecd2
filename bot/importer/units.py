"""Recognising the units a plan names: who leads a task, who takes part.

Two sources of names. For a plan of this province, the agencies of the default plan with
today's organisation (bot.knowledge.load_knowledge: KH147's agencies, the current units, the
communes). For any province, the kinds of unit every Vietnamese province has (units.json: the
departments, boards, police, tax, the commune-level committees …) followed by the province's
name or not; committees of a named commune or ward ("UBND phường Yên Bái") are recognised by
their form and get their own entries. Besides units, a text names the issuer (UBND tỉnh),
everyone ("các sở, ban, ngành") and bodies outside the province's administration (Bộ …,
Công ty Điện lực …, nhà đầu tư): these are told apart and never become a lead or partner.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from bot.knowledge import fold

DATA = Path(__file__).resolve().parent / "units.json"

# words that open the name of a unit; an alias not opening with one is too loose to look for
# in running text ("công an", "nông nghiệp")
HEAD = re.compile(r"^(?:Sở|Ban|BQL|UBND|Ủy ban|Uỷ ban|Văn phòng|VP|Thanh tra|Công an|CA|Bộ Chỉ huy|"
                  r"BCH|Bộ đội|Thuế|Cục|Chi cục|Kho bạc|KBNN|Hải quan|Bảo hiểm|BHXH|Ngân hàng|"
                  r"NHNN|Trung tâm|Báo|Đài|Liên minh|Ủy ban Mặt trận|UBMTTQ|MTTQ|Các chủ đầu tư|"
                  r"Hiệp hội|Hội|Liên đoàn|LĐLĐ|Tỉnh đoàn|Tỉnh Đoàn|Đoàn Thanh niên|Bưu điện|"
                  r"Thống kê|Viện|VKSND|Tòa án|Toà án|TAND|Trường|Cổng|"
                  r"chủ đầu tư|Chủ đầu tư|nhà đầu tư|Nhà đầu tư|các nhà đầu tư)\b")
# forms a unit's name takes that the catalogue may not list: reported when nothing matched
UPPER = "A-Z" + "".join(c for c in map(chr, range(0xC0, 0x1EFA)) if c.isupper())
LOWER = "a-z" + "".join(c for c in map(chr, range(0xC0, 0x1EFA)) if c.islower())
# words that end a name: what the unit does comes next ("… tỉnh hướng dẫn")
VERBS = (r"(?:và|chủ|phối|tham|hướng|thực|tổ|xây|kiểm|rà|đôn|theo|triển(?=\s+khai)|báo|gửi|có|là|đề|quản|"
         r"phê|cấp|hỗ|lập|tiếp|nghiên|chỉ|giám|tăng|đẩy|bố|cập|tạo|thu|đánh|trình|phân|căn|"
         r"để|trong|về|với|cùng|tại|đối|được|sẽ|cần|phải)\b")
UNKNOWN = re.compile(rf"(?<!\w)(?:Sở|Ban Quản lý|Ban QL|Ban|Cục|Chi cục|Trung tâm|Văn phòng|"
                     rf"Bộ Chỉ huy|Kho bạc|Ngân hàng|Hội đồng|Hiệp hội|Hội|Liên đoàn|Tổ công tác|"
                     rf"Ủy ban|Uỷ ban|Trường|Bệnh viện|Bưu điện|Báo|Đài|Tỉnh đoàn|Liên hiệp|"
                     rf"Viện|Tòa án)"
                     rf"(?:\s+(?:và\s+|,\s*)?[{UPPER}][\w-]*"
                     rf"(?:\s+(?!{VERBS})[{LOWER}]+){{0,3}})+"
                     rf"(?:\s+(?:\d{{1,4}}|[IVX]{{1,5}})(?![\w/]))?(?:\s+tỉnh(?![\w]))?")
# what goes on after the name of a unit that has many of its kind ("Kho bạc Nhà nước khu vực"
# + "VIII", "Ban Quản lý Khu kinh tế" + "Đông Nam"): a number, a numeral or a proper name
NAMED_TAIL = re.compile(rf"(?:\s+(?:[Kk]hu\s+vực\s+)?(?:\d{{1,2}}|[IVX]{{1,5}})(?![\w/])|"
                        rf"(?:\s+[{UPPER}][\w]*){{1,4}})")
COMMUNE = re.compile(rf"(?<!\w)(?:UBND|Ủy ban nhân dân|Uỷ ban nhân dân)\s+(phường|xã|thị trấn|"
                     rf"đặc khu)\s+([{UPPER}][\w]*(?:\s+[{UPPER}][\w]*){{0,3}})")
UBND = r"(?:UBND|Ủy\s+ban\s+nhân\s+dân)"
# joins between names of one list: "Sở A, Sở B và các cơ quan, đơn vị liên quan"
CONNECTOR = re.compile(r"^(?:[\s,;/&()]|và|cùng|với|các|có|liên|quan|khác|trên|địa|bàn|"
                       r"tỉnh|\bvề\b)*$", re.I)

# accent placement differs between typists ("Uỷ"/"Ủy", "Hoà"/"Hòa"): matched as one
_OLD_TONES = str.maketrans({"ỷ": "ủ", "Ỷ": "Ủ"})
_OLD_PAIRS = [("oà", "òa"), ("oá", "óa"), ("oả", "ỏa"), ("oã", "õa"), ("oạ", "ọa"),
              ("uỷ", "ủy"), ("Uỷ", "Ủy"), ("uý", "úy"), ("uỳ", "ùy")]


def match_form(s: str) -> str:
    """Same length as s (positions carry over), one spelling of the tone marks."""
    for old, new in _OLD_PAIRS:
        s = s.replace(old, new)
    return s.translate(_OLD_TONES)


@dataclass
class Unit:
    id: str
    name: str
    kind: str
    aliases: list[str]
    short: str = ""
    parent: str | None = None
    former: bool = False
    named: bool = False  # one of many of its kind, the plan adds its own name after it
    source: str = "catalogue"  # "plan" (this province's data), "catalogue", "form" (commune)


@dataclass(frozen=True)
class Mention:
    start: int
    end: int
    kind: str  # "unit", "issuer", "everyone", "outside"
    unit: str | None  # unit id for kind "unit"
    text: str


@dataclass
class Catalogue:
    province: str  # "Lào Cai"
    units: dict[str, Unit] = field(default_factory=dict)
    _patterns: list = field(default_factory=list)  # (compiled regex, kind, unit id)
    named: dict[str, str] = field(default_factory=dict)  # unit id -> the plan's own name

    def unit(self, uid: str) -> Unit:
        return self.units[uid]

    def name(self, uid: str) -> str:
        """The unit's name as the plan writes it, or the catalogue's."""
        return self.named.get(uid, self.units[uid].name)

    def children(self, uid: str) -> list[Unit]:
        return [u for u in self.units.values() if u.parent == uid]

    def mentions(self, text: str) -> list[Mention]:
        """Every name in the text, longest first where they overlap, in text order."""
        t = match_form(text)
        found: list[Mention] = []
        taken = [False] * (len(t) + 1)
        for rx, kind, uid in self._patterns:
            for m in rx.finditer(t):
                a, b = m.span()
                if any(taken[a:b]) or not _capital_head(t, a, kind):
                    continue
                b = self._named_end(text, t, uid, a, b) if kind == "unit" else b
                for i in range(a, b):
                    taken[i] = True
                found.append(Mention(a, b, kind, uid, text[a:b]))
        for m in COMMUNE.finditer(t):
            a, b = m.span()
            if any(taken[a:b]):
                continue
            uid = self.add_commune(m.group(1), text[m.start(2):m.end(2)])
            for i in range(a, b):
                taken[i] = True
            found.append(Mention(a, b, "unit", uid, text[a:b]))
        for m in UNKNOWN.finditer(t):
            a, b = m.span()
            if any(taken[a:b]):
                continue
            found.append(Mention(a, b, "unknown", None, text[a:b].strip(" ,")))
        return sorted(found, key=lambda x: x.start)

    def _named_end(self, text: str, t: str, uid: str, start: int, end: int) -> int:
        """Where the name of a unit marked `named` ends: after the number or proper name the
        plan gives it ("Chi cục Hải quan khu vực VIII"), which becomes the unit's name."""
        u = self.units[uid]
        if not u.named:
            return end
        m = NAMED_TAIL.match(t, end)
        if not m or HEAD.match(m.group(0).strip()) or fold(m.group(0).strip()) in (
                fold(self.province), "tinh"):
            return end
        self.named.setdefault(uid, text[start:m.end()])
        return m.end()

    def add_commune(self, level: str, place: str) -> str:
        uid = f"{'phuong' if level == 'phường' else 'xa' if level == 'xã' else slug(level)}_" \
              f"{slug(place)}"
        for u in self.units.values():  # this province's data may know it under another id
            if fold(u.name) == fold(f"UBND {level} {place}"):
                return u.id
        if uid not in self.units:
            parent = "ubnd_cap_xa" if "ubnd_cap_xa" in self.units else None
            self.units[uid] = Unit(uid, f"UBND {level} {place}", "ward" if level == "phường"
                                   else "commune", [f"Ủy ban nhân dân {level} {place}",
                                                    f"{level} {place}"],
                                   short=f"{level} {place}", parent=parent, source="form")
        return uid


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", fold(name)).strip("_")


def _capital_head(t: str, at: int, kind: str) -> bool:
    """A unit's name opens with a capital ("Sở Xây dựng"); "các sở, ngành" may not."""
    return kind != "unit" or t[at].isupper() or t[at:at + 3].lower() in ("chủ", "nhà", "các")


def _alias_regex(alias: str, province: str) -> str:
    a = re.escape(match_form(alias.strip()))
    a = a.replace(r"\ ", r"\s+").replace(",", r"\s*,\s*").replace("/", r"\s*/\s*")
    a = re.sub(r"UBND|Ủy\\s\+ban\\s\+nhân\\s\+dân", lambda _: UBND, a)
    suffix = ""
    if province:
        p = re.escape(match_form(province)).replace(r"\ ", r"\s+")
        suffix = rf"(?:\s+tỉnh\s+{p}|\s+{p}|\s+tỉnh(?!\s+(?:ủy|uỷ)))?"
        if a.endswith(r"\s+tỉnh"):  # "Báo và Phát thanh, Truyền hình tỉnh" written
            # "… Truyền hình Nghệ An"
            a = rf"{a[:-len('tỉnh')]}(?:tỉnh|{p}(?![\w]))"
    return rf"(?<![\w]){a}{suffix}(?![\w])"


def _compile(cat: Catalogue, issuer: list[str], everyone: list[str], outside: list[str],
             party: list[str]) -> None:
    entries: list[tuple[str, str, str | None, bool]] = []  # (text, kind, id, is_regex)
    for u in cat.units.values():
        for alias in dict.fromkeys([u.name, *u.aliases]):
            if HEAD.match(alias) and " " in alias.strip():
                entries.append((alias, "unit", u.id, False))
    entries += [(x, "issuer", None, False) for x in issuer]
    entries += [(x, "everyone", None, False) for x in everyone]
    pats = [(_alias_regex(x, cat.province if kind == "unit" else ""), kind, uid, len(x))
            for x, kind, uid, _ in entries]
    pats += [(rf"(?<![\w]){x}(?![\w])", "outside", None, 1) for x in outside]
    # the party's bodies ("Ban Tuyên giáo và Dân vận Tỉnh ủy") before the issuer "Tỉnh ủy"
    pats += [(rf"(?<![\w]){x}(?![\w])", "outside", None, 10_000) for x in party]
    pats.sort(key=lambda p: -p[3])
    cat._patterns = [(re.compile(rx, re.I if kind != "outside" else 0), kind, uid)
                     for rx, kind, uid, _ in pats]


@cache
def _data() -> dict:
    return json.loads(DATA.read_text(encoding="utf-8"))


def catalogue_for(province: str) -> Catalogue:
    """The names to look for in a plan of this province (the organisation data's, when the
    province is the one the default plan serves) or of any other province."""
    data = _data()
    cat = Catalogue(province=province)
    kb = _home_plan(province)
    if kb is not None:
        for a in kb.agencies:
            cat.units[a.id] = Unit(a.id, a.name, a.kind, list(a.aliases), a.short, a.parent,
                                   former=kb.is_former(a.id), source="plan")
        if kb.org is not None:
            for u in kb.org.units:  # communes belong to the collective "UBND cấp xã"
                if u.collective and u.id in cat.units:
                    cat.units[u.id].parent = u.collective
    known = {fold(n) for u in cat.units.values() for n in (u.name, *u.aliases)}
    for d in data["units"]:
        if d["id"] in cat.units or fold(d["name"]) in known:
            continue
        cat.units[d["id"]] = Unit(d["id"], d["name"], d["kind"], list(d["aliases"]),
                                  d.get("short", ""), former=bool(d.get("former")),
                                  named=bool(d.get("named")))
    _compile(cat, data["issuer"], data["everyone"], data["outside"], data["party"])
    return cat


def _home_plan(province: str):
    """The default plan with today's organisation when the plan is of its province."""
    from bot.knowledge import KnowledgeError, load_knowledge
    try:
        kb = load_knowledge()
    except KnowledgeError:
        return None
    names = {fold(kb.document.extra.get("place", ""))}
    if kb.org is not None:
        names |= {fold(p) for p in kb.org.province.get("aliases", ())}
        names |= {fold(kb.org.province.get("former", "")).removeprefix("tinh ")}
    return kb if fold(province) in names else None


def subject(cat: Catalogue, text: str, mentions: list[Mention]) -> list[Mention]:
    """The names a task opens with ("Sở A và Sở B chủ trì …", "Giao Sở A …")."""
    lead_in = re.match(r"^(?:-\s*)?(?:(?:Giao|Đề nghị|Yêu cầu|Giao cho)\s+)?", text)
    return _run(text, mentions, lead_in.end() if lead_in else 0)


def partners(cat: Catalogue, text: str, mentions: list[Mention]) -> list[Mention]:
    """Names listed after each "phối hợp (với|cùng)" up to the first word that is not a join."""
    out: list[Mention] = []
    for m in re.finditer(r"phối\s+hợp(?:\s+chặt\s+chẽ)?(?:\s+(?:với|cùng))?", text, re.I):
        out += [x for x in _run(text, mentions, m.end()) if x not in out]
    return out


def _run(text: str, mentions: list[Mention], pos: int) -> list[Mention]:
    out: list[Mention] = []
    for m in mentions:
        if m.end <= pos:
            continue
        gap = text[pos:m.start]
        if m.start < pos or not CONNECTOR.match(gap):
            break
        out.append(m)
        pos = m.end
    return out
