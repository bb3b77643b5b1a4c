// The telephone fallback on the call page. "Call me on my phone" asks the signalling service
// to ring the person's verified number ({"type": "phone", "action": "call"}); once answered, the
// phone joins the room as a participant of its own ("phone-user-7" for "user-7") and this page
// says "On the phone" until that participant leaves. "Hang up the phone" ends the phone call;
// the browser stays in the call throughout. Rules are in call-rules.js; sentences in the page's strings block (strings.js).

import { offersDialIn, phoneParticipantOf, phoneState, simulatorAddress } from "./call-rules.js";

const REPLY_TIMEOUT_MS = 15000;  // the service answers a phone request within this, or it is given up
// A phone not in the call by then did not answer (Twilio rings 60 s; the service gives up after 2 min).
const RING_TIMEOUT_MS = 130000;

export class PhoneControl {
  /**
   * `offer` is config.phone ({available, number_tail, ...}; absent for guests). `ui` holds the
   * panel's elements: panel, call, hangUp, status, simulator, simulatorLink (missing when the
   * person cannot be called). `context` gives myId, send(message) -> bool, text(key, values),
   * notify(sentence), changed(onPhone) when this person's phone comes into or leaves the call,
   * and dialIn ({number, pin} or null), offered instead when the phone cannot be rung.
   */
  constructor(offer, ui, context) {
    this.ui = ui;
    this.context = context;
    this.enabled = Boolean(offer && offer.available && ui.panel && ui.call);
    this.tail = (offer && offer.number_tail) || "";
    this.id = phoneParticipantOf(context.myId);
    this.live = false;  // in the room on the current signalling socket
    this.ended = false;
    this.onPhone = false;
    this.pending = null;  // "call" or "hangup": asked, not yet settled
    this.outcome = null;  // said while idle: {key} of the page's strings, or {words} from the service
    this.simulator = null;  // the simulated phone's address, while its leg is live
    this.replyTimer = null;
    this.ringTimer = null;
    if (this.enabled) {
      ui.call.addEventListener("click", () => this.call());
      ui.hangUp.addEventListener("click", () => this.hangUp());
    }
    this.render();
  }

  get state() {
    return phoneState({ ended: this.ended, onPhone: this.onPhone, pending: this.pending });
  }

  /** The page's signalling socket is in the room (true) or not (false). */
  connected(live) {
    this.live = live;
    this.render();
  }

  /** Whether this person's phone participant is in the room now. */
  present(onPhone) {
    if (onPhone === this.onPhone) {
      return;
    }
    this.onPhone = onPhone;
    if (this.ended) {
      return;  // the page left the call and dropped its peers; the phone may well stay
    }
    if (onPhone) {
      if (this.pending === "call") {
        this.pending = null;
      }
      this.outcome = null;
      this.clearTimers();
    } else {
      if (this.pending === "hangup") {
        this.pending = null;
        this.clearTimers();
      }
      this.outcome = { key: "phone_ended" };
      this.simulator = null;
    }
    this.context.changed(onPhone);
    this.render();
  }

  /** The service's {"type": "phone", "state": "dialing" | "refused" | "ended", ...} answer. */
  answer(message) {
    if (!this.enabled || this.ended) {
      return;
    }
    clearTimeout(this.replyTimer);
    this.replyTimer = null;
    if (message.state === "dialing") {
      if (!this.onPhone) {
        this.pending = "call";
        clearTimeout(this.ringTimer);
        this.ringTimer = setTimeout(() => this.unanswered(), RING_TIMEOUT_MS);
      }
      if (message.simulator_url) {
        this.openSimulator(message.simulator_url);
      }
    } else if (message.state === "refused") {
      this.settle(this.refusalKey(message), message.message);
      this.outcome.dialIn = offersDialIn(message.code) && Boolean(this.context.dialIn);
    } else if (message.state === "ended") {
      if (this.onPhone) {
        this.pending = "hangup";  // the phone participant leaves the room next
        this.waitForReply();
      } else {
        this.settle("phone_ended");
      }
    }
    this.render();
  }

