import QRCode from 'qrcode';

/**
 * The ticket code as a QR code in SVG, for the order page and for printing. Medium error
 * correction (15 %) survives a scratched phone screen or a crumpled print-out; the 4-module
 * quiet zone is what scanners expect around the code.
 */
export const qrSvgOf = (code: string): Promise<string> => QRCode.toString(code, { type: 'svg', errorCorrectionLevel: 'M', margin: 4 });
