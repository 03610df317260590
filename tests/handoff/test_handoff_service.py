"""Handing a call over in one step: store, transfer, and the fallback timer."""

from __future__ import annotations

import asyncio

from handoff_support import ACCOUNT_SID, AUTH_TOKEN, CALL_SID

from voicebot.handoff import FallbackPolicy, HandoffService, HandoffStore, TwilioTransfer


async def test_transfer_then_fallback_when_nobody_comes(recorder, clock, clocked_store,
                                                       make_packet):
    store = clocked_store
    transfer = TwilioTransfer(ACCOUNT_SID, AUTH_TOKEN, api_base=recorder.url)
    settled = asyncio.Event()
    fallback = FallbackPolicy(store, transfer, timeout=60.0,
                              on_outcome=lambda handoff_id, outcome: settled.set())
    service = HandoffService(store, transfer, fallback)
    packet = make_packet()
    async with store.subscribe() as events:
        outcome = await service.hand_off(packet, call_sid=CALL_SID)
        assert outcome.transferred and outcome.error is None
        assert outcome.result.action == "enqueue"
        assert (await events.get(1)).kind == "added"  # the desktop sees it at once
        assert len(recorder.requests) == 1
        await clock.run_for(60.0)
        event = await events.get(1)
    assert (event.kind, event.status) == ("status", "fallback")
    await asyncio.wait_for(settled.wait(), 5)
    assert len(recorder.requests) == 2
    assert "<Record" not in recorder.requests[1].form["Twiml"][0]  # no callbacks configured
    await transfer.aclose()


async def test_a_failed_transfer_leaves_a_callback(recorder, store, make_packet):
    recorder.reply(401, {"code": 20003, "message": "Authenticate"})
    transfer = TwilioTransfer(ACCOUNT_SID, AUTH_TOKEN, api_base=recorder.url)
    outcome = await HandoffService(store, transfer).hand_off(make_packet(), call_sid=CALL_SID)
    assert not outcome.transferred
    assert "account SID or auth token" in outcome.error
    stored = store.get(outcome.packet.id)
    assert stored.status == "fallback"
    assert "Not transferred: the transfer failed" in stored.notes
    await transfer.aclose()


async def test_without_a_carrier_the_packet_waits_as_a_callback(tmp_path, make_packet):
    store = HandoffStore(tmp_path / "h.db")
    service = HandoffService(store)
    outcome = await service.hand_off(make_packet(), call_sid=CALL_SID)
    assert not outcome.transferred and "no transfer is configured" in outcome.error
    assert store.list("fallback")[0].id == outcome.packet.id
    await service.aclose()
