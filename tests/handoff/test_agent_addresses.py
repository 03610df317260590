"""How to reach each desktop agent: parsed, checked, and refused with a clear error."""

from __future__ import annotations

import re

import pytest

from voicebot.errors import ConfigError
from voicebot.handoff import AgentAddress, Reach, parse_agent_addresses
from voicebot.settings import Settings
from voicebot.web.handoffs import build_handoff_service


def test_clients_numbers_and_sip_addresses():
    addresses = parse_agent_addresses(
        " alice:client:alice , bob:+15551234567,\n# the PBX\ncarol:sip:carol@pbx.example.com:5060,"
        "dave.o@x:sips:dave@pbx.example.com,")
    assert addresses == {
        "alice": AgentAddress("alice", Reach.CLIENT, "client:alice"),
        "bob": AgentAddress("bob", Reach.PHONE, "+15551234567"),
        "carol": AgentAddress("carol", Reach.SIP, "sip:carol@pbx.example.com:5060"),
        "dave.o@x": AgentAddress("dave.o@x", Reach.SIP, "sips:dave@pbx.example.com"),
    }
    assert addresses["alice"].to("h1") == "client:alice?handoff_id=h1"
    assert addresses["bob"].to("h1") == "+15551234567"
    assert not Reach.CLIENT.may_be_voicemail and Reach.PHONE.may_be_voicemail
    assert Reach.SIP.may_be_voicemail
    assert parse_agent_addresses(["alice:client:alice", ""]) == {"alice": addresses["alice"]}
    assert parse_agent_addresses("") == {}


@pytest.mark.parametrize(("spec", "message"), [
    ("alice", "entry 1 ('alice') is not name:address"),
    ("alice:", "entry 1 ('alice:') is not name:address"),
    ("bob:+15551234567,alice:5551234567", "'alice': '5551234567' is not client:<identity>"),
    ("alice:+1 555 123 4567", "not an E.164 number"),
    ("alice:+0123456789", "not an E.164 number"),
    ("alice:client:alice smith", "not a client identity"),
    ("alice:client:", "not a client identity"),
    ("alice:sip:pbx.example.com", "not a SIP address"),
    ("alice:sip:alice@pbx.example.com;transport=tcp", "not a SIP address"),
    ("al ice:client:alice", "agent name 'al ice' must be"),
    ("alice:client:a,alice:client:b", "agent 'alice' has two addresses"),
])
def test_mistakes_are_named(spec, message):
    with pytest.raises(ConfigError, match=re.escape(message)):
        parse_agent_addresses(spec)


def test_the_setting_is_checked_at_start_up(tmp_path):
    settings = Settings.from_env({"VOICEBOT_AGENT_ADDRESSES": "alice:client:alice,bob:555"},
                                 home=tmp_path)
    with pytest.raises(ConfigError) as caught:  # whatever the mode
        build_handoff_service(settings)
    assert str(caught.value) == (
        "VOICEBOT_AGENT_ADDRESSES: agent 'bob': '555' is not client:<identity>, "
        "+<E.164 number>, sip:<user@host> or an Asterisk dial string (PJSIP/<endpoint>)")
    fine = settings.changed(agent_addresses="alice:client:alice")
    build_handoff_service(fine).store.close()
