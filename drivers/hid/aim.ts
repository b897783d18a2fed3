/**
 * AIM symbology identifiers (ISO/IEC 15424: ']' + code character + modifier digit) mapped to the
 * symbology names carried in ScanEvent.symbology. Only the code character decides the family;
 * a few modifiers refine it (]C1 = GS1-128, ]E4 = EAN-8, ]d2 = GS1 DataMatrix, ]Q3/]Q5 = GS1 QR).
 */

const BY_CODE: Record<string, string> = {
  A: 'code39',
  B: 'telepen',
  C: 'code128',
  E: 'ean-upc',
  F: 'codabar',
  G: 'code93',
  H: 'code11',
  I: 'itf',
  K: 'code16k',
  L: 'pdf417',
  M: 'msi',
  O: 'codablock',
  P: 'plessey',
  Q: 'qr',
  R: 'straight-2of5',
  S: 'straight-2of5',
  T: 'code49',
  U: 'maxicode',
  X: 'other',
  Z: 'non-barcode',
  c: 'channel-code',
  d: 'datamatrix',
  e: 'gs1-databar',
  h: 'hanxin',
  o: 'ocr',
  z: 'aztec',
};

const BY_FULL_ID: Record<string, string> = {
  ']C1': 'gs1-128',
  ']E0': 'ean13',
  ']E4': 'ean8',
  ']d2': 'gs1-datamatrix',
  ']Q3': 'gs1-qr',
  ']Q5': 'gs1-qr',
};

/** True when `aim` looks like an AIM id: ']', a letter, one printable modifier character. */
export function isAimId(aim: string): boolean {
  return /^\][A-Za-z][\x21-\x7e]$/.test(aim);
}

/** Symbology name for an AIM id; undefined when it is not an AIM id or the code is unknown. */
export function symbologyFromAim(aim: string): string | undefined {
  if (!isAimId(aim)) return undefined;
  return BY_FULL_ID[aim] ?? BY_CODE[aim.charAt(1)];
}
