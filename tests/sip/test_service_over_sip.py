"""A SIP call through Asterisk into the service over AudioSocket: the caller dials an
extension whose dialplan hands the call to the service's AudioSocket port; the
greeting is heard, the caller's answer recognised, and the hang-up ends the call on
both sides."""

from __future__ import annotations

import pytest

from tests.conftest import FIXTURES, free_port, launch_server, wait_until_healthy
from tests.e2e.helpers import spoken_digits
from tests.sip.conftest import heard
from tests.sip.phone import place_call
from tests.sip.rig import Asterisk, missing

pytestmark = [pytest.mark.e2e, pytest.mark.models]


@pytest.fixture
def service_and_pbx(model_paths, tmp_path, twilio_recorder, monkeypatch):
    if reason := missing():
        pytest.skip(reason)
    audiosocket = free_port()
    monkeypatch.setenv("VOICEBOT_AUDIOSOCKET_PORT", str(audiosocket))
    monkeypatch.setenv("VOICEBOT_ASTERISK_SECRET", "asterisk-secret-for-tests")
    srv = wait_until_healthy(launch_server(free_port(), tmp_path, twilio_recorder.url))
    pbx = Asterisk(tmp_path / "asterisk", audiosocket_port=audiosocket).start()
    yield srv, pbx
    pbx.stop()
    srv.stop()


def test_a_sip_call_over_audiosocket_is_greeted_heard_and_hung_up(service_and_pbx,
                                                                   recognizer, tmp_path):
    srv, pbx = service_and_pbx
    # The port's defaults: the demo creditor, in English; the caller gives a reference
    # once the greeting has asked for it.
    result = place_call(pbx, "audiosocket", [(9.0, FIXTURES / "en_account_100200.wav")],
                        tmp_path / "heard.wav", seconds=24)
    assert result.established, result
    assert result.hung_up_by == "caller", result
    said = heard(recognizer, result.heard)
    assert "assistant" in said, said  # the greeting, through Asterisk
    assert pbx.wait_no_channels() == []
    [record] = srv.api("/api/calls/recent")
    caller_lines = [t["text"] for t in record["transcript"] if t["speaker"] == "caller"]
    # The reference read out over SIP, G.711 and AudioSocket's linear PCM is the one heard.
    assert "100200" in spoken_digits(" ".join(caller_lines), "en"), record["transcript"]
    assert srv.api(f"/api/calls/{record['call_id']}")["carrier"] == "asterisk-audiosocket"
