"""Test-only start-up hook for the bot processes the tests spawn (`python -m bot run`,
`remind`, `chat`): tests/conftest.py puts this folder first on PYTHONPATH and sets
KH147_TEST_NOW, so a child process starts at that instant (ISO 8601) and its clock runs on from
there. A spawned bot then never depends on the real date (a reminder due today, a plan that
ended). Without KH147_TEST_NOW nothing changes; the bot itself knows nothing of this file.
"""
import os

_now = os.environ.get("KH147_TEST_NOW")
if _now:
    import time_machine

    time_machine.travel(_now, tick=True).start()
