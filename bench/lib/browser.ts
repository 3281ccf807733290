/**
 * Browser mode for the UI figures: the real host (`node db/host/main.ts`) on a store folder,
 * and Debian's Chromium driven by Playwright, as the end-to-end tests do.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from '@playwright/test';
import { track } from './children.ts';

export interface Host {
  url: string;
  token: string;
  child: ChildProcess;
  /** Milliseconds from spawn to the host printing its address. */
  startMs: number;
  /** Resident memory of the host process, in MB. */
  rssMb(): number;
  call<T = unknown>(name: string, input: unknown): Promise<T>;
  stop(): Promise<void>;
}

const urlLine = /Tilldesk browser mode: (http:\/\/127\.0\.0\.1:\d+\/\?token=\S+)/;

export function startHost(root: string, dataDir: string, spawnedAt = performance.now()): Promise<Host> {
  const token = randomBytes(24).toString('base64url');
  const env: NodeJS.ProcessEnv = { ...process.env, TILLDESK_PORT: '0', TILLDESK_DATA_DIR: dataDir, TILLDESK_TOKEN: token };
  delete env.NODE_OPTIONS;
  const child = track(
    spawn(process.execPath, [join(root, 'db/host/main.ts')], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] }),
  );
  const output: string[] = [];
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  };
  return new Promise((resolve, reject) => {
    const fail = (why: string) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`the browser-mode host ${why}:\n${output.join('').slice(-2000)}`));
    };
    const timer = setTimeout(() => fail('printed no address within 120 s'), 120_000);
    let buffered = '';
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => output.push(chunk));
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      output.push(chunk);
      buffered += chunk;
      const match = urlLine.exec(buffered);
      if (!match?.[1]) return;
      clearTimeout(timer);
      child.off('exit', onExit);
      const url = match[1];
      resolve({
        url,
        token,
        child,
        startMs: performance.now() - spawnedAt,
        rssMb() {
          const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
          const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN);
          return kb / 1024;
        },
        async call(name, input) {
          const response = await fetch(new URL(`/api/op/${name}`, url), {
            method: 'POST',
            headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
            body: JSON.stringify(input),
          });
          const result = (await response.json()) as { ok: boolean; value?: unknown; error?: unknown };
          if (!result.ok) throw new Error(`${name} failed: ${JSON.stringify(result.error)}`);
          return result.value as never;
        },
        stop,
      });
    });
    const onExit = (code: number | null, signal: string | null) => fail(`exited (code ${code}, signal ${signal})`);
    child.once('exit', onExit);
  });
}

/** Debian's Chromium, as the end-to-end tests use (never a downloaded one). */
const chromiumPath = '/usr/bin/chromium';

/** Why the browser figures cannot run on this machine, or null. */
export function browserMissing(): string | null {
  if (process.platform !== 'linux') return `browser mode is measured on Linux only (this is ${process.platform})`;
  if (!existsSync(chromiumPath)) return `no Chromium at ${chromiumPath} (Debian's chromium package)`;
  return null;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
}

export async function newPage(browser: Browser): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-GB' });
  return context.newPage();
}

/** Taps a staff tile and types the PIN, as a cashier does; opens the shift if the till asks for a float. */
export async function signInAtTill(page: Page, name: string, pin: string): Promise<void> {
  await page.getByRole('button', { name: new RegExp(name) }).click();
  await page.locator('#pin').fill(pin);
  await page.keyboard.press('Enter');
  const search = page.locator('#product-search');
  const float = page.locator('#float');
  await search.or(float).first().waitFor({ state: 'visible', timeout: 30_000 });
  if (await float.isVisible()) {
    await float.fill('100.00');
    await page.keyboard.press('Enter');
    await search.waitFor({ state: 'visible', timeout: 30_000 });
  }
}
