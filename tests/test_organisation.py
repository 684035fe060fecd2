"""Today's organisation (knowledge/organisation.json): the loader, the build step and the
answers in today's names."""
from __future__ import annotations

import copy
import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

from bot.answer import answer
from bot.knowledge import _load_plan, load_knowledge, with_organisation
from bot.organisation import DEFAULT_PATH, OrganisationError, parse_organisation

ROOT = Path(__file__).resolve().parent.parent
GENERAL = {"1", "IV.1", "IV.3"}
DISTRICT_DUTIES = {"2.7", "5.6", "7.5"}


@pytest.fixture(scope="module")
def kb():
    return load_knowledge()


@pytest.fixture(scope="module")
def plan():
    return _load_plan(None)


@pytest.fixture
def raw():
    return json.loads(DEFAULT_PATH.read_text(encoding="utf-8"))


def ask(kb, q):
    return answer(kb, q)


# ---------------------------------------------------------------- the file and its loader


def test_the_plan_file_keeps_its_2021_names(kb, plan):
    assert [a.name for a in plan.agencies] == [a.name for a in kb.agencies if a.plan]
    assert kb.agency("skhdt").name == "Sở Kế hoạch và Đầu tư"
    assert kb.task("2.1.1").text == plan.task("2.1.1").text


def test_successions_one_to_one_many_to_one_and_by_task(kb):
    assert [a.name for a in kb.successors("skhdt")] == ["Sở Tài chính"]
    assert [a.id for a in kb.successors("stnmt")] == ["snnmt"]
    assert [a.id for a in kb.successors("snnptnt")] == ["snnmt"]
    assert [a.id for a in kb.successors("sldtbxh", "8.1.1")] == ["sgddt"]
    assert [a.id for a in kb.successors("sldtbxh", "8.1.4")] == ["snv"]
    assert kb.is_current("sngv") and kb.successors("sngv") == ()


def test_every_plan_task_has_a_holder_today(kb):
    for t in kb.tasks:
        if t.lead:
            assert kb.holders_of(t.id), t.id
            assert all(kb.is_current(h.id) for h in kb.holders_of(t.id))


@pytest.mark.parametrize("breakage, where", [
    (lambda r: r["units"].append(dict(r["units"][0])), "unit 'stc': duplicate id"),
    (lambda r: r["changes"][5]["tasks"].pop("8.1.4"), "missing 8.1.4"),
    (lambda r: r["changes"][0].update(to="so_khong_co"), "'to' names no unit 'so_khong_co'"),
    (lambda r: r["changes"][0].update(date="1/3/2025"), "change 'skhdt-stc': field 'date'"),
    (lambda r: r["settings"].update(giu_so=True), "unknown setting 'giu_so'"),
    (lambda r: r["units"][0]["aliases"].append("SXD"), "alias 'SXD' also names 'sxd'"),
    (lambda r: r["changes"].pop(0), "plan agency 'skhdt': no current unit holds"),
    (lambda r: r["former_districts"]["viet_yen"].append("xa_khong_co"),
     "former_districts 'viet_yen': unknown commune 'xa_khong_co'"),
])
def test_a_broken_file_names_the_place(plan, raw, breakage, where):
    broken = copy.deepcopy(raw)
    breakage(broken)
    with pytest.raises(OrganisationError, match=None) as e:
        parse_organisation(broken, plan)
    assert where in str(e.value)


def test_a_broken_file_stops_the_command_with_one_line(tmp_path):
    """`ask` (like every entry point) reads the file at start: one line, no traceback."""
    code = ("import sys, bot.organisation as o, pathlib;"
            f"o.DEFAULT_PATH = pathlib.Path({str(tmp_path / 'organisation.json')!r});"
            "from bot.__main__ import cli; sys.argv = ['bot', 'ask', 'x']; sys.exit(cli())")
    (tmp_path / "organisation.json").write_text('{"province": {"name": "x"}, "units": 3}',
                                                encoding="utf-8")
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert p.returncode != 0 and "Traceback" not in p.stderr
    assert "organisation.json" in p.stderr and "'units' must be a list" in p.stderr


def test_the_operator_can_fold_so_ngoai_vu_into_the_office(plan, raw):
    raw["settings"]["so_ngoai_vu_kept"] = False
    kb = with_organisation(plan, parse_organisation(raw, plan))
    assert kb.is_former("sngv")
    assert [a.id for a in kb.successors("sngv")] == ["vpubnd"]
    ans = ask(kb, "Văn phòng UBND tỉnh phải làm gì")
    assert {"4.6", "5.5"} <= set(ans.sections)
    assert "tiếp nhận nhiệm vụ của Sở Ngoại vụ" in ans.text


# ---------------------------------------------------------------- communes from the packages


def test_fifty_eight_communes_cover_the_ten_districts(kb):
    communes = kb.org.communes
    assert len(communes) == 58
    assert {c.kind for c in communes} == {"commune", "ward"}
    assert all(c.name.startswith(("UBND xã ", "UBND phường ")) for c in communes)
    for d in kb.children("ubnd_huyen"):
        assert kb.org.communes_of(d.id), d.id
    assert "UBND phường Nếnh" in [c.name for c in kb.org.communes_of("viet_yen")]
    assert "UBND xã Lục Ngạn" in [c.name for c in kb.org.communes_of("luc_ngan")]


@pytest.mark.skipif(not (importlib.util.find_spec("vietnam_provinces")
                         and importlib.util.find_spec("vietnamadminunits")),
                    reason="the build extra (vietnam-provinces, vietnamadminunits) is not installed")
