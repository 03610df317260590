"""How to reach each desktop agent by phone: a browser client, a number, a SIP address
or, for callers who came through Asterisk, an Asterisk dial string.

In conference mode (and for Asterisk calls) the service calls the agent who accepted a
hand-off, so it needs to know where: ``VOICEBOT_AGENT_ADDRESSES="alice:client:alice,
bob:+15551234567,carol:sip:carol@pbx.example.com,dave:PJSIP/dave"``. The names are the
desktop's sign-in names (those of ``VOICEBOT_AGENT_TOKENS``).
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable
from dataclasses import dataclass

from voicebot.errors import ConfigError

# A desktop agent's sign-in name (the tokens' names follow the same rule).
AGENT_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")
# Twilio: a client identity has no control, space, delimiter or unwise characters; the
# mobile SDKs accept letters, digits and underscores only. This keeps to what all accept
# plus . - @, which the web SDK takes.
_CLIENT = re.compile(r"^[A-Za-z0-9_.@-]{1,256}$")
_E164 = re.compile(r"^\+[1-9][0-9]{6,14}$")
_SIP = re.compile(r"^sips?:[^@\s;?<>\"]+@[A-Za-z0-9.-]+(:[0-9]{1,5})?$")
# Asterisk: a dial string, technology/resource (PJSIP/alice, Local/alice@agents).
_DIAL = re.compile(r"^[A-Za-z][A-Za-z0-9]{1,15}/[A-Za-z0-9_.@:+#*/-]{1,200}$")


class Reach(enum.StrEnum):
    """How an agent is called: ``client`` (a Twilio Voice SDK in a browser or app), a
    ``phone`` number, or a ``sip`` address (a desk phone behind a PBX), all through
    Twilio; or an ``asterisk`` dial string (``PJSIP/dave``), through Asterisk's ARI."""

    CLIENT = "client"
    PHONE = "phone"
    SIP = "sip"
    ASTERISK = "asterisk"

    @property
    def may_be_voicemail(self) -> bool:
        """A phone or a PBX reached through Twilio may answer with a voicemail: the agent
        must press a key before hearing anything about the caller. (An Asterisk dial
        string rings the agent's own endpoint: it is answered by the agent.)"""
        return self in (Reach.PHONE, Reach.SIP)


@dataclass(frozen=True)
class AgentAddress:
    """Where to call ``agent``: ``target`` is what Twilio's ``To`` takes."""

    agent: str
    reach: Reach
    target: str  # "client:alice", "+15551234567" or "sip:alice@pbx.example.com"

    def to(self, handoff_id: str) -> str:
        """Twilio's ``To``; a client also gets the hand-off id as a custom parameter (the
        agent's app reads it from the incoming call)."""
        if self.reach is Reach.CLIENT:
            return f"{self.target}?handoff_id={handoff_id}"
        return self.target


def parse_address(agent: str, address: str) -> AgentAddress:
    """One agent's address, checked; ConfigError says what is wrong with it."""
    address = address.strip()
    if address.startswith("client:"):
        identity = address.removeprefix("client:")
        if not _CLIENT.match(identity):
            raise ConfigError(f"agent {agent!r}: {address!r} is not a client identity "
                              "(letters, digits and _.@- only, at most 256)")
        return AgentAddress(agent, Reach.CLIENT, address)
    if address.startswith(("sip:", "sips:")):
        if not _SIP.match(address):
            raise ConfigError(f"agent {agent!r}: {address!r} is not a SIP address "
                              "(sip:user@host)")
        return AgentAddress(agent, Reach.SIP, address)
    if _DIAL.match(address):
        return AgentAddress(agent, Reach.ASTERISK, address)
    if address.startswith("+"):
        if not _E164.match(address):
            raise ConfigError(f"agent {agent!r}: {address!r} is not an E.164 number "
                              "(+ then 7 to 15 digits, no spaces)")
        return AgentAddress(agent, Reach.PHONE, address)
    raise ConfigError(f"agent {agent!r}: {address!r} is not client:<identity>, "
                      "+<E.164 number>, sip:<user@host> or an Asterisk dial string "
                      "(PJSIP/<endpoint>)")


def parse_agent_addresses(spec: str | Iterable[str]) -> dict[str, AgentAddress]:
    """``"alice:client:alice,bob:+15551234567"`` (or lines of ``name:address``) ->
    {agent: address}. Blank entries and ``#`` comments are skipped; an agent listed
    twice is an error."""
    items = spec.replace("\n", ",").split(",") if isinstance(spec, str) else list(spec)
    addresses: dict[str, AgentAddress] = {}
    for number, raw in enumerate(items, 1):
        item = raw.strip()
        if not item or item.startswith("#"):
            continue
        name, sep, address = item.partition(":")
        name = name.strip()
        if not sep or not address.strip():
            raise ConfigError(f"agent address entry {number} ({item!r}) is not name:address")
        if not AGENT_NAME.match(name):
            raise ConfigError(f"agent name {name!r} must be letters, digits and ._@- "
                              "(at most 64)")
        if name in addresses:
            raise ConfigError(f"agent {name!r} has two addresses")
        addresses[name] = parse_address(name, address)
    return addresses
