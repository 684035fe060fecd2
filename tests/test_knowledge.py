"""knowledge/kh147.json held to the plan's text, and the loader's refusal of broken copies.

The seed is parsed here independently of knowledge/build_kh147.py, so a slip in the generator
shows up as a difference between the two readings of the same text.
"""
from __future__ import annotations

import copy
import json
import os
import re
from dataclasses import FrozenInstanceError
from pathlib import Path

import pytest

from bot.knowledge import DEFAULT_PATH, KnowledgeError, fold, load_knowledge, parse_knowledge

ROOT = Path(__file__).resolve().parents[1]
SEED_CANDIDATES = [
    os.environ.get("KH147_SEED", ""),
    ROOT.parent / "shared" / "seeds" / "000_a10c2ba26ad84cae.txt",
    ROOT / "knowledge" / "kh147_seed.txt",
]


@pytest.fixture(scope="module")
def kb():
    return load_knowledge()


@pytest.fixture(scope="module")
def raw():
    return json.loads(DEFAULT_PATH.read_text(encoding="utf-8"))


# --- an independent reading of the seed --------------------------------------------------------


@pytest.fixture(scope="module")
def blocks() -> list[str]:
    """Paragraphs of parts I–IV: page-break splits joined, markdown asterisks removed."""
    path = next((Path(p) for p in SEED_CANDIDATES if p and Path(p).is_file()), None)
    if path is None:
        pytest.skip("the plan's text (shared/seeds/000_a10c2ba26ad84cae.txt) is not available")
    text = path.read_text(encoding="utf-8")
    body = text[text.index("I. MỤC ĐÍCH"):text.index("Nơi nhận")]
    out: list[str] = []
    for b in (x.strip() for x in re.split(r"\n\s*\n", body)):
        if not b:
            continue
        if out and (b[0].islower() or re.search(r"\S-$", out[-1])):
            out[-1] += ("" if out[-1].endswith("-") else " ") + b
        else:
            out.append(b)
    return [re.sub(r"\*+", "", b) for b in out]


@pytest.fixture(scope="module")
def seed(blocks) -> dict[str, dict]:
    """Section id -> {"part", "heading", "paras"} as the seed numbers them."""
    part = cur = None
    out: dict[str, dict] = {}
    for b in blocks:
        if m := re.fullmatch(r"(I|II|III|IV)\. ([^\n]+)", b):
            part = m[1]
            continue
        if part in ("I", "IV"):
            m = re.match(r"(\d)\. (.*)", b, re.S)
            out[f"{part}.{m[1]}"] = {"part": part, "heading": None, "paras": [m[2]]}
        elif part == "II":
            m = re.match(r"\((\d)\) (.*)", b, re.S)
            out[f"II.{m[1]}"] = {"part": part, "heading": None, "paras": [m[2]]}
        elif m := re.match(r"(\d\.\d)\. (.*)", b, re.S):
            head, _, body = m[2].partition(":")
            cur = m[1]
            out[cur] = {"part": part, "heading": head.strip(),
                        "paras": [body.strip()] if body.strip() else []}
        elif m := re.match(r"(\d)\. (.*)", b, re.S):
            cur = m[1]
            out[cur] = {"part": part, "heading": m[2], "paras": []}
        else:
            out[cur]["paras"].append(b[2:].strip() if b.startswith("- ") else b)
    return out


def squash(s: str) -> str:
    return " ".join(s.split())


def sentences(blocks: list[str]) -> list[str]:
    out = []
    for b in blocks:
        pieces = [b]
        if m := re.match(r"\d\.\d\. (.*)", b, re.S):  # "Sở Y tế: Xây dựng …" = heading + body
            pieces = list(m[1].partition(":")[::2])
        else:
            pieces = [re.sub(r"^(?:(?:I|II|III|IV)\.|\d\.|\(\d\)|-)\s+", "", b)]
        for p in pieces:
            out += [squash(s) for s in re.split(r"(?<=[.!?])\s+", p) if s.strip()]
    return out


def haystack(raw: dict) -> str:
    d = raw["document"]
    texts = [d["title"], d.get("preamble", ""), *(p["title"] for p in d.get("parts", []))]
    for key in ("sections", "tasks", "objectives"):
        for it in raw[key]:
            texts += [it.get("title", ""), it["text"]]
    return squash("\n".join(texts))


