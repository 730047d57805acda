import qrcode from "qrcode-generator";

/**
 * The QR code of an otpauth:// URI as an SVG `data:` URL, for an `<img>`. Made in the browser
 * by qrcode-generator: the URI holds the two-factor secret, so it never goes to a QR code
 * service. As an image, the SVG can run nothing and read nothing of the page.
 */
export function qrCodeImage(uri: string): string {
  const qr = qrcode(0, "M");
  qr.addData(uri);
  qr.make();
  const svg = qr.createSvgTag({ cellSize: 4, margin: 16, scalable: true });
  return `data:image/svg+xml,${encodeURIComponent(svg)}`;
}
