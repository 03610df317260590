"""The voice webhook asked as Twilio asks it: a signed form POST, and the <Stream>
parameters (with the call's one-use token) read from the TwiML it returns."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import httpx

from voicebot.web.security import twilio_signature


def stream_parameters(http: str, call_sid: str, query: str, auth_token: str,
                      form: dict[str, str] | None = None) -> dict[str, str]:
    """POST ``{http}/twilio/voice{query}`` signed with ``auth_token``; the parameters the
    returned TwiML puts on the stream's ``start``."""
    url = f"{http}/twilio/voice{query}"
    form = {"CallSid": call_sid, "From": "+15551230000", "To": "+15559870000", **(form or {})}
    response = httpx.post(url, data=form, timeout=10,
                          headers={"X-Twilio-Signature": twilio_signature(auth_token, url, form)})
    response.raise_for_status()
    stream = ET.fromstring(response.text).find("./Connect/Stream")
    assert stream is not None, response.text
    return {str(p.get("name")): str(p.get("value")) for p in stream.iter("Parameter")}