# --- the file holds all of the plan ------------------------------------------------------------


def test_every_sentence_of_parts_i_to_iv_is_in_the_file(blocks, raw):
    hay = haystack(raw)
    found = sentences(blocks)
    assert len(found) > 150
    missing = [s for s in found if s not in hay]
    assert not missing, missing[:5]


def test_sections_are_numbered_as_in_the_plan(kb, seed):
    assert [s.id for s in kb.sections] == list(seed)
    subsections = {s.id for s in kb.sections if s.group}
    assert subsections == {sid for sid in seed if re.fullmatch(r"\d\.\d", sid)}
    assert len(subsections) == 37
    for s in kb.sections:
        assert s.part == seed[s.id]["part"]
        if s.group:
            assert s.id.split(".")[0] == s.group


def test_each_subsection_is_led_by_the_agency_its_heading_names(kb, seed):
    def norm(name: str) -> str:  # "Ban Quản lý các KCN tỉnh" ~ the canonical long form
        s = fold(name).replace("khu cong nghiep", "kcn")
        return s.removesuffix(" tinh")

    for sid, info in seed.items():
        if not re.fullmatch(r"\d\.\d", sid):
            continue
        lead = kb.section(sid).lead
        assert lead is not None, sid
        assert kb.resolve_agency(info["heading"]).id == lead, sid
        assert norm(info["heading"]) == norm(kb.agency(lead).name), sid
        assert kb.section(sid).title == info["heading"].rstrip(":")


def test_tasks_are_the_bullets_and_paragraphs_of_each_section(kb, seed):
    for sid, info in seed.items():
        texts = [t.text for t in kb.tasks_of(sid)]
        if info["part"] in ("I", "II") or re.fullmatch(r"[2-8]", sid):
            assert texts == [], sid
            continue
        assert texts == info["paras"], sid
        assert all(t.lead == kb.section(sid).lead for t in kb.tasks_of(sid))
    assert len(kb.tasks) == sum(
        len(v["paras"]) for k, v in seed.items()
        if v["part"] in ("III", "IV") and not re.fullmatch(r"[2-8]", k))
    assert 75 <= len(kb.tasks) <= 90


def test_task_ids_follow_the_numbering_rule(kb):
    for s in kb.sections:
        assert [t.id for t in kb.tasks_of(s.id)] == [
            f"{s.id}.{k}" for k in range(1, len(kb.tasks_of(s.id)) + 1)]
    assert [t.id for t in kb.tasks_of("1")] == ["1.1", "1.2", "1.3"]
    assert kb.task("2.6.1").text.startswith("Chủ trì, phối hợp")


def test_page_breaks_are_joined_and_markup_removed(kb, raw):
    text = "\n".join(t.text for t in kb.tasks)
    for joined in ("phát triển đô thị", "cơ sở dữ liệu về doanh nghiệp", "các phần mềm hỗ trợ",
                   "nhằm giúp", "Trung Sơn-Ninh Sơn", "về việc phê duyệt"):
        assert joined in text
    assert "*" not in json.dumps(raw, ensure_ascii=False)


def _named_after_phoi_hop(kb, text: str) -> set[str]:
    """Agencies named in the clause that follows each 'phối hợp' (up to '.' or ';')."""
    forms = {}
    for a in kb.agencies:
        if a.parent is None:
            forms[a.id] = {fold(a.name), fold(a.name).replace("khu cong nghiep", "kcn"),
                           fold(a.name).replace("ubnd huyen", "ubnd cac huyen")}
    found = set()
    for m in re.finditer(r"phối hợp", text, re.I):
        clause = re.split(r"[.;]", text[m.end():], maxsplit=1)[0][:150]
        words = f" {fold(clause)} "
        found |= {aid for aid, fs in forms.items() if any(f" {f} " in words for f in fs)}
    return found


def test_partners_are_the_agencies_named_with_phoi_hop(kb):
    for t in kb.tasks:
        assert set(t.partners) == _named_after_phoi_hop(kb, t.text), t.id
        assert t.lead not in t.partners
    for s in kb.sections:
        own = [p for t in kb.tasks_of(s.id) for p in t.partners]
        assert list(s.partners) == list(dict.fromkeys(own)), s.id
    assert kb.section("2.2").partners == ("skhdt",)
    assert set(kb.section("2.4").partners) == {"sct", "ubnd_huyen"}
    assert kb.section("IV.2").lead == "sct" and kb.section("IV.2").partners == ("vpubnd",)


