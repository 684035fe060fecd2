"""Using the bot: greetings, thanks and "how do I …" questions (register, update progress,
reminders, exports), answered with the command that does it; and the "what I can do" answer."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from bot.answer.model import Answer
from bot.answer.question import Question
from bot.answer.render import agency_name
from bot.answer.vocab import STOP, has_phrase


@dataclass(frozen=True)
class _HelpTopic:
    key: str
    triggers: tuple[str, ...]  # folded phrases, one of which the question must hold
    words: frozenset[str]  # what else the question may say about this topic
    names: bool  # may name an agency ("đăng ký cho Sở Xây dựng thế nào")
    text: str


def _wordset(words: str) -> frozenset[str]:
    return frozenset(words.split())


# how-to wording and the bot itself: no topic of the plan
_HOW_WORDS = _wordset(
    "nhu the nao lam sao ra bang cach huong dan o dau de muon can phai gi duoc khong co toi "
    "em minh giup voi cho hoi xin biet lenh buoc bot chatbot ban tro ly he thong nay ung dung "
    "su zalo telegram tren trong tai vao len chi ai khi nhan go gui tin nhe a u roi thi ma")
_EXAMPLES = "Ví dụ: «Sở Xây dựng phải làm gì?» hoặc «Hạn báo cáo năm là khi nào?»"
_WHAT_I_DO = ("Tôi trả lời câu hỏi về Kế hoạch của UBND tỉnh Bắc Giang (nay là tỉnh Bắc Ninh) triển "
              "khai Nghị quyết số 147-NQ/TU về phát triển công nghiệp giai đoạn 2021-2030: nhiệm vụ của từng cơ "
              "quan, ai chủ trì một việc, hạn chót và báo cáo, các mục tiêu, nội dung một mục.")
_COMMANDS = ("Các lệnh: /nhiemvu CƠ QUAN — nhiệm vụ của một cơ quan; /hanchot — các hạn sắp "
             "tới; /muctieu — các mục tiêu; /dangky CƠ QUAN — đăng ký làm cán bộ đầu mối; "
             "/capnhat MỤC TRẠNG THÁI [GHI CHÚ] — cập nhật tiến độ, ví dụ: /capnhat 2.2.1 đang "
             "thực hiện Đã phê duyệt 2 đồ án; /trangthai [CƠ QUAN] — tình trạng từng nhiệm vụ; "
             "/nhacnho [CƠ QUAN|tat] — nhận nhắc hạn; quản trị viên: /tonghop, /xuat. "
             "Gõ /help để xem đầy đủ.")
_STATUS_NAMES = {"chua thuc hien": "chưa thực hiện", "dang thuc hien": "đang thực hiện",
                 "hoan thanh": "hoàn thành", "vuong mac": "vướng mắc"}
_STATUSES = "Trạng thái: " + ", ".join(_STATUS_NAMES.values()) + "."
_HELP_TOPICS = (
    _HelpTopic("nhacnho", ("nhac", "nhacnho", "thong bao han", "bao han"), _wordset(
        "dang ky ki nhan han chot nhom tat bat huy thong bao tu dong moi khi den sap truoc "
        "nhac nho viec cho chat cuoc tro chuyen bao cao"), True,
        "Nhận nhắc hạn trong cuộc trò chuyện này: /nhacnho (mọi hạn) hoặc /nhacnho CƠ QUAN "
        "(hạn của một cơ quan), ví dụ: /nhacnho Sở Xây dựng; tắt nhắc: /nhacnho tat. Trong "
        "nhóm, lệnh này dành cho quản trị viên nhóm. Xem các hạn sắp tới: /hanchot."),
    _HelpTopic("xuat", ("xuat", "excel", "xlsx", "csv", "tai file", "tai tep", "file bao cao",
                        "tep bao cao"), _wordset(
        "bao cao file tep excel xlsx csv du lieu tong hop ket qua danh sach tai ve bang tinh "
        "tien do trang thai ky"), False,
        "Xuất báo cáo tiến độ ra tệp (dành cho quản trị viên — cán bộ Sở Công Thương): "
        "/xuat [csv|xlsx] [KỲ], ví dụ: /xuat xlsx 2026 hoặc /xuat csv 6T/2026. Xem tổng hợp "
        "ngay trong tin nhắn: /tonghop [KỲ]."),
    _HelpTopic("capnhat", ("cap nhat", "capnhat", "nhap tien do", "nhap trang thai",
                           # reporting progress asked as a how-to ("… gửi về đâu" is IV.3)
                           "muon bao cao tien do", "cach bao cao tien do",
                           "bao cao tien do thi lam", "bao cao tien do nhu the nao",
                           "bao cao tien do the nao", "bao cao tien do lam sao",
                           "bao cao tien do bang cach", "de bao cao tien do"), _wordset(
        "tien do trang thai tinh hinh trang ket qua thuc hien nhiem vu muc cong viec cua so "
        "don vi co quan ghi chu hoan thanh bao cao nhap da dang chua vuong mac"), True,
        "Cập nhật tiến độ một nhiệm vụ: /capnhat MỤC TRẠNG THÁI [GHI CHÚ], ví dụ: /capnhat "
        f"2.2.1 đang thực hiện Đã phê duyệt 2 đồ án. {_STATUSES} Chỉ cán bộ đã được duyệt của "
        "cơ quan chủ trì mục đó cập nhật được (đăng ký: /dangky CƠ QUAN); gõ /capnhat không "
        "kèm gì để được hướng dẫn từng bước."),
    _HelpTopic("trangthai", ("tien do", "trang thai", "tinh trang", "trangthai"), _wordset(
        "xem tra cuu theo doi nhiem vu cua so co quan don vi thuc hien hien tai cac moi "
        "nhat"), True,
        "Xem tình trạng mới nhất của từng nhiệm vụ: /trangthai [CƠ QUAN], ví dụ: /trangthai "
        "Sở Xây dựng. Các hạn sắp tới: /hanchot."),
    _HelpTopic("dangky", ("dang ky", "dang ki", "dangky", "lam thanh vien", "lam dau moi"),
               _wordset("thanh vien tai khoan dau moi can bo co quan so don vi tham gia nhom "
                        "nguoi duyet xong lau bao"), True,
               "Đăng ký làm cán bộ đầu mối của cơ quan: /dangky CƠ QUAN, ví dụ: /dangky Sở Xây "
               "dựng. Yêu cầu được gửi tới quản trị viên (Sở Công Thương) duyệt, Đồng chí được "
               "báo kết quả; sau đó cập nhật tiến độ bằng /capnhat MỤC TRẠNG THÁI [GHI CHÚ]."),
    _HelpTopic("overview", ("tro giup", "help", "start", "huong dan", "lam duoc gi",
                            "lam duoc nhung gi", "biet gi", "chuc nang", "cac lenh", "lenh gi",
                            "lenh nao", "danh sach lenh", "menu", "su dung", "dung the nao",
                            "dung nhu the nao", "cach dung", "dung bot", "dung sao",
                            "giup duoc gi", "ho tro gi", "co the lam gi", "lam duoc viec gi",
                            "ban la ai", "bot la ai", "bot la gi", "tra loi duoc gi",
                            "hoi duoc gi", "hoi gi"), _wordset(
        "nhung cac gi lam nao chuc nang ho tro tinh nang xem danh sach"), False,
        f"{_WHAT_I_DO}\n{_EXAMPLES}\n{_COMMANDS}"),
    _HelpTopic("greeting", ("xin chao", "chao", "hello", "helo", "hi", "alo", "a lo", "hey",
                            "halo"),
               _wordset("ban bot em ca nha moi nguoi oi buoi sang chieu toi khoe khong ad "
                        "admin tro ly chuc ngay tot lanh nhe"), False,
               f"Xin chào Đồng chí! {_WHAT_I_DO}\n{_EXAMPLES}. Gõ /help để xem các lệnh."),
    _HelpTopic("thanks", ("cam on", "thank", "thanks", "tks", "ok", "oke", "okay", "duoc roi"),
               _wordset("ban bot em nhieu nhe a rat da"), False,
               f"Vâng. Đồng chí cần tra cứu thêm xin cứ hỏi tiếp. {_EXAMPLES}."),
)
# a task or section id typed with a "how do I update" question ("cập nhật 2.2.1 hoàn thành")
_ID_TOKEN = re.compile(r"^(?:\d(?:\.\d{1,2}){0,2}|iv\.\d|ii\.\d|i\.\d)$")


def help_answer(kb, intent: str) -> Answer:
    """What the bot can do, with examples; for intent "none", said to be outside the plan."""
    text = (f"{_WHAT_I_DO}\n"
            "Ví dụ: «Nhiệm vụ của Sở Y tế?» hoặc «Ai lo giải phóng mặt bằng các cụm công "
            "nghiệp?»")
    if intent == "none":
        text = "Câu hỏi này nằm ngoài nội dung Kế hoạch. " + text
    return Answer(intent, text)


def by_help(kb, q: Question, today: date) -> Answer | None:
    """Greetings and questions about using the bot (registering, updating progress,
    reminders, exports): the command that does it, with an example. Only when nothing else
    is said: "ai cập nhật quy hoạch" and "thủ tục đăng ký doanh nghiệp" are the plan's."""
    words = q.folded.split()
    names = {i for m in q.mentions for i in range(m.start, m.end)}
    folded = " ".join(words)
    for topic in _HELP_TOPICS:
        if not has_phrase(folded, *topic.triggers) or (names and not topic.names):
            continue
        ids = [w.upper() for w in words if _ID_TOKEN.match(w) and kb.item(w.upper())]
        if ids and topic.key != "capnhat":
            continue  # "tiến độ mục 5.6" asks about that section
        if _says_more(topic, words, names, ids):
            continue
        return Answer("help", _topic_text(kb, q, topic, ids, folded))
    return None