  /** The page left the call: nothing more to ask. */
  close() {
    this.ended = true;
    this.clearTimers();
    this.render();
  }

  call() {
    if (this.state !== "idle" || !this.live) {
      return;
    }
    if (this.context.send({ type: "phone", action: "call" })) {
      this.pending = "call";
      this.outcome = null;
      this.waitForReply();
      this.render();
    }
  }

  hangUp() {
    const state = this.state;
    if (state !== "dialing" && state !== "on-phone") {
      return;
    }
    if (this.context.send({ type: "phone", action: "hangup" })) {
      this.pending = "hangup";
      clearTimeout(this.ringTimer);
      this.waitForReply();
      this.render();
    }
  }

  // Nobody picked up and the service has not said so: stop the ringing, so page and service agree.
  unanswered() {
    this.context.send({ type: "phone", action: "hangup" });
    this.settle("phone_no_answer");
  }

  waitForReply() {
    clearTimeout(this.replyTimer);
    this.replyTimer = setTimeout(() => {
      this.replyTimer = null;
      if (this.pending === "call" || (this.pending === "hangup" && !this.onPhone)) {
        this.settle("phone_no_reply");
      } else if (this.pending === "hangup") {
        this.pending = null;  // still on the phone: the person may try again
        this.render();
      }
    }, REPLY_TIMEOUT_MS);
  }

  // Back to idle with a sentence to show: a key of the page's strings, or the service's own words.
  settle(key, words = null) {
    this.pending = null;
    this.simulator = null;
    this.clearTimers();
    this.outcome = key ? { key } : { words };
    this.render();
  }

  // A refusal in this page's language when its code is known; else the service's sentence.
  refusalKey(message) {
    const key = `phone_refused_${message.code}`;
    if (message.code && this.context.text(key) !== key) {
      return key;
    }
    return message.message ? null : "phone_refused";
  }

  openSimulator(url) {
    const address = simulatorAddress(url, window.location.href);
    if (address === null) {
      return;
    }
    this.simulator = address;
    const opened = window.open(address, "_blank");
    if (opened) {
      opened.opener = null;
      this.context.notify(this.context.text("phone_simulator_opened"));
    } else {
      this.context.notify(this.context.text("phone_simulator_blocked"));
    }
  }

  clearTimers() {
    clearTimeout(this.replyTimer);
    clearTimeout(this.ringTimer);
    this.replyTimer = null;
    this.ringTimer = null;
  }

  render() {
    if (!this.enabled) {
      return;
    }
    const { ui, context } = this;
    const state = this.state;
    ui.panel.dataset.state = state;
    ui.call.hidden = state !== "idle" && state !== "ended";
    ui.call.disabled = state !== "idle" || !this.live;
    ui.hangUp.hidden = !(state === "dialing" || state === "on-phone" || state === "hanging-up");
    ui.hangUp.disabled = state === "hanging-up" || !this.live;
    let sentence = "";
    if (state === "dialing") {
      sentence = context.text("phone_dialing", { tail: this.tail });
    } else if (state === "on-phone") {
      sentence = context.text("phone_on_phone");
    } else if (state === "hanging-up") {
      sentence = context.text("phone_hanging_up");
    } else if (state === "idle") {
      sentence = this.outcome === null ? "" : this.outcome.key ? context.text(this.outcome.key) : this.outcome.words;
      if (this.outcome !== null && this.outcome.dialIn) {
        sentence += " " + context.text("phone_dial_in_instead", context.dialIn);
      }
    }
    // For styles and tests: which result the idle panel shows ("phone_ended", "phone_refused_daily_cap"...).
    ui.status.dataset.outcome = state === "idle" && this.outcome !== null ? this.outcome.key || "phone_refused" : "";
    if (ui.status.textContent !== sentence) {
      ui.status.textContent = sentence;
    }
    const simulator = state !== "idle" && state !== "ended" ? this.simulator : null;
    ui.simulator.hidden = simulator === null;
    if (simulator !== null && ui.simulatorLink.href !== simulator) {
      ui.simulatorLink.href = simulator;
    }
  }
}
