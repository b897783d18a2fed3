/**
 * The declaration pages: the form (every value the person sent written back, each problem next
 * to its field, linked by aria-describedby) and the issued QR. Plain HTML, no scripts; every
 * value goes through `esc`.
 */
import { esc } from '../html.js';
import { LANGS } from '../i18n.js';
import type { Lang } from '../i18n.js';
import { ID_TYPES, SYMPTOMS, TEST_CHOICES } from './form.js';
import type { Field, FormValues, Problem } from './form.js';
import { DECLARE_STRINGS } from './strings.js';
import type { DeclareStrings } from './strings.js';

export const EMPTY_FORM: FormValues = {
  idType: 'cccd',
  idNo: '',
  name: '',
  dob: '',
  from: '',
  to: '',
  purpose: '',
  symptoms: [],
  exposure: false,
  testResult: 'none',
  testAt: '',
};

function shell(lang: Lang, title: string, body: string): string {
  const t = DECLARE_STRINGS[lang];
  const langs = LANGS.map((l) => (l === lang ? `<b aria-current="true">${l.toUpperCase()}</b>` : `<a href="/declare?lang=${l}" hreflang="${l}">${l.toUpperCase()}</a>`)).join('');
  return `<!doctype html>
<html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title><link rel="icon" href="data:,"><link rel="stylesheet" href="/assets/declare.css"></head><body>
<header class="bar"><span class="logo" aria-hidden="true">✚</span><b>${esc(t.title)}</b><span class="langs" aria-label="${esc(t.language)}">${langs}</span></header>
<main>${body}</main></body></html>`;
}

function problemText(t: DeclareStrings, p: Problem): string {
  const e = t.errors[p.code];
  return typeof e === 'function' ? e(p.max ?? 0) : e;
}

export function renderForm(lang: Lang, values: FormValues = EMPTY_FORM, problems: Partial<Record<Field, Problem>> = {}, general?: string): string {
  const t = DECLARE_STRINGS[lang];
  const count = Object.keys(problems).length;
  const err = (f: Field) => {
    const p = problems[f];
    return p ? `<span class="field-error" id="err-${f}">${esc(problemText(t, p))}</span>` : '';
  };
  const attrs = (f: Field) => (problems[f] ? ` aria-invalid="true" aria-describedby="err-${f}"` : '');
  const tag = (required: boolean) => `<span class="tag">${esc(required ? t.required : t.optional)}</span>`;
  const input = (f: Exclude<Field, 'symptoms' | 'idType' | 'testResult'>, label: string, required: boolean, extra = '', hint = '') =>
    `<label class="field${problems[f] ? ' invalid' : ''}"><span class="label">${esc(label)} ${tag(required)}</span>${hint ? `<small>${esc(hint)}</small>` : ''}<input name="${f}" value="${esc(values[f])}"${required ? ' required' : ''}${extra}${attrs(f)}>${err(f)}</label>`;
  const select = (f: 'idType' | 'testResult', label: string, options: readonly string[], names: Record<string, string>, required: boolean) =>
    `<label class="field${problems[f] ? ' invalid' : ''}"><span class="label">${esc(label)} ${tag(required)}</span><select name="${f}"${attrs(f)}>${options
      .map((o) => `<option value="${esc(o)}"${values[f] === o ? ' selected' : ''}>${esc(names[o] ?? o)}</option>`)
      .join('')}</select>${err(f)}</label>`;
  const symptoms = SYMPTOMS.map(
    (s) => `<label class="check"><input type="checkbox" name="symptoms" value="${esc(s)}"${values.symptoms.includes(s) ? ' checked' : ''}><span>${esc(t.symptoms[s])}</span></label>`,
  ).join('');
  const summary = general
    ? `<div class="alert" role="alert">${esc(general)}</div>`
    : count
      ? `<div class="alert" role="alert">${esc(t.fixErrors(count))}</div>`
      : '';
  return shell(
    lang,
    t.title,
    `<h1>${esc(t.title)}</h1><p class="lead">${esc(t.lead)}</p>${summary}
<form method="post" action="/declare" novalidate>
<input type="hidden" name="lang" value="${lang}">
<fieldset><legend>${esc(t.traveller)}</legend><div class="row">
${select('idType', t.idType, ID_TYPES, t.idTypes, true)}
${input('idNo', t.idNo, true, ' maxlength="32" autocomplete="off" inputmode="text"', t.idNoHint)}</div>
${input('name', t.name, true, ' maxlength="100" autocomplete="name"')}
${input('dob', t.dob, true, ' type="date" autocomplete="bday"')}</fieldset>
<fieldset><legend>${esc(t.trip)}</legend><div class="row">
${input('from', t.from, true, ' maxlength="100"')}
${input('to', t.to, true, ' maxlength="100"')}</div>
${input('purpose', t.purpose, false, ' maxlength="100"')}</fieldset>
<fieldset><legend>${esc(t.health)}</legend>
<div class="group${problems.symptoms ? ' invalid' : ''}"><span class="label">${esc(t.symptomsLegend)} ${tag(false)}</span><div class="checks">${symptoms}</div>${err('symptoms')}</div>
<label class="check exposure"><input type="checkbox" name="exposure" value="yes"${values.exposure ? ' checked' : ''}><span>${esc(t.exposure)}</span></label>
<div class="row">${select('testResult', t.testResult, TEST_CHOICES, t.tests, false)}
${input('testAt', t.testAt, false, ' type="date"', t.testAtHint)}</div></fieldset>
<button type="submit">${esc(t.submit)}</button>
</form>`,
  );
}

export function renderIssued(lang: Lang, qrDataUrl: string, qrText: string, validUntil: string, validHours: number): string {
  const t = DECLARE_STRINGS[lang].done;
  return shell(
    lang,
    t.title,
    `<h1>${esc(t.title)}</h1><div class="issued"><img alt="${esc(t.qrAlt)}" src="${esc(qrDataUrl)}">
<p class="lead">${esc(t.show)}</p><p>${esc(t.validUntil)} <b>${esc(validUntil)}</b> (${esc(t.hours(validHours))})</p></div>
<details><summary>${esc(t.content)}</summary><pre>${esc(qrText)}</pre></details>
<p><a class="button" href="/declare">${esc(t.again)}</a></p>`,
  );
}

/** CSP of the declaration pages: no scripts at all; styles from this server; the QR as data: image. */
export const DECLARE_SECURITY_HEADERS = {
  'content-security-policy': "default-src 'none'; style-src 'self'; img-src data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cache-control': 'no-store',
} as const;