def _says_more(topic: _HelpTopic, words: list[str], names: set[int], ids: list[str]) -> bool:
    """Does the question say anything besides the topic's words, how-to wording and names?"""
    said = {w for trig in topic.triggers for w in trig.split()}
    rest = [w for i, w in enumerate(words) if i not in names and w not in said
            and w not in topic.words and w not in _HOW_WORDS and w not in STOP
            and not (ids and _ID_TOKEN.match(w))]
    return bool(rest)


def _topic_text(kb, q: Question, topic: _HelpTopic, ids: list[str], folded: str) -> str:
    """The topic's answer, its example showing the agency and the item asked about."""
    text = topic.text
    named = [m.agency_id for m in q.mentions if not m.weak]
    if named:  # the example shows the agency asked about
        text = text.replace("Sở Xây dựng", agency_name(kb, named[0]))
    if ids:  # the command for the item asked about, ready to send
        status = next((v for k, v in _STATUS_NAMES.items() if has_phrase(folded, k)),
                      "TRẠNG THÁI")
        text += f"\nVới mục {ids[0]}: /capnhat {ids[0]} {status} [GHI CHÚ]"
    return text


# ---------------------------------------------------------------- first contact

# "tôi cần làm gì trước tiên": an official's first steps
_FIRST = ("truoc tien", "dau tien", "truoc het", "bat dau", "bat dau tu dau", "buoc dau")
# English function words: a question typed in English ("What are the duties of …")
_ENGLISH = {"what", "which", "who", "when", "where", "how", "the", "of", "is", "are", "do",
            "does", "can", "you", "your", "i", "my", "please", "duties", "department",
            "deadline", "report", "plan", "tasks", "should", "must", "about", "tell", "me",
            "help", "speak", "english"}
