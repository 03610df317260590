"""TwiML that connects a call to the media stream."""

from __future__ import annotations

from collections.abc import Mapping

from voicebot.text.xml import xml_attr


def connect_stream(stream_url: str, parameters: Mapping[str, str]) -> str:
    """``<Connect><Stream>`` with custom parameters, as Twilio expects it."""
    params = "".join(
        f"<Parameter name={xml_attr(name)} value={xml_attr(value)}/>"
        for name, value in parameters.items()
        if value
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f"<Response><Connect><Stream url={xml_attr(stream_url)}>{params}</Stream>"
        "</Connect></Response>"
    )
