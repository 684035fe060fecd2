"""Word lists the engine reads questions with, and whole-phrase matching.

Everything here is folded text (bot.text.fold): lowercase, no diacritics, "đ" → "d".
"""
from __future__ import annotations

import json
import re
from pathlib import Path

from bot.text import fold

# words that carry no topic: question words, politeness, "who does it"
# (folding merges words: "đầu"/"đâu", "tài"/"tại", "chữa"/"chưa" — those stay out of it)
STOP = {
    "ai", "gi", "nao", "sao", "khong", "vay", "nhi", "nhe", "oi", "a", "u", "cua", "phai",
    "lam", "la", "co", "duoc", "nhung", "cac", "nhu", "can", "cho", "ve", "voi", "va", "trong",
    "nay", "do", "boi", "hay", "xin", "biet", "em", "bot", "lo", "den", "theo", "khi", "vao",
    "len", "cung", "se", "nhiem", "vu", "viec", "thi", "|",
}
# courtesy around a question
POLITE = ("dong chi", "cho hoi", "xin hoi", "vui long", "lam on", "xin cho biet", "cho biet",
          "muon biet", "muon hoi", "cho em hoi", "cho toi hoi", "giup toi", "tra loi giup",
          "lam ro", "hien nay", "xin cam on", "cam on",
          # "giúp tôi" once the pronoun is dropped as courtesy (bot.text.drop_fillers)
          "liet ke giup", "cho biet giup", "tim giup", "noi giup", "xem giup", "giup voi",
          "giup em", "giup minh")
# phrases removed before ranking (checked on the folded question)
STOP_PHRASES = ("phu trach", "chiu trach nhiem", "dam nhiem", "dam nhan", "co quan nao",
                "don vi nao", "so nao", "nganh nao", "ben nao", "the nao", "nhu the nao", "la gi",
                "lam gi", "hom nay", "bao nhieu", "khi nao", "bao gio", "o dau", "ve dau",
                "duoc giao", "giao cho", "ke hoach nay", "o bac giang", "tai bac giang",
                "ke hoach 147", "trong ke hoach", "theo ke hoach", "cho biet", "xin hoi",
                "cho hoi", "can lam", "phai lam", "co nhiem vu", "nhiem vu", "cong viec",
                "tinh bac giang", "bac giang", "viet nam",
                "bao nhieu phan tram", "bo tri", *POLITE)
# words of an agency-duty question that say nothing about a topic
DUTY_WORDS = {
    "nhiem", "vu", "viec", "gi", "lam", "phai", "can", "duoc", "giao", "co", "nhung", "cac",
    "cua", "trong", "ke", "hoach", "147", "nq", "tu", "theo", "trach", "chiu", "phan", "cong",
    "thuc", "hien", "nhu", "the", "nao", "la", "ai", "chu", "tri", "phoi", "hop", "noi",
    "dung", "tai", "so", "nganh", "nay", "cu", "ve", "dang", "ky", "hoi", "xin", "cho", "biet",
    "tom", "tat", "liet", "danh", "sach", "toan", "bo", "ca", "va", "voi", "nghi", "quyet",
    "tinh", "bac", "giang", "trien", "khai", "dam", "nhan", "phu", "vai", "tro",
    "chuc", "nang", "linh", "vuc", "tac", "tham", "gia", "lien", "quan", "muc", "gom",
    "don", "vi",  # "đơn vị em phải làm gì": the unit named elsewhere
    "chung",  # "nhiệm vụ chung của Sở Xây dựng": the duties, not "quy hoạch chung"
    "het", "ra",  # "kể hết ra", "kể ra": list them all
}
# built-in glossary; the knowledge file's glossary is merged over it
GLOSSARY = {
    "kcn": "khu cong nghiep", "ccn": "cum cong nghiep", "gpmb": "giai phong mat bang",
    "pccc": "phong chay chua chay", "dtm": "danh gia tac dong moi truong",
    "tthc": "thu tuc hanh chinh", "dn": "doanh nghiep", "cchc": "cai cach hanh chinh",
    "ndt": "nha dau tu", "cntt": "cong nghe thong tin", "bvmt": "bao ve moi truong",
    "nhxh": "nha o xa hoi", "xttm": "xuc tien thuong mai", "tmdt": "thuong mai dien tu",
    "dmst": "doi moi sang tao", "nnl": "nguon nhan luc", "attp": "an toan thuc pham",
    "antt": "an ninh trat tu", "hcc": "hanh chinh cong", "ktxh": "kinh te xa hoi",
}
# fixed rewrites of the ranked words: "khu, cụm công nghiệp" names both; "diện tích" is not
# "điện" once folded, so it becomes one word
COMPOUNDS = [
    (("khu", "cum", "cong", "nghiep"), ("khu", "cong", "nghiep", "cum", "cong", "nghiep")),
    (("dien", "tich"), ("dientich",)),
]
# "1 lần" is written "một lần" in the plan
DIGITS = {"1": "mot", "2": "hai", "3": "ba"}
# everyday words for what the plan names otherwise (question side only): the data file
# knowledge/vocabulary.json, each entry with the section it leads to (tested)
VOCABULARY_FILE = Path(__file__).resolve().parents[2] / "knowledge" / "vocabulary.json"