_VIETNAMESE_ONLY = ("Tôi chỉ trả lời bằng tiếng Việt (I answer in Vietnamese only), về Kế "
                    "hoạch triển khai Nghị quyết 147-NQ/TU. Ví dụ: «Sở Xây dựng phải làm "
                    "gì?», «Hạn báo cáo năm là khi nào?», «Ai chủ trì mục 5.6?». Gõ /help để "
                    "xem các lệnh.")


def by_english(kb, q: Question, today: date) -> Answer | None:
    """A question in English: said in Vietnamese that the bot speaks Vietnamese, with
    examples (a name of the plan typed inside is no Vietnamese question)."""
    words = q.raw.casefold().replace("?", " ").split()
    if not words or any(not w.isascii() for w in words):
        return None
    english = sum(w.strip(",.!'\"") in _ENGLISH for w in words)
    if english < 2 or english < 0.4 * len(words):
        return None
    return Answer("help", _VIETNAMESE_ONLY)


def by_first_steps(kb, q: Question, today: date) -> Answer | None:
    """"tôi là cán bộ SXD, tôi cần làm gì trước tiên": how to register and report, then the
    unit's duties."""
    if not has_phrase(q.fixed, *_FIRST):
        return None
    ids = [m.agency_id for m in (*q.mentions, *q.intro_mentions) if not getattr(m, "weak", False)]
    from bot.answer.agency import agency_answer
    if not ids:
        return Answer("help", "Việc đầu tiên: đăng ký làm cán bộ đầu mối của cơ quan mình: "
                      "/dangky CƠ QUAN, ví dụ: /dangky Sở Xây dựng; khi được duyệt, cập nhật "
                      "tiến độ bằng /capnhat MỤC TRẠNG THÁI [GHI CHÚ]. Xem nhiệm vụ của cơ "
                      "quan: /nhiemvu CƠ QUAN.")
    ans = agency_answer(kb, ids[0])
    name = ans.agencies[0] if ans.agencies else agency_name(kb, ids[0])
    steps = (f"Việc cần làm trước tiên: (1) đăng ký làm cán bộ đầu mối: /dangky {name} "
             "(quản trị viên duyệt); (2) nắm các nhiệm vụ được giao dưới đây và xây dựng kế "
             "hoạch cụ thể của cơ quan (Mục IV.1); (3) cập nhật tiến độ từng nhiệm vụ: "
             "/capnhat MỤC TRẠNG THÁI [GHI CHÚ]; báo cáo 6 tháng trước 15/6, năm trước 15/12 "
             "(Mục IV.3).")
    from dataclasses import replace
    return replace(ans, text=f"{steps}\n\n{ans.text}")
