/**
 * The value model shared by the CBOR decoder and encoder (RFC 8949).
 *
 * - unsigned/negative integers: `number` when they fit in a safe integer, else `bigint`
 * - byte strings: `Uint8Array`; text strings: `string`
 * - arrays: `CborValue[]`; maps: `Map` keyed by integers or text (other key types are refused)
 * - tags: `CborTag`; floats: `number`; false/true/null/undefined as themselves;
 *   other simple values: `CborSimple`
 */

export type CborKey = number | bigint | string;

export type CborValue =
  | number
  | bigint
  | string
  | Uint8Array
  | boolean
  | null
  | undefined
  | CborValue[]
  | CborMap
  | CborTag
  | CborSimple;

export type CborMap = Map<CborKey, CborValue>;

/** Plain JSON data (RFC 8259): what decodeCborJsonAt builds directly for one item. */
export type CborJson = string | number | boolean | null | CborJson[] | { [key: string]: CborJson };

export class CborTag {
  constructor(
    readonly tag: number,
    readonly value: CborValue,
  ) {}
}

/** A simple value other than false/true/null/undefined (0–19, 32–255). */
export class CborSimple {
  constructor(readonly value: number) {}
}

/** Every malformed or over-limit input ends in this error; `code` is stable for callers/tests. */
export type CborErrorCode =
  | 'truncated'
  | 'too-deep'
  | 'too-many-items'
  | 'too-large'
  | 'invalid'
  | 'trailing-bytes'
  | 'unsupported';

export class CborError extends Error {
  override readonly name = 'CborError';
  constructor(
    readonly code: CborErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export function isCborMap(value: CborValue): value is CborMap {
  return value instanceof Map;
}
