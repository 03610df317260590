"""The agent desktop in a real browser (Debian's Chromium, driven by Playwright).

A real uvicorn server on loopback serves the agent router over a temporary
store; the test adds hand-offs to the store and watches them arrive live. The call
record's test runs the service's own app over temporary records.
"""

from __future__ import annotations

import base64
import datetime as dt
import os
import re
import struct
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from web_support import TOKENS, seed_call_record, waiting_packet

from voicebot.clock import FakeClock

CHROMIUM = Path(os.environ.get("VOICEBOT_TEST_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]

pytestmark = [
    pytest.mark.skipif(not CHROMIUM.exists(),
                       reason=f"{CHROMIUM} is missing (apt-get install -y chromium)"),
]
sync_api = pytest.importorskip("playwright.sync_api",
                               reason="the playwright package is not installed")
expect = sync_api.expect


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US",
                                  timezone_id="UTC")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if console_error(msg) else None)
    page.js_errors = errors
    yield page
    context.close()


def console_error(msg) -> bool:  # type: ignore[no-untyped-def]
    """An error in the console, other than the browser's own note of a call that has no
    record (a 404 the desktop expects and shows as such)."""
    if msg.type != "error":
        return False
    url = (msg.location or {}).get("url", "")
    return not (msg.text.startswith("Failed to load resource") and "/api/calls/" in url
                and "404" in msg.text)


def login(page, desktop, agent: str = "alice") -> None:
    url = desktop.url
    page.goto(f"{url}/agent")
    page.get_by_label("Agent name").fill(agent)
    page.get_by_label("Token").fill(desktop.tokens[agent])
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{url}/agent")
    expect(page.locator("#connection")).to_have_text("Live")


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_no_anonymous_access(desktop, page):
    response = page.goto(f"{desktop.url}/agent")
    assert response is not None and response.ok
    assert page.url.startswith(f"{desktop.url}/agent/login")
    expect(page.get_by_role("heading", name="Agent desktop")).to_be_visible()
    api = page.request.get(f"{desktop.url}/api/handoffs")
    assert api.status == 401
    events = page.request.get(f"{desktop.url}/api/handoffs/events")
    assert events.status == 401

    page.get_by_label("Agent name").fill("alice")
    page.get_by_label("Token").fill("wrong-token")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("do not match")
    assert page.request.get(f"{desktop.url}/api/handoffs").status == 401


