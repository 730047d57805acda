/*
 * The PEM forms `tokens.keys` accepts. WebCrypto (and so jose) imports only PKCS#8 private and
 * SPKI public keys, but openssl writes other forms by default: `openssl ecparam -genkey` a SEC1
 * `EC PRIVATE KEY` (after an `EC PARAMETERS` block unless `-noout`), `openssl genrsa -traditional`
 * (and OpenSSL 1.x's plain `genrsa`) a PKCS#1 `RSA PRIVATE KEY`, `openssl rsa -RSAPublicKey_out`
 * a PKCS#1 `RSA PUBLIC KEY`. Those are rewrapped here, in a few lines of DER, into the standard
 * forms (RFC 5208 PrivateKeyInfo, RFC 5280 SubjectPublicKeyInfo), byte for byte what
 * `openssl pkcs8 -topk8 -nocrypt` and `openssl rsa -RSAPublicKey_in -pubout` write. Pure and
 * synchronous, so `createAuth` refuses a bad key with a ConfigError naming it.
 */

/** What a PEM holds, in the form WebCrypto imports. */
export interface PemKey {
  /** A PKCS#8 private key, or an SPKI public key. */
  kind: "private" | "public";
  /** The key type its algorithm OIDs name, in words: each signature algorithm needs one. */
  type: PemKeyType;
  /** The PEM to import: `-----BEGIN PRIVATE KEY-----` or `-----BEGIN PUBLIC KEY-----`. */
  pem: string;
}

export type PemKeyType =
  | "an Ed25519 key"
  | "an EC P-256 key"
  | "an RSA key"
  | "an EC key on another curve than P-256"
  | "a key of an unsupported type";

/** The message of a PEM that cannot be used; the caller prefixes the option's name. */
export class PemKeyError extends Error {}

const PKCS8_HELP =
  "pem must be a private key (PKCS#8, or the SEC1 EC or PKCS#1 RSA form openssl writes) or an SPKI public key";

// The DER encodings (tag, length, value) of the object identifiers and fixed fields used below.
const OID_RSA = "06092a864886f70d010101"; // rsaEncryption, 1.2.840.113549.1.1.1
const OID_EC = "06072a8648ce3d0201"; // id-ecPublicKey, 1.2.840.10045.2.1
const OID_P256 = "06082a8648ce3d030107"; // prime256v1 (P-256), 1.2.840.10045.3.1.7
const OID_ED25519 = "06032b6570"; // id-Ed25519, 1.3.101.112
const NULL = "0500";
const VERSION_0 = "020100";

interface Tlv {
  tag: number;
  /** The whole element, tag and length included. */
  element: Uint8Array;
  value: Uint8Array;
}

const malformed = () =>
  new PemKeyError(
    "the PEM does not hold a well-formed key; check it with `openssl pkey -in key.pem -noout -text`",
  );

const hex = (bytes: Uint8Array) =>
  Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
const fromHex = (text: string) => Uint8Array.from(text.match(/../g) ?? [], (h) => parseInt(h, 16));

/** The DER elements of `bytes`, one after another (a SEQUENCE's contents, or a whole DER). */
function elements(bytes: Uint8Array): Tlv[] {
  const list: Tlv[] = [];
  let at = 0;
  while (at < bytes.length) {
    const tag = bytes[at] as number;
    let length = bytes[at + 1] ?? -1;
    let start = at + 2;
    if (length > 0x80 && length <= 0x83) {
      const count = length - 0x80;
      length = 0;
      for (let i = 0; i < count; i++) length = length * 256 + (bytes[start++] ?? Number.NaN);
    } else if (length >= 0x80 || length < 0) {
      throw malformed();
    }
    const end = start + length;
    if (!(end <= bytes.length)) throw malformed();
    list.push({ tag, element: bytes.subarray(at, end), value: bytes.subarray(start, end) });
    at = end;
  }
  return list;
}

/** One DER element from a tag and its contents. */
function encode(tag: number, ...parts: Uint8Array[]): Uint8Array {
  const length = parts.reduce((sum, part) => sum + part.length, 0);
  const lengthBytes: number[] = [];
  for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) lengthBytes.unshift(rest % 256);
  const header = length < 0x80 ? [tag, length] : [tag, 0x80 + lengthBytes.length, ...lengthBytes];
  const out = new Uint8Array(header.length + length);
  out.set(header);
  let at = header.length;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** The single SEQUENCE a DER must be, as its elements. */
function sequence(der: Uint8Array): Tlv[] {
  const [outer, ...rest] = elements(der);
  if (outer?.tag !== 0x30 || rest.length > 0) throw malformed();
  return elements(outer.value);
}

