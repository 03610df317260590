"""TwiML that connects a call to the media stream."""

from __future__ import annotations

from collections.abc import Mapping

from voicebot.text.xml import xml_attr, xml_text


def connect_stream(stream_url: str, parameters: Mapping[str, str],
                   then: str | None = None) -> str:
    """``<Connect><Stream>`` with custom parameters, as Twilio expects it.

    When the stream ends without the call having been moved (the service stopped or
    lost the connection, or closed it to hang up), Twilio goes on with the next verb:
    ``then`` is asked what to do, so a caller cut off is handed to a person instead of
    hearing the line go dead."""
    params = "".join(
        f"<Parameter name={xml_attr(name)} value={xml_attr(value)}/>"
        for name, value in parameters.items()
        if value
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f"<Response><Connect><Stream url={xml_attr(stream_url)}>{params}</Stream>"
        "</Connect>"
        + (f'<Redirect method="POST">{xml_text(then)}</Redirect>' if then else "")
        + "</Response>"
    )