def test_live_handoff_accept_notes_complete(desktop, page, make_packet, tmp_path):
    login(page, desktop)
    expect(page.locator("#list-waiting .item")).to_have_count(0)
    page.evaluate("window.__sameDocument = 'yes'")

    # A hand-off arrives: it shows up without a reload.
    packet = make_packet(flags=["third_party"])
    added = time.perf_counter()
    desktop.store.add(packet)
    item = page.locator(f'.item[data-id="{packet.id}"]')
    expect(item).to_be_visible(timeout=5000)
    sse_to_dom_ms = (time.perf_counter() - added) * 1000
    assert page.evaluate("window.__sameDocument") == "yes"
    expect(page.locator("#count-waiting")).to_have_text("1")
    expect(item).to_contain_text("Take the first payment")
    expect(item).to_contain_text("Account 100200")
    expect(page.locator("#announcer")).to_contain_text("New hand-off")

    # The packet: reason, account, verification, plan table, summary, flags, transcript.
    item.click()
    detail = page.locator("#detail")
    expect(page.locator("#detail-title")).to_have_text("Take the first payment")
    expect(page.locator("#detail-status")).to_have_text("Waiting")
    expect(detail).to_contain_text("Verified by the bot")
    expect(detail).to_contain_text("Jane Doe")
    rows = page.locator("#plan tbody tr")
    schedule = packet.decision["schedule"]
    expect(rows).to_have_count(len(schedule))
    expect(rows.nth(0)).to_contain_text(schedule[0]["due"])
    expect(rows.nth(0)).to_contain_text(f"{schedule[0]['amount']} USD")
    expect(page.locator("#plan caption")).to_contain_text("Agreed")
    expect(page.locator("#summary")).to_contain_text("identity verified")
    expect(page.locator(".flags")).to_contain_text("third party")
    expect(page.locator(".flags")).to_contain_text("card data detected")
    expect(page.locator(".transcript")).to_contain_text("A hundred dollars a month.")
    expect(page.locator(".transcript")).to_contain_text("[card number]")
    expect(page.locator(".transcript")).to_contain_text("(interrupted)")
    assert desktop.card not in page.content()
    expect(detail).to_contain_text("Median bot reply time")

    # Accept: the status changes here and in the store.
    page.get_by_role("button", name="Accept call").click()
    expect(page.locator("#detail-status")).to_have_text("Active")
    expect(page.locator("#list-active .item")).to_have_count(1)
    expect(page.locator("#count-waiting")).to_have_text("0")
    stored = desktop.store.get(packet.id)
    assert (stored.status, stored.agent) == ("active", "alice")

    # Another hand-off arriving while the agent types does not disturb the notes.
    notes = page.get_by_label("Notes")
    notes.fill("Took the first payment of 48.00 USD by phone. ")
    desktop.store.add(make_packet(reason="dispute", account_reference="300400",
                                  call_id="CA" + "2" * 32))
    expect(page.locator("#list-waiting .item")).to_have_count(1)
    notes.press("End")
    notes.type("Card 4000 0000 0000 0002 read out.")
    expect(notes).to_have_value(
        "Took the first payment of 48.00 USD by phone. Card 4000 0000 0000 0002 read out.")

    page.get_by_role("button", name="Save notes").click()
    expect(page.locator("#announcer")).to_contain_text("Notes saved")
    assert desktop.store.get(packet.id).notes.endswith("Card [card number] read out.")

    page.get_by_role("button", name="Complete").click()
    expect(page.locator("#detail-status")).to_have_text("Completed")
    expect(page.locator("#list-completed .item")).to_have_count(1)
    stored = desktop.store.get(packet.id)
    assert stored.status == "completed" and stored.completed_at
    assert stored.notes.startswith("Took the first payment of 48.00 USD by phone.")
    assert page.js_errors == []

    # A screenshot that shows the desktop, checked through the DOM and its pixels.
    shot_path = tmp_path / "agent-desktop.png"
    shot = page.screenshot(path=str(shot_path), full_page=False)
    assert shot_path.stat().st_size == len(shot) > 20_000
    assert png_size(shot) == (1280, 900)
    for text in ("Hand-offs", "Take the first payment", "Completed", "Debt disputed",
                 "Signed in as"):
        assert text in page.locator("body").inner_text()
    colours = pixel_colours(page.context.browser, shot)
    assert colours > 50, f"screenshot looks blank ({colours} colours)"
    print(f"\nSSE to DOM: {sse_to_dom_ms:.0f} ms; screenshot {shot_path} "
          f"({len(shot)} bytes, {colours} colours)")