def _vocabulary() -> dict:
    try:
        return json.loads(VOCABULARY_FILE.read_text(encoding="utf-8"))
    except (OSError, ValueError):  # an installed copy without the file: no extra wording
        return {"synonyms": [], "provinces": []}


VOCABULARY = _vocabulary()
SYNONYMS = [(tuple(fold(e["everyday"]).split()), tuple(fold(e["plan"]).split()))
            for e in VOCABULARY["synonyms"]]
# other provinces, folded ("ha noi", "thai nguyen"): a question about one is not this plan's
PROVINCES = {fold(n) for n in VOCABULARY.get("provinces", ())}
# everyday syllables the plan does not use: real words, not slips of plan words ("xưởng" is
# not "xung")
CHAT_WORDS = {"xuong", "thue", "phong", "tro", "oi", "nhe", "nha", "a", "minh", "anh", "chi",
              "bon", "chung", "roi", "van", "chua", "hoang", "bo", "lau", "qua", "lam", "sao"}
# everyday words and pairs the plan happens to use too: alone they do not show that a
# question is about the plan ("thủ tục đăng ký kết hôn", "giá đất", "căn cước công dân")
GENERIC_TERMS = {
    "thu tuc", "dang ky", "cong dan", "nguoi dan", "ky ket", "bac giang", "gia", "dat", "o",
    "lam", "thu", "tuc", "dang", "ky", "nguoi", "dan", "nha", "tinh", "huyen", "xa", "ngay",
    "nam", "thang", "gio", "hom", "mai", "moi", "cach", "tot", "tien", "muon", "mua", "ban",
    "thanh pho", "thanh", "pho", "dia chi", "thong tin", "hoi dap", "van ban",
}


# a year of the plan's span, "2025"
YEAR_RE = re.compile(r"\b(20[2-3]\d)\b")

# the words of a figure asked for ("chiếm bao nhiêu phần trăm", "tỷ trọng", "đạt", "tăng"):
# they ask for a number, they name no topic (read in order: longest first)
FIGURE_PHRASES = ("bao nhieu phan tram", "la bao nhieu", "bao nhieu", "phan tram", "ty trong",
                  "ty le", "con so", "so lieu", "chiem", "dat duoc", "dat", "tang len", "tang",
                  "giam", "khoang", "tren", "duoi", "muc", "moi nam", "hang nam", "mot nam",
                  "nam", "may")
# the words around a year ("đến năm 2030", "vào 2025", "cuối năm 2025")
YEAR_LEAD = {"nam", "den", "vao", "toi", "cuoi", "dau", "truoc", "sau", "tu", "giai", "doan",
             "trong"}


# a question asking what an agency must do
DUTY_PHRASES = ("nhiem vu", "lam gi", "phai lam", "duoc giao", "trach nhiem", "viec gi",
                "noi dung gi", "nhung gi", "duoc phan", "trien khai gi", "nhung noi dung",
                "chu tri", "phan cong", "can lam", "giao gi", "lam nhung", "liet ke", "cac viec")


# prices, timetables, phone numbers, addresses, weather, jobs: asked in passing by officials,
# never in the plan, even when a word of them is ("giá điện", "lịch thi THPT")
EVERYDAY = ("gia dien", "gia xang", "gia vang", "gia ve", "gia thue", "gia dat", "gia nha",
            "gia ca", "ty gia", "bang gia", "lich thi", "lich nghi", "lich cup dien", "cup dien",
            "mat dien", "diem thi", "diem chuan", "ket qua thi", "xo so", "thoi tiet",
            "so dien thoai", "dien thoai", "sdt", "hotline", "duong day nong", "dia chi",
            "email", "website", "trang web", "fanpage", "tuyen dung", "gio lam viec",
            "lich lam viec", "lich tiep dan", "hoc phi", "lai suat", "ket qua bong da",
            "lich chieu", "gia xe", "cuoc phi", "lam phat", "chung khoan", "co phieu")


_PHRASE_RES: dict[tuple[str, ...], re.Pattern] = {}  # compiled once per phrase tuple


def has_phrase(text: str, *phrases: str) -> bool:
    """Does `text` (folded words) contain one of the phrases as whole words?"""
    pattern = _PHRASE_RES.get(phrases)
    if pattern is None:
        alts = "|".join(re.escape(p) for p in sorted(phrases, key=len, reverse=True))
        pattern = _PHRASE_RES[phrases] = re.compile(rf"(?<!\S)(?:{alts})(?!\S)")
    return pattern.search(text) is not None
