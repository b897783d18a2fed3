/**
 * A distinct sound per verdict (Web Audio, no files): rising two-tone for accept, a double
 * mid beep for refer, a low long buzz for reject, one short blip for "already checked in", a
 * shorter, lower one for one code of a multi-QR card read.
 * The AudioContext is created lazily; kiosks run Chromium/Electron with autoplay allowed.
 */
export type SoundKind = 'accept' | 'refer' | 'reject' | 'duplicate' | 'fault' | 'chunk';

/** [frequency Hz, start s, duration s, waveform] */
type Tone = [number, number, number, OscillatorType];

const PATTERNS: Record<SoundKind, Tone[]> = {
  accept: [[880, 0, 0.12, 'sine'], [1320, 0.13, 0.18, 'sine']],
  refer: [[660, 0, 0.15, 'triangle'], [660, 0.25, 0.15, 'triangle']],
  reject: [[220, 0, 0.6, 'square']],
  duplicate: [[990, 0, 0.08, 'sine']],
  fault: [[180, 0, 0.3, 'sawtooth'], [180, 0.4, 0.3, 'sawtooth']],
  // One QR code of a multi-QR card read: a short mid blip, "go on".
  chunk: [[740, 0, 0.06, 'sine']],
};

let ctx: AudioContext | undefined;

export function playSound(kind: SoundKind): void {
  try {
    ctx ??= new AudioContext();
    const now = ctx.currentTime;
    for (const [freq, start, duration, type] of PATTERNS[kind]) {
      const osc = ctx.createOscillator();
      const gain = ctx.createGain();
      osc.type = type;
      osc.frequency.value = freq;
      gain.gain.setValueAtTime(0.25, now + start);
      gain.gain.exponentialRampToValueAtTime(0.001, now + start + duration);
      osc.connect(gain).connect(ctx.destination);
      osc.start(now + start);
      osc.stop(now + start + duration + 0.02);
    }
  } catch {
    // No audio device: the screen still shows icon, colour and words.
  }
}
