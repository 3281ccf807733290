import { posix, win32 } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  appOrigin,
  isAppUrl,
  isTrustedSender,
  isVettedExternalUrl,
  permissionDecision,
  resolveAppFile,
} from '../../electron/guards.ts';

describe('isAppUrl: the only place a window may navigate to', () => {
  it.each([`${appOrigin}/`, `${appOrigin}/index.html`, `${appOrigin}/assets/app.js?v=1#top`])('accepts %s', (url) => {
    expect(isAppUrl(url)).toBe(true);
  });

  it.each([
    'app://evil/',
    'app://tilldesk.evil.com/',
    'app://tilldesk@evil/',
    'app://tilldesk:8080/',
    'https://tilldesk/',
    'http://127.0.0.1:5180/',
    'file:///etc/passwd',
    'javascript:alert(1)',
    'app:tilldesk',
    'not a url',
    '',
    undefined,
    null,
  ])('refuses %s', (url) => {
    expect(isAppUrl(url)).toBe(false);
  });
});

describe('isTrustedSender: IPC only from the app’s own top frame', () => {
  it('trusts the app’s main frame', () => {
    expect(isTrustedSender(`${appOrigin}/`, true)).toBe(true);
  });

  it('refuses a subframe, another origin or an unknown frame', () => {
    expect(isTrustedSender(`${appOrigin}/`, false)).toBe(false);
    expect(isTrustedSender('https://evil.example/', true)).toBe(false);
    expect(isTrustedSender('about:blank', true)).toBe(false);
    expect(isTrustedSender(undefined, true)).toBe(false);
    expect(isTrustedSender(null, true)).toBe(false);
  });
});

describe('isVettedExternalUrl: what shell.openExternal may open', () => {
  it.each(['https://tilldesk.app/', 'https://tilldesk.app/help?q=refund', 'https://docs.tilldesk.app/setup'])(
    'opens %s',
    (url) => {
      expect(isVettedExternalUrl(url)).toBe(true);
    },
  );

  it.each([
    'http://tilldesk.app/', // not https
    'https://evil.example/',
    'https://tilldesk.app.evil.example/',
    'https://eviltilldesk.app/',
    'https://user:pw@tilldesk.app/',
    'https://evil.example@tilldesk.app/', // credentials in the URL
    'file:///etc/passwd',
    'javascript:alert(1)',
    'smb://tilldesk.app/share',
    `${appOrigin}/`,
    'not a url',
    '',
  ])('drops %s', (url) => {
    expect(isVettedExternalUrl(url)).toBe(false);
  });
});

describe('resolveAppFile: app:// requests stay inside the renderer folder', () => {
  const dir = '/opt/tilldesk/resources/app.asar/dist/renderer';
  const resolvePosix = (url: string) => resolveAppFile(url, dir, posix.join, posix.sep);

  it('serves index.html for the root and files under the folder', () => {
    expect(resolvePosix(`${appOrigin}/`)).toBe(`${dir}/index.html`);
    expect(resolvePosix(appOrigin)).toBe(`${dir}/index.html`);
    expect(resolvePosix(`${appOrigin}/assets/index-abc.js`)).toBe(`${dir}/assets/index-abc.js`);
    expect(resolvePosix(`${appOrigin}/assets/a%20b.css?x=1`)).toBe(`${dir}/assets/a b.css`);
  });

  it('keeps ../ and %2e%2e/ inside (the URL parser folds them before we see them)', () => {
    expect(resolvePosix(`${appOrigin}/../../etc/passwd`)).toBe(`${dir}/etc/passwd`);
    expect(resolvePosix(`${appOrigin}/%2e%2e/%2e%2e/etc/passwd`)).toBe(`${dir}/etc/passwd`);
  });

  it.each([
    `${appOrigin}/..%2f..%2f..%2fetc%2fpasswd`,
    `${appOrigin}/..%2F..%2Fetc%2Fpasswd`,
    `${appOrigin}/assets/..%2f..%2f..%2fsecret.txt`,
    `${appOrigin}/..%2frenderer-evil%2fx.js`, // a sibling folder sharing the prefix
    `${appOrigin}/%2fetc%2fpasswd/..%2f..%2f..%2f..%2f..%2f..%2f..%2fetc%2fpasswd`,
  ])('refuses encoded traversal %s', (url) => {
    expect(resolvePosix(url)).toBeNull();
  });

  it('refuses NUL bytes and undecodable escapes', () => {
    expect(resolvePosix(`${appOrigin}/index.html%00.png`)).toBeNull();
    expect(resolvePosix(`${appOrigin}/%00`)).toBeNull();
    expect(resolvePosix(`${appOrigin}/%E0%A4%A`)).toBeNull();
  });

  it('refuses other hosts and schemes', () => {
    for (const url of ['app://evil/index.html', 'app://tilldesk.evil/index.html', 'file:///etc/passwd', 'https://tilldesk/x']) {
      expect(resolvePosix(url)).toBeNull();
    }
    expect(resolvePosix('not a url')).toBeNull();
  });

  it('refuses backslash traversal with Windows paths', () => {
    const winDir = 'C:\\Program Files\\Tilldesk\\resources\\app.asar\\dist\\renderer';
    const resolveWin = (url: string) => resolveAppFile(url, winDir, win32.join, win32.sep);
    expect(resolveWin(`${appOrigin}/assets/app.js`)).toBe(`${winDir}\\assets\\app.js`);
    expect(resolveWin(`${appOrigin}/..%5c..%5c..%5cWindows%5cwin.ini`)).toBeNull();
    expect(resolveWin(`${appOrigin}/..%5crenderer-evil%5cx.js`)).toBeNull();
    expect(resolveWin(`${appOrigin}/..%2f..%2fx`)).toBeNull();
  });
});

describe('permissionDecision: deny-all', () => {
  it.each(['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal', 'fullscreen', 'hid', 'serial', 'usb', ''])(
    'refuses %s',
    (permission) => {
      expect(permissionDecision(permission)).toBe(false);
    },
  );
});