def test_committed_communes_are_the_generators_output():
    p = subprocess.run([sys.executable, "knowledge/build_organisation.py", "--check"],
                       capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert p.returncode == 0, p.stdout + p.stderr


# ---------------------------------------------------------------- answers in today's names


def test_a_current_unit_holds_what_it_took_over(kb):
    ans = ask(kb, "Sở Tài chính phải làm gì?")
    assert ans.intent == "agency" and ans.agencies[0] == "Sở Tài chính"
    assert set(ans.sections) - GENERAL == {"2.1", "3.2", "4.1", "5.1", "6.2", "8.3"}
    assert "Sở Tài chính — tiếp nhận nhiệm vụ của Sở Kế hoạch và Đầu tư từ 01/3/2025" in ans.text
    js = ans.to_json("q")
    assert js["agencies"][0] == "Sở Tài chính" and js["successors"] == []


@pytest.mark.parametrize("q, name, want", [
    ("SNNMT phải làm gì", "Sở Nông nghiệp và Môi trường", {"2.5", "2.6", "4.4", "6.4", "7.1"}),
    ("sở tc bắc ninh làm gì", "Sở Tài chính", {"2.1", "3.2", "4.1", "5.1", "6.2", "8.3"}),
    ("Sở Xây dựng Bắc Ninh phải làm gì", "Sở Xây dựng", {"2.2", "4.3", "5.4"}),
    ("BQL KCN Bắc Ninh có nhiệm vụ gì", "Ban Quản lý các KCN tỉnh Bắc Ninh",
     {"2.4", "3.1", "4.2", "5.3", "6.1", "7.3"}),
    ("Sở Giáo dục và Đào tạo làm gì", "Sở Giáo dục và Đào tạo", {"8.1", "8.4"}),
    ("UBND cấp xã phải làm gì", "UBND cấp xã", DISTRICT_DUTIES),
])
def test_current_names_get_their_duties_today(kb, q, name, want):
    ans = ask(kb, q)
    assert ans.intent == "agency" and ans.agencies[0] == name
    assert set(ans.sections) - GENERAL == want


def test_every_commune_answers_for_its_district_duties(kb):
    for c in kb.org.communes:
        ans = ask(kb, f"{c.name} phải làm gì?")
        assert ans.agencies[:2] == (c.name, "UBND cấp xã"), c.name
        assert set(ans.sections) - GENERAL == DISTRICT_DUTIES, c.name


def test_a_ward_says_which_district_it_reports_for(kb):
    ans = ask(kb, "UBND phường Nếnh phải làm gì")
    assert "tiếp nhận nhiệm vụ của UBND huyện Việt Yên trên địa bàn từ 01/7/2025" in ans.text
    assert "Mục 5.6" in ans.text


def test_a_former_agency_answers_for_itself_and_names_its_successor(kb):
    js = ask(kb, "Sở KH&ĐT phải làm gì").to_json("q")
    assert js["agencies"][0] == "Sở Kế hoạch và Đầu tư"
    assert js["successors"] == ["Sở Tài chính"]
    assert "Nay: Sở Tài chính — tiếp nhận nhiệm vụ của Sở Kế hoạch và Đầu tư từ 01/3/2025" in \
        js["answer"]


def test_a_split_agency_says_who_holds_which_task(kb):
    ans = ask(kb, "Sở LĐTBXH phải làm gì, nay ai tiếp nhận")
    assert ans.agencies[0] == "Sở Lao động, Thương binh và Xã hội"
    assert set(ans.successors) == {"Sở Giáo dục và Đào tạo", "Sở Nội vụ"}
    assert "8.1.4 (" in ans.text and "— Sở Nội vụ" in ans.text
    assert "— Sở Giáo dục và Đào tạo" in ans.text


def test_every_district_names_the_communes_now_covering_it(kb):
    for d in kb.children("ubnd_huyen"):
        ans = ask(kb, f"{d.name} phải làm gì")
        assert ans.agencies[0] == d.name
        assert set(ans.successors) == {c.name for c in kb.org.communes_of(d.id)}


def test_bac_ninh_in_a_question_stays_in_scope(kb):
    ans = ask(kb, "mục tiêu phát triển KCN của tỉnh Bắc Ninh đến 2025")
    assert ans.sections and "II.6" in ans.sections[:3]


def test_the_document_is_of_bac_giang_now_bac_ninh(kb):
    ans = ask(kb, "ai ký kế hoạch này")
    assert "Kế hoạch số …/KH-UBND của UBND tỉnh Bắc Giang (nay là tỉnh Bắc Ninh)" in ans.text


def test_topic_answers_say_who_holds_a_former_lead_now(kb):
    ans = ask(kb, "xây dựng bến đỗ xe đưa đón công nhân")
    assert ans.sections[0] == "5.4"
    assert "Sở Giao thông vận tải (nay: Sở Xây dựng)" in ans.text


def test_shared_resolver_accepts_current_and_former_names(kb):
    from bot.text import resolve_agency
    for typed, aid in [("Sở Tài chính", "stc"), ("so tai chinh", "stc"), ("STC", "stc"),
                       ("Sở TC", "stc"), ("SNNMT", "snnmt"), ("BQL KCN Bắc Ninh", "bqlkcn_bn"),
                       ("UBND phường Nếnh", "phuong_nenh"), ("xa luc ngan", "xa_luc_ngan"),
                       ("Sở KH&ĐT", "skhdt"), ("BQL KCN", "bqlkcn")]:
        assert [a.id for a in resolve_agency(kb, typed)] == [aid], typed
