"""What an operator sees at the terminal: one clear line for bad settings and an unreachable
database, a clean exit on Ctrl+C / Ctrl+D, stored text that cannot drive the terminal."""
from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time

import pytest

from bot.channels.console import render
from bot.core import Reply


def _env(**extra) -> dict:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("TELEGRAM_", "ZALO_", "ADMIN_", "DATABASE_URL"))}
    env.update(extra)
    return env


def _bot(tmp_path, *args, stdin="", **env):
    return subprocess.run([sys.executable, "-m", "bot", *args], cwd=tmp_path, env=_env(**env),
                          input=stdin, capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("ids", ["0900", "９００", "٩٠٠", "900,@sct"])
def test_admin_ids_that_would_never_match_stop_start_up(tmp_path, ids):
    p = _bot(tmp_path, "chat", ADMIN_TELEGRAM_IDS=ids)
    assert p.returncode == 2
    assert p.stderr.strip().count("\n") == 0 and "ADMIN_TELEGRAM_IDS" in p.stderr
    assert "Traceback" not in p.stderr


def test_zalo_admin_ids_must_be_ascii(tmp_path):
    p = _bot(tmp_path, "chat", ADMIN_ZALO_IDS="٩٠٠")
    assert p.returncode == 2 and "ADMIN_ZALO_IDS" in p.stderr


@pytest.mark.parametrize("url", [
    "postgresql+asyncpg://postgres@127.0.0.1:1/test",  # nothing listens
    "postgresql+asyncpg://postgres@127.0.0.1:5432/no_such_database_kh147",
])
def test_chat_on_an_unreachable_database_says_one_line(tmp_path, url):
    p = _bot(tmp_path, "chat", DATABASE_URL=url)
    assert p.returncode == 1
    assert "Traceback" not in p.stderr and len(p.stderr.strip().splitlines()) == 1
    assert "Không kết nối được cơ sở dữ liệu" in p.stderr


def test_db_upgrade_says_what_it_did(tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path}/x.db"
    first = _bot(tmp_path, "db", "upgrade", DATABASE_URL=url)
    second = _bot(tmp_path, "db", "upgrade", DATABASE_URL=url)
    assert first.returncode == second.returncode == 0
    assert "Đã nâng cấp" in first.stdout and "mới nhất" not in first.stdout
    assert "mới nhất" in second.stdout


def test_stored_escape_sequences_are_shown_not_obeyed():
    out = render(Reply("Ghi chú: \x1b]0;owned\x07\x1b[2Jxong\x00", ))
    assert "\x1b" not in out and "\x07" not in out and "\x00" not in out
    assert "\\x1b[2Jxong" in out


def _read_until(fd, needle: bytes, timeout: float) -> bytes:
    buf, end = b"", time.monotonic() + timeout
    while needle not in buf and time.monotonic() < end:
        r, _, _ = select.select([fd], [], [], 0.2)
        if r:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                break
            if not chunk:
                break
            buf += chunk
    return buf


def test_ctrl_c_then_ctrl_d_in_chat_exits_cleanly(tmp_path):
    pid, fd = pty.fork()
    if pid == 0:  # the child: the real chat on a terminal
        os.chdir(tmp_path)
        os.execve(sys.executable, [sys.executable, "-m", "bot", "chat"], _env())
    out = _read_until(fd, b"> ", 30)
    os.write(fd, b"so xay dung phai lam gi\r")
    out += _read_until(fd, b"IV.3", 30)
    out += _read_until(fd, b"> ", 5)
    os.write(fd, b"abc\x03")
    time.sleep(0.5)
    try:
        os.write(fd, b"\x04")
    except OSError:
        pass
    out += _read_until(fd, b"\x00never", 5)
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    text = out.decode(errors="replace")
    assert "Sở Xây dựng" in text
    assert "Traceback" not in text and "CancelledError" not in text
    assert os.waitstatus_to_exitcode(status) == 0