def test_the_call_record_beside_its_handoff(service_desktop, page, make_packet, tmp_path):
    desktop = service_desktop
    call_id = "CA" + "5" * 32
    hostile = "<img src=x onerror=\"window.__owned=1\">"
    seed_call_record(desktop.records, call_id, consent=f"Yes, I agree. {hostile}",
                     flag_detail=f"things have been very hard {hostile}")
    login(page, desktop)
    packet = make_packet(call_id=call_id)
    desktop.store.add(packet)
    page.locator(f'.item[data-id="{packet.id}"]').click()

    # The account's flags as badges near the top, with when they were set (or cleared).
    vulnerable = page.locator('#record-flags .badge[data-flag="vulnerability"]')
    expect(vulnerable).to_contain_text("Vulnerability since 11/26/2026, 3:00:45 PM (this call)")
    expect(vulnerable).to_contain_text(f"things have been very hard {hostile}")
    expect(vulnerable).not_to_have_class(re.compile("cleared"))
    attorney = page.locator('#record-flags .badge[data-flag="attorney"]')
    expect(attorney).to_have_class(re.compile("cleared"))
    expect(attorney).to_contain_text("cleared 11/6/2026, 3:00:00 PM by bob")
    # Each disclosure, and whether the carrier's mark proved it played to the end.
    said = page.locator("#record-disclosures li")
    expect(said).to_have_count(2)
    expect(said.nth(0)).to_contain_text("✓ Played to the end Automated assistant")
    expect(said.nth(1)).to_contain_text("✗ Not played to the end Debt collector notice (US)")
    # The arrangement as committed: schedule, total, consent words, end of the read-back.
    rows = page.locator("#record-plan tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.nth(0)).to_contain_text("2026-11-27")
    expect(rows.nth(0)).to_contain_text("48.00 USD")
    expect(page.locator("#record-plan caption")).to_have_text(
        "Agreed: 3 payments, total 480.00 USD")
    consent = page.locator("#record-consent")
    expect(consent).to_contain_text(f"“Yes, I agree. {hostile}”")
    expect(consent).to_contain_text("Read-back finished11/26/2026, 3:00:49 PM")
    # The timeline is there, collapsed until asked for.
    timeline = page.locator("#record-timeline")
    expect(timeline.locator("summary")).to_have_text("Decisions and events (4)")
    expect(timeline.get_by_text("right party check")).to_be_hidden()
    timeline.locator("summary").click()
    expect(timeline.get_by_text("right party check")).to_be_visible()

    # A change to the hand-off redraws the pane from the record already fetched.
    page.get_by_role("button", name="Accept call").click()
    expect(page.locator("#detail-status")).to_have_text("Active")
    expect(timeline.get_by_text("right party check")).to_be_visible()
    expect(vulnerable).to_be_visible()
    assert page.locator("#detail img").count() == 0
    assert page.evaluate("window.__owned === undefined")
    assert page.js_errors == []

    shot_path = tmp_path / "agent-desktop-record.png"
    shot = page.screenshot(path=str(shot_path), full_page=True)
    assert len(shot) > 20_000 and pixel_colours(page.context.browser, shot) > 50
    text = page.locator("#detail").inner_text()
    for shown in ("Compliance flags on the account", "VULNERABILITY", "Call record",
                  "Played to the end", "total 480.00 USD", "Caller's consent"):
        assert shown in text, shown
    print(f"\ncall record screenshot {shot_path}")

    # A call the service kept no record of says so.
    other = make_packet(call_id="CA" + "6" * 32, account_reference="300400")
    desktop.store.add(other)
    page.locator(f'.item[data-id="{other.id}"]').click()
    expect(page.locator("#no-record")).to_have_text("No record kept for this call.")
    expect(page.locator("#record-flags")).to_be_hidden()
    assert page.js_errors == []


def test_the_agent_who_accepts_is_called_and_the_desk_shows_who_took_it(conference, browser,
                                                                        make_packet):
    """Conference mode: alice accepts in her browser, the service calls her, Twilio says
    she answered and joined the caller; alice and bob each see it live."""
    packet = waiting_packet(conference, make_packet)
    desk = SimpleNamespace(url=conference.url, tokens=TOKENS)
    pages, errors = {}, []
    for agent in ("alice", "bob"):
        context = browser.new_context(viewport={"width": 1280, "height": 900},
                                      locale="en-US", timezone_id="UTC")
        pages[agent] = context.new_page()
        pages[agent].on("pageerror", lambda exc: errors.append(str(exc)))
        pages[agent].on("console",
                        lambda msg: errors.append(msg.text) if console_error(msg) else None)
        login(pages[agent], desk, agent)
        pages[agent].locator(f'.item[data-id="{packet.id}"]').click()
    alice, bob = pages["alice"], pages["bob"]

    alice.get_by_role("button", name="Accept call").click()
    expect(alice.locator("#announcer")).to_contain_text("Calling you now")
    expect(alice.locator("#detail-connection")).to_have_text("Calling you in the browser")
    expect(bob.locator("#detail-connection")).to_have_text("Calling alice in the browser")
    expect(bob.get_by_role("button", name="Accept call")).to_have_count(0)
    (call,) = conference.calls_to_agents(packet.id)
    agent_sid = conference.store.get(packet.id).connection["call_sid"]

    # Twilio: alice answers (she hears the summary), then joins the caller.
    conference.callback(call["form"]["Url"], CallSid=agent_sid, CallStatus="in-progress")
    expect(bob.locator("#detail-connection")).to_have_text(
        "alice hearing the summary, joining the caller")
    conference.events(packet.id, "participant-join", agent_sid)
    expect(alice.locator("#detail-connection")).to_contain_text("Connected to you at")
    expect(bob.locator("#detail-connection")).to_contain_text("Connected to alice at")
    expect(bob.locator(f'.item[data-id="{packet.id}"]')).to_contain_text(
        "Connected to alice at")
    expect(alice.locator("#detail")).to_contain_text("Agent connected")
    for page in pages.values():
        page.context.close()
    assert errors == []


def test_a_missed_call_is_shown_and_the_caller_waits_again(desktop, page, make_packet):
    login(page, desktop, "bob")
    packet = desktop.store.add(make_packet())
    taken = desktop.store.accept(packet.id, "alice", ring={"attempt": "a1", "reach": "phone"})
    item = page.locator(f'.item[data-id="{packet.id}"]')
    expect(item).to_contain_text("Calling alice by phone")
    desktop.store.release(taken.id, "a1", state="missed", detail="no-answer",
                          note="[voicebot] alice did not take the call (no-answer).")
    expect(page.locator("#list-waiting .item")).to_have_count(1)
    expect(item).to_contain_text("alice did not take the call (no-answer)")
    item.click()
    expect(page.locator("#detail-status")).to_have_text("Waiting")
    expect(page.get_by_role("button", name="Accept call")).to_be_visible()


def test_waiting_times_count_on_the_service_clock(make_desktop, page, make_packet):
    # The service says it is 10 min 5 s after the hand-off; the browser's own clock
    # says another day altogether. The service's clock dated the packet: it wins.
    requested = dt.datetime(2026, 11, 26, 15, 0, tzinfo=dt.UTC)
    desktop = make_desktop(FakeClock(wall=requested + dt.timedelta(minutes=10, seconds=5)))
    desktop.store.add(make_packet(call_started=requested - dt.timedelta(seconds=75),
                                  handoff_requested=requested))
    login(page, desktop)
    expect(page.locator("#list-waiting .item")).to_contain_text(
        re.compile(r"waiting 10 min 0[5-9] s"))


def test_text_is_never_markup(desktop, page, make_packet):
    login(page, desktop)
    hostile = "<img src=x onerror=\"window.__owned=1\">"
    packet = make_packet(account_name=f"Jane {hostile}",
                         transcript=[{"speaker": "caller", "text": hostile, "at": 1.0}],
                         flags=["<script>window.__owned=2</script>"])
    desktop.store.add(packet)
    page.locator(f'.item[data-id="{packet.id}"]').click()
    expect(page.locator(".transcript")).to_contain_text(hostile)
    expect(page.locator("#detail")).to_contain_text(f"Jane {hostile}")
    assert page.locator("#detail img").count() == 0
    assert page.evaluate("window.__owned === undefined")


def test_session_cookie_flags_and_logout(desktop, page):
    login(page, desktop)
    cookie = next(c for c in page.context.cookies() if c["name"] == "voicebot_agent")
    assert cookie["httpOnly"] is True
    assert cookie["sameSite"] == "Strict"
    assert page.evaluate("document.cookie") == ""
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(f"{desktop.url}/agent/login")
    assert page.request.get(f"{desktop.url}/api/handoffs").status == 401
    page.goto(f"{desktop.url}/agent")
    assert "/agent/login" in page.url


def pixel_colours(browser, png: bytes) -> int:
    """Distinct colours in a PNG, counted by the browser itself (no imaging library here)."""
    context = browser.new_context()
    try:
        page = context.new_page()
        url = "data:image/png;base64," + base64.b64encode(png).decode()
        return page.evaluate("""async (url) => {
            const img = new Image();
            img.src = url;
            await img.decode();
            const canvas = document.createElement('canvas');
            canvas.width = img.width; canvas.height = img.height;
            const ctx = canvas.getContext('2d');
            ctx.drawImage(img, 0, 0);
            const data = ctx.getImageData(0, 0, img.width, img.height).data;
            const seen = new Set();
            for (let i = 0; i < data.length; i += 4 * 7) {
                seen.add((data[i] << 16) | (data[i + 1] << 8) | data[i + 2]);
            }
            return seen.size;
        }""", url)
    finally:
        context.close()
