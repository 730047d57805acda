/*
 * A software WebAuthn authenticator on Web APIs alone (crypto.subtle, TextEncoder), for the runtime
 * scenario: workerd without nodejs_compat has no node:crypto and no Buffer, which the fuller
 * test/passkeys/soft-authenticator.ts uses. ES256 keys, attestation "none", CBOR written by hand;
 * it always verifies the user (UV), as a platform authenticator with a PIN or biometric does.
 */

interface CreationOptions {
  challenge: string;
  rp: { id?: string };
  user: { id: string };
}

interface RequestOptions {
  challenge: string;
  rpId?: string;
}

interface Credential {
  id: Uint8Array;
  privateKey: CryptoKey;
  userHandle: string;
  counter: number;
}

type Cbor = number | string | Uint8Array | Map<Cbor, Cbor>;

const encoder = new TextEncoder();

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((length, part) => length + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

function base64url(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function fromBase64url(text: string): Uint8Array {
  const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
  return Uint8Array.from(binary, (char) => char.charCodeAt(0));
}

async function sha256(data: Uint8Array | string): Promise<Uint8Array> {
  const bytes = typeof data === "string" ? encoder.encode(data) : data;
  return new Uint8Array(await crypto.subtle.digest("SHA-256", bytes as BufferSource));
}

function cborHead(major: number, value: number): Uint8Array {
  if (value < 24) return Uint8Array.of((major << 5) | value);
  if (value < 0x100) return Uint8Array.of((major << 5) | 24, value);
  if (value < 0x10000) return Uint8Array.of((major << 5) | 25, value >> 8, value & 0xff);
  throw new RangeError("the authenticator writes no CBOR item this long");
}

function cbor(value: Cbor): Uint8Array {
  if (typeof value === "number") return value >= 0 ? cborHead(0, value) : cborHead(1, -1 - value);
  if (typeof value === "string") {
    const bytes = encoder.encode(value);
    return concat(cborHead(3, bytes.length), bytes);
  }
  if (value instanceof Uint8Array) return concat(cborHead(2, value.length), value);
  const parts = [cborHead(5, value.size)];
  for (const [key, item] of value) parts.push(cbor(key), cbor(item));
  return concat(...parts);
}

/** WebCrypto signs ECDSA as r || s; WebAuthn wants the DER SEQUENCE of two INTEGERs. */
function derSignature(raw: Uint8Array): Uint8Array {
  const integer = (bytes: Uint8Array) => {
    let start = 0;
    while (start < bytes.length - 1 && bytes[start] === 0) start++;
    const trimmed = bytes.subarray(start);
    const body = (trimmed[0] as number) & 0x80 ? concat(Uint8Array.of(0), trimmed) : trimmed;
    return concat(Uint8Array.of(0x02, body.length), body);
  };
  const body = concat(integer(raw.subarray(0, 32)), integer(raw.subarray(32)));
  return concat(Uint8Array.of(0x30, body.length), body);
}

// User present, user verified, backup eligible, backed up; attested credential data on create.
const FLAGS = 0x01 | 0x04 | 0x08 | 0x10;
const ATTESTED = 0x40;

export class WebAuthenticator {
  private readonly credentials: Credential[] = [];

  constructor(private readonly origin: string) {}

  private clientData(type: string, challenge: string): Uint8Array {
    return encoder.encode(
      JSON.stringify({ type, challenge, origin: this.origin, crossOrigin: false }),
    );
  }

  /** Answers `/auth/passkey/register/options` as `navigator.credentials.create()` would. */
  async create(options: CreationOptions) {
    const rpID = options.rp.id ?? new URL(this.origin).hostname;
    const pair = (await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, [
      "sign",
      "verify",
    ])) as CryptoKeyPair;
    const jwk = await crypto.subtle.exportKey("jwk", pair.publicKey);
    const cosePublicKey = cbor(
      new Map<Cbor, Cbor>([
        [1, 2], // kty: EC2
        [3, -7], // alg: ES256
        [-1, 1], // crv: P-256
        [-2, fromBase64url(jwk.x as string)],
        [-3, fromBase64url(jwk.y as string)],
      ]),
    );
    const id = crypto.getRandomValues(new Uint8Array(16));
    const authData = concat(
      await sha256(rpID),
      Uint8Array.of(FLAGS | ATTESTED),
      new Uint8Array(4), // counter 0
      new Uint8Array(16), // AAGUID: none
      Uint8Array.of(0, id.length),
      id,
      cosePublicKey,
    );
    const attestationObject = cbor(
      new Map<Cbor, Cbor>([
        ["fmt", "none"],
        ["attStmt", new Map()],
        ["authData", authData],
      ]),
    );
    this.credentials.push({
      id,
      privateKey: pair.privateKey,
      userHandle: options.user.id,
      counter: 0,
    });
    return {
      id: base64url(id),
      rawId: base64url(id),
      type: "public-key" as const,
      response: {
        clientDataJSON: base64url(this.clientData("webauthn.create", options.challenge)),
        attestationObject: base64url(attestationObject),
        transports: ["internal"],
      },
      clientExtensionResults: {},
      authenticatorAttachment: "platform" as const,
    };
  }

  /** Answers `/auth/passkey/login/options` with the newest credential (a discoverable sign-in). */
  async get(options: RequestOptions) {
    const credential = this.credentials.at(-1);
    if (!credential) throw new Error("the web authenticator holds no credential");
    const rpID = options.rpId ?? new URL(this.origin).hostname;
    credential.counter += 1;
    const counter = new Uint8Array(4);
    new DataView(counter.buffer).setUint32(0, credential.counter);
    const authData = concat(await sha256(rpID), Uint8Array.of(FLAGS), counter);
    const clientDataJSON = this.clientData("webauthn.get", options.challenge);
    const raw = await crypto.subtle.sign(
      { name: "ECDSA", hash: "SHA-256" },
      credential.privateKey,
      concat(authData, await sha256(clientDataJSON)) as BufferSource,
    );
    return {
      id: base64url(credential.id),
      rawId: base64url(credential.id),
      type: "public-key" as const,
      response: {
        clientDataJSON: base64url(clientDataJSON),
        authenticatorData: base64url(authData),
        signature: base64url(derSignature(new Uint8Array(raw))),
        userHandle: credential.userHandle,
      },
      clientExtensionResults: {},
      authenticatorAttachment: "platform" as const,
    };
  }
}
