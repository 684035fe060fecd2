"""The plan itself: its number, issuer, date, signer and the resolution it implements."""
from __future__ import annotations

from datetime import date

from bot.answer.model import Answer
from bot.answer.question import Question
from bot.answer.render import clean
from bot.answer.vocab import POLITE, STOP, has_phrase

# a question about the document itself ("ai ký", "ban hành ngày nào", "mấy phần")
_DOC_CUES = ("nghi quyet nao", "nghi quyet gi", "ai ky", "nguoi ky", "ky boi", "ky ke hoach",
             "ky van ban", "ky ban hanh", "duoc ky", "chu ky", "ai ban hanh", "co quan ban hanh",
             "ban hanh ngay", "ban hanh khi nao", "ban hanh nam", "ban hanh thang",
             "ban hanh luc nao", "so hieu", "trich yeu", "ten ke hoach", "ten van ban",
             "ke hoach nay la gi", "van ban nay", "ke hoach nay ve", "can cu nghi quyet",
             "ke hoach so may", "ke hoach so bao nhieu", "ngay ban hanh", "do ai ky",
             "ky khi nao", "ai da ky", "may phan", "bo cuc", "gom nhung phan",
             "gom nhung noi dung gi", "cau truc",
             # what the document is about, asked of the document itself
             "ke hoach nay noi", "van ban nay noi", "ke hoach noi ve gi", "noi ve cai gi",
             "ve cai gi", "ke hoach gi", "van ban gi")


# words of a question about the document itself
_DOC_WORDS = {"ke", "hoach", "van", "ban", "nay", "ky", "hanh", "nghi", "quyet", "147", "nq",
              "tu", "nguoi", "ngay", "thang", "nam", "so", "hieu", "co", "quan", "don", "vi",
              "trien", "khai", "thuc", "hien", "ten", "trich", "yeu", "can", "cu", "ubnd",
              "tinh", "chu", "tich", "pho", "boi", "da", "nao", "gi", "ai", "bao", "gio",
              "luc", "khi", "may", "2021", "cua", "la", "do", "uy", "nhan", "dan", "noi", "ve",
              "cai",
              # the signer's office asked ("chức vụ", "chức danh", "cương vị", "giữ chức",
              # "họ tên"): the signer's facts, not a topic of the plan
              "chuc", "danh", "vu", "cuong", "giu", "ho",
              # its structure asked ("gồm mấy phần lớn", "bao gồm những phần chính nào")
              "gom", "phan", "lon", "chinh", "muc",
              # when it was issued, asked with a noun of time ("vào thời gian nào", "thời
              # điểm nào", "dịp nào", "hồi nào"): a question word, no topic
              "thoi", "gian", "diem", "dip", "hoi"}


def by_document(kb, q: Question, today: date) -> Answer | None:
    """Who signed the plan, when, which resolution it implements: nothing else asked."""
    asks = has_phrase(q.cues, *_DOC_CUES) or (
        has_phrase(q.cues, "ban hanh")
        and has_phrase(q.cues, "ai", "nao", "bao gio", "khi nao", "ngay nao"))
    if not asks:
        return None
    text = f" {q.fixed} "
    for p in POLITE:
        text = text.replace(f" {p} ", " ")
    rest = [w for w in text.split() if w not in _DOC_WORDS and w not in STOP]
    if len(rest) > 1:  # "ai tham mưu ban hành kế hoạch đầu tư hạ tầng KCN" is a topic
        return None
    return document_answer(kb)


def document_facts(kb) -> tuple:
    """The document, its displayed number and the signer's title."""
    d = kb.document
    return d, d.extra.get("number_display") or d.number, d.extra.get("signer_title") or ""


def issuer(kb) -> str:
    """"UBND tỉnh Bắc Giang (nay là tỉnh Bắc Ninh)": the plan's issuer, and the province today."""
    d = kb.document
    today = (getattr(kb, "org", None) and kb.org.province.get("name")) or ""
    return f"{d.issued_by} (nay là {today})" if today else d.issued_by


def document_answer(kb) -> Answer:
    """The plan's number, issuer, date, title, signer and its four parts."""
    d, number, title = document_facts(kb)
    text = (f"Kế hoạch số {number} của {issuer(kb)}, ban hành {d.dated}: "
            f"«{clean(d.title)}».\n"
            f"• Kế hoạch triển khai thực hiện {d.implements}.\n"
            f"• Người ký: {d.signer}" + (f" ({title}, ký thay Chủ tịch)" if title else "") + ".")
    if kb.shape.kh147:  # another plan's file keeps no part titles to list
        text += ("\n• Nội dung gồm 4 phần: I. Mục đích, yêu cầu; II. Mục tiêu; III. Nội dung, "
                 "nhiệm vụ; IV. Tổ chức thực hiện.")
    return Answer("document", text, (), (), ())
