/**
 * EU DCC business rules (CertLogic, dgc-business-rules rule.json objects) evaluated with
 * certlogic-js on `{payload, external}`. Rules and value sets come from the trust bundle, which
 * is curated for this checkpoint, so every applicable rule in it is evaluated.
 */
import { evaluate } from 'certlogic-js';
import type { CertLogicExpression } from 'certlogic-js';
import type { DccGroup } from './schema.js';

export interface DccRule {
  Identifier: string;
  Type?: string;
  Country?: string;
  Version?: string;
  CertificateType?: string;
  Description?: { lang: string; desc: string }[];
  ValidFrom?: string;
  ValidTo?: string;
  Engine?: string;
  Logic: unknown;
}

/** The CertLogic `external` parameters (eu-dcc-business-rules, "external parameters"). */
export interface RuleExternal {
  valueSets: Readonly<Record<string, readonly string[]>>;
  /** ISO date-time of the validation clock. */
  validationClock: string;
  /** ISO date-time of the start (00:00Z) of the validation clock's UTC day. */
  validationClockAtStartOfDay?: string;
  countryCode?: string;
  issuerCountryCode?: string;
  /** ISO date-times of the CWT claims. */
  exp?: string;
  iat?: string;
  kid?: string;
  [key: string]: unknown;
}

export interface RuleOutcome {
  rule: DccRule;
  passed: boolean;
  /** Why a rule that did not pass failed: its description, or the evaluation error. */
  detail?: string;
}

const GROUP_TYPE: Record<DccGroup, string> = { v: 'Vaccination', t: 'Test', r: 'Recovery' };

/** Accepts a bundle entry as a rule when it has the fields evaluation needs. */
export function asRule(raw: unknown): DccRule | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const r = raw as Partial<DccRule>;
  if (typeof r.Identifier !== 'string' || r.Logic === undefined) return undefined;
  return r as DccRule;
}

/** The rule's description in `lang`, else English, else the first one, else its identifier. */
export function ruleDescription(rule: DccRule, lang = 'en'): string {
  const d = Array.isArray(rule.Description) ? rule.Description : [];
  const pick = d.find((x) => x?.lang === lang) ?? d.find((x) => x?.lang === 'en') ?? d[0];
  return typeof pick?.desc === 'string' ? pick.desc : rule.Identifier;
}

/** Reason-code-safe rule id (src/shared/reasons.ts: `[\w.-]{1,64}`). */
export function ruleReasonId(rule: DccRule): string {
  const id = rule.Identifier.replace(/[^\w.-]/g, '_').slice(0, 64);
  return id.length > 0 ? id : 'unnamed';
}

function compareVersions(a: string | undefined, b: string | undefined): number {
  const pa = (a ?? '0').split('.').map((n) => Number.parseInt(n, 10) || 0);
  const pb = (b ?? '0').split('.').map((n) => Number.parseInt(n, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

export interface SelectOptions {
  /** Country of arrival: when set, Acceptance rules of other countries are skipped. */
  countryCode?: string;
  /**
   * Issuing country of the DCC: Invalidation rules of other countries are skipped, and when it is
   * not known, every Invalidation rule that names a Country (compared ignoring case).
   */
  issuerCountryCode?: string;
}

/** A bundle rule with what selection compares, worked out once per rule list. */
interface PreparedRule {
  rule: DccRule;
  /** CertificateType, "General" when absent. */
  certificateType: string;
  /** Epoch ms of ValidFrom / ValidTo (NaN when unparseable, so never satisfied); undefined when absent. */
  validFromMs: number | undefined;
  validToMs: number | undefined;
}

/**
 * Rule lists are the trust index's (frozen, kept for the bundle's lifetime): each is prepared
 * once instead of parsing every rule's dates on every scan.
 */
const prepared = new WeakMap<readonly unknown[], readonly PreparedRule[]>();

function prepare(rules: readonly unknown[]): readonly PreparedRule[] {
  let list = prepared.get(rules);
  if (!list) {
    const out: PreparedRule[] = [];
    for (const raw of rules) {
      const rule = asRule(raw);
      if (!rule) continue;
      if (rule.Engine !== undefined && rule.Engine.toUpperCase() !== 'CERTLOGIC') continue;
      out.push({
        rule,
        certificateType: rule.CertificateType ?? 'General',
        validFromMs: rule.ValidFrom !== undefined ? Date.parse(rule.ValidFrom) : undefined,
        validToMs: rule.ValidTo !== undefined ? Date.parse(rule.ValidTo) : undefined,
      });
    }
    list = out;
    // Only frozen lists (the trust index's) are kept: a mutable list could change under the cache.
    if (Object.isFrozen(rules)) prepared.set(rules, list);
  }
  return list;
}

/**
 * Rules that apply to a DCC of `group` at `at`: CertLogic engine, CertificateType General or
 * matching the group, ValidFrom ≤ at < ValidTo, and the country filters (SelectOptions; codes
 * compared ignoring case). Of several versions of
 * one Identifier valid at `at`, only the highest Version applies.
 */
export function selectRules(rules: readonly unknown[], group: DccGroup, at: Date, opts: SelectOptions = {}): DccRule[] {
  if (rules.length === 0) return [];
  const t = at.getTime();
  // ISO 3166 codes compared whatever their case: a CWT iss "vn" is Country "VN".
  const countryCode = opts.countryCode?.toUpperCase();
  const issuerCountryCode = opts.issuerCountryCode?.toUpperCase();
  const byId = new Map<string, DccRule>();
  for (const p of prepare(rules)) {
    const rule = p.rule;
    if (p.certificateType !== 'General' && p.certificateType !== GROUP_TYPE[group]) continue;
    if (p.validFromMs !== undefined && !(p.validFromMs <= t)) continue;
    if (p.validToMs !== undefined && !(t < p.validToMs)) continue;
    if (countryCode && (rule.Type ?? 'Acceptance') === 'Acceptance' && rule.Country && rule.Country.toUpperCase() !== countryCode) continue;
    // An Invalidation rule of a country lists that country's certificates: it applies only when
    // the DCC is known to be one of them (eu-dcc-business-rules; the EU verifier apps select
    // Invalidation rules by the issuing country). An issuer the kiosk cannot name is no country's.
    if (rule.Type === 'Invalidation' && rule.Country && rule.Country.toUpperCase() !== issuerCountryCode) continue;
    const prev = byId.get(rule.Identifier);
    if (!prev || compareVersions(rule.Version, prev.Version) > 0) byId.set(rule.Identifier, rule);
  }
  return [...byId.values()];
}

/** Evaluates one rule. A rule passes only when the result is exactly `true`; a throw is a failure. */
export function evaluateRule(rule: DccRule, payload: unknown, external: unknown): RuleOutcome {
  let result: unknown;
  try {
    result = evaluate(rule.Logic as CertLogicExpression, { payload, external });
  } catch (err) {
    const why = err instanceof Error ? err.message.slice(0, 200) : 'unknown error';
    return { rule, passed: false, detail: `rule could not be evaluated: ${why}` };
  }
  if (result === true) return { rule, passed: true };
  return { rule, passed: false, detail: ruleDescription(rule) };
}

export function evaluateRules(rules: readonly DccRule[], payload: unknown, external: RuleExternal): RuleOutcome[] {
  return rules.map((r) => evaluateRule(r, payload, external));
}
