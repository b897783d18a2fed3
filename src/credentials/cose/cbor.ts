/**
 * CBOR (RFC 8949): the bounded decoder, the small encoder and their shared value model.
 * Import from here; the split into files only keeps each one short.
 */
export { CborDuplicateKeyError, CborError, CborSimple, CborTag, isCborMap } from './cbor-types.js';
export type { CborErrorCode, CborJson, CborKey, CborMap, CborValue } from './cbor-types.js';
export { decodeCbor, decodeCborJsonAt } from './cbor-decode.js';
export type { CborDecodeOptions } from './cbor-decode.js';
export { encodeCbor } from './cbor-encode.js';
export type { CborEncodable } from './cbor-encode.js';
