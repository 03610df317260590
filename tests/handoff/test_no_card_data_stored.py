"""Card numbers never reach the hand-off database or the logs (the real redaction)."""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
import subprocess
import sys

from voicebot.handoff import HandoffStore, build_packet
from voicebot.redaction import redact_obj

CARD_WORDS = "four one one one, one one one one, one one one one, one one one one"
CARD_DIGITS = "4111 1111 1111 1111"


def test_the_database_never_holds_a_card_number(tmp_path):
    store = HandoffStore(tmp_path / "handoffs.db", redact=redact_obj)
    packet = build_packet(
        call_id="CA1", creditor_id="acme-telecom", creditor_name="Acme Telecom", language="en",
        reason="payment", handoff_requested=dt.datetime(2026, 12, 1, 15, 1, tzinfo=dt.UTC),
        account_reference="100200", account_name="Jane Doe", verified=True,
        transcript=[{"speaker": "caller", "text": f"my card is {CARD_WORDS}", "at": 1.0},
                    {"speaker": "caller", "text": f"or {CARD_DIGITS}, cvv 123", "at": 2.0}],
        redact=redact_obj,
    )
    stored = store.add(packet)
    store.close()
    raw = (tmp_path / "handoffs.db").read_bytes()
    for suffix in ("-wal", "-shm"):
        extra = tmp_path / f"handoffs.db{suffix}"
        if extra.exists():
            raw += extra.read_bytes()
    text = raw.decode("latin-1")
    assert "4111" not in text and "one one one one" not in text and "cvv 123" not in text
    rows = sqlite3.connect(tmp_path / "handoffs.db").execute("select * from handoffs").fetchall()
    assert rows and "[card number]" in str(rows)
    assert stored.account["reference"] == "100200"  # ordinary numbers stay


def test_logs_never_hold_a_card_number():
    # The command line's logging set-up, in a process of its own.
    code = ("from voicebot.cli import configure_logging; import logging; "
            "configure_logging('info'); "
            f"logging.getLogger('voicebot.call').info('caller said %r', 'card {CARD_DIGITS}')")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True, timeout=60)
    assert "[card number]" in result.stderr
    assert not re.search(r"4111\D?1111", result.stderr)
