"""TwiML for the hand-off: queue, dial or hold the caller for a person, call the agent
who accepted, and what to do when nobody comes.

Every document starts with something said, so a caller moved off the media
stream never sits in silence. URLs in TwiML sent through the REST API must be
absolute (Twilio error 15004), so callbacks are built from an absolute base.
"""

from __future__ import annotations

import json
from urllib.parse import urlencode

from voicebot.text.xml import xml_attr, xml_text

# What Twilio says itself, in the caller's language, once the bot let go of the call.
MESSAGES: dict[str, dict[str, str]] = {
    "en": {
        "hold": "Please hold while I connect you to a colleague.",
        "wait": "Thank you for holding. A colleague will be with you shortly.",
        "wait_position": "Thank you for holding. You are number {position} in line.",
        "take_message": (
            "I'm sorry, no one is free to take your call right now. After the tone, please "
            "say your name and the best time to call you back, then press the pound key."
        ),
        "callback": (
            "I'm sorry, no one is free to take your call right now. Someone will call you "
            "back at this number within one business day. Goodbye."
        ),
        "message_taken": "Thank you. Someone will call you back. Goodbye.",
        "no_message": "We did not hear a message. Someone will call you back at this number. "
                      "Goodbye.",
        "goodbye": "Thank you for calling. Goodbye.",
        # To the agent called in conference mode.
        "agent_gate": "Hand-off from the assistant. Press 1 to take the call.",
        "agent_not_taken": "The call was not taken. Goodbye.",
        "agent_caller_gone": "The caller hung up before you joined. The hand-off stays with "
                             "you on the desktop. Goodbye.",
        "agent_stale": "This hand-off is no longer waiting for you. Goodbye.",
    },
    "fr": {
        "hold": "Veuillez patienter, je vous mets en relation avec un collègue.",
        "wait": "Merci de patienter. Un collègue va vous répondre.",
        "wait_position": "Merci de patienter. Vous êtes en position {position}.",
        "take_message": (
            "Désolé, personne n'est disponible pour le moment. Après le bip, dites votre nom "
            "et le meilleur moment pour vous rappeler, puis appuyez sur la touche dièse."
        ),
        "callback": (
            "Désolé, personne n'est disponible pour le moment. Un collègue vous rappellera "
            "à ce numéro dans un délai d'un jour ouvré. Au revoir."
        ),
        "message_taken": "Merci. Un collègue vous rappellera. Au revoir.",
        "no_message": "Nous n'avons pas entendu de message. Un collègue vous rappellera à ce "
                      "numéro. Au revoir.",
        "goodbye": "Merci de votre appel. Au revoir.",
        "agent_gate": "Transfert de l'assistant. Appuyez sur 1 pour prendre l'appel.",
        "agent_not_taken": "L'appel n'a pas été pris. Au revoir.",
        "agent_caller_gone": "L'appelant a raccroché avant votre arrivée. Le transfert reste "
                             "à votre nom sur le bureau. Au revoir.",
        "agent_stale": "Ce transfert ne vous attend plus. Au revoir.",
    },
}
SAY_LANGUAGE = {"en": "en-US", "fr": "fr-FR"}
MAX_TWIML_CHARS = 4000  # the REST API's limit for the Twiml parameter


def message(language: str, key: str, **values: object) -> str:
    table = MESSAGES.get(language) or MESSAGES["en"]
    return table[key].format(**values)


def say(text: str, language: str) -> str:
    lang = SAY_LANGUAGE.get(language, SAY_LANGUAGE["en"])
    return f"<Say language={xml_attr(lang)}>{xml_text(text)}</Say>"


def document(*verbs: str) -> str:
    return '<?xml version="1.0" encoding="UTF-8"?><Response>' + "".join(verbs) + "</Response>"


def callback_url(base: str, path: str, handoff_id: str, **extra: str) -> str:
    return f"{base.rstrip('/')}/{path}?" + urlencode({"handoff_id": handoff_id, **extra})


def enqueue(queue_name: str, handoff_id: str, *, language: str, call_id: str = "",
            reason: str = "", action_url: str | None = None, wait_url: str | None = None,
            workflow_sid: str | None = None, hold_message: bool = True) -> str:
    """Say "please hold", then wait in ``queue_name`` (or a TaskRouter workflow).

    The hand-off id travels in the action and wait URLs' query, and in the
    TaskRouter task's attributes when a workflow is used.
    """
    attrs = ""
    if action_url:
        attrs += f' action={xml_attr(action_url)} method="POST"'
    if wait_url:
        attrs += f' waitUrl={xml_attr(wait_url)} waitUrlMethod="POST"'
    if workflow_sid:
        attrs += f" workflowSid={xml_attr(workflow_sid)}"
        task = json.dumps({"handoff_id": handoff_id, "call_id": call_id, "reason": reason,
                           "language": language}, separators=(",", ":"))
        body = f"<Task>{xml_text(task)}</Task>"
    else:
        body = xml_text(queue_name[:64])
    verbs = [say(message(language, "hold"), language)] if hold_message else []
    verbs.append(f"<Enqueue{attrs}>{body}</Enqueue>")
    if not action_url:
        # Without an action URL Twilio goes on to the next verb when the call leaves
        # the queue, also after the agent hangs up: end politely, never in silence.
        verbs.append(say(message(language, "goodbye"), language) + "<Hangup/>")
    return document(*verbs)


