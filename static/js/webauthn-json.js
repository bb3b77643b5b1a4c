// WebAuthn speaks ArrayBuffers; the server (py_webauthn) speaks JSON with base64url strings.
// These pure helpers convert between the two, so they are unit-tested in Node (tests/js).

/** Bytes (ArrayBuffer or a typed array) as unpadded base64url text. */
export function toBase64url(bytes) {
  const view = bytes instanceof ArrayBuffer ? new Uint8Array(bytes) : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let binary = "";
  for (const byte of view) {
    binary += String.fromCharCode(byte);
  }
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** Base64url text (padded or not) as an ArrayBuffer; throws on characters outside the alphabet. */
export function fromBase64url(text) {
  if (!/^[A-Za-z0-9_-]*={0,2}$/.test(text)) {
    throw new TypeError("not base64url");
  }
  const base64 = text.replace(/=+$/, "").replace(/-/g, "+").replace(/_/g, "/");
  const binary = atob(base64 + "=".repeat((4 - (base64.length % 4)) % 4));
  const bytes = new Uint8Array(binary.length);
  for (let index = 0; index < binary.length; index += 1) {
    bytes[index] = binary.charCodeAt(index);
  }
  return bytes.buffer;
}

function descriptors(list) {
  return (list || []).map((item) => ({ ...item, id: fromBase64url(item.id) }));
}

/** The server's registration options as navigator.credentials.create() takes them ({publicKey}). */
export function creationOptions(json) {
  return {
    publicKey: {
      ...json,
      challenge: fromBase64url(json.challenge),
      user: { ...json.user, id: fromBase64url(json.user.id) },
      excludeCredentials: descriptors(json.excludeCredentials),
    },
  };
}

/** The server's sign-in options as navigator.credentials.get() takes them ({publicKey}). */
export function requestOptions(json) {
  return {
    publicKey: {
      ...json,
      challenge: fromBase64url(json.challenge),
      allowCredentials: descriptors(json.allowCredentials),
    },
  };
}

function optional(value) {
  return value ? toBase64url(value) : undefined;
}

/** A PublicKeyCredential (new or asserting) as the JSON the server verifies. */
export function credentialJSON(credential) {
  const response = credential.response;
  const json = {
    id: credential.id,
    rawId: toBase64url(credential.rawId),
    type: credential.type,
    clientExtensionResults: credential.getClientExtensionResults ? credential.getClientExtensionResults() : {},
    authenticatorAttachment: credential.authenticatorAttachment || undefined,
    response: { clientDataJSON: toBase64url(response.clientDataJSON) },
  };
  if (response.attestationObject) {
    json.response.attestationObject = toBase64url(response.attestationObject);
    json.response.transports = response.getTransports ? response.getTransports() : [];
  } else {
    json.response.authenticatorData = toBase64url(response.authenticatorData);
    json.response.signature = toBase64url(response.signature);
    json.response.userHandle = optional(response.userHandle);
  }
  return json;
}

/** The sentence of a problem+json answer to show: the first field's reason, else its detail. */
export function problemMessage(body, fallback) {
  const params = body && Array.isArray(body.invalid_params) ? body.invalid_params : [];
  if (params.length && params[0].reason) {
    return params[0].reason;
  }
  return (body && body.detail) || fallback;
}
