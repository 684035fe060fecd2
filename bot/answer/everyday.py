"""Everyday information the plan does not hold: prices, timetables, phone numbers, addresses,
weather, hiring, a person's name or details. "Outside the plan", even when a word of them is the
plan's ("giá điện", "lịch thi THPT")."""
from __future__ import annotations

from datetime import date

from bot.answer.help import help_answer
from bot.answer.model import Answer
from bot.answer.question import Question
from bot.answer.render import agency_name
from bot.answer.vocab import EVERYDAY, has_phrase
from bot.text import marked_words

# …unless the question also asks who does what under the plan (everyday words: vocab.EVERYDAY)
_PLAN_ASKS = ("ai", "co quan nao", "don vi nao", "so nao", "chu tri", "nhiem vu", "ke hoach",
              "muc tieu", "giai phap", "trach nhiem", "duoc giao", "phai lam", "lam gi")


# who holds an office, and a person's details: the plan names offices, never people
# (its signer aside, answered as the document's)
_PERSON_TITLES = ("giam doc", "pho giam doc", "chu tich", "pho chu tich", "truong ban",
                  "pho truong ban", "truong phong", "chanh van phong", "chanh thanh tra",
                  "thu truong", "bi thu", "lanh dao", "can bo phu trach", "nguoi phu trach")
_PERSON_ASKS = ("ten gi", "ten la gi", "ten la", "la ai", "ho ten", "ho va ten", "tuoi",
                "que o dau", "que quan", "sinh nam", "tieu su", "dien thoai", "zalo", "email",
                "ong nao", "ba nao", "la nguoi nao", "nguoi nao", "la ong", "la ba")
# "ai (đang) làm giám đốc …": who, asked before the office
_WHO_HOLDS = ("ai la", "ai lam", "ai dang lam", "ai dang la", "ai giu", "ai dang giu")
# hiring and exams: everyday administration, not in the plan
_HIRING = ("tuyen cong chuc", "tuyen vien chuc", "thi cong chuc", "thi vien chuc",
           "tuyen nhan vien", "tuyen can bo", "thi tuyen", "xet tuyen", "tuyen sinh",
           "tuyen dung")


def _personal_cue(q: Question) -> bool:
    """"giám đốc Sở Xây dựng tên gì", "ai là chủ tịch huyện": a person, not a duty."""
    t = q.fixed
    if not has_phrase(t, *_PERSON_TITLES):
        return False
    if has_phrase(t, *_PERSON_ASKS):
        return True
    return any(has_phrase(t, *(f"{w} {p}" for w in _WHO_HOLDS)) for p in _PERSON_TITLES)


def _everyday_cue(q: Question) -> bool:
    if has_phrase(q.fixed, *EVERYDAY, *_HIRING) or _personal_cue(q):
        return True
    # "giá" with its mark, not the plan's "đánh giá", "giá trị", "niêm yết giá", "giá thành"
    marked = marked_words(q.raw)
    return any(w == "giá" and (not i or marked[i - 1] not in ("đánh", "định", "thẩm", "yết"))
               and marked[i + 1:i + 2] not in (["trị"], ["thành"]) for i, w in enumerate(marked))


def by_everyday(kb, q: Question, today: date) -> Answer | None:
    """"Outside the plan", offering the duties of an agency the question names."""
    personal = _personal_cue(q)
    if not _everyday_cue(q) or (has_phrase(q.fixed, *_PLAN_ASKS) and not personal):
        return None
    ids = list(dict.fromkeys(m.agency_id for m in q.mentions if not m.weak))
    text = ("Tôi không có thông tin này (giá cả, lịch, tuyển dụng, số điện thoại, địa chỉ… "
            "không thuộc nội dung Kế hoạch).")
    if personal:
        text = ("Kế hoạch không có thông tin cá nhân (họ tên, liên hệ của lãnh đạo, cán bộ); "
                "Kế hoạch chỉ giao nhiệm vụ cho các cơ quan.")
    choices: tuple[tuple[str, str], ...] = ()
    if ids:
        names = [agency_name(kb, a) for a in ids[:2]]
        text += (f" Về {', '.join(names)}, tôi chỉ biết nhiệm vụ được giao trong Kế hoạch "
                 "triển khai Nghị quyết 147-NQ/TU.")
        choices = tuple((n, f"Nhiệm vụ của {n}") for n in names)
    help_text = help_answer(kb, "help").text
    return Answer("none", f"{text}\n{help_text}", choices=choices)