def dial(target: str, *, language: str, timeout: int, action_url: str,
         whisper_url: str | None = None, caller_id: str | None = None,
         hold_message: bool = True) -> str:
    """Say "please hold", then ring ``target`` (a number, ``sip:`` or ``client:``)."""
    attrs = f' timeout="{int(timeout)}" action={xml_attr(action_url)} method="POST"'
    if caller_id:
        attrs += f" callerId={xml_attr(caller_id)}"
    url = f" url={xml_attr(whisper_url)}" if whisper_url else ""
    if target.startswith("sip:"):
        noun = f"<Sip{url}>{xml_text(target)}</Sip>"
    elif target.startswith("client:"):
        noun = f"<Client{url}>{xml_text(target.removeprefix('client:'))}</Client>"
    else:
        noun = f"<Number{url}>{xml_text(target)}</Number>"
    verbs = [say(message(language, "hold"), language)] if hold_message else []
    verbs.append(f"<Dial{attrs}>{noun}</Dial>")
    return document(*verbs)


def conference_name(handoff_id: str) -> str:
    """The hand-off's conference room: its id only (Twilio asks for no personal data in
    conference names)."""
    return f"handoff-{handoff_id}"


CONFERENCE_EVENTS = "start end join leave"


def _events(events_url: str) -> str:
    return (f" statusCallback={xml_attr(events_url)} statusCallbackMethod=\"POST\""
            f' statusCallbackEvent="{CONFERENCE_EVENTS}"')


def conference_hold(handoff_id: str, *, language: str, action_url: str, events_url: str,
                    wait_url: str | None = None, hold_message: bool = True) -> str:
    """The caller's side in conference mode: say "please hold", then wait alone in the
    hand-off's own conference (hold music until an agent starts it by joining).

    The caller does not start the conference and ends it on leaving, so an agent never
    stays in it alone; ``events_url`` hears who joins and leaves, ``action_url`` is asked
    what next when the caller's time in the conference ends.
    """
    attrs = ('startConferenceOnEnter="false" endConferenceOnExit="true" beep="false"'
             + _events(events_url))
    if wait_url:
        attrs += f' waitUrl={xml_attr(wait_url)} waitMethod="POST"'
    verbs = [say(message(language, "hold"), language)] if hold_message else []
    verbs.append(f'<Dial action={xml_attr(action_url)} method="POST">'
                 f"<Conference {attrs}>{xml_text(conference_name(handoff_id))}</Conference>"
                 "</Dial>")
    return document(*verbs)


def agent_join(handoff_id: str, *, whisper: str, language: str, events_url: str) -> str:
    """The accepting agent's side: hear the summary, then start the caller's conference
    (which ends when the agent leaves: the caller is not left holding alone). The agent
    reports to the same ``events_url`` as the caller: Twilio keeps the first participant's,
    and an agent who accepted before the bot let go of the call joins first."""
    return document(
        say(whisper, language),
        '<Dial><Conference startConferenceOnEnter="true" endConferenceOnExit="true" '
        f'beep="false"{_events(events_url)}>{xml_text(conference_name(handoff_id))}'
        "</Conference></Dial>")


def agent_gate(*, language: str, action_url: str, seconds: int = 8) -> str:
    """An agent at a phone or a PBX presses 1 before hearing anything about the caller:
    a voicemail that answers hears nothing and never joins."""
    return document(
        f'<Gather numDigits="1" timeout="{int(seconds)}" action={xml_attr(action_url)} '
        'method="POST">'
        + say(message(language, "agent_gate"), language) + "</Gather>",
        say(message(language, "agent_not_taken"), language), "<Hangup/>")


def fallback(*, language: str, record_action_url: str | None = None,
             max_message_seconds: int = 120) -> str:
    """Nobody came: take a message when it can be reported back, else promise a callback."""
    if record_action_url:
        return document(
            say(message(language, "take_message"), language),
            f"<Record action={xml_attr(record_action_url)} method=\"POST\" "
            f'maxLength="{int(max_message_seconds)}" timeout="5" finishOnKey="#" '
            'playBeep="true"/>',
            say(message(language, "no_message"), language),
            "<Hangup/>",
        )
    return document(say(message(language, "callback"), language), "<Hangup/>")


def wait(*, language: str, position: int | None = None, hold_music_url: str | None = None) -> str:
    """What a queued caller hears, repeated by Twilio until an agent takes the call."""
    text = (message(language, "wait_position", position=position) if position
            else message(language, "wait"))
    verbs = [say(text, language)]
    if hold_music_url:
        verbs.append(f"<Play>{xml_text(hold_music_url)}</Play>")
    return document(*verbs)


def goodbye(language: str, key: str = "goodbye") -> str:
    return document(say(message(language, key), language), "<Hangup/>")


def hangup() -> str:
    return document("<Hangup/>")