def test_general_duties_bind_every_agency(kb):
    assert kb.general_section_ids == ("1", "IV.1", "IV.3")
    for sid in kb.general_section_ids:
        assert kb.section(sid).binds_all and kb.section(sid).lead is None
    assert [s.id for s in kb.sections if s.binds_all] == ["1", "IV.1", "IV.3"]


# --- agencies and aliases ----------------------------------------------------------------------

CANONICAL = ["Sở Kế hoạch và Đầu tư", "Sở Xây dựng", "Sở Công Thương",
             "Ban Quản lý các Khu công nghiệp tỉnh", "Sở Tài nguyên và Môi trường",
             "Sở Nông nghiệp và Phát triển nông thôn", "UBND huyện, thành phố", "Sở Nội vụ",
             "Văn phòng UBND tỉnh", "Sở Thông tin và Truyền thông", "Sở Giao thông vận tải",
             "Sở Ngoại vụ", "Thanh tra tỉnh", "Công an tỉnh", "Sở Y tế",
             "Sở Lao động, Thương binh và Xã hội", "Sở Khoa học và Công nghệ",
             "Sở Giáo dục và Đào tạo"]
DISTRICTS = ["tp_bac_giang", "hiep_hoa", "lang_giang", "luc_nam", "luc_ngan", "son_dong",
             "tan_yen", "viet_yen", "yen_dung", "yen_the"]


def test_agencies_are_the_eighteen_and_the_ten_districts(kb, seed):
    top = [a for a in kb.agencies if a.parent is None and a.plan]
    assert sorted(a.name for a in top) == sorted(CANONICAL)
    assert [a.id for a in kb.children("ubnd_huyen")] == DISTRICTS
    assert kb.agency("ubnd_huyen").kind == "collective"
    assert {a.kind for a in kb.children("ubnd_huyen")} == {"district"}
    leads = {kb.section(sid).lead for sid in seed if re.fullmatch(r"\d\.\d", sid)}
    assert leads == {a.id for a in top}  # every one of the 18 leads at least one subsection


def test_every_alias_resolves_to_exactly_its_agency(kb):
    owners: dict[str, set[str]] = {}
    for a in kb.agencies:
        for alias in (a.name, *a.aliases):
            owners.setdefault(fold(alias), set()).add(a.id)
            assert kb.resolve_agency(alias).id == a.id, alias
    assert all(len(v) == 1 for v in owners.values())


@pytest.mark.parametrize("typed, agency_id", [
    ("SXD", "sxd"), ("Sở XD", "sxd"), ("so xay dung", "sxd"),
    ("SKHĐT", "skhdt"), ("SKHDT", "skhdt"), ("Sở KH&ĐT", "skhdt"), ("KH&ĐT", "skhdt"),
    ("sở kế hoạch đầu tư", "skhdt"), ("SCT", "sct"), ("công thương", "sct"),
    ("BQL KCN", "bqlkcn"), ("BQL các KCN", "bqlkcn"), ("ban quan ly cac khu cong nghiep", "bqlkcn"),
    ("STNMT", "stnmt"), ("Sở TN&MT", "stnmt"), ("TNMT", "stnmt"), ("tài nguyên môi trường", "stnmt"),
    ("SNN", "snnptnt"), ("Sở NN&PTNT", "snnptnt"), ("nông nghiệp", "snnptnt"),
    ("UBND huyện", "ubnd_huyen"), ("UBND các huyện, thành phố", "ubnd_huyen"),
    ("huyện/thành phố", "ubnd_huyen"), ("SNV", "snv"), ("nội vụ", "snv"),
    ("VP UBND", "vpubnd"), ("VPUBND", "vpubnd"), ("văn phòng UBND tỉnh", "vpubnd"),
    ("STTTT", "stttt"), ("TT&TT", "stttt"), ("thông tin truyền thông", "stttt"),
    ("GTVT", "sgtvt"), ("SNgV", "sngv"), ("ngoại vụ", "sngv"), ("thanh tra", "ttt"),
    ("CA tỉnh", "cat"), ("công an", "cat"), ("y tế", "syt"), ("LĐTBXH", "sldtbxh"),
    ("Sở LĐ-TB&XH", "sldtbxh"), ("lao động thương binh xã hội", "sldtbxh"),
    ("KH&CN", "skhcn"), ("khoa học công nghệ", "skhcn"), ("GD&ĐT", "sgddt"),
    ("giáo dục đào tạo", "sgddt"), ("UBND huyện Việt Yên", "viet_yen"), ("viet yen", "viet_yen"),
    ("Việt Yên", "viet_yen"), ("TP Bắc Giang", "tp_bac_giang"), ("tp bac giang", "tp_bac_giang"),
    ("thành phố Bắc Giang", "tp_bac_giang"), ("Lục Nam", "luc_nam"), ("luc ngan", "luc_ngan"),
    ("  SỞ   XÂY DỰNG ", "sxd"), ("Hiệp Hoà", "hiep_hoa"),
])
def test_what_officials_type_resolves(kb, typed, agency_id):
    assert kb.resolve_agency(typed).id == agency_id


