"""Dev tool: writes the communes of knowledge/organisation.json from maintained packages.

Run: .venv/bin/python knowledge/build_organisation.py [--check] [-o OUT]
Needs the build extra (`pip install -e '.[build]'`): `vietnam-provinces` gives the communes and
wards of tỉnh Bắc Ninh after 1/7/2025 (names and codes), `vietnamadminunits` says which old
commune, in which old district, makes up each of them. Only the keys `communes`,
`former_districts` and `commune_source` are rewritten; everything else in the file (units,
changes, settings) is the operator's and stays as it is. The bot never runs this script.

The packages' "old" level is the one of 1/2025, after two changes the 2021 plan predates; both
are corrected here from the resolutions (FALLBACK below):
- huyện Yên Dũng (2021) was merged into thành phố Bắc Giang on 1/1/2025: its old communes are
  listed by name, so the new units formed from them cover Yên Dũng;
- thị xã Chũ was carved out of huyện Lục Ngạn: its old wards cover Lục Ngạn.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_OUT = HERE / "organisation.json"
PROVINCE_NEW = "tinhbacninh"
PROVINCE_OLD = "tinhbacgiang"
COLLECTIVE = "ubnd_cap_xa"

# the packages' district keys (state of 1/2025) -> the plan's district ids (state of 2021)
DISTRICTS = {
    "thanhphobacgiang": "tp_bac_giang", "huyenhiephoa": "hiep_hoa",
    "huyenlanggiang": "lang_giang", "huyenlucnam": "luc_nam", "huyenlucngan": "luc_ngan",
    "thixachu": "luc_ngan", "huyensondong": "son_dong", "huyentanyen": "tan_yen",
    "thixavietyen": "viet_yen", "huyenyenthe": "yen_the",
}
# FALLBACK: the communes of huyện Yên Dũng in 2021, part of thành phố Bắc Giang from 1/1/2025
# (the packages' ward keys; Nghị quyết của UBTVQH về sắp xếp ĐVHC cấp huyện, cấp xã tỉnh Bắc
# Giang giai đoạn 2023-2025)
YEN_DUNG_2021 = {
    "phuongnhambien", "phuongtanan", "phuonghuonggian", "phuongtanlieu", "phuongcanhthuy",
    "phuongnoihoang", "phuongtienphong", "xaquynhson", "xaxuanphu", "xatriyen", "xalangson",
    "xayenlu", "xatiendung", "xaducgiang", "xatumai", "xadongviet", "xadongphuc",
}
DISTRICT_ORDER = ("tp_bac_giang", "hiep_hoa", "lang_giang", "luc_nam", "luc_ngan", "son_dong",
                  "tan_yen", "viet_yen", "yen_dung", "yen_the")


def _fold_key(name: str) -> str:
    """vietnamadminunits' key of a name: "Xã Lục Ngạn" -> "xalucngan"."""
    import unicodedata
    s = unicodedata.normalize("NFD", name.lower().replace("đ", "d"))
    return "".join(c for c in s if c.isalnum() and not unicodedata.combining(c))


def _old_names() -> dict[tuple[str, str], tuple[str, str]]:
    """(district key, ward key) -> (ward name, district name) of Bắc Giang as of 1/2025."""
    from vietnamadminunits.database import query
    rows = query("SELECT district, ward, districtKey, wardKey FROM admin_units_legacy "
                 f"WHERE provinceKey = '{PROVINCE_OLD}'")
    return {(r["districtKey"], r["wardKey"]): (r["ward"], r["district"]) for r in rows}


