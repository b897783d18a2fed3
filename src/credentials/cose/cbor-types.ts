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

/** A map key as a path segment: `.name` for identifier-like text, `["…"]` for other text, `[n]` for an integer. */
function keySegment(key: CborKey): string {
  if (typeof key === 'string') return /^[A-Za-z_][\w]{0,31}$/.test(key) ? `.${key}` : `[${JSON.stringify(key.length > 32 ? `${key.slice(0, 32)}…` : key)}]`;
  return `[${String(key)}]`;
}

/** A key as the message shows it: text quoted (at most 32 characters), an integer as written. */
function keyText(key: CborKey): string {
  return typeof key === 'string' ? JSON.stringify(key.length > 32 ? `${key.slice(0, 32)}…` : key) : String(key);
}

/**
 * A map holding one key twice (RFC 8949 §5.6: not valid CBOR for our purposes; a reader could
 * take either value). Names the key and the place of the map, from the top of the item: `$` is
 * the top, `[-260][1]` integer keys, `.v[0]` a text key then an array index. The decoder adds the
 * path while the error travels out of the nested maps and arrays (within()).
 */
export class CborDuplicateKeyError extends CborError {
  /** Path segments from the top item to the map holding the key twice. */
  private readonly segments: string[] = [];

  constructor(readonly key: CborKey) {
    super('invalid', '');
    this.message = this.describe();
  }

  /** The map path: `$` then the segments. */
  get path(): string {
    return `$${this.segments.join('')}`;
  }

  /** Called by the decoder on the way out: the error happened inside the value at map key or array index `at`. */
  within(at: CborKey | { index: number }): void {
    this.segments.unshift(typeof at === 'object' ? `[${at.index}]` : keySegment(at));
    this.message = this.describe();
  }

  private describe(): string {
    return `duplicate map key ${keyText(this.key)} in the map at ${this.path}`;
  }
}

export function isCborMap(value: CborValue): value is CborMap {
  return value instanceof Map;
}