def test_fold_and_unknown_names(kb):
    assert fold("Sở KH&ĐT") == "so kh dt"
    assert fold("Đoàn Bái-Lương Phong 1") == "doan bai luong phong 1"
    assert kb.resolve_agency("Bộ Công Thương") is None
    assert kb.resolve_agency("") is None


def test_districts_share_the_collectives_sections(kb):
    assert kb.sections_led_by("viet_yen") == kb.sections_led_by("ubnd_huyen")
    assert [s.id for s in kb.sections_led_by("ubnd_huyen")] == ["2.7", "5.6", "7.5"]
    ids = [a.id for a in kb.reporting_agencies()]
    assert "ubnd_huyen" not in ids and set(DISTRICTS) <= set(ids) and len(ids) == 27
    assert {s.id for s in kb.partner_sections("skhdt")} == {"2.2", "3.3", "5.3"}


# --- objectives, deadlines, places, glossary ---------------------------------------------------


def vn_number(v: float) -> str:
    """19 -> '19', 47.1 -> '47,1', 2200000 -> '2.200.000' (as the plan writes numbers)."""
    whole, _, frac = (str(int(v)) if float(v).is_integer() else str(v)).partition(".")
    whole = f"{int(whole):,}".replace(",", ".")
    return whole + ("," + frac if frac else "")


def test_objective_figures_are_the_numbers_of_the_text(kb, seed):
    assert [o.id for o in kb.objectives] == [f"II.{k}" for k in range(1, 7)]
    for o in kb.objectives:
        assert o.text == seed[o.id]["paras"][0]
        assert o.figures, o.id
        for f in o.figures:
            assert re.search(rf"(?<![\d.,])0?{re.escape(vn_number(f['value']))}(?![\d,])",
                             o.text), (o.id, f)
    fig = {f["name"]: f["value"] for o in kb.objectives for f in o.figures}
    assert fig["grdp_growth"] == 19 and fig["grdp_share_2020"] == 47.1
    assert fig["output_2030"] == 2_200_000 and fig["ccn_removed_area"] == 372.6
    assert fig["kcn_ready_2025"] == 5 and fig["ccn_ready_2025"] == 9


def test_deadlines_come_from_their_sections(kb):
    ids = {d.id for d in kb.deadlines}
    assert {"IV.1", "IV.3-6m", "IV.3-year", "3.1-2021", "5.6-2021", "5.6-2025",
            "II.6-2025"} <= ids
    assert any(d.source == "4.2" for d in kb.deadlines)
    for d in kb.deadlines:
        text = kb.section(d.source).text
        assert d.note, d.id
        if d.recurring:
            assert f"{d.day}/{d.month}" in text and d.from_year == 2021 and d.to_year == 2030
            assert d.report_to == "sct" and d.kind == "report" and d.applies_to == "all"
    assert kb.deadline("IV.1").due == "2021-09-30" and "tháng 9 năm 2021" in kb.section("IV.1").text
    assert "năm 2021" in kb.section("3.1").text and kb.deadline("3.1-2021").due == "2021-12-31"
    assert "năm 2025" in kb.section("5.6").text and kb.deadline("5.6-2025").due == "2025-12-31"
    assert kb.deadline("5.6-2021").applies_to == ("ubnd_huyen",)
    assert kb.task("5.6.1").deadlines == ("5.6-2021", "5.6-2025")
    assert kb.task("3.1.1").deadline == "3.1-2021"
    assert kb.task("4.2.1").deadlines == ("3.1-2021", "4.2-2025")
    assert {d.id for d in kb.deadlines_for("viet_yen")} >= {"IV.1", "5.6-2021"}


