"""/start, /help, /trogiup: what the bot does, with examples."""
from __future__ import annotations

from bot.core import Reply, Request
from bot.services import Services
from handlers.access import is_admin
from handlers.registry import command

HELP = """Xin chào! Tôi là trợ lý tra cứu Kế hoạch triển khai Nghị quyết số 147-NQ/TU của Tỉnh ủy về phát triển công nghiệp tỉnh Bắc Giang giai đoạn 2021-2030.

Đồng chí có thể hỏi bằng tiếng Việt có dấu hoặc không dấu, ví dụ:
• Sở Xây dựng phải làm gì?
• ai lo giải phóng mặt bằng KCN Việt Hàn?
• hạn báo cáo năm?
• mục 5.6

Các lệnh:
/hoi CÂU HỎI — hỏi về Kế hoạch
/nhiemvu [CƠ QUAN] — nhiệm vụ của một cơ quan
/hanchot — các hạn sắp tới
/muctieu — các mục tiêu của Kế hoạch
/kehoach — các kế hoạch đang theo dõi (hỏi kế hoạch khác bằng số của nó: «kế hoạch 134»); /kehoach chon SỐ — chọn kế hoạch mặc định cho cuộc trò chuyện này
/dangky CƠ QUAN — đăng ký làm cán bộ đầu mối của cơ quan
/capnhat [KẾ HOẠCH] MỤC TRẠNG THÁI [GHI CHÚ] — cập nhật tiến độ, ví dụ: /capnhat 2.2.1 đang thực hiện Đã phê duyệt 2 đồ án; kèm khó khăn, kiến nghị: /capnhat 2.2.3 vướng mắc Khó khăn: thiếu vốn. Kiến nghị: tỉnh bố trí vốn
/sua TRẠNG THÁI [GHI CHÚ] — sửa cập nhật vừa gửi (trong 30 phút)
/rut — rút lại cập nhật vừa gửi (trong 30 phút)
/huy — hủy thao tác cập nhật đang dở
/trangthai [CƠ QUAN] [KẾ HOẠCH] — tình trạng mới nhất của từng nhiệm vụ
/nhacnho [CƠ QUAN|tat] [KẾ HOẠCH] — đăng ký hoặc tắt nhắc hạn cho cuộc trò chuyện này"""

ADMIN_HELP = """

Dành cho cán bộ Sở Công Thương (quản trị):
/tonghop [KẾ HOẠCH] [KỲ] — tổng hợp theo cơ quan (KỲ: 2026 hoặc 6T/2026; KẾ HOẠCH: «kế hoạch 134», mặc định mọi kế hoạch)
/xuat [csv|xlsx] [KẾ HOẠCH] [KỲ] — xuất báo cáo ra tệp
/baocao [KẾ HOẠCH] [KỲ] — dự thảo báo cáo UBND tỉnh kết quả thực hiện Kế hoạch (tệp Word)
/web — liên kết đăng nhập bàn làm việc trên web (dùng một lần, hiệu lực 10 phút)
/thanhvien [CƠ QUAN] — danh sách cán bộ đã đăng ký
/xoathanhvien SỐ — xóa một cán bộ khỏi danh sách
/duyet [SỐ], /tuchoi [SỐ] — duyệt hoặc từ chối yêu cầu đăng ký (không có số: xem các yêu cầu đang chờ)
/guitatca NỘI DUNG — gửi thông báo tới mọi cuộc trò chuyện đã đăng ký nhắc hạn"""


GROUP_HELP = """Xin chào! Tôi là trợ lý tra cứu Kế hoạch triển khai Nghị quyết số 147-NQ/TU của Tỉnh ủy về phát triển công nghiệp tỉnh Bắc Giang giai đoạn 2021-2030.

Trong nhóm, tôi trả lời các lệnh, tin nhắn nhắc đến tôi và tin nhắn trả lời tôi:
/hoi CÂU HỎI — hỏi về Kế hoạch, ví dụ: /hoi ai lo giải phóng mặt bằng KCN Việt Hàn?
/nhiemvu CƠ QUAN — nhiệm vụ của một cơ quan
/hanchot — các hạn sắp tới
/muctieu — các mục tiêu của Kế hoạch
/kehoach — các kế hoạch đang theo dõi
/trangthai [CƠ QUAN] — tình trạng mới nhất của từng nhiệm vụ
/nhacnho [CƠ QUAN|tat] — nhóm nhận hoặc tắt nhắc hạn (quản trị viên nhóm)

Đăng ký cán bộ đầu mối và cập nhật tiến độ: xin nhắn riêng cho tôi."""


@command("start", "help", "trogiup")
async def cmd_help(req: Request, svc: Services, _args: str) -> list[Reply]:
    if not req.is_private:
        return [Reply(GROUP_HELP)]
    return [Reply(HELP + (ADMIN_HELP if is_admin(req, svc) else ""))]
