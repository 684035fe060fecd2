"""The terminal chat: what a new user tries first (`make chat`), on the same database."""
from __future__ import annotations

import os
import subprocess
import sys


def chat(tmp_path, lines: list[str], *args: str) -> str:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("TELEGRAM_", "ZALO_", "ADMIN_", "DATABASE_URL"))}
    p = subprocess.run([sys.executable, "-m", "bot", "chat", *args], cwd=tmp_path, env=env,
                       input="\n".join(lines) + "\n", capture_output=True, text=True,
                       timeout=60)
    assert p.returncode == 0, p.stderr
    return p.stdout


def test_piped_question_is_answered_with_sections(tmp_path):
    out = chat(tmp_path, ["so xay dung phai lam gi"])
    assert "Sở Xây dựng" in out and "Mục 2.2" in out and "Mục 4.3" in out
    assert (tmp_path / "data" / "kh147.db").exists()  # the embedded database was created


def test_registration_approval_and_status_across_sessions(tmp_path):
    out = chat(tmp_path, ["/dangky SXD"], "--user-id", "2")
    assert "Sở Xây dựng" in out
    refused = chat(tmp_path, ["/capnhat 2.2.1 xong"], "--user-id", "2")
    assert "đang chờ duyệt" in refused  # not a member yet: told the request is waiting
    approved = chat(tmp_path, ["/duyet 1"], "--user-id", "1", "--admin")
    assert "Đã duyệt" in approved
    saved = chat(tmp_path, ["/capnhat 2.2.1 đang làm Đã trình 2 đồ án", "/trangthai"],
                 "--user-id", "2")
    assert "Đã lưu" in saved and "Đang thực hiện" in saved and "Đã trình 2 đồ án" in saved


def test_numbered_choice_is_answered_by_its_number(tmp_path):
    out = chat(tmp_path, ["/nhiemvu", "2"])
    first, _, after = out.partition("(trả lời bằng số thứ tự)")
    label = next(line.split(". ", 1)[1] for line in first.splitlines()
                 if line.strip().startswith("2. "))
    assert label.split(" (")[0] in after  # choice 2's agency is what was answered


def test_admin_commands_are_refused_without_admin(tmp_path):
    out = chat(tmp_path, ["/tonghop"])
    assert "quản trị" in out and "Tổng hợp" not in out