/** The key type an AlgorithmIdentifier (a SEQUENCE of the OID and its parameters) names. */
function keyType(algorithm: Tlv | undefined): PemKeyType {
  if (algorithm?.tag !== 0x30) throw malformed();
  const [oid, params] = elements(algorithm.value).map((part) => hex(part.element));
  if (oid === OID_RSA) return "an RSA key";
  if (oid === OID_ED25519) return "an Ed25519 key";
  if (oid === OID_EC) {
    return params === OID_P256 ? "an EC P-256 key" : "an EC key on another curve than P-256";
  }
  return "a key of an unsupported type";
}

function toPem(label: string, der: Uint8Array): string {
  const base64 = btoa(String.fromCharCode(...der));
  const lines = base64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`;
}

/** PKCS#1 RSAPrivateKey → PKCS#8 PrivateKeyInfo: the key as is, under rsaEncryption. */
function fromPkcs1Private(der: Uint8Array): Uint8Array {
  if (sequence(der)[0]?.tag !== 0x02) throw malformed();
  const algorithm = encode(0x30, fromHex(OID_RSA), fromHex(NULL));
  return encode(0x30, fromHex(VERSION_0), algorithm, encode(0x04, der));
}

/** PKCS#1 RSAPublicKey → SubjectPublicKeyInfo: the key as a BIT STRING, under rsaEncryption. */
function fromPkcs1Public(der: Uint8Array): Uint8Array {
  if (sequence(der)[0]?.tag !== 0x02) throw malformed();
  const algorithm = encode(0x30, fromHex(OID_RSA), fromHex(NULL));
  return encode(0x30, algorithm, encode(0x03, new Uint8Array([0]), der));
}

/**
 * SEC1 ECPrivateKey → PKCS#8: the curve moves from the key's own `[0]` parameters into the
 * AlgorithmIdentifier, and the key keeps its version, private value and `[1]` public key.
 */
function fromSec1(der: Uint8Array): Uint8Array {
  const fields = sequence(der);
  const [version, privateKey] = fields;
  const curve = fields.find((field) => field.tag === 0xa0);
  const publicKey = fields.filter((field) => field.tag === 0xa1);
  if (version?.tag !== 0x02 || privateKey?.tag !== 0x04) throw malformed();
  const curveOid = curve ? elements(curve.value)[0] : undefined;
  if (curveOid?.tag !== 0x06) {
    throw new PemKeyError("the EC PRIVATE KEY names no curve; it must be a P-256 (prime256v1) key");
  }
  const inner = encode(
    0x30,
    version.element,
    privateKey.element,
    ...publicKey.map((f) => f.element),
  );
  const algorithm = encode(0x30, fromHex(OID_EC), curveOid.element);
  return encode(0x30, fromHex(VERSION_0), algorithm, encode(0x04, inner));
}

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;

/**
 * Reads the key of a PEM in any of the accepted forms, as PKCS#8 or SPKI. Throws `PemKeyError`
 * with what to do for anything else: an encrypted key, a certificate, another kind of block.
 * An `EC PARAMETERS` block beside the key is skipped.
 */
export function readPemKey(text: string): PemKey {
  const blocks = [...text.matchAll(PEM_BLOCK)].filter((block) => block[1] !== "EC PARAMETERS");
  if (blocks.length !== 1) {
    throw new PemKeyError(blocks.length === 0 ? PKCS8_HELP : "pem must hold exactly one key");
  }
  const [, label, body = ""] = blocks[0] as RegExpMatchArray;
  if (label === "ENCRYPTED PRIVATE KEY" || body.includes("ENCRYPTED")) {
    throw new PemKeyError(
      "the private key is encrypted; decrypt it once with `openssl pkcs8 -topk8 -nocrypt -in key.pem -out key.pkcs8.pem` (it asks for the passphrase) and pass that",
    );
  }
  if (label === "CERTIFICATE") {
    throw new PemKeyError(
      "a certificate is not a key; take its public key with `openssl x509 -pubkey -noout -in cert.pem`",
    );
  }
  let der: Uint8Array;
  try {
    der = Uint8Array.from(atob(body.replace(/\s/g, "")), (c) => c.charCodeAt(0));
  } catch {
    throw malformed();
  }
  switch (label) {
    case "PRIVATE KEY":
      break;
    case "EC PRIVATE KEY":
      der = fromSec1(der);
      break;
    case "RSA PRIVATE KEY":
      der = fromPkcs1Private(der);
      break;
    case "PUBLIC KEY":
      return { kind: "public", type: keyType(sequence(der)[0]), pem: toPem("PUBLIC KEY", der) };
    case "RSA PUBLIC KEY":
      der = fromPkcs1Public(der);
      return { kind: "public", type: "an RSA key", pem: toPem("PUBLIC KEY", der) };
    default:
      throw new PemKeyError(`${PKCS8_HELP}, not ${label}`);
  }
  const [version, algorithm] = sequence(der);
  if (version?.tag !== 0x02) throw malformed();
  return { kind: "private", type: keyType(algorithm), pem: toPem("PRIVATE KEY", der) };
}
