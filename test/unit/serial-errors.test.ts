/** The plain messages for serial errors as serialport 13 words them (texts captured on Linux). */
import { describe, expect, it } from 'vitest';
import { describeSerialError } from '../../drivers/serial/serial-errors.js';

const PATH = '/dev/ttyACM0';

describe('describeSerialError', () => {
  it.each([
    ['Error Resource temporarily unavailable Cannot lock port', 'EAGAIN', /another program holds it \(the port is locked\)/],
    [`Error: No such file or directory, cannot open ${PATH}`, 'ENOENT', /it does not exist: the scanner is unplugged or has another name/],
    [`Error: Permission denied, cannot open ${PATH}`, 'EACCES', /permission denied: add the kiosk user to the dialout group \(sudo usermod -aG dialout USER/],
    [`Error: Operation not permitted, cannot open ${PATH}`, 'EPERM', /dialout group/],
    [`Error: Device or resource busy, cannot open ${PATH}`, 'EBUSY', /the device is busy: another program or driver holds it \(often ModemManager or brltty/],
    ['Error: Inappropriate ioctl for device setting custom baud rate of 9600', 'ENOTTY', /it is not a serial port/],
    [`Error: Is a directory, cannot open ${PATH}`, 'EISDIR', /it is a directory, not a serial port/],
  ])('%s → %s', (text, code, message) => {
    const p = describeSerialError(new Error(text), PATH);
    expect(p.code).toBe(code);
    expect(p.message).toMatch(message);
    expect(p.message.startsWith(`cannot open ${PATH}: `)).toBe(true);
    expect(p.detail).toBe(text);
  });

  it.each([
    [Object.assign(new Error('bad file descriptor'), { disconnected: true }), 'EBADF'],
    [Object.assign(new Error('Input/output error'), { disconnected: true }), 'EIO'],
    [new Error('Error: Input/output error, cannot read'), 'EIO'],
    [Object.assign(new Error('device path went away'), { disconnected: true }), 'ENOENT'],
  ])('an unplug (%s) → went away, %s kept', (err, code) => {
    const p = describeSerialError(err, PATH);
    expect(p).toMatchObject({ code, message: `${PATH} went away: the scanner was unplugged or its cable came loose; it reconnects by itself when plugged back` });
  });

  it('an errno code on the error wins over its text; an unknown error keeps its own text', () => {
    expect(describeSerialError(Object.assign(new Error('whatever'), { code: 'EBUSY' }), PATH).code).toBe('EBUSY');
    expect(describeSerialError(new Error('something new'), PATH)).toEqual({ message: 'something new', code: undefined, detail: 'something new' });
  });
});

it('a device path that now leads to another device says so', () => {
  const p = describeSerialError(Object.assign(new Error('device path now leads to another device'), { disconnected: true }), PATH);
  expect(p.message).toBe(`${PATH} now leads to another device (a different adapter behind the same name); reconnecting to it`);
});
