/**
 * What to tell about a text no format recognised (`unknown-format`) when it is recognisably a
 * credential whose prefix is written wrongly or comes after other text: "HC1" without its colon,
 * white space inside the prefix ("HC1 :"), "shc:" without its "/", or "HC1:" behind a URL or a
 * label a scanner or an app put before it. The prefixes are the formats' own (eu-dcc-hcert-spec
 * §4 "HC1:", the SMART Health Cards framework's "shc:/", our CKD1:/CKP1:); a credential is read
 * only when its text starts with its prefix, so these stay unknown-format, but the message names
 * what is wrong instead of only "no supported credential format recognised". Asked only for a
 * text already refused: no cost on a valid scan.
 */

interface Prefix {
  /** The prefix as the format writes it. */
  text: string;
  /** The prefix without its last character (the separator). */
  stem: string;
  /** The separator a wrong spelling leaves out, in words. */
  separator: string;
  what: string;
  /** The characters that follow the prefix in the format (one QR code's worth at least 16 of them). */
  body: RegExp;
}

const BASE45_BODY = /^(?:[0-9A-Z $%*+\-./:]{16,}|[0-9a-z $%*+\-./:]{16,})$/;
const PREFIXES: readonly Prefix[] = [
  { text: 'HC1:', stem: 'HC1', separator: 'its colon', what: 'an EU DCC', body: BASE45_BODY },
  { text: 'CKD1:', stem: 'CKD1', separator: 'its colon', what: 'a signed declaration', body: BASE45_BODY },
  { text: 'CKP1:', stem: 'CKP1', separator: 'its colon', what: 'a provisioning card', body: BASE45_BODY },
  { text: 'shc:/', stem: 'shc:', separator: 'its "/"', what: 'a SMART Health Card', body: /^\d{16,}$/ },
];

/** The least number of body characters after a prefix found inside the text. */
const MIN_BODY = 16;

/**
 * Why `text` (normalised, recognised by no format) looks like a credential with its prefix
 * written wrongly or not at its start, or undefined when it does not.
 */
export function unknownFormatHint(text: string): string | undefined {
  for (const p of PREFIXES) {
    const stemLength = p.stem.length;
    if (text.length <= stemLength || text.slice(0, stemLength).toLowerCase() !== p.stem.toLowerCase()) continue;
    const rest = text.slice(stemLength);
    // "HC1 :…": white space between the stem and its separator.
    const spaced = /^\s+(\S)/.exec(rest);
    const sep = p.text[p.text.length - 1]!;
    if (spaced && spaced[1] === sep && p.body.test(rest.slice(spaced[0].length))) {
      return `the text starts with ${JSON.stringify(text.slice(0, stemLength + spaced[0].length))}, white space inside the prefix "${p.text}" of ${p.what}`;
    }
    // "HC1NCF…", "HC1 NCF…", "shc:5676…": the separator left out.
    if (rest[0] !== sep && p.body.test(rest.replace(/^\s+/, ''))) {
      return `the text starts with ${JSON.stringify(text.slice(0, stemLength))} but not with the prefix "${p.text}" (${p.separator} is missing): ${p.what} starts with "${p.text}"`;
    }
  }
  for (const p of PREFIXES) {
    const at = text.indexOf(p.text, 1);
    if (at > 0 && text.length - at - p.text.length >= MIN_BODY && p.body.test(text.slice(at + p.text.length).split(/\s/, 1)[0]!)) {
      return `the text holds "${p.text}" at character ${at + 1}, not at its start: ${p.what} starts with "${p.text}" (was something added before it?)`;
    }
  }
  return undefined;
}
