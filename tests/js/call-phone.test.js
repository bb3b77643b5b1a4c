// The telephone fallback's states on the call page (static/js/call-phone.js): what the panel
// offers and says as the person asks for a call, the service answers and the phone comes and goes.
import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it, mock } from "node:test";

import { PhoneControl } from "../../static/js/call-phone.js";
import { fill } from "../../static/js/call-rules.js";

const STRINGS = {
  phone_dialing: "Calling your phone ending {tail}…",
  phone_on_phone: "On the phone",
  phone_hanging_up: "Hanging up…",
  phone_ended: "The phone call ended.",
  phone_no_answer: "Nobody answered.",
  phone_no_reply: "The service did not answer.",
  phone_refused: "Your phone cannot be called.",
  phone_refused_daily_cap: "Today's phone minutes are used up.",
  phone_refused_busy: "The phone is busy.",
  phone_dial_in_instead: "Call {number} and enter {pin}.",
};

// Stand-ins for the panel's elements: what render() writes, and the clicks it listens to.
function element() {
  return {
    hidden: false, disabled: false, textContent: "", href: "", dataset: {}, listeners: {},
    addEventListener(type, listener) { this.listeners[type] = listener; },
    click() { this.listeners.click(); },
  };
}

function control({ live = true, dialIn = null, offer = { available: true, number_tail: "42" } } = {}) {
  const sent = [];
  const changes = [];
  const ui = {
    panel: element(), call: element(), hangUp: element(), status: element(), simulator: element(),
    simulatorLink: element(),
  };
  const phone = new PhoneControl(offer, ui, {
    myId: "user-7",
    send: (message) => { sent.push(message); return true; },
    text: (key, values) => fill(STRINGS[key] ?? key, values),
    notify: () => {},
    changed: (onPhone) => changes.push(onPhone),
    dialIn,
  });
  phone.connected(live);
  return { phone, ui, sent, changes };
}

beforeEach(() => mock.timers.enable({ apis: ["setTimeout"] }));
afterEach(() => mock.timers.reset());

describe("the phone panel", () => {
  it("offers the call once the page is in the room, and joins as the person's phone participant", () => {
    const { phone, ui } = control({ live: false });
    assert.equal(phone.id, "phone-user-7");
    assert.equal(phone.state, "idle");
    assert.equal(ui.call.disabled, true);
    phone.connected(true);
    assert.equal(ui.call.disabled, false);
    assert.equal(ui.hangUp.hidden, true);
  });

  it("stays inert for a guest, who has no phone offer", () => {
    const { phone, ui } = control({ offer: null });
    assert.equal(phone.enabled, false);
    assert.deepEqual(ui.call.listeners, {});  // no button to press
    phone.answer({ type: "phone", state: "dialing" });
    assert.equal(phone.state, "idle");
    assert.equal(ui.status.textContent, "");
  });

  it("goes dialing, then on the phone, then back to idle when the phone leaves", () => {
    const { phone, ui, sent, changes } = control();
    ui.call.click();
    assert.deepEqual(sent, [{ type: "phone", action: "call" }]);
    assert.equal(phone.state, "dialing");
    assert.equal(ui.status.textContent, "Calling your phone ending 42…");
    assert.equal(ui.call.hidden, true);
    assert.equal(ui.hangUp.hidden, false);

    phone.answer({ type: "phone", state: "dialing" });
    phone.present(true);
    assert.equal(phone.state, "on-phone");
    assert.equal(ui.panel.dataset.state, "on-phone");
    assert.equal(ui.status.textContent, "On the phone");
    assert.deepEqual(changes, [true]);

    phone.present(false);
    assert.equal(phone.state, "idle");
    assert.equal(ui.status.textContent, "The phone call ended.");
    assert.equal(ui.status.dataset.outcome, "phone_ended");
    assert.deepEqual(changes, [true, false]);
  });

  it("does not ask twice while a call is being set up", () => {
    const { phone, sent } = control();
    phone.call();
    phone.call();
    assert.equal(sent.length, 1);
  });

  it("hangs up: hanging up until the phone participant has left", () => {
    const { phone, ui, sent } = control();
    phone.call();
    phone.present(true);
    ui.hangUp.click();
    assert.deepEqual(sent.at(-1), { type: "phone", action: "hangup" });
    assert.equal(phone.state, "hanging-up");
    assert.equal(ui.hangUp.disabled, true);
    phone.answer({ type: "phone", state: "ended" });
    assert.equal(phone.state, "hanging-up");
    phone.present(false);
    assert.equal(phone.state, "idle");
  });

  it("shows a refusal in the page's words, and the dial-in number when the phone cannot be rung", () => {
    const { phone, ui } = control({ dialIn: { number: "+381 11 555 0100", pin: "4821" } });
    phone.call();
    phone.answer({ type: "phone", state: "refused", code: "daily_cap", message: "Daily cap reached." });
    assert.equal(phone.state, "idle");
    assert.equal(ui.status.textContent, "Today's phone minutes are used up. Call +381 11 555 0100 and enter 4821.");
    assert.equal(ui.status.dataset.outcome, "phone_refused_daily_cap");
  });

  it("shows the service's own sentence for a refusal this page has no words for, without the dial-in", () => {
    const { phone, ui } = control({ dialIn: { number: "+381 11 555 0100", pin: "4821" } });
    phone.call();
    phone.answer({ type: "phone", state: "refused", code: "brand_new", message: "Something new." });
    assert.equal(ui.status.textContent, "Something new.");
    assert.equal(ui.status.dataset.outcome, "phone_refused");
  });

  it("gives up when the service does not answer the request within 15 seconds", () => {
    const { phone, ui } = control();
    phone.call();
    mock.timers.tick(14999);
    assert.equal(phone.state, "dialing");
    mock.timers.tick(1);
    assert.equal(phone.state, "idle");
    assert.equal(ui.status.textContent, "The service did not answer.");
  });

  it("hangs up the ringing phone itself when nobody answers for 130 seconds", () => {
    const { phone, ui, sent } = control();
    phone.call();
    phone.answer({ type: "phone", state: "dialing" });
    mock.timers.tick(129999);
    assert.equal(phone.state, "dialing");
    mock.timers.tick(1);
    assert.deepEqual(sent.at(-1), { type: "phone", action: "hangup" });
    assert.equal(phone.state, "idle");
    assert.equal(ui.status.textContent, "Nobody answered.");
  });

  it("keeps the phone call when a hang-up gets no answer, so the person may try again", () => {
    const { phone } = control();
    phone.call();
    phone.present(true);
    phone.hangUp();
    mock.timers.tick(15000);
    assert.equal(phone.state, "on-phone");
  });

  it("asks nothing more once the page has left the call", () => {
    const { phone, ui, sent } = control();
    phone.close();
    phone.call();
    phone.answer({ type: "phone", state: "dialing" });
    assert.equal(phone.state, "ended");
    assert.deepEqual(sent, []);
    assert.equal(ui.call.disabled, true);
  });
});
