// voicebot agent desktop: the hand-off queue, live over server-sent events.
// Every piece of data goes into the page as text (textContent), never as HTML.
"use strict";

(function () {
  const REASONS = {
    identity_not_verified: "Identity not verified",
    payment: "Take the first payment",
    hardship_approval: "Hardship plan to approve",
    caller_asked_for_human: "Caller asked for a person",
    dispute: "Debt disputed",
    lawyer: "Lawyer mentioned",
    bankruptcy: "Bankruptcy mentioned",
    stop_contact: "Asked to stop contact",
    vulnerability: "Possibly vulnerable caller",
    repeated_misunderstanding: "Bot kept misunderstanding",
    reference_not_obtained: "No account reference",
    internal_failure: "Bot failure",
  };
  const STATUS_TEXT = {
    waiting: "Waiting", active: "Active", completed: "Completed",
    abandoned: "Caller hung up", fallback: "No agent in time",
  };
  const GROUPS = { waiting: "waiting", active: "active", fallback: "callback",
                   abandoned: "callback", completed: "completed" };
  const ROLE_TEXT = { down_payment: "Down payment", instalment: "Instalment",
                      settlement: "Settlement", single: "Single payment" };
  const FLAG_TEXT = { dispute: "Dispute", cease_contact: "Cease contact", attorney: "Attorney",
                      bankruptcy: "Bankruptcy", vulnerability: "Vulnerability" };
  const DISCLOSURE_TEXT = { ai_assistant: "Automated assistant",
                            us_debt_collector_notice: "Debt collector notice (US)",
                            fr_debt_collection_notice: "Debt collection notice (France)" };
  const KIND_TEXT = { instalments: "Instalments", pay_in_full: "Pay in full",
                      settlement: "Settlement" };

  const me = document.querySelector('meta[name="agent"]').content;
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const handoffs = new Map();   // id -> packet
  const drafts = new Map();     // id -> notes being typed
  let selected = null;
  let shownJson = null;         // what the detail pane shows, to skip needless redraws
  let source = null;
  // The selected hand-off's call record (/api/calls/{call_id}): fetched when the hand-off
  // is selected, then kept, so live changes to the packet redraw it without a request.
  let record = null;            // { callId, state: loading|ok|missing|failed, data }
  let recordTicket = 0;         // answers to an older request are dropped
  let timelineOpen = false;

  // -- small DOM helpers ---------------------------------------------------------------

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key === "class") node.className = value;
      else if (key === "text") node.textContent = value;
      else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value === true ? "" : String(value));
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  function reasonText(reason) { return REASONS[reason] || String(reason || "").replace(/_/g, " "); }
  function words(flag) { return String(flag).replace(/_/g, " "); }

  function clock(iso) {
    if (!iso) return "—";
    const when = new Date(iso);
    return isNaN(when) ? String(iso) : when.toLocaleString();
  }

  // The service's time minus this computer's, in ms: waiting times are counted on the
  // service's clock (the one that dated the packets), whatever this computer's says.
  let serverOffset = 0;

  function heardServerTime(iso) {
    const at = new Date(iso).getTime();
    if (isFinite(at)) serverOffset = at - Date.now();
  }

  function since(iso) {
    const now = Date.now() + serverOffset;
    const seconds = Math.max(0, Math.round((now - new Date(iso).getTime()) / 1000));
    if (!isFinite(seconds)) return "";
    const m = Math.floor(seconds / 60), s = seconds % 60;
    return m ? `${m} min ${String(s).padStart(2, "0")} s` : `${s} s`;
  }

  function money(amount, currency) {
    return amount === null || amount === undefined ? "—" : `${amount} ${currency || ""}`.trim();
  }

  function announce(text) {
    const region = document.getElementById("announcer");
    region.textContent = "";
    setTimeout(() => { region.textContent = text; }, 50);
  }

  function showError(text) {
    const box = document.getElementById("error");
    box.textContent = text;
    box.hidden = false;
    clearTimeout(showError.timer);
    showError.timer = setTimeout(() => { box.hidden = true; }, 8000);
  }

  // -- the queue -----------------------------------------------------------------------------

  function sortedGroup(group) {
    const items = [...handoffs.values()].filter((p) => GROUPS[p.status] === group);
    // Longest waiting first; the rest newest first.
    items.sort((a, b) => (group === "waiting" || group === "active")
      ? a.created_at.localeCompare(b.created_at)
      : b.created_at.localeCompare(a.created_at));
    return group === "completed" ? items.slice(0, 25) : items;
  }

  function renderQueue() {
    const focusedId = document.activeElement && document.activeElement.dataset
      ? document.activeElement.dataset.id : null;
    for (const group of ["waiting", "active", "callback", "completed"]) {
      const list = document.getElementById(`list-${group}`);
      const items = sortedGroup(group);
      list.replaceChildren(...items.map(queueItem));
      document.getElementById(`count-${group}`).textContent = String(items.length);
      document.getElementById(`empty-${group}`).hidden = items.length > 0;
    }
    const waiting = sortedGroup("waiting").length;
    document.title = (waiting ? `(${waiting}) ` : "") + "Hand-offs · voicebot agent desktop";
    if (focusedId) {
      const again = document.querySelector(`.item[data-id="${CSS.escape(focusedId)}"]`);
      if (again) again.focus();
    }
  }

  // Where the call of the agent who accepted stands (conference mode), in words.
  const REACH_TEXT = { client: "in the browser", phone: "by phone", sip: "on the desk phone" };

  function connectionText(p) {
    const c = p.connection;
    if (!c) return "";
    const who = c.agent === me ? "you" : c.agent;
    const Who = c.agent === me ? "You" : c.agent;
    switch (c.state) {
      case "ringing": return `Calling ${who} ${REACH_TEXT[c.reach] || ""}`.trim();
      case "answered": return `${Who} answered: waiting for the key press`;
      case "joining": return `${Who} hearing the summary, joining the caller`;
      case "connected": return `Connected to ${who} at ${clock(c.connected_at)}`;
      case "ended": return `Call with ${who} ended at ${clock(c.ended_at)}`;
      case "missed": return `${Who} did not take the call (${c.detail || "no answer"})`;
      case "failed": return `Could not call ${who}`;
      case "caller_gone": return `The caller hung up before ${who} joined`;
      default: return "";
    }
  }

  function itemDetails(p) {
    const account = p.account ? `Account ${p.account.reference}` : "No account";
    const who = p.status === "active" ? ` · ${p.agent === me ? "you" : p.agent}` : "";
    const wait = p.status === "waiting" ? ` · waiting ${since(p.created_at)}` : "";
    const call = connectionText(p) ? ` · ${connectionText(p)}` : "";
    const flags = p.flags && p.flags.length ? ` · ${p.flags.map(words).join(", ")}` : "";
    return `${account} · ${p.creditor.name}${who}${wait}${call}${flags}`;
  }

  // Only the waiting times change with the clock: update that text in place.
  function refreshWaitTimes() {
    for (const line of document.querySelectorAll("#list-waiting .line2")) {
      const p = handoffs.get(line.dataset.id);
      if (p) line.textContent = itemDetails(p);
    }
  }

  function queueItem(p) {
    return el("li", {},
      el("button", {
        type: "button", class: `item ${p.status}`, "data-id": p.id,
        "aria-current": p.id === selected ? "true" : "false",
        onclick: () => select(p.id),
      },
        el("span", { class: "line1", text: reasonText(p.reason) }),
        el("span", { class: "line2", "data-id": p.id, text: itemDetails(p) })));
  }

  // -- the selected hand-off -----------------------------------------------------------------

  function select(id) {
    selected = id;
    shownJson = null;
    record = null;              // selecting again fetches the record afresh
    timelineOpen = false;
    renderQueue();
    renderDetail();
    document.getElementById("detail").focus();
  }

  function renderDetail() {
    const pane = document.getElementById("detail");
    const p = selected ? handoffs.get(selected) : null;
    if (!p) {
      if (shownJson !== "") {
        pane.replaceChildren(el("p", { class: "placeholder", id: "placeholder",
          text: "Select a hand-off to see who is calling, why, and what was agreed." }));
        shownJson = "";
      }
      return;
    }
    const json = JSON.stringify(p);
    if (json === shownJson) return;
    // Keep what the agent is typing, and where.
    const old = document.getElementById("notes");
    const hadFocus = old && document.activeElement === old;
    const caret = old ? [old.selectionStart, old.selectionEnd] : null;
    pane.replaceChildren(...detail(p));
    shownJson = json;
    const notes = document.getElementById("notes");
    if (hadFocus && notes) {
      notes.focus();
      notes.setSelectionRange(caret[0], caret[1]);
    }
  }

  function detail(p) {
    const mine = p.status === "active" && p.agent === me;
    const canAccept = ["waiting", "fallback", "abandoned"].includes(p.status);
    const account = p.account || {};
    const parts = [];
    parts.push(el("div", { class: "detail-head" },
      el("h2", { id: "detail-title", text: reasonText(p.reason) }),
      el("span", { class: `status ${p.status}`, id: "detail-status",
                   text: STATUS_TEXT[p.status] || p.status }),
      p.agent ? el("span", { text: `Agent: ${p.agent === me ? "you" : p.agent}` }) : null,
      p.connection ? el("span", { class: `connection ${p.connection.state}`,
                                  id: "detail-connection", role: "status",
                                  text: connectionText(p) }) : null));

    const actions = el("div", { class: "actions" });
    if (canAccept) {
      actions.append(el("button", { type: "button", id: "accept",
        onclick: () => act(p.id, "accept") }, p.status === "waiting" ? "Accept call" : "Take callback"));
    }
    if (mine) {
      actions.append(el("button", { type: "button", id: "complete",
        onclick: () => act(p.id, "complete", { notes: notesValue() }) }, "Complete"));
    }
    if (actions.childElementCount) parts.push(actions);

    parts.push(el("p", { class: "summary", id: "summary", text: p.summary || "" }));

    if (p.flags && p.flags.length) {
      parts.push(el("h3", { text: "Flags" }),
        el("ul", { class: "flags", "aria-label": "Flags" }, p.flags.map((f) => el("li", { text: words(f) }))));
    }

    // A call still in progress may have more to show each time its hand-off changes.
    if (!record || record.callId !== p.call_id) loadRecord(p.call_id);
    else if (record.state === "ok" && !record.data.ended_at) loadRecord(p.call_id);
    parts.push(recordFlags());

    parts.push(el("h3", { text: "Caller" }), el("dl", { class: "facts" },
      fact("Creditor", p.creditor.name),
      fact("Account", account.reference || "not given"),
      fact("Name on file", account.name || "—"),
      fact("Identity", p.account ? (account.verified ? "Verified by the bot" : "NOT verified") : "Not checked"),
      fact("Language", p.language === "fr" ? "French" : p.language === "en" ? "English" : p.language),
      fact("Call", p.call_id)));

    parts.push(...plan(p));
    parts.push(recordSection());

    const t = p.timing || {};
    parts.push(el("h3", { text: "Timing" }), el("dl", { class: "facts" },
      fact("Call started", clock(t.call_started)),
      fact("Hand-off requested", clock(t.handoff_requested)),
      fact("Call length before hand-off", t.duration_seconds === null || t.duration_seconds === undefined ? "—" : `${t.duration_seconds} s`),
      fact("Caller turns", String(t.turns ?? "—")),
      fact("Median bot reply time", t.median_turn_ms === null || t.median_turn_ms === undefined ? "—" : `${t.median_turn_ms} ms`),
      fact("Accepted", clock(p.accepted_at)),
      p.connection ? fact("Agent connected", clock(p.connection.connected_at)) : null,
      fact("Completed", clock(p.completed_at))));

    const notes = el("textarea", { id: "notes", name: "notes", rows: 5, maxlength: 10000,
      readonly: !mine && p.status !== "completed" ? true : null,
      "aria-describedby": "notes-help",
      oninput: (e) => drafts.set(p.id, e.target.value) });
    notes.value = drafts.has(p.id) ? drafts.get(p.id) : (p.notes || "");
    const notesBox = el("div", { class: "notes" },
      el("h3", {}, el("label", { for: "notes", text: "Notes" })),
      notes,
      el("p", { id: "notes-help", class: "empty",
        text: mine ? "Saved with the hand-off; card numbers are removed." :
          "Accept the hand-off to write notes." }));
    if (mine || (p.status === "completed" && p.agent === me)) {
      notesBox.append(el("button", { type: "button", class: "secondary", id: "save-notes",
        onclick: () => act(p.id, "notes", { notes: notesValue() }) }, "Save notes"));
    }
    parts.push(notesBox);

    parts.push(el("h3", { id: "transcript-title", text: "Transcript" }));
    if (p.transcript && p.transcript.length) {
      parts.push(el("ol", { class: "transcript", "aria-labelledby": "transcript-title", tabindex: 0 },
        p.transcript.map((line) => el("li", { class: line.speaker === "bot" ? "bot" : "caller" },
          el("span", { class: "at", text: line.at === null || line.at === undefined ? "" : `${Number(line.at).toFixed(1)} s` }),
          el("span", { class: "speaker", text: line.speaker === "bot" ? "Bot:" : "Caller:" }),
          el("span", { text: line.text }),
          line.interrupted ? el("span", { class: "cut", text: " (interrupted)" }) : null))));
    } else {
      parts.push(el("p", { class: "empty", text: "No transcript." }));
    }
    return parts;
  }

  function fact(term, value) {
    return [el("dt", { text: term }), el("dd", { text: value === null || value === undefined ? "—" : String(value) })];
  }

  function plan(p) {
    const d = p.decision;
    if (!d) return [el("h3", { text: "Plan" }), el("p", { text: "No plan was discussed." })];
    const rows = (d.schedule || []).map((row, i) => el("tr", {},
      el("td", { text: String(i + 1) }),
      el("td", { text: row.due }),
      el("td", { class: "amount", text: money(row.amount, d.currency) }),
      el("td", { text: ROLE_TEXT[row.role] || words(row.role || "") })));
    const caption = `${p.agreed ? "Agreed" : "Proposed, not agreed"}: ${d.count} payment${d.count === 1 ? "" : "s"}, total ${money(d.total, d.currency)}`;
    return [
      el("h3", { text: "Plan" }),
      el("table", { class: "plan", id: "plan" },
        el("caption", { text: caption }),
        el("thead", {}, el("tr", {},
          el("th", { scope: "col", text: "#" }),
          el("th", { scope: "col", text: "Due date" }),
          el("th", { scope: "col", class: "amount", text: "Amount" }),
          el("th", { scope: "col", text: "Type" }))),
        el("tbody", {}, rows)),
      el("dl", { class: "facts" },
        fact("Balance", money(d.balance, d.currency)),
        fact("Frequency", d.frequency || "—"),
        Number(d.discount) ? fact("Discount", money(d.discount, d.currency)) : null,
        d.valid_until ? fact("Offer valid until", d.valid_until) : null,
        fact("Needs approval", d.requires_human ? "Yes" : "No"),
        fact("Policy", `${d.policy_id} (${d.policy_version})`)),
    ];
  }

  // -- the call record: what the service's records prove about the call -----------------------

  function loadRecord(callId) {
    const ticket = ++recordTicket;
    // What is shown stays shown until the answer comes.
    if (!record || record.callId !== callId || record.state !== "ok") {
      record = { callId, state: "loading", data: null };
    }
    fetch(`/api/calls/${encodeURIComponent(callId)}`, {
      credentials: "same-origin", headers: { Accept: "application/json" },
    }).then(async (response) => {
      if (response.status === 401) { window.location.assign("/agent/login?next=/agent"); return; }
      if (response.status === 404) { settleRecord(ticket, callId, "missing", null); return; }
      if (!response.ok) { settleRecord(ticket, callId, "failed", null); return; }
      settleRecord(ticket, callId, "ok", await response.json());
    }).catch(() => settleRecord(ticket, callId, "failed", null));
  }

  function settleRecord(ticket, callId, state, data) {
    if (ticket !== recordTicket) return;
    record = { callId, state, data };
    const flagsBox = document.getElementById("record-flags");
    if (flagsBox) flagsBox.replaceWith(recordFlags());
    const section = document.getElementById("call-record");
    if (!section) return;
    const refocus = document.activeElement && document.activeElement.id === "record-refresh";
    section.replaceWith(recordSection());
    const again = document.getElementById("record-refresh");
    if (refocus && again) again.focus();
  }

  // The account's compliance flags, as badges near the top of the hand-off.
  function recordFlags() {
    const box = el("div", { id: "record-flags", class: "record-flags" });
    if (!record || record.state !== "ok") return box;
    const call = record.data;
    box.append(el("h3", { id: "record-flags-title", text: "Compliance flags on the account" }));
    if (!call.account) {
      box.append(el("p", { class: "empty", text: "No account was identified on this call." }));
    } else if (!call.flags || !call.flags.length) {
      box.append(el("p", { class: "empty", text: "No compliance flags on this account." }));
    } else {
      box.append(el("ul", { class: "badges", "aria-labelledby": "record-flags-title" },
        call.flags.map((f) => el("li", { class: f.cleared_at ? "badge cleared" : "badge",
                                         "data-flag": f.flag },
          el("strong", { text: FLAG_TEXT[f.flag] || words(f.flag) }),
          el("span", { class: "when", text: f.cleared_at
            ? ` set ${clock(f.set_at)}, cleared ${clock(f.cleared_at)}` +
              (f.cleared_by ? ` by ${f.cleared_by}` : "")
            : ` since ${clock(f.set_at)}` + (f.call_id === call.id ? " (this call)" : "") }),
          f.detail ? el("span", { class: "words", text: `“${f.detail}”` }) : null))));
    }
    return box;
  }

  function recordSection() {
    const section = el("section", { id: "call-record", class: "call-record",
                                    "aria-labelledby": "call-record-title" },
      el("div", { class: "section-head" },
        el("h3", { id: "call-record-title", text: "Call record" }),
        record && record.state !== "loading" ? el("button", { type: "button", class: "quiet",
          id: "record-refresh", onclick: () => loadRecord(record.callId) }, "Refresh") : null));
    const state = record ? record.state : "loading";
    if (state === "loading") {
      section.append(el("p", { class: "empty", text: "Loading the call record…" }));
    } else if (state === "missing") {
      section.append(el("p", { class: "empty", id: "no-record", text: "No record kept for this call." }));
    } else if (state === "failed") {
      section.append(el("p", { class: "error", text: "The call record could not be loaded; try Refresh." }));
    } else {
      section.append(...recordBody(record.data));
    }
    return section;
  }

  function recordBody(call) {
    const parts = [el("dl", { class: "facts" },
      fact("Started", clock(call.started_at)),
      fact("Ended", call.ended_at ? `${clock(call.ended_at)}${call.end_reason ? ` (${words(call.end_reason)})` : ""}` : "Not ended yet"),
      fact("Policy", call.policy_version ? `${call.policy_version}${call.policy_hash ? ` · sha256 ${String(call.policy_hash).slice(0, 12)}…` : ""}` : "—"),
      fact("Prompts", call.prompt_version || "—"))];

    parts.push(el("h4", { text: "Disclosures" }));
    const said = call.disclosures || [];
    if (said.length) {
      parts.push(el("ul", { class: "disclosures", id: "record-disclosures" }, said.map((d) =>
        el("li", { class: d.played_at ? "played" : "unplayed" },
          el("span", { class: "proof", text: d.played_at ? "✓ Played to the end" : "✗ Not played to the end" }),
          el("strong", { text: ` ${DISCLOSURE_TEXT[d.name] || words(d.name)}` }),
          el("span", { class: "when", text: d.played_at
            ? ` · ${clock(d.played_at)}` : ` · started ${clock(d.started_at)}${d.mark ? "" : ", no mark sent"}` }),
          el("span", { class: "said", text: d.text || "" })))));
    } else {
      parts.push(el("p", { class: "error", text: "No disclosure was recorded on this call." }));
    }

    parts.push(el("h4", { text: "Arrangement" }));
    const agreed = call.arrangements || [];
    if (!agreed.length) parts.push(el("p", { class: "empty", text: "No arrangement was agreed on this call." }));
    agreed.forEach((a, n) => parts.push(...arrangement(a, n)));

    const events = [...(call.decisions || [])].sort((x, y) => x.at_seconds - y.at_seconds);
    const timeline = el("details", { id: "record-timeline", class: "timeline",
      open: timelineOpen, ontoggle: (e) => { timelineOpen = e.target.open; } },
      el("summary", { text: `Decisions and events (${events.length})` }),
      events.length ? el("ol", {}, events.map((e) => el("li", {},
        el("span", { class: "at", text: `${Number(e.at_seconds).toFixed(1)} s` }),
        el("span", { class: "kind", text: words(e.kind) }),
        e.detail ? el("span", { text: ` ${e.detail}` }) : null)))
        : el("p", { class: "empty", text: "Nothing recorded." }));
    parts.push(timeline);
    return parts;
  }

  function arrangement(a, n) {
    const schedule = a.schedule || [];
    const rows = schedule.map((row, i) => el("tr", {},
      el("td", { text: String(i + 1) }),
      el("td", { text: row.date }),
      el("td", { class: "amount", text: money(row.amount, a.currency) })));
    const caption = `${a.status === "agreed" ? "Agreed" : words(a.status || "")}: ` +
      `${schedule.length} payment${schedule.length === 1 ? "" : "s"}, total ${money(a.total, a.currency)}`;
    return [
      el("table", { class: "plan", id: n ? null : "record-plan" },
        el("caption", { text: caption }),
        el("thead", {}, el("tr", {},
          el("th", { scope: "col", text: "#" }),
          el("th", { scope: "col", text: "Date" }),
          el("th", { scope: "col", class: "amount", text: "Amount" }))),
        el("tbody", {}, rows)),
      el("dl", { class: "facts", id: n ? null : "record-consent" },
        fact("Kind", KIND_TEXT[a.kind] || words(a.kind || "")),
        fact("Agreed at", clock(a.agreed_at)),
        fact("Caller's consent", a.consent_words ? `“${a.consent_words}”` : "—"),
        fact("Read back", a.readback || "—"),
        fact("Read-back finished", a.readback_finished_at ? clock(a.readback_finished_at)
          : "Not confirmed played to the end"),
        fact("Policy", a.policy_version || "—")),
    ];
  }

  function notesValue() {
    const box = document.getElementById("notes");
    return box ? box.value : "";
  }

  // -- actions -------------------------------------------------------------------------------

  async function act(id, what, body) {
    const url = what === "notes" ? `/api/handoffs/${encodeURIComponent(id)}/notes`
      : `/api/handoffs/${encodeURIComponent(id)}/${what}`;
    const buttons = document.querySelectorAll(".actions button, #save-notes");
    buttons.forEach((b) => { b.disabled = true; });
    try {
      const response = await fetch(url, {
        method: what === "notes" ? "PUT" : "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
        body: JSON.stringify(body || {}),
      });
      if (response.status === 401) { window.location.assign("/agent/login?next=/agent"); return; }
      const data = await response.json().catch(() => ({}));
      if (!response.ok) { showError(data.detail ? String(data.detail) : `Failed (${response.status})`); return; }
      if (what !== "accept") drafts.delete(id);
      upsert(data);
      shownJson = null;  // show what was stored (card numbers removed)
      renderQueue();
      renderDetail();
      const ringing = what === "accept" && data.connection && data.connection.state === "ringing";
      announce(ringing ? "Hand-off accepted. Calling you now." :
        what === "accept" ? "Hand-off accepted." : what === "complete" ? "Hand-off completed." : "Notes saved.");
    } catch (err) {
      showError("The service could not be reached. Try again.");
    } finally {
      buttons.forEach((b) => { b.disabled = false; });
    }
  }

  function upsert(p) {
    const known = handoffs.get(p.id);
    handoffs.set(p.id, p);
    return known;
  }

  // -- live updates ------------------------------------------------------------------------------

  function setConnection(live, text) {
    const box = document.getElementById("connection");
    box.textContent = text;
    box.classList.toggle("live", live);
    box.classList.toggle("down", !live);
  }

  function connect() {
    source = new EventSource("/api/handoffs/events");
    source.addEventListener("open", () => setConnection(true, "Live"));
    source.addEventListener("snapshot", (e) => {
      const data = JSON.parse(e.data);
      heardServerTime(data.now);
      handoffs.clear();
      for (const p of data.handoffs) handoffs.set(p.id, p);
      shownJson = null;
      renderQueue();
      renderDetail();
      setConnection(true, "Live");
    });
    source.addEventListener("handoff", (e) => {
      const event = JSON.parse(e.data);
      heardServerTime(event.at);
      const before = upsert(event.handoff);
      if (!before && event.handoff.status === "waiting") {
        announce(`New hand-off: ${reasonText(event.handoff.reason)}` +
          (event.handoff.account ? `, account ${event.handoff.account.reference}` : ""));
      }
      renderQueue();
      if (event.id === selected) renderDetail();
    });
    source.addEventListener("error", () => {
      setConnection(false, "Reconnecting…");
      if (source.readyState === EventSource.CLOSED) {
        // The session may have ended: a page load finds out (and goes to login).
        setTimeout(() => window.location.reload(), 5000);
      }
    });
  }

  document.addEventListener("DOMContentLoaded", () => {
    connect();
    setInterval(refreshWaitTimes, 5000);
  });
})();
