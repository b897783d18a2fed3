/** Minimal server-rendered HTML: every interpolated value goes through `esc`. */

export function esc(value: unknown): string {
  return String(value ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/**
 * A complete page. No scripts at all, so the CSP can forbid them; images only from data: URLs
 * (the declaration QR).
 */
export function page(title: string, body: string, opts: { refreshSeconds?: number } = {}): string {
  const refresh = opts.refreshSeconds ? `<meta http-equiv="refresh" content="${Number(opts.refreshSeconds)}">` : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
${refresh}<title>${esc(title)}</title>
<style>
body{font-family:system-ui,sans-serif;margin:1.5rem;max-width:60rem;color:#222}
table{border-collapse:collapse;margin:.5rem 0 1.5rem}td,th{border:1px solid #ccc;padding:.25rem .6rem;text-align:left}
.num{text-align:right}.bad{color:#b00020;font-weight:600}.ok{color:#16702e}
label{display:block;margin:.5rem 0}fieldset{margin:1rem 0}.figure{font-size:2rem;font-weight:700}
.figures{display:flex;gap:2rem;flex-wrap:wrap}.bar{background:#3b82f6;height:.8rem;display:inline-block}
</style></head><body>
${body}
</body></html>`;
}

export const HTML_SECURITY_HEADERS = {
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
} as const;
