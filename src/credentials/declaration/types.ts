/**
 * The CKD1 signed entry declaration (docs/FORMATS.md, contract). On the wire, CWT claim "decl" is a
 * CBOR map `{v: 1, id, sub: {idType, idNo, name, dob}, trip: {from, to, purpose},
 * health: {symptoms: [..], exposure, test?: {result, at}}}`; `v` is added by the issuer.
 */
import type { Subject } from '../../shared/types.js';

export type DeclarationIdType = NonNullable<Subject['idType']>;
export type TestResult = 'positive' | 'negative' | 'inconclusive';

export interface Declaration {
  /** The declaration's own id (what a status list can block). */
  id: string;
  sub: {
    idType: DeclarationIdType;
    idNo: string;
    name: string;
    /** ISO date, possibly partial ('1990', '1990-05'). */
    dob: string;
  };
  trip: { from: string; to: string; purpose: string };
  health: {
    /** Declared symptoms (free text codes such as 'fever', 'cough'); empty when none. */
    symptoms: string[];
    /** Contact with a confirmed case. */
    exposure: boolean;
    /** Most recent test, if declared. `at`: ISO date or date-time. */
    test?: { result: TestResult; at: string };
  };
}

/** Bounds on every field (characters / items). A declaration must fit in one QR code. */
export const DECLARATION_LIMITS = {
  idChars: 64,
  idNoChars: 32,
  nameChars: 100,
  placeChars: 100,
  purposeChars: 100,
  symptoms: 16,
  symptomChars: 64,
  issChars: 256,
} as const;

export const CKD1_PREFIX = 'CKD1:';

/** Longest validity an issuer may set, and a verifier accepts (hours): 30 days. */
export const MAX_VALID_HOURS = 24 * 30;
