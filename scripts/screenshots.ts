/**
 * `npm run screenshots`: PNGs of every screen and state, in Vietnamese and English, written to
 * docs/screens/ (linked from the README) so a reader sees the product before running it.
 *
 * The real kiosk service in web mode (SQLite in a temp dir, a serial scanner on a socat pty, the
 * test harness of test/helpers/ui-kiosk.ts) and Debian's Chromium at 1280×800. Every verdict comes
 * from a real scan; only the storage-fault screen is provoked by emitting the kiosk's `fault`
 * event (breaking the disk on purpose is the crash tests' job, not a screenshot's).
 *
 * Needs socat and /usr/bin/chromium, like the e2e tests.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { holdCorner, REPO_ROOT, startUiKiosk, type UiKiosk } from '../test/helpers/ui-kiosk.js';
import { CCCD_VALID } from '../test/fixtures/identity/samples.js';

const OUT = path.join(REPO_ROOT, 'docs', 'screens');
const LANGS = ['vi', 'en'] as const;
const PIN = '246813';

/** Per language, different people: a second language's first scan must not be a duplicate. */
const CARDS = {
  vi: { accept: CCCD_VALID[0]!.text, refer: CCCD_VALID[2]!.text },
  en: { accept: CCCD_VALID[1]!.text, refer: CCCD_VALID[4]!.text },
};

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  const k = await startUiKiosk({
    statusList: [
      { id: '048162004321', status: 'f1' },
      { id: '040199887766', status: 'f1' },
    ],
  });
  const written: string[] = [];
  const shot = async (name: string) => {
    const file = path.join(OUT, `${name}.png`);
    await k.page.screenshot({ path: file });
    written.push(path.relative(REPO_ROOT, file));
  };
  try {
    const tech = await k.api.techSetup(k.setupCode(), PIN);
    if (!tech.ok) throw new Error('technician setup failed');
    await k.api.techConfigure(tech.session, { checkpointName: 'Chốt QL1A Pháp Vân' });
    const { code } = await k.api.techIssueOfficerCode(tech.session, 'CB-0417');

    for (const lang of LANGS) {
      await k.api.techConfigure(tech.session, { profile: 'venue' });
      await venue(k, lang, shot);
    }
    await k.api.techConfigure(tech.session, { profile: 'booth' });
    for (const lang of LANGS) await booth(k, lang, code, shot);
    for (const lang of LANGS) await technician(k, lang, shot);
    await k.api.techLock(tech.session);
  } finally {
    await k.close();
  }
  process.stdout.write(`${written.length} screenshots:\n${written.map((f) => `  ${f}`).join('\n')}\n`);
}

type Shot = (name: string) => Promise<void>;

async function open(k: UiKiosk, lang: string): Promise<void> {
  await k.page.goto(`${k.ui.url}&lang=${lang}&resultMs=60000`);
  await k.page.waitForSelector('[data-screen="attract"]');
  await k.page.waitForSelector('[data-testid="net"]');
}

async function verdict(k: UiKiosk, text: string, tone: string): Promise<void> {
  await k.scan(text);
  await k.page.waitForSelector(`[data-screen="result"][data-verdict="${tone}"]`);
}

async function venue(k: UiKiosk, lang: 'vi' | 'en', shot: Shot): Promise<void> {
  await open(k, lang);
  await shot(`${lang}-venue-attract`);
  await verdict(k, CARDS[lang].accept, 'accept');
  await shot(`${lang}-venue-accept`);
  await verdict(k, CARDS[lang].refer, 'refer');
  await shot(`${lang}-venue-refer`);
  await verdict(k, `HELLO-NOT-A-CREDENTIAL-${lang}`, 'reject');
  await shot(`${lang}-venue-reject`);
  await verdict(k, CARDS[lang].accept, 'duplicate');
  await shot(`${lang}-venue-duplicate`);
  k.kiosk.emit('fault', { scan: { source: 'serial', deviceId: 'serial:screenshot', text: '', receivedAt: Date.now() }, message: 'disk full' });
  await k.page.waitForSelector('[data-screen="result"][data-verdict="fault"]');
  await shot(`${lang}-venue-fault`);
}

async function booth(k: UiKiosk, lang: 'vi' | 'en', code: string, shot: Shot): Promise<void> {
  await open(k, lang);
  await k.page.waitForSelector('[data-testid="officer-sign-in"]');
  await shot(`${lang}-booth-signed-out`);
  await k.page.click('[data-testid="officer-sign-in"]');
  await k.page.fill('input[name="officerId"]', 'CB-0417');
  await k.page.fill('input[name="code"]', code);
  await shot(`${lang}-booth-sign-in`);
  await k.page.click('button[type="submit"]');
  await k.page.waitForSelector('[data-screen="booth"] [data-testid="recent"] button');
  const rejected = [...k.kiosk.store.all()].find((c) => c.verdict === 'reject')!;
  await k.page.click(`[data-id="${rejected.id}"]`);
  await k.page.waitForSelector('[data-testid="details"]');
  await k.page.mouse.move(1270, 790);
  await shot(`${lang}-booth-signed-in`);
  await k.page.click('[data-testid="sign-out"]');
  await k.page.waitForSelector('[data-screen="attract"]');
}

async function technician(k: UiKiosk, lang: 'vi' | 'en', shot: Shot): Promise<void> {
  await open(k, lang);
  await holdCorner(k.page);
  await k.page.waitForSelector('[data-screen="tech-pin"]');
  await shot(`${lang}-technician-pin`);
  await k.page.fill('input[name="pin"]', PIN);
  await k.page.click('button[type="submit"]');
  await k.page.waitForSelector('[data-screen="tech"] [data-testid="tech-scanners"] [data-state="connected"]');
  await k.page.mouse.move(1270, 790);
  await shot(`${lang}-technician`);
  await k.page.click('[data-testid="tech-leave"]');
  await k.page.waitForSelector('[data-screen="attract"]');
}

main().catch((err: unknown) => {
  process.stderr.write(`screenshots: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
