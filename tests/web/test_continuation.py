"""What Twilio hears when a call's media stream ends (the ``<Redirect>`` after
``<Connect>``): a call the bot ended is hung up; a call cut off from the bot (a crash,
a dropped connection, a failed transfer) goes to a person with a packet, or is promised
a call-back when no transfer is configured. Signed like every Twilio webhook."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from pathlib import Path
from types import SimpleNamespace

from fastapi.testclient import TestClient

from voicebot.data.records import CallStart
from voicebot.settings import Settings
from voicebot.web.app import create_app
from voicebot.web.security import twilio_signature

TOKEN = "twilio-auth-token-for-tests"
BASE = "https://voice.example.org"
SID = "CA" + "1" * 32


def client(tmp_path: Path, *, transfer: bool = True) -> TestClient:
    values: dict[str, object] = dict(home=tmp_path, llm_backend="none", public_url=BASE,
                                     twilio_auth_token=TOKEN, agent_tokens="a:" + "t" * 20)
    if transfer:
        values["twilio_account_sid"] = "AC" + "0" * 32
    settings = Settings(**values)  # type: ignore[arg-type]
    engines = SimpleNamespace(stt_model="base", voices={}, intents=None, llm=None)
    return TestClient(create_app(settings, engines=engines),  # type: ignore[arg-type]
                      base_url=BASE)


def ask(http: TestClient, call_sid: str = SID, token: str = TOKEN):
    url = f"{BASE}/twilio/continue"
    form = {"CallSid": call_sid, "CallStatus": "in-progress"}
    return http.post(url, data=form,
                     headers={"X-Twilio-Signature": twilio_signature(token, url, form)})


def verbs(response) -> list[str]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/xml")
    return [child.tag for child in ET.fromstring(response.text)]


def a_call(http: TestClient, end_reason: str | None, *, turns: int = 2, sid: str = SID
           ) -> None:
    records = http.app.state.service.records
    records.start_call(CallStart(
        call_id=sid, carrier="twilio", stream_id="MZ1", creditor="acme-telecom",
        account="100200", language="fr", started_at=dt.datetime.now(dt.UTC),
        prompt_version="fr-1", policy_version="1", policy_hash="x"))
    for seq in range(turns):
        records.add_turn(sid, seq, "bot" if seq % 2 == 0 else "caller", f"line {seq}",
                         float(seq))
    if end_reason:
        records.finish_call(sid, dt.datetime.now(dt.UTC), end_reason, {"agreed": False})


def test_the_voice_webhook_tells_twilio_to_ask_when_the_stream_ends(tmp_path):
    http = client(tmp_path)
    url = f"{BASE}/twilio/voice"
    form = {"CallSid": SID, "From": "+15551230000"}
    answer = http.post(url, data=form,
                       headers={"X-Twilio-Signature": twilio_signature(TOKEN, url, form)})
    document = ET.fromstring(answer.text)
    assert [c.tag for c in document] == ["Connect", "Redirect"]
    assert document[1].text == f"{BASE}/twilio/continue"
    assert document[1].get("method") == "POST"


def test_a_call_the_bot_ended_is_hung_up(tmp_path):
    http = client(tmp_path)
    for n, reason in enumerate(("dialogue_ended", "no_input", "max_call_duration")):
        sid = f"CA{n}" + "3" * 31
        a_call(http, reason, sid=sid)
        assert verbs(ask(http, sid)) == ["Hangup"], reason
        assert http.app.state.service.handoffs.store.find_by_call(sid) is None


def test_a_call_cut_off_goes_to_a_person_with_what_was_said(tmp_path):
    http = client(tmp_path)
    a_call(http, None, turns=3)  # the service died mid-call: no end on record
    assert verbs(ask(http)) == ["Say", "Enqueue"]
    packet = http.app.state.service.handoffs.store.find_by_call(SID)
    assert packet.reason == "stream_lost" and packet.language == "fr"
    assert [t["text"] for t in packet.transcript] == ["line 0", "line 1", "line 2"]
    assert packet.account["reference"] == "100200"


def test_a_transfer_that_failed_is_made_by_the_twiml(tmp_path):
    http = client(tmp_path)
    a_call(http, "handoff:payment")
    store = http.app.state.service.handoffs.store
    from voicebot.handoff.packet import build_packet

    kept = store.add(build_packet(call_id=SID, creditor_id="acme-telecom",
                                  creditor_name="Acme Telecom", language="fr",
                                  reason="payment",
                                  handoff_requested=dt.datetime.now(dt.UTC)))
    assert verbs(ask(http)) == ["Say", "Enqueue"]
    assert store.find_by_call(SID).id == kept.id  # the call's own packet, not a new one


def test_a_call_never_recorded_still_reaches_a_person(tmp_path):
    http = client(tmp_path)
    assert verbs(ask(http, "CA" + "2" * 32)) == ["Say", "Enqueue"]
    assert http.app.state.service.handoffs.store.find_by_call("CA" + "2" * 32)


def test_without_a_transfer_the_caller_is_promised_a_call_back(tmp_path):
    http = client(tmp_path, transfer=False)
    a_call(http, None)
    answer = ask(http)
    assert verbs(answer) == ["Say", "Hangup"] and "rappellera" in answer.text
    assert http.app.state.service.handoffs.store.find_by_call(SID).status == "fallback"


def test_an_unsigned_request_is_refused(tmp_path):
    http = client(tmp_path)
    assert ask(http, token="wrong-token").status_code == 403
