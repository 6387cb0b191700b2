/**
 * The ticket code as a QR code in SVG, for the order page and for printing. Medium error
 * correction (15 %) survives a scratched phone screen or a crumpled print-out; the 4-module
 * quiet zone is what scanners expect around the code. qrcode (57 modules with pngjs) is loaded
 * by the first code shown, not by every orders process at start.
 */
export const qrSvgOf = async (code: string): Promise<string> => {
  const { default: QRCode } = await import('qrcode');
  return QRCode.toString(code, { type: 'svg', errorCorrectionLevel: 'M', margin: 4 });
};
