"""`ask` reads PLANS_DIR without pydantic-settings when there is nothing to read (no variable,
no `.env`), and through bot.config otherwise (a missing folder stays one line)."""
from __future__ import annotations

import os
import subprocess
import sys

PROBE = ("import sys; from bot.answer.cli import cli_ask; cli_ask('hạn báo cáo của Sở Y tế', True);"
         " print('pydantic_settings' in sys.modules)")


def _run(cwd, **env):
    base = {k: v for k, v in os.environ.items() if k.upper() != "PLANS_DIR"}
    return subprocess.run([sys.executable, "-c", PROBE], cwd=cwd, capture_output=True,
                          text=True, env={**base, **env}, timeout=60)


def test_no_variable_and_no_env_file_answers_without_pydantic_settings(tmp_path):
    res = _run(tmp_path)
    assert res.returncode == 0, res.stderr
    assert '"Sở Y tế"' in res.stdout and res.stdout.strip().endswith("False")


def test_an_env_file_is_still_read(tmp_path):
    (tmp_path / ".env").write_text(f"PLANS_DIR={tmp_path / 'nowhere'}\n", encoding="utf-8")
    res = _run(tmp_path)
    assert res.returncode == 2 and res.stderr.startswith("Lỗi cấu hình: PLANS_DIR")


def test_a_lowercase_variable_is_still_read(tmp_path):
    res = _run(tmp_path, plans_dir=str(tmp_path / "nowhere"))
    assert res.returncode == 2 and res.stderr.startswith("Lỗi cấu hình: PLANS_DIR")