def test_places_are_linked_to_the_tasks_naming_them(kb):
    kcn = {p.short for p in kb.places if p.kind == "KCN"}
    assert kcn == {"Yên Lư", "Yên Sơn - Bắc Lũng", "Tân Hưng", "Quang Châu", "Hòa Phú", "Việt Hàn"}
    assert len([p for p in kb.places if p.kind == "CCN"]) == 24
    for p in kb.places:
        for tid in p.tasks:
            assert fold(p.short) in fold(kb.task(tid).text), (p.id, tid)
    for t in kb.tasks:  # every "KCN <name>" in a bullet is linked
        for p in kb.places:
            if p.kind == "KCN" and f"kcn {fold(p.short)}" in fold(t.text):
                assert p.id in t.places, (t.id, p.id)
    assert "kcn_viet_han" in kb.task("5.6.1").places
    assert kb.resolve_place("viet han").id == "kcn_viet_han"
    assert kb.resolve_place("CCN Yên Lư").id == "ccn_yen_lu"
    assert kb.resolve_place("KCN Yen Lu").id == "kcn_yen_lu"
    assert kb.resolve_place("Yên Lư") is None  # both a KCN and a CCN


def test_glossary_has_the_domain_abbreviations(kb):
    abbrs = {g.abbr for g in kb.glossary}
    assert {"GPMB", "PCCC", "ĐTM", "TTHC", "DN", "DNNVV", "NĐT", "CNTT", "KCN", "CCN", "FDI",
            "PCI"} <= abbrs
    assert next(g for g in kb.glossary if g.abbr == "GPMB").expansion == "giải phóng mặt bằng"
    for g in kb.glossary:  # an alias is a synonym, never a piece of its own expansion
        exp = f" {fold(g.expansion)} "
        for al in g.aliases:
            assert fold(al) == exp.strip() or f" {fold(al)} " not in exp, (g.abbr, al)


def test_document_metadata(kb, blocks):
    d = kb.document
    assert d.number.endswith("/KH-UBND") and d.issued_by == "UBND tỉnh Bắc Giang"
    assert d.signer == "Phan Thế Tuấn" and d.extra["signer_title"].startswith("Phó Chủ tịch")
    assert "8" in d.date and "2021" in d.date
    assert d.implements.startswith("Nghị quyết số 147-NQ/TU ngày 15/7/2021")


# --- the loader ---------------------------------------------------------------------------------


def test_load_is_cached_and_immutable(kb):
    # (how long a load takes is bench/ask.py's figure, not a timed test)
    assert load_knowledge() is kb
    fresh = load_knowledge(str(DEFAULT_PATH))  # another cache key: a real read and parse
    assert fresh == kb and load_knowledge(str(DEFAULT_PATH)) is fresh
    with pytest.raises(FrozenInstanceError):
        kb.task("2.2.1").text = "x"  # type: ignore[misc]
    assert hash(kb) == hash(fresh)  # usable as a cache key


def test_committed_file_is_what_the_generator_makes(blocks, raw):
    from knowledge.build_kh147 import DEFAULT_SEED, build

    if not DEFAULT_SEED.is_file():
        pytest.skip("the generator's seed path is not available")
    assert build(DEFAULT_SEED.read_text(encoding="utf-8")) == raw


def _by_id(items, ident):
    return next(it for it in items if it["id"] == ident)


def _mut(fn):
    def apply(raw):
        fn(raw)
        return raw
    return apply


