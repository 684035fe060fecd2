"""The neutral core: splitting long answers, settings validation, the CLI's bad-setting exit."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from bot.config import Settings
from bot.core import split_text


@pytest.mark.parametrize("limit", [2000, 4096])
def test_long_answer_is_split_on_line_boundaries(limit):
    lines = [f"• Nhiệm vụ số {i}: " + "tham mưu UBND tỉnh " * (i % 7 + 1) for i in range(600)]
    text = "\n".join(lines)
    parts = split_text(text, limit)
    assert len(parts) > 1
    assert all(len(p) <= limit for p in parts)
    # nothing lost, nothing reordered, no line cut in two
    assert "\n".join(parts) == text
    assert all(p.split("\n")[0] in lines for p in parts)


def test_a_single_overlong_line_is_cut_at_a_space():
    text = "giải phóng mặt bằng " * 400
    parts = split_text(text, 2000)
    assert all(len(p) <= 2000 for p in parts)
    assert " ".join(p.strip() for p in parts).split() == text.split()


def test_short_text_is_one_part():
    assert split_text("Xin chào", 4096) == ["Xin chào"]


def test_settings_parse_lists_and_times(tmp_path):
    s = Settings(_env_file=None, ADMIN_TELEGRAM_IDS=" 1, 22 ,", REMINDER_DAYS="0,7,14",
                 REMINDER_TIME="07:30")
    assert s.admin_telegram_ids == {"1", "22"}
    assert s.reminder_days == (14, 7, 0)
    assert (s.reminder_time.hour, s.reminder_time.minute) == (7, 30)


@pytest.mark.parametrize("name,value", [
    ("REMINDER_TIME", "8h"),
    ("REMINDER_DAYS", "7,bảy"),
    ("BOT_TIMEZONE", "Asia/Hanoi_Nowhere"),
    ("TELEGRAM_MODE", "push"),
    ("HTTP_PORT", "80000"),
    ("HTTP_PORT", "abc"),
    ("DATABASE_URL", "kh147.db"),
    ("DATABASE_URL", "mysql://root@localhost/kh147"),
    ("ADMIN_TELEGRAM_IDS", "12,@nguyenvana"),
])
def test_bad_setting_stops_with_one_line_naming_it(tmp_path, name, value):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "ZALO_"))}
    env[name] = value
    p = subprocess.run([sys.executable, "-m", "bot", "run"], cwd=tmp_path, env=env,
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 2
    err = p.stderr.strip().splitlines()
    assert len(err) == 1, p.stderr
    assert name in err[0] and "Traceback" not in p.stderr
    assert "Input should" not in err[0]  # pydantic's English is translated