def _old_parts() -> dict[str, list[tuple[str, str]]]:
    """New ward key -> the (district key, ward key) of Bắc Giang it is made of.

    An old commune divided between several new ones counts for each of them."""
    from vietnamadminunits.converter.converter_2025 import (
        DICT_PROVINCE_WARD_DIVIDED,
        DICT_PROVINCE_WARD_NO_DIVIDED,
    )
    out: dict[str, list[tuple[str, str]]] = {}
    for new, olds in DICT_PROVINCE_WARD_NO_DIVIDED[PROVINCE_NEW].items():
        for old in olds:
            prov, district, ward = old.split("_")
            if prov == PROVINCE_OLD:
                out.setdefault(new, []).append((district, ward))
    for old, news in DICT_PROVINCE_WARD_DIVIDED.get(PROVINCE_NEW, {}).items():
        prov, district, ward = old.split("_")
        if prov == PROVINCE_OLD:
            for n in news:
                out.setdefault(n["newWardKey"], []).append((district, ward))
    return out


def _district_2021(district_key: str, ward_key: str) -> str:
    if district_key == "thanhphobacgiang" and ward_key in YEN_DUNG_2021:
        return "yen_dung"
    try:
        return DISTRICTS[district_key]
    except KeyError:
        raise SystemExit(f"unknown old district '{district_key}' in the package data") from None


def build_communes() -> dict:
    """The generated part of organisation.json: communes, former_districts, commune_source."""
    from importlib.metadata import version

    import vietnam_provinces
    import vietnamadminunits  # noqa: F401  (its version below)
    from vietnam_provinces import Province, Ward

    province = next(p for p in Province.iter_all() if p.codename == "bac_ninh")
    parts = _old_parts()
    names = _old_names()
    communes = []
    for w in sorted(Ward.iter_by_province(province.code), key=lambda w: int(w.code)):
        olds = parts.get(_fold_key(w.name))
        if not olds:
            continue  # on the territory of the former Bắc Ninh
        kind = "ward" if w.division_type.value == "phường" else "commune"
        short = w.name.split(" ", 1)[1]
        covers = list(dict.fromkeys(sorted((_district_2021(d, k) for d, k in olds),
                                           key=DISTRICT_ORDER.index)))
        formed = [f"{names[(d, k)][0]} ({names[(d, k)][1]})" if (d, k) in names else k
                  for d, k in olds]
        communes.append({
            "id": w.codename, "name": f"UBND {w.division_type.value} {short}",
            "kind": kind, "code": int(w.code), "covers": covers, "formed_from": formed,
        })
    former = {d: [c["id"] for c in communes if d in c["covers"]] for d in DISTRICT_ORDER}
    return {
        "communes": communes,
        "former_districts": former,
        "commune_source": {
            "packages": {"vietnam-provinces": version("vietnam-provinces"),
                         "vietnamadminunits": version("vietnamadminunits")},
            "data_version": getattr(vietnam_provinces, "__data_version__", ""),
            "resolution": "Nghị quyết số 1658/NQ-UBTVQH15 ngày 16/6/2025 (sắp xếp đơn vị hành "
                          "chính cấp xã tỉnh Bắc Ninh)",
            "fallback": "huyện Yên Dũng (2021): các xã, thị trấn nhập thành phố Bắc Giang từ "
                        "01/01/2025, liệt kê trong knowledge/build_organisation.py; thị xã Chũ "
                        "tách từ huyện Lục Ngạn",
        },
    }


def merged(raw: dict) -> dict:
    """The organisation file with its generated part replaced, keys in the file's order."""
    out = dict(raw)
    out.update(build_communes())
    return out


def dumps(raw: dict) -> str:
    return json.dumps(raw, ensure_ascii=False, indent=1) + "\n"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-o", "--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--check", action="store_true",
                    help="only say whether the committed file is up to date (exit 1 if not)")
    a = ap.parse_args()
    raw = json.loads(a.out.read_text(encoding="utf-8")) if a.out.exists() else {}
    text = dumps(merged(raw))
    if a.check:
        same = a.out.exists() and a.out.read_text(encoding="utf-8") == text
        print("up to date" if same else f"{a.out} differs from the packages' data")
        return 0 if same else 1
    a.out.write_text(text, encoding="utf-8")
    n = len(json.loads(text)["communes"])
    print(f"wrote {a.out}: {n} communes and wards")
    return 0


if __name__ == "__main__":
    sys.exit(main())
