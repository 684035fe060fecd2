"""Dev tool: builds knowledge/kh147.json from the plan's text plus hand-written tables.

Run: .venv/bin/python knowledge/build_kh147.py [SEED] [-o OUT]
The texts (sections, tasks, objectives) come from the seed itself, so they stay exactly the
plan's words; what the text cannot say by itself (agency ids and aliases, partners of each
bullet, deadlines, places, glossary) is written below by hand. The JSON is committed; the bot
never runs this script.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_SEED = HERE.parent.parent / "shared" / "seeds" / "000_a10c2ba26ad84cae.txt"
DEFAULT_OUT = HERE / "kh147.json"

# --- agencies ------------------------------------------------------------------------------

AGENCIES = [
    # id, canonical name, kind, short form, aliases
    ("skhdt", "Sở Kế hoạch và Đầu tư", "department", "Sở KH&ĐT",
     ["SKHĐT", "SKHDT", "Sở KH&ĐT", "Sở KHĐT", "Sở KH-ĐT", "KH&ĐT", "KHĐT", "KHDT",
      "sở kế hoạch đầu tư", "kế hoạch và đầu tư", "kế hoạch đầu tư", "so ke hoach va dau tu",
      "so ke hoach dau tu", "ke hoach dau tu", "Sở Kế hoạch", "Sở KH và ĐT"]),
    ("sxd", "Sở Xây dựng", "department", "Sở XD",
     ["SXD", "Sở XD", "so xay dung", "Sở Xây Dựng"]),
    ("sct", "Sở Công Thương", "department", "Sở CT",
     ["SCT", "Sở CT", "công thương", "cong thuong", "so cong thuong", "Sở Công thương"]),
    ("bqlkcn", "Ban Quản lý các Khu công nghiệp tỉnh", "board", "BQL các KCN",
     ["BQL KCN", "BQL các KCN", "BQL các KCN tỉnh", "BQLKCN", "BQL", "Ban quản lý KCN",
      "Ban Quản lý các KCN", "Ban Quản lý các KCN tỉnh", "Ban Quản lý các Khu công nghiệp",
      "ban quan ly cac khu cong nghiep", "ban quản lý khu công nghiệp", "ban quản lý",
      "ban quan ly kcn", "BQL khu công nghiệp", "BQL các khu công nghiệp", "Ban QL KCN",
      "Ban QL các KCN"]),
    ("stnmt", "Sở Tài nguyên và Môi trường", "department", "Sở TN&MT",
     ["STNMT", "Sở TN&MT", "Sở TNMT", "TNMT", "TN&MT", "tài nguyên môi trường",
      "tài nguyên và môi trường", "so tai nguyen moi truong", "tai nguyen moi truong",
      "Sở TN và MT"]),
    ("snnptnt", "Sở Nông nghiệp và Phát triển nông thôn", "department", "Sở NN&PTNT",
     ["SNN", "SNNPTNT", "Sở NN&PTNT", "Sở NNPTNT", "Sở NN", "NN&PTNT", "NNPTNT", "nông nghiệp",
      "nông nghiệp và phát triển nông thôn", "nông nghiệp phát triển nông thôn",
      "so nong nghiep", "Sở Nông nghiệp", "Sở NN và PTNT"]),
    ("ubnd_huyen", "UBND huyện, thành phố", "collective", "UBND huyện, thành phố",
     ["UBND huyện", "UBND cấp huyện", "UBND các huyện", "UBND các huyện, thành phố",
      "UBND huyện/thành phố", "UBND huyện, TP", "huyện, thành phố", "huyện/thành phố",
      "các huyện, thành phố", "cấp huyện", "ubnd huyen thanh pho", "Ủy ban nhân dân huyện",
      "ủy ban nhân dân các huyện, thành phố", "các huyện", "UBND các huyện, TP",
      "UBND các huyện/thành phố"]),
    ("snv", "Sở Nội vụ", "department", "Sở NV",
     ["SNV", "Sở NV", "nội vụ", "noi vu", "so noi vu"]),
    ("vpubnd", "Văn phòng UBND tỉnh", "office", "VP UBND tỉnh",
     ["VP UBND", "VPUBND", "VP UBND tỉnh", "VPUBND tỉnh", "văn phòng UBND tỉnh",
      "Văn phòng UBND", "văn phòng ủy ban nhân dân tỉnh", "văn phòng ủy ban", "van phong ubnd"]),
    ("stttt", "Sở Thông tin và Truyền thông", "department", "Sở TT&TT",
     ["STTTT", "Sở TT&TT", "Sở TTTT", "TT&TT", "TTTT", "thông tin truyền thông",
      "thông tin và truyền thông", "so thong tin truyen thong", "Sở TT và TT"]),
    ("sgtvt", "Sở Giao thông vận tải", "department", "Sở GTVT",
     ["SGTVT", "Sở GTVT", "GTVT", "giao thông vận tải", "so giao thong van tai",
      "Sở Giao thông"]),
    ("sngv", "Sở Ngoại vụ", "department", "Sở NgV",
     ["SNgV", "Sở NgV", "ngoại vụ", "ngoai vu", "so ngoai vu"]),
    ("ttt", "Thanh tra tỉnh", "inspectorate", "Thanh tra tỉnh",
     ["TTT", "thanh tra", "thanh tra tinh", "Thanh tra tỉnh Bắc Giang"]),
    ("cat", "Công an tỉnh", "police", "CA tỉnh",
     ["CA tỉnh", "CAT", "công an tỉnh", "công an", "cong an", "Công an tỉnh Bắc Giang"]),
    ("syt", "Sở Y tế", "department", "Sở YT",
     ["SYT", "Sở YT", "y tế", "so y te"]),
    ("sldtbxh", "Sở Lao động, Thương binh và Xã hội", "department", "Sở LĐ-TB&XH",
     ["SLĐTBXH", "SLDTBXH", "Sở LĐTBXH", "Sở LĐ-TB&XH", "LĐTBXH", "LĐ-TB&XH", "LĐ TB&XH",
      "lao động thương binh xã hội", "lao động, thương binh và xã hội",
      "so lao dong thuong binh xa hoi", "Sở Lao động", "Sở LĐTB&XH", "LĐTB&XH"]),
    ("skhcn", "Sở Khoa học và Công nghệ", "department", "Sở KH&CN",
     ["SKHCN", "Sở KH&CN", "Sở KHCN", "KH&CN", "KHCN", "khoa học công nghệ",
      "khoa học và công nghệ", "so khoa hoc cong nghe", "Sở KH và CN"]),
    ("sgddt", "Sở Giáo dục và Đào tạo", "department", "Sở GD&ĐT",
     ["SGDĐT", "SGDDT", "Sở GD&ĐT", "Sở GDĐT", "GD&ĐT", "GDĐT", "giáo dục đào tạo",
      "giáo dục và đào tạo", "so giao duc dao tao", "Sở GD và ĐT"]),
]

# the ten district-level units of "UBND huyện, thành phố" as they stood in 2021
DISTRICTS = [
    ("tp_bac_giang", "Bắc Giang", "thành phố"),
    ("hiep_hoa", "Hiệp Hòa", "huyện"),
    ("lang_giang", "Lạng Giang", "huyện"),
    ("luc_nam", "Lục Nam", "huyện"),
    ("luc_ngan", "Lục Ngạn", "huyện"),
    ("son_dong", "Sơn Động", "huyện"),
    ("tan_yen", "Tân Yên", "huyện"),
    ("viet_yen", "Việt Yên", "huyện"),
    ("yen_dung", "Yên Dũng", "huyện"),
    ("yen_the", "Yên Thế", "huyện"),
]

# old spellings officials still type ("Hiệp Hoà" with the accent on the a)
OLD_SPELLING = {"Hiệp Hòa": "Hiệp Hoà"}


def district_agency(did: str, place: str, level: str) -> dict:
    if level == "thành phố":
        aliases = ["UBND TP Bắc Giang", "UBND TP. Bắc Giang", "thành phố Bắc Giang",
                   "TP Bắc Giang", "TP. Bắc Giang", "tp bac giang", "thanh pho bac giang",
                   "TPBG", "UBND TPBG"]
    else:
        aliases = [f"UBND huyện {place}", f"huyện {place}", place, strip_marks(place),
                   f"UBND {place}", f"H. {place}", f"huyen {strip_marks(place)}"]
        if place in OLD_SPELLING:
            aliases.append(OLD_SPELLING[place])
    return {"id": did, "name": f"UBND {level} {place}", "kind": "district",
            "short": f"{'TP' if level == 'thành phố' else 'huyện'} {place}",
            "parent": "ubnd_huyen", "aliases": aliases}


def strip_marks(s: str) -> str:
    import unicodedata
    s = unicodedata.normalize("NFD", s.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in s if unicodedata.category(c) != "Mn")


# --- per-bullet partners (agencies the bullet names with "phối hợp") ------------------------
# Generic mentions ("các sở, ngành liên quan", "các cơ quan liên quan") name no agency.
# Outside bodies (Bộ Kế hoạch và Đầu tư, VCCI, Công ty Điện lực Bắc Giang) are not agencies of
# this plan; they are kept in `outside_partners`.
PARTNERS = {
    "2.2.3": ["skhdt"],
    "2.4.1": ["sct", "ubnd_huyen"],
    "2.7.2": ["bqlkcn", "sct"],
    "3.3.2": ["skhdt", "ubnd_huyen"],
    "4.2.1": ["ubnd_huyen"],
    "5.2.1": ["ubnd_huyen"],
    "5.3.1": ["skhdt"],
    "6.1.1": ["ubnd_huyen"],
    "6.3.2": ["ubnd_huyen"],
    "6.5.1": ["ubnd_huyen"],
    "7.2.1": ["ubnd_huyen"],
    "8.1.3": ["snv"],
    "8.1.4": ["ubnd_huyen"],
    "IV.2.1": ["vpubnd"],
}
OUTSIDE_PARTNERS = {
    "3.1.1": ["Bộ Kế hoạch và Đầu tư", "Nhà đầu tư hạ tầng KCN"],
    "4.1.2": ["Phòng Thương mại và Công nghiệp Việt Nam (VCCI)"],
    "5.2.3": ["Công ty Điện lực Bắc Giang"],
}

# subsection lead: the agency the heading names (heading text -> id); checked against aliases
HEADING_LEAD_CHECK = True

# --- places --------------------------------------------------------------------------------

KCN = [
    ("kcn_yen_lu", "Yên Lư", []),
    ("kcn_yen_son_bac_lung", "Yên Sơn - Bắc Lũng", ["Yên Sơn- Bắc Lũng", "Yên Sơn-Bắc Lũng",
                                                    "Yên Sơn Bắc Lũng", "Yên Sơn", "Bắc Lũng"]),
    ("kcn_tan_hung", "Tân Hưng", []),
    ("kcn_quang_chau", "Quang Châu", []),
    ("kcn_hoa_phu", "Hòa Phú", ["Hoà Phú"]),
    ("kcn_viet_han", "Việt Hàn", []),
]
CCN_2021 = ["Hợp Thịnh", "Thanh Vân", "Việt Nhật", "Việt Tiến", "Tăng Tiến", "Nội Hoàng",
            "Yên Lư", "Nham Sơn - Yên Lư", "Dĩnh Trì"]
CCN_2025 = ["Hà Thịnh", "Đoàn Bái", "Đoàn Bái-Lương Phong 1", "Đoàn Bái-Lương Phong 2", "JUTECH",
            "Trung Sơn-Ninh Sơn", "Đồng Đình", "Lăng Cao", "Hương Sơn", "Đại Lâm",
            "Nghĩa Hòa", "Lan Sơn 2", "Tiên Hưng", "Mỹ An", "Tân Mỹ"]
CCN_EXPANDED = {"Nghĩa Hòa", "Tân Mỹ"}  # "(mở rộng)" in 5.6
# names that are both a KCN and a CCN: the bare name is left out of both alias lists
AMBIGUOUS_PLACE_NAMES = {"Yên Lư"}

# which tasks name each KCN (5.6.1 names every CCN above as well)
KCN_TASKS = {
    "kcn_yen_lu": ["3.1.1", "4.2.1", "5.6.1"],
    "kcn_yen_son_bac_lung": ["3.1.1", "4.2.1", "5.6.1"],
    "kcn_tan_hung": ["3.1.1", "4.2.1", "5.6.1"],
    "kcn_quang_chau": ["3.1.1", "4.2.1", "5.6.1"],
    "kcn_hoa_phu": ["3.1.1", "4.2.1", "5.6.1"],
    "kcn_viet_han": ["5.6.1"],
}


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", strip_marks(name).lower()).strip("_")


def place_aliases(kind: str, name: str, extra: list[str]) -> list[str]:
    names = [name, *extra]
    out = []
    for n in names:
        out += [f"{kind} {n}", f"{kind} {strip_marks(n)}".lower()]
        full = "khu công nghiệp" if kind == "KCN" else "cụm công nghiệp"
        out.append(f"{full} {n}")
        if n not in AMBIGUOUS_PLACE_NAMES:
            out += [n, strip_marks(n).lower()]
    return list(dict.fromkeys(out))


def build_places() -> list[dict]:
    places = []
    for pid, name, extra in KCN:
        places.append({"id": pid, "name": f"KCN {name}", "short": name, "kind": "KCN",
                       "aliases": place_aliases("KCN", name, extra),
                       "tasks": KCN_TASKS[pid],
                       "deadlines": kcn_deadlines(pid)})
    for _year, names, dl in (("2021", CCN_2021, "5.6-2021"), ("2025", CCN_2025, "5.6-2025")):
        for name in names:
            extra = [name.replace("-", " - ")] if "-" in name and " - " not in name else []
            if " - " in name:
                extra.append(name.replace(" - ", "-"))
            p = {"id": "ccn_" + slug(name), "name": f"CCN {name}", "short": name, "kind": "CCN",
                 "aliases": place_aliases("CCN", name, extra), "tasks": ["5.6.1"],
                 "deadlines": [dl]}
            if name in CCN_EXPANDED:
                p["note"] = "phần mở rộng (5.6: \"(mở rộng)\")"
            places.append(p)
    return places


def kcn_deadlines(pid: str) -> list[str]:
    if pid == "kcn_viet_han":
        return ["5.6-2021", "5.6-2025"]
    return ["3.1-2021", "4.2-2025", "5.6-2025"]


# --- deadlines -----------------------------------------------------------------------------

DEADLINES = [
    {"id": "IV.1", "title": "Xây dựng kế hoạch cụ thể triển khai Kế hoạch", "due": "2021-09-30",
     "applies_to": "all", "report_to": None, "source": "IV.1", "kind": "plan",
     "note": "IV.1: \"hoàn thành trong tháng 9 năm 2021\" — hạn là ngày cuối tháng 9/2021."},
    {"id": "IV.3-6m", "title": "Báo cáo 6 tháng kết quả thực hiện", "due": None,
     "month": 6, "day": 15, "from_year": 2021, "to_year": 2030, "applies_to": "all",
     "report_to": "sct", "source": "IV.3", "kind": "report", "period": "6T",
     "note": "IV.3: \"Báo cáo 6 tháng gửi trước ngày 15/6\", gửi Sở Công Thương, hằng năm "
             "trong giai đoạn 2021-2030."},
    {"id": "IV.3-year", "title": "Báo cáo năm kết quả thực hiện", "due": None,
     "month": 12, "day": 15, "from_year": 2021, "to_year": 2030, "applies_to": "all",
     "report_to": "sct", "source": "IV.3", "kind": "report", "period": "year",
     "note": "IV.3: \"báo cáo năm gửi trước ngày 15/12\", gửi Sở Công Thương, hằng năm "
             "trong giai đoạn 2021-2030."},
    {"id": "3.1-2021",
     "title": "Hoàn thành hồ sơ chủ trương đầu tư 03 KCN bổ sung mới (Yên Lư, Yên Sơn - Bắc Lũng, "
              "Tân Hưng) và phần mở rộng 02 KCN (Quang Châu, Hòa Phú)",
     "due": "2021-12-31", "applies_to": ["bqlkcn"], "report_to": None, "source": "3.1",
     "kind": "milestone",
     "places": ["kcn_yen_lu", "kcn_yen_son_bac_lung", "kcn_tan_hung", "kcn_quang_chau",
                "kcn_hoa_phu"],
     "note": "3.1: \"Trước mắt, trong năm 2021\" hoàn thành hồ sơ trình Thủ tướng Chính phủ "
             "quyết định chủ trương đầu tư — hạn là cuối năm 2021. Mục 4.2 nhắc lại việc hỗ trợ "
             "nhà đầu tư hoàn thành hồ sơ này."},
    {"id": "4.2-2025",
     "title": "Triển khai xây dựng hạ tầng KCN Yên Sơn - Bắc Lũng, Yên Lư, Tân Hưng và phần mở rộng "
              "KCN Quang Châu, Hòa Phú",
     "due": "2025-12-31", "applies_to": ["bqlkcn"], "report_to": None, "source": "4.2",
     "kind": "milestone",
     "places": ["kcn_yen_son_bac_lung", "kcn_yen_lu", "kcn_tan_hung", "kcn_quang_chau",
                "kcn_hoa_phu"],
     "note": "4.2 không ghi năm: \"triển khai ngay\" hạ tầng các KCN này sau khi có chủ trương "
             "đầu tư (hồ sơ năm 2021, mục 3.1). Hạn cuối năm 2025 lấy theo mốc giải phóng mặt "
             "bằng các KCN này (5.6) và mục tiêu có thêm ít nhất 05 KCN có hạ tầng đồng bộ "
             "đến cuối năm 2025 (II.6)."},
    {"id": "5.6-2021",
     "title": "Hoàn thành giải phóng mặt bằng, giao đất KCN Việt Hàn (giai đoạn 1, 50 ha) và 09 CCN",
     "due": "2021-12-31", "applies_to": ["ubnd_huyen"], "report_to": None, "source": "5.6",
     "kind": "milestone",
     "places": ["kcn_viet_han"] + ["ccn_" + slug(n) for n in CCN_2021],
     "note": "5.6: trong năm 2021 hoàn thành giải phóng mặt bằng, giao đất cho Nhà đầu tư "
             "KCN Việt Hàn (giai đoạn 1 với 50ha) và các CCN Hợp Thịnh, Thanh Vân, Việt Nhật, "
             "Việt Tiến, Tăng Tiến, Nội Hoàng, Yên Lư, Nham Sơn - Yên Lư, Dĩnh Trì."},
    {"id": "5.6-2025",
     "title": "Hoàn thành giải phóng mặt bằng các KCN và các CCN thành lập, mở rộng giai đoạn "
              "2016-2020",
     "due": "2025-12-31", "applies_to": ["ubnd_huyen"], "report_to": None, "source": "5.6",
     "kind": "milestone",
     "places": ["kcn_yen_lu", "kcn_yen_son_bac_lung", "kcn_tan_hung", "kcn_quang_chau",
                "kcn_hoa_phu", "kcn_viet_han"] + ["ccn_" + slug(n) for n in CCN_2025],
     "note": "5.6: \"Từ nay đến năm 2025, hoàn thành công tác giải phóng mặt bằng\" các KCN Yên Lư, "
             "Yên Sơn - Bắc Lũng, Tân Hưng, phần mở rộng KCN Quang Châu, Hòa Phú, Việt Hàn và 15 "
             "CCN thành lập, mở rộng giai đoạn 2016-2020 — hạn là cuối năm 2025."},
    {"id": "II.6-2025",
     "title": "Có thêm ít nhất 05 KCN, 09 CCN có hạ tầng đồng bộ đưa vào sử dụng",
     "due": "2025-12-31", "applies_to": ["bqlkcn", "sct"], "report_to": None, "source": "II.6",
     "kind": "target",
     "note": "II.6: \"đến cuối năm 2025 có thêm ít nhất 05 KCN, 09 CCN có hạ tầng đồng bộ đưa "
             "vào sử dụng\" — KCN thuộc Ban Quản lý các Khu công nghiệp tỉnh, CCN thuộc Sở "
             "Công Thương."},
]
TASK_DEADLINES = {
    "3.1.1": ["3.1-2021"],
    # 4.2.1 opens with the same dossier as 3.1 ("hỗ trợ các nhà đầu tư đẩy nhanh tiến độ hoàn
    # thành hồ sơ"), then the infrastructure: both dates bind it
    "4.2.1": ["3.1-2021", "4.2-2025"],
    "5.6.1": ["5.6-2021", "5.6-2025"],
    "IV.1.1": ["IV.1"],
    "IV.3.1": ["IV.3-6m", "IV.3-year"],
}

# --- objectives' figures -------------------------------------------------------------------

FIGURES = {
    "II.1": [
        {"name": "grdp_growth", "label": "Tốc độ tăng trưởng GRDP ngành công nghiệp bình quân",
         "value": 19, "unit": "%/năm", "period": "2021-2030", "approx": True},
        {"name": "grdp_share_2020", "label": "Tỷ trọng công nghiệp trong GRDP năm 2020",
         "value": 47.1, "unit": "%", "year": 2020},
        {"name": "grdp_share_2030", "label": "Tỷ trọng công nghiệp trong GRDP năm 2030",
         "value": 60, "unit": "%", "year": 2030},
    ],
    "II.2": [
        {"name": "output_growth", "label": "Tốc độ tăng giá trị sản xuất công nghiệp bình quân",
         "value": 26, "unit": "%/năm", "period": "2021-2030", "approx": True},
        {"name": "output_2030", "label": "Giá trị sản xuất công nghiệp năm 2030 (giá so sánh 2010)",
         "value": 2200000, "unit": "tỷ đồng", "year": 2030, "approx": True},
    ],
    "II.3": [
        {"name": "investment", "label": "Vốn đầu tư phát triển lĩnh vực công nghiệp huy động",
         "value": 855, "unit": "nghìn tỷ đồng", "value_ty_dong": 855000, "period": "2021-2030",
         "approx": True},
    ],
    "II.4": [
        {"name": "trained_labour_2030", "label": "Tỷ lệ lao động qua đào tạo trong công nghiệp",
         "value": 90, "unit": "%", "comparator": ">", "year": 2030},
        {"name": "certified_labour_2030", "label": "Tỷ lệ lao động đào tạo có bằng cấp, chứng chỉ",
         "value": 40, "unit": "%", "comparator": ">", "year": 2030},
        {"name": "productivity_growth", "label": "Tốc độ tăng năng suất lao động bình quân",
         "value": 11, "unit": "%/năm", "period": "2021-2030", "approx": True},
    ],
    "II.5": [
        {"name": "budget_share_2020", "label": "Tỷ trọng đóng góp ngân sách của công nghiệp 2020",
         "value": 30.9, "unit": "%", "year": 2020},
        {"name": "budget_share_2030", "label": "Tỷ trọng đóng góp ngân sách của công nghiệp 2030",
         "value": 36, "unit": "%", "year": 2030},
    ],
    "II.6": [
        {"name": "kcn_new", "label": "KCN thành lập mới", "value": 23, "unit": "KCN"},
        {"name": "kcn_expanded", "label": "KCN mở rộng", "value": 5, "unit": "KCN"},
        {"name": "ccn_merged_into_kcn", "label": "CCN sáp nhập vào KCN", "value": 6, "unit": "CCN"},
        {"name": "kcn_new_area", "label": "Tổng diện tích KCN thành lập mới, mở rộng, sáp nhập",
         "value": 6518, "unit": "ha"},
        {"name": "kcn_total_2030", "label": "Tổng số KCN năm 2030", "value": 29, "unit": "KCN",
         "year": 2030},
        {"name": "kcn_total_area_2030", "label": "Tổng diện tích KCN năm 2030", "value": 7840,
         "unit": "ha", "year": 2030},
        {"name": "ccn_new", "label": "CCN thành lập mới", "value": 29, "unit": "CCN"},
        {"name": "ccn_expanded", "label": "CCN mở rộng", "value": 3, "unit": "CCN"},
        {"name": "ccn_new_area", "label": "Tổng diện tích CCN thành lập mới, mở rộng",
         "value": 1853, "unit": "ha"},
        {"name": "ccn_removed", "label": "CCN đưa ra khỏi quy hoạch", "value": 9, "unit": "CCN"},
        {"name": "ccn_removed_area", "label": "Diện tích CCN đưa ra khỏi quy hoạch",
         "value": 372.6, "unit": "ha"},
        {"name": "ccn_total_2030", "label": "Tổng số CCN năm 2030", "value": 66, "unit": "CCN",
         "year": 2030},
        {"name": "ccn_total_area_2030", "label": "Tổng diện tích CCN năm 2030", "value": 3209,
         "unit": "ha", "year": 2030},
        {"name": "kcn_ready_2025", "label": "KCN có thêm hạ tầng đồng bộ đưa vào sử dụng đến cuối 2025",
         "value": 5, "unit": "KCN", "comparator": ">=", "year": 2025},
        {"name": "ccn_ready_2025", "label": "CCN có thêm hạ tầng đồng bộ đưa vào sử dụng đến cuối 2025",
         "value": 9, "unit": "CCN", "comparator": ">=", "year": 2025},
    ],
}
OBJECTIVE_TITLES = {
    "II.1": "Tăng trưởng GRDP ngành công nghiệp",
    "II.2": "Giá trị sản xuất công nghiệp",
    "II.3": "Huy động vốn đầu tư phát triển công nghiệp",
    "II.4": "Lao động qua đào tạo và năng suất lao động",
    "II.5": "Đóng góp ngân sách nhà nước của ngành công nghiệp",
    "II.6": "Phát triển khu công nghiệp, cụm công nghiệp",
}
PART_I_TITLES = {"I.1": "Cụ thể hóa và triển khai thực hiện Nghị quyết số 147-NQ/TU",
                 "I.2": "Yêu cầu trong tổ chức thực hiện"}
PART_IV_TITLES = {"IV.1": "Xây dựng kế hoạch cụ thể triển khai Kế hoạch",
                  "IV.2": "Đôn đốc, kiểm tra, tổng hợp báo cáo việc thực hiện Kế hoạch",
                  "IV.3": "Báo cáo định kỳ 6 tháng và hàng năm"}
PART_IV_LEADS = {"IV.1": (None, True), "IV.2": ("sct", False), "IV.3": (None, True)}

# --- glossary ------------------------------------------------------------------------------

GLOSSARY = [
    # aliases are true synonyms, never a part of the expansion: a reader may rewrite one into
    # the other ("giải tỏa mặt bằng" -> "giải phóng mặt bằng")
    ("GPMB", "giải phóng mặt bằng", ["giai phong mat bang", "giải tỏa mặt bằng"]),
    ("PCCC", "phòng cháy chữa cháy", ["phong chay chua chay", "phòng cháy, chữa cháy"]),
    ("ĐTM", "đánh giá tác động môi trường", ["DTM", "danh gia tac dong moi truong"]),
    ("TTHC", "thủ tục hành chính", ["thu tuc hanh chinh"]),
    ("DN", "doanh nghiệp", ["doanh nghiep"]),
    ("DNNVV", "doanh nghiệp nhỏ và vừa", ["doanh nghiep nho va vua", "SME"]),
    ("NĐT", "nhà đầu tư", ["NDT", "nha dau tu"]),
    ("CNTT", "công nghệ thông tin", ["cong nghe thong tin"]),
    ("KCN", "khu công nghiệp", ["khu cong nghiep"]),
    ("CCN", "cụm công nghiệp", ["cum cong nghiep"]),
    ("FDI", "đầu tư trực tiếp nước ngoài", ["dau tu truc tiep nuoc ngoai",
                                           "doanh nghiệp có vốn đầu tư nước ngoài"]),
    ("PCI", "Chỉ số năng lực cạnh tranh cấp tỉnh", ["chi so nang luc canh tranh cap tinh"]),
    ("DDCI", "Chỉ số năng lực cạnh tranh cấp sở, ngành và các huyện, thành phố", []),
    ("VCCI", "Phòng Thương mại và Công nghiệp Việt Nam", []),
    ("CCHC", "cải cách hành chính", ["cai cach hanh chinh"]),
    ("PAR Index", "Chỉ số cải cách hành chính", ["Par Index", "chỉ số CCHC"]),
    ("SIPAS", "Chỉ số hài lòng của người dân, doanh nghiệp đối với sự phục vụ của cơ quan "
              "hành chính nhà nước", []),
    ("CMCN 4.0", "Cách mạng công nghiệp lần thứ tư", ["cách mạng công nghiệp 4.0"]),
    ("FTA", "hiệp định thương mại tự do", ["hiep dinh thuong mai tu do"]),
    ("THPT", "trung học phổ thông", ["trung hoc pho thong"]),
    ("UBND", "Ủy ban nhân dân", ["uy ban nhan dan"]),
    ("HĐND", "Hội đồng nhân dân", ["HDND"]),
    ("GRDP", "tổng sản phẩm trên địa bàn tỉnh", ["tong san pham tren dia ban tinh"]),
    ("NSNN", "ngân sách nhà nước", ["ngan sach nha nuoc"]),
    ("GCNĐKĐT", "giấy chứng nhận đăng ký đầu tư", ["GCNDKDT", "giấy chứng nhận đầu tư"]),
    ("TTg", "Thủ tướng Chính phủ", []),
    ("NQ", "Nghị quyết", ["nghi quyet"]),
]

# --- parsing -------------------------------------------------------------------------------


def read_blocks(seed_text: str) -> list[str]:
    """Paragraphs of the plan, page-break splits joined, markdown asterisks removed."""
    raw = [b.strip() for b in re.split(r"\n\s*\n", seed_text) if b.strip()]
    blocks: list[str] = []
    for b in raw:
        if blocks and is_continuation(blocks[-1], b):
            sep = "" if blocks[-1].endswith("-") else " "
            blocks[-1] = blocks[-1] + sep + b
        else:
            blocks.append(b)
    return [strip_markup(b) for b in blocks]


def is_continuation(prev: str, block: str) -> bool:
    """A page break split the sentence: the next block starts in lower case, or the
    previous one ends with a hyphen that joins two names ("Trung Sơn-" / "Ninh Sơn")."""
    first = block[0]
    if first.islower():
        return True
    return prev.endswith("-") and not prev.endswith(" -") and first.isalpha()


def strip_markup(s: str) -> str:
    s = re.sub(r"\*\*(.+?)\*\*", r"\1", s, flags=re.S)
    s = re.sub(r"\*(.+?)\*", r"\1", s, flags=re.S)
    return s


PART_RE = re.compile(r"^(I|II|III|IV)\. (.+)$")
GROUP_RE = re.compile(r"^(\d)\. (.+)$", re.S)
SUB_RE = re.compile(r"^(\d)\.(\d)\. (.+)$", re.S)
OBJ_RE = re.compile(r"^\((\d)\) (.+)$", re.S)


def split_heading(rest: str) -> tuple[str, str | None]:
    """'Sở Y tế: Xây dựng …' -> ('Sở Y tế', 'Xây dựng …'); 'Sở Nội vụ' -> ('Sở Nội vụ', None)."""
    m = re.match(r"^([^:]{3,80}?):\s*(.*)$", rest, re.S)
    if m:
        return m.group(1).strip(), (m.group(2).strip() or None)
    return rest.strip(), None


def parse(seed_text: str) -> dict:
    blocks = read_blocks(seed_text)
    doc: dict = {"parts": []}
    sections: list[dict] = []
    paragraphs: dict[str, list[tuple[str, bool]]] = {}  # section id -> [(text, is_bullet)]
    part = None
    current = None
    header: list[str] = []
    tail: list[str] = []
    for b in blocks:
        if b.startswith("Nơi nhận"):
            part = "END"
        if part == "END":
            tail.append(b)
            continue
        m = PART_RE.match(b)
        if m and "\n" not in b:
            part = m.group(1)
            doc["parts"].append({"id": part, "title": m.group(2)})
            current = None
            continue
        if part is None:
            header.append(b)
            continue
        if part == "I" or part == "IV":
            m = GROUP_RE.match(b)
            sid = f"{part}.{m.group(1)}"
            titles = PART_I_TITLES if part == "I" else PART_IV_TITLES
            lead, binds = PART_IV_LEADS.get(sid, (None, False))
            sections.append(new_section(sid, titles[sid], lead, part, None, binds))
            paragraphs[sid] = [(m.group(2), False)]
            continue
        if part == "II":
            m = OBJ_RE.match(b)
            sid = f"II.{m.group(1)}"
            sections.append(new_section(sid, OBJECTIVE_TITLES[sid], None, "II", None, False))
            paragraphs[sid] = [(m.group(2), False)]
            continue
        # part III
        m = SUB_RE.match(b)
        if m:
            sid = f"{m.group(1)}.{m.group(2)}"
            title, body = split_heading(m.group(3))
            sections.append(new_section(sid, title, None, "III", m.group(1), False))
            paragraphs[sid] = []
            if body:
                paragraphs[sid].append((body, False))
            current = sid
            continue
        m = GROUP_RE.match(b)
        if m and not b.startswith("- "):
            gid = m.group(1)
            sections.append(new_section(gid, m.group(2), None, "III", None, gid == "1"))
            paragraphs[gid] = []
            current = gid
            continue
        if b.startswith("- "):
            paragraphs[current].append((b[2:].strip(), True))
        else:
            paragraphs[current].append((b, False))
    return {"doc": doc, "header": header, "tail": tail, "sections": sections,
            "paragraphs": paragraphs}


def new_section(sid, title, lead, part, group, binds_all) -> dict:
    return {"id": sid, "title": title, "lead": lead, "partners": [], "text": "",
            "part": part, "group": group, "binds_all": binds_all}


# --- assembling ----------------------------------------------------------------------------


def fold(s: str) -> str:
    import unicodedata
    s = unicodedata.normalize("NFC", s).lower().replace("đ", "d")
    s = "".join(c for c in unicodedata.normalize("NFD", s) if unicodedata.category(c) != "Mn")
    return " ".join(re.sub(r"[^a-z0-9]+", " ", s).split())


def build_agencies() -> list[dict]:
    out = []
    for aid, name, kind, short, aliases in AGENCIES:
        out.append({"id": aid, "name": name, "kind": kind, "short": short, "parent": None,
                    "aliases": aliases})
    out += [district_agency(*d) for d in DISTRICTS]
    return out


def alias_map(agencies: list[dict]) -> dict[str, str]:
    found: dict[str, str] = {}
    for a in agencies:
        for s in [a["name"], *a["aliases"]]:
            key = fold(s)
            if found.get(key, a["id"]) != a["id"]:
                sys.exit(f"alias '{s}' of {a['id']} also names {found[key]}")
            found[key] = a["id"]
    return found


def build(seed_text: str) -> dict:
    parsed = parse(seed_text)
    agencies = build_agencies()
    aliases = alias_map(agencies)
    sections = parsed["sections"]
    paragraphs = parsed["paragraphs"]
    by_id = {s["id"]: s for s in sections}
    tasks = []
    for s in sections:
        if s["part"] == "III" and s["group"]:
            key = fold(s["title"])
            if key not in aliases:
                sys.exit(f"section {s['id']}: heading '{s['title']}' names no known agency")
            s["lead"] = aliases[key]
        paras = paragraphs[s["id"]]
        if s["part"] == "III" and not s["group"] and s["id"] != "1":
            s["text"] = s["title"]  # groups 2..8: only a title; their work is in subsections
        else:
            s["text"] = "\n".join(("- " if bullet else "") + t for t, bullet in paras)
        if s["part"] in ("III", "IV") and (s["group"] or s["id"] == "1" or s["part"] == "IV"):
            for k, (t, _bullet) in enumerate(paras, 1):
                tid = f"{s['id']}.{k}"
                dls = TASK_DEADLINES.get(tid, [])
                task = {"id": tid, "section": s["id"], "lead": s["lead"],
                        "partners": PARTNERS.get(tid, []), "text": t,
                        "deadline": dls[0] if dls else None, "deadlines": dls,
                        "places": []}
                if tid in OUTSIDE_PARTNERS:
                    task["outside_partners"] = OUTSIDE_PARTNERS[tid]
                tasks.append(task)
    for s in sections:
        own = [p for t in tasks if t["section"] == s["id"] for p in t["partners"]]
        s["partners"] = list(dict.fromkeys(own))
    places = build_places()
    task_by_id = {t["id"]: t for t in tasks}
    for p in places:
        for tid in p["tasks"]:
            task_by_id[tid]["places"].append(p["id"])
    objectives = []
    for sid, figs in FIGURES.items():
        objectives.append({"id": sid, "title": by_id[sid]["title"], "text": by_id[sid]["text"],
                           "figures": figs})
    return {
        "schema": 1,
        "document": document(parsed),
        "agencies": agencies,
        "sections": sections,
        "tasks": tasks,
        "objectives": objectives,
        "deadlines": DEADLINES,
        "places": places,
        "glossary": [{"abbr": a, "expansion": e, "aliases": al} for a, e, al in GLOSSARY],
    }


def document(parsed: dict) -> dict:
    header = parsed["header"]
    number_line = next(h for h in header if h.startswith("Số:"))
    date_line = next(h for h in header if h.startswith("Bắc Giang, ngày"))
    kind_i = header.index("KẾ HOẠCH")
    title = header[kind_i + 1]
    preamble = header[kind_i + 2]
    tail = parsed["tail"]
    recipients = [r.strip() for b in tail[1:] for r in b.split("\n")
                  if r.strip().startswith("- ")]
    sign = [ln for b in tail for ln in b.split("\n") if ln and not ln.startswith(("-", "Nơi"))]
    return {
        "number": number_line.removeprefix("Số:").strip(),
        "number_display": "…/KH-UBND",
        "kind": "Kế hoạch",
        "title": title,
        "issued_by": "UBND tỉnh Bắc Giang",
        "place": "Bắc Giang",
        "date": "8/2021",
        "date_text": date_line,
        "date_iso": "2021-08",
        "signer": sign[-1],
        "signer_title": "Phó Chủ tịch UBND tỉnh",
        "sign_block": sign[:-1],
        "implements": "Nghị quyết số 147-NQ/TU ngày 15/7/2021 của Tỉnh ủy về phát triển công "
                      "nghiệp tỉnh Bắc Giang giai đoạn 2021-2030",
        "implements_short": "Nghị quyết số 147-NQ/TU",
        "period": "2021-2030",
        "preamble": preamble,
        "parts": parsed["doc"]["parts"],
        "recipients": [r[2:] for r in recipients],
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("seed", nargs="?", default=str(DEFAULT_SEED))
    ap.add_argument("-o", "--out", default=str(DEFAULT_OUT))
    args = ap.parse_args(argv)
    data = build(Path(args.seed).read_text(encoding="utf-8"))
    Path(args.out).write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n",
                              encoding="utf-8")
    print(f"{args.out}: {len(data['sections'])} sections, {len(data['tasks'])} tasks, "
          f"{len(data['agencies'])} agencies, {len(data['places'])} places")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
