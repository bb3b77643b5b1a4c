// Passkeys on the page: adding one on the security page, signing in with one at the second step.
// The server makes the options and checks the answers; this script only carries them.
import { creationOptions, credentialJSON, problemMessage, requestOptions } from "./webauthn-json.js";
import { strings } from "./strings.js";

const t = strings({
  passkey_unsupported: "This browser cannot use passkeys.",
  passkey_cancelled: "The passkey was not used. Try again.",
  passkey_failed: "The passkey did not work. Try again.",
});

function csrfToken() {
  const field = document.querySelector("input[name=csrf_token]");
  return field ? field.value : "";
}

async function post(url, body) {
  const response = await fetch(url, {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrfToken() },
    body: JSON.stringify(body || {}),
  });
  const answer = await response.json().catch(() => ({}));
  if (!response.ok) {
    throw new Error(problemMessage(answer, t("passkey_failed")));
  }
  return answer;
}

function showError(message) {
  const box = document.getElementById("passkey-error");
  box.textContent = message;
  box.hidden = false;
}

function explain(error) {
  // The person closed the browser's dialogue or it timed out: not a fault to report as one.
  return error && error.name === "NotAllowedError" ? t("passkey_cancelled") : error.message || t("passkey_failed");
}

function supported() {
  return Boolean(window.PublicKeyCredential && navigator.credentials);
}

async function register(root) {
  const name = document.getElementById("passkey-name").value.trim();
  const options = await post(root.dataset.optionsUrl);
  const credential = await navigator.credentials.create(creationOptions(options));
  const saved = await post(root.dataset.registerUrl, { name, credential: credentialJSON(credential) });
  window.location.assign(saved.redirect);
}

async function signIn(root) {
  const options = await post(root.dataset.optionsUrl);
  const credential = await navigator.credentials.get(requestOptions(options));
  const passed = await post(root.dataset.verifyUrl, credentialJSON(credential));
  window.location.assign(passed.redirect);
}

function wire(rootId, buttonId, ceremony) {
  const root = document.getElementById(rootId);
  if (!root) {
    return;
  }
  const button = document.getElementById(buttonId);
  button.addEventListener("click", async () => {
    if (!supported()) {
      showError(t("passkey_unsupported"));
      return;
    }
    button.disabled = true;
    try {
      await ceremony(root);
    } catch (error) {
      showError(explain(error));
    } finally {
      button.disabled = false;
    }
  });
}

wire("passkey-register", "passkey-register-button", register);
wire("passkey-sign-in", "passkey-sign-in-button", signIn);
