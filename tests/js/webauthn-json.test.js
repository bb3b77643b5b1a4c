// The WebAuthn JSON helpers (static/js/webauthn-json.js): base64url both ways, the server's
// options turned into what the browser takes, a credential turned into what the server checks.
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import {
  creationOptions, credentialJSON, fromBase64url, problemMessage, requestOptions, toBase64url,
} from "../../static/js/webauthn-json.js";

const bytes = (...values) => new Uint8Array(values).buffer;

describe("base64url", () => {
  it("writes bytes without padding, with - and _ instead of + and /", () => {
    assert.equal(toBase64url(bytes(0xfb, 0xff, 0xbf)), "-_-_");
    assert.equal(toBase64url(bytes(1)), "AQ");
    assert.equal(toBase64url(new Uint8Array([104, 105])), "aGk");
  });

  it("reads back what it wrote, padded or not", () => {
    assert.deepEqual(new Uint8Array(fromBase64url("-_-_")), new Uint8Array([0xfb, 0xff, 0xbf]));
    assert.deepEqual(new Uint8Array(fromBase64url("AQ==")), new Uint8Array([1]));
    assert.deepEqual(new Uint8Array(fromBase64url("")), new Uint8Array([]));
  });

  it("refuses text outside the alphabet", () => {
    assert.throws(() => fromBase64url("a+b/"), TypeError);
  });
});

describe("options from the server", () => {
  it("turn challenge, user id and excluded credentials into bytes for create()", () => {
    const options = creationOptions({
      challenge: "AQID", rp: { id: "localhost", name: "RRIS" },
      user: { id: "cnJpcw", name: "a@b", displayName: "A" }, excludeCredentials: [{ id: "BAU", type: "public-key" }],
    });
    assert.deepEqual(new Uint8Array(options.publicKey.challenge), new Uint8Array([1, 2, 3]));
    assert.equal(new TextDecoder().decode(options.publicKey.user.id), "rris");
    assert.deepEqual(new Uint8Array(options.publicKey.excludeCredentials[0].id), new Uint8Array([4, 5]));
    assert.equal(options.publicKey.rp.id, "localhost");
  });

  it("turn challenge and allowed credentials into bytes for get()", () => {
    const options = requestOptions({ challenge: "AQ", rpId: "localhost", allowCredentials: [{ id: "Ag", type: "public-key" }] });
    assert.deepEqual(new Uint8Array(options.publicKey.allowCredentials[0].id), new Uint8Array([2]));
    assert.deepEqual(requestOptions({ challenge: "AQ" }).publicKey.allowCredentials, []);
  });
});

describe("a credential for the server", () => {
  it("carries a new passkey's attestation and transports", () => {
    const json = credentialJSON({
      id: "AQ", rawId: bytes(1), type: "public-key",
      getClientExtensionResults: () => ({}),
      response: { clientDataJSON: bytes(2), attestationObject: bytes(3), getTransports: () => ["internal"] },
    });
    assert.deepEqual(json.response, { clientDataJSON: "Ag", attestationObject: "Aw", transports: ["internal"] });
    assert.equal(json.rawId, "AQ");
  });

  it("carries an assertion's data, signature and user handle", () => {
    const json = credentialJSON({
      id: "AQ", rawId: bytes(1), type: "public-key",
      response: { clientDataJSON: bytes(2), authenticatorData: bytes(3), signature: bytes(4), userHandle: null },
    });
    assert.deepEqual(json.response, { clientDataJSON: "Ag", authenticatorData: "Aw", signature: "BA", userHandle: undefined });
  });
});

describe("a refusal from the server", () => {
  it("shows the field's reason first, then the detail, then the fallback", () => {
    assert.equal(problemMessage({ detail: "d", invalid_params: [{ name: "name", reason: "Give it a name." }] }, "f"), "Give it a name.");
    assert.equal(problemMessage({ detail: "Too many attempts." }, "f"), "Too many attempts.");
    assert.equal(problemMessage(null, "f"), "f");
  });
});
