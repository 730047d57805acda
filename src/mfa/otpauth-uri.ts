import { TOTP_DIGITS, TOTP_PERIOD_SECONDS } from "./totp.js";

/**
 * The Key URI an authenticator app reads from a QR code (Google Authenticator's "Key Uri
 * Format", which every app follows): `otpauth://totp/<issuer>:<account>?secret=…&issuer=…`.
 * The format lets the separator be a literal or an encoded colon, so apps split the label at
 * its first colon after decoding it: an issuer with a colon (the default `appName` of a dev
 * server, `localhost:3000`) would cut the label in the wrong place. A colon in the issuer is
 * therefore written as a space, in the label and the `issuer` parameter alike (apps expect the
 * two to be equal).
 */
export function otpauthURI(input: { issuer: string; account: string; secret: string }): string {
  const issuer = input.issuer.replace(/:/g, " ");
  const label = `${encodeURIComponent(issuer)}:${encodeURIComponent(input.account)}`;
  const params = [
    `secret=${input.secret}`,
    `issuer=${encodeURIComponent(issuer)}`,
    "algorithm=SHA1",
    `digits=${TOTP_DIGITS}`,
    `period=${TOTP_PERIOD_SECONDS}`,
  ];
  return `otpauth://totp/${label}?${params.join("&")}`;
}
