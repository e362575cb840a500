import { describe, expect, it } from 'vitest';
import { Settings, variables } from '../src/config/variables.js';
import { colorEnabled } from '../src/terminal.js';

describe('Settings', () => {
  it('falls back to the default each seconds variable documents', () => {
    const timed = variables.filter((variable) => 'defaultSeconds' in variable);
    expect(timed.map((variable) => variable.name)).toEqual([
      'HLA_COMPASS_CLI_LOGIN_TIMEOUT_SECONDS',
      'HLA_COMPASS_HTTP_TIMEOUT_SECONDS',
      'HLA_COMPASS_PUSH_IDLE_TIMEOUT_SECONDS',
    ]);
    for (const variable of timed) {
      expect(new Settings({}).seconds(variable.name), variable.name).toBe(Number(variable.default));
    }
    expect(
      new Settings({ HLA_COMPASS_HTTP_TIMEOUT_SECONDS: '7' }).seconds(
        'HLA_COMPASS_HTTP_TIMEOUT_SECONDS',
      ),
    ).toBe(7);
  });

  it('gives colour by NO_COLOR and FORCE_COLOR as read through the settings', () => {
    const tty = { write: () => true, isTTY: true };
    expect(colorEnabled(tty, new Settings({}))).toBe(true);
    expect(colorEnabled(tty, new Settings({ NO_COLOR: '1', FORCE_COLOR: '1' }))).toBe(false);
    expect(colorEnabled(tty, new Settings({ NO_COLOR: '' }))).toBe(true);
    expect(colorEnabled({ write: () => true }, new Settings({ FORCE_COLOR: '1' }))).toBe(true);
    expect(colorEnabled(tty, new Settings({ FORCE_COLOR: '0' }))).toBe(false);
    expect(colorEnabled(tty, new Settings({ TERM: 'dumb' }))).toBe(false);
  });
});
