/**
 * Serial relay boards of the LC-Tech kind (USB-serial CH340 + STC MCU, "LCUS-1/2/4", 9600 8N1).
 * One 4-byte frame per command: A0, channel, state (01 on, 00 off), checksum = sum of the first
 * three bytes mod 256. ON channel 1 = A0 01 01 A2, OFF channel 1 = A0 01 00 A1.
 */
import type { DriverDeps } from '../types.js';
import { RelayOutput, type RelaySettings } from './relay-output.js';
import { describeSerialError, type SerialDeviceWords } from '../serial/serial-errors.js';

const RELAY_WORDS: SerialDeviceWords = { device: 'relay board', retry: 'tried again at each pulse', back: 'it is opened again at the next pulse' };

/** The slice of a serialport SerialPort the relay needs. */
export interface RelayPort {
  write(data: Buffer, callback: (err: Error | null | undefined) => void): unknown;
  drain(callback: (err: Error | null) => void): void;
  on(event: 'close' | 'error', listener: (err?: Error | null) => void): unknown;
  removeAllListeners(): unknown;
  readonly isOpen: boolean;
  close(callback?: (err: Error | null) => void): void;
}

export type RelayPortOpener = (options: { path: string; baudRate: number }) => Promise<RelayPort>;

/** The real opener on serialport 13 (loaded only when a serial relay is configured). */
export const openRealRelayPort: RelayPortOpener = async ({ path, baudRate }) => {
  const { SerialPort } = await import('serialport');
  const port = new SerialPort({ path, baudRate, autoOpen: false });
  await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
  return port as unknown as RelayPort;
};

/** LC-Tech frame for `channel` (1..8). */
export function lctechFrame(state: 'on' | 'off', channel: number): Buffer {
  const s = state === 'on' ? 0x01 : 0x00;
  return Buffer.from([0xa0, channel, s, (0xa0 + channel + s) & 0xff]);
}

export interface SerialRelayOptions extends RelaySettings {
  path: string;
  baudRate: number;
  openPort?: RelayPortOpener;
}

export class SerialRelayOutput extends RelayOutput {
  private readonly opts: SerialRelayOptions;
  private port: RelayPort | undefined;

  constructor(opts: SerialRelayOptions, deps: DriverDeps) {
    super(opts, deps, 'serial-relay');
    this.opts = opts;
  }

  protected async ensureOpen(): Promise<void> {
    if (this.port?.isOpen) return;
    await this.release();
    let port: RelayPort;
    try {
      port = await (this.opts.openPort ?? openRealRelayPort)({ path: this.opts.path, baudRate: this.opts.baudRate });
    } catch (err) {
      // The scanner's plain messages, worded for a relay (opened again at the next pulse).
      const problem = describeSerialError(err, this.opts.path, RELAY_WORDS);
      throw Object.assign(new Error(problem.message, { cause: err }), problem.code ? { code: problem.code } : {});
    }
    const drop = () => {
      if (this.port === port) this.port = undefined;
    };
    port.on('close', drop);
    port.on('error', drop);
    this.port = port;
    this.log.info('serial relay opened', { path: this.opts.path, channel: this.opts.channel });
  }

  protected async send(state: 'on' | 'off'): Promise<void> {
    const port = this.port;
    if (!port) throw new Error('serial relay is not open');
    const frame = lctechFrame(state, this.opts.channel);
    await new Promise<void>((resolve, reject) => {
      port.write(frame, (err) => (err ? reject(err) : port.drain((e) => (e ? reject(e) : resolve()))));
    });
  }

  protected async release(): Promise<void> {
    const port = this.port;
    this.port = undefined;
    if (!port) return;
    port.removeAllListeners();
    port.on('error', () => undefined);
    if (!port.isOpen) return;
    await new Promise<void>((resolve) => {
      try {
        port.close(() => resolve());
      } catch {
        resolve();
      }
    });
  }
}