BROKEN = [
    ("missing task field", _mut(lambda r: _by_id(r["tasks"], "2.2.1").pop("text")),
     "task '2.2.1': missing field 'text'"),
    ("missing document field", _mut(lambda r: r["document"].pop("signer")),
     "document: missing field 'signer'"),
    ("duplicate section", _mut(lambda r: r["sections"].append(copy.deepcopy(
        _by_id(r["sections"], "2.2")))), "section '2.2': duplicate id"),
    ("duplicate agency", _mut(lambda r: r["agencies"].append(copy.deepcopy(
        _by_id(r["agencies"], "sxd")))), "agency 'sxd': duplicate id"),
    ("dangling section lead", _mut(lambda r: _by_id(r["sections"], "2.2").update(lead="sxdd")),
     "section '2.2' lead: unknown agency id 'sxdd'"),
    ("dangling task partner", _mut(lambda r: _by_id(r["tasks"], "2.2.3").update(
        partners=["skhdtt"])), "task '2.2.3' partners: unknown agency id 'skhdtt'"),
    ("dangling task section", _mut(lambda r: _by_id(r["tasks"], "2.2.3").update(section="9.9")),
     "task '2.2.3': unknown section '9.9'"),
    ("dangling task deadline", _mut(lambda r: _by_id(r["tasks"], "3.1.1").update(
        deadline="3.1-2022", deadlines=["3.1-2022"])), "task '3.1.1': unknown deadline '3.1-2022'"),
    ("dangling deadline source", _mut(lambda r: _by_id(r["deadlines"], "3.1-2021").update(
        source="3.9")), "deadline '3.1-2021': unknown source section '3.9'"),
    ("dangling deadline agency", _mut(lambda r: _by_id(r["deadlines"], "5.6-2021").update(
        applies_to=["huyen"])), "deadline '5.6-2021' applies_to: unknown agency id 'huyen'"),
    ("bad due date", _mut(lambda r: _by_id(r["deadlines"], "IV.1").update(due="2021-09-31")),
     "deadline 'IV.1': due '2021-09-31' is not an ISO date"),
    ("task off its numbering", _mut(lambda r: _by_id(r["tasks"], "2.2.2").update(id="2.2.5")),
     "task '2.2.5': id does not follow the numbering rule"),
    ("task lead unlike its section", _mut(lambda r: _by_id(r["tasks"], "2.2.2").update(
        lead="sct")), "task '2.2.2': lead 'sct' differs from the lead 'sxd' of section '2.2'"),
    ("alias naming two agencies", _mut(lambda r: _by_id(r["agencies"], "sct")["aliases"].append(
        "Sxd")), "agency 'sct': alias 'Sxd' also names agency 'sxd'"),
    ("dangling place task", _mut(lambda r: _by_id(r["places"], "kcn_viet_han")["tasks"].append(
        "9.9.9")), "place 'kcn_viet_han': unknown task '9.9.9'"),
    ("dangling district parent", _mut(lambda r: _by_id(r["agencies"], "viet_yen").update(
        parent="ubnd")), "agency 'viet_yen' parent: unknown agency id 'ubnd'"),
    ("section id unlike its part", _mut(lambda r: _by_id(r["sections"], "IV.2").update(
        id="IV.2a")), "section 'IV.2a': id is not numbered like part IV"),
    ("general duty not binding", _mut(lambda r: _by_id(r["sections"], "IV.3").update(
        binds_all=False)), "section 'IV.3': binds_all must be true exactly for 1, IV.1, IV.3"),
    ("objective without its section", _mut(lambda r: _by_id(r["objectives"], "II.6").update(
        id="II.7")), "objective 'II.7': no part II section with this id"),
    ("figure not a number", _mut(lambda r: _by_id(r["objectives"], "II.1")["figures"][0].update(
        value="19")), "objective 'II.1' figures[0]: 'value' must be a number"),
    ("aliases not a list", _mut(lambda r: _by_id(r["agencies"], "syt").update(aliases="SYT")),
     "agency 'syt': field 'aliases' must be a list of strings"),
]


@pytest.mark.parametrize("what, breaks, message", BROKEN, ids=[b[0] for b in BROKEN])
def test_loader_rejects_a_broken_copy(tmp_path, raw, what, breaks, message):
    broken = breaks(copy.deepcopy(raw))
    path = tmp_path / "kh147.json"
    path.write_text(json.dumps(broken, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(KnowledgeError) as err:
        load_knowledge(path)
    assert message in str(err.value)
    with pytest.raises(KnowledgeError, match=re.escape(message)):
        parse_knowledge(broken)


def test_loader_names_the_line_of_invalid_json(tmp_path):
    path = tmp_path / "kh147.json"
    path.write_text('{"document": {\n"number": }', encoding="utf-8")
    with pytest.raises(KnowledgeError, match=r"invalid JSON at line 2"):
        load_knowledge(path)
    with pytest.raises(KnowledgeError, match="file not found"):
        load_knowledge(tmp_path / "none.json")
