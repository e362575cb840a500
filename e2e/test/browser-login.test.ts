// `hla-compass auth login` in the browser (PKCE, SPEC §4): the installed CLI prints the console's
// sign-in URL (--no-browser), the test plays the browser on the emulator's console page, and the
// session that comes back works for the commands that follow.
import { spawn } from 'node:child_process';
import { signInOnConsole } from '@hla-compass/testkit';
import { describe, expect, it } from 'vitest';
import { newUserMachine, transcript, world } from './user-machine.js';

const LOGIN_URL = /(http:\/\/127\.0\.0\.1:\d+\/dev\/cli-login\?\S+)/;

describe('auth login in the browser', () => {
  it('signs in through the console page’s form with PKCE, and the stored session works', async () => {
    const machine = await newUserMachine();
    const child = spawn(world.cliBin, ['auth', 'login', '--env', 'dev', '--no-browser'], {
      cwd: machine.home,
      env: machine.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    const exited = new Promise<number>((resolve) => {
      child.on('close', (code) => {
        transcript.push(stdout, stderr);
        resolve(code ?? -1);
      });
    });
    const loginUrl = await new Promise<string>((resolve, reject) => {
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
        stderr += chunk;
        const match = LOGIN_URL.exec(stderr);
        if (match?.[1]) resolve(match[1]);
      });
      void exited.then((code) =>
        reject(new Error(`auth login exited (${code}) before printing a URL:\n${stderr}`)),
      );
    });
    const url = new URL(loginUrl);
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(url.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(url.searchParams.get('redirect_uri')).toMatch(
      /^http:\/\/127\.0\.0\.1:\d+\/cli-callback$/,
    );

    const signIn = await signInOnConsole(loginUrl, world.accounts.developer);
    expect(signIn.callbackUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/cli-callback\?/);
    expect(signIn.landingPage).toContain('You can close this tab');
    expect(await exited).toBe(0);
    expect(stdout).toContain(`Logged in to dev as ${world.accounts.developer.email}`);

    const status = await machine.hlaCompass(['auth', 'status', '--env', 'dev', '--json']);
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({
      environment: 'dev',
      authenticated: true,
      method: 'browser',
      user: { email: world.accounts.developer.email },
      roles: ['developer'],
    });
    const list = await machine.hlaCompass(['modules', 'list', '--env', 'dev', '--json']);
    expect(list.code).toBe(0);
  });
});
