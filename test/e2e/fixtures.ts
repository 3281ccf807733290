/**
 * The `till` fixture: a real browser-mode host (`node db/host/main.ts`) on a fresh data folder,
 * with the page already open at its address. Specs import `test` and `expect` from here.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test as base, expect, type Page } from '@playwright/test';
import type { InputOf, OperationName, OutputOf } from '../../shared/api.ts';
import type { Result } from '../../shared/errors.ts';
import type { Language } from '../../shared/settings.ts';

export { expect };

export const root = fileURLToPath(new URL('../../', import.meta.url));

export interface TillHost {
  /** The address the host printed, token included: http://127.0.0.1:<port>/?token=… */
  url: string;
  dataDir: string;
  token: string;
  /**
   * SIGKILL the host (a power cut, as far as the store can tell) and start it again on the
   * same data; `samePort` keeps its address, as a till's fixed port would.
   */
  restart(options?: { navigate?: boolean; samePort?: boolean }): Promise<string>;
  /** Stop the host gracefully (SIGTERM). */
  stop(): Promise<void>;
  /** Uncaught page errors and console errors seen so far. */
  pageErrors: string[];
  /** Everything the host printed. */
  log(): string;
  /** Calls the contract over HTTP with the token, as the page does: for arranging a test, not for checking the UI. */
  call<N extends OperationName>(name: N, input: InputOf<N>): Promise<Result<OutputOf<N>>>;
  /**
   * Makes sure a shop exists and its owner is signed in (first-run setup through the contract,
   * then sign-in), and reloads the page onto the app frame.
   */
  openShop(options?: { language?: Language }): Promise<{ ownerId: string; ownerPin: string }>;
}

/** The shop every spec gets from openShop(). */
export const testShop = {
  shopName: 'Corner Shop',
  currency: 'EUR',
  locale: 'en-IE',
  taxMode: 'inclusive',
  taxRates: [{ name: 'Standard', rateBp: 2000 }],
  ownerName: 'Olivia Owner',
  ownerPin: '2468',
} as const;

const urlLine = /Tilldesk browser mode: (http:\/\/127\.0\.0\.1:\d+\/\?token=\S+)/;
const startTimeoutMs = 30_000;

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

async function stopChild(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited(child);
  clearTimeout(timer);
}

/** Starts the host and resolves with its URL once it prints it. */
function startHost(dataDir: string, token: string, output: string[], port = 0): Promise<{ child: ChildProcess; url: string }> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    TILLDESK_PORT: String(port),
    TILLDESK_DATA_DIR: dataDir,
    TILLDESK_TOKEN: token,
  };
  delete env.NODE_OPTIONS; // the host runs as a user would start it, without the runner's hooks
  const child = spawn(process.execPath, [join(root, 'db/host/main.ts')], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let buffered = '';
    const fail = (why: string) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`The browser-mode host ${why}.\n${output.join('')}`));
    };
    const timer = setTimeout(() => fail(`printed no URL within ${startTimeoutMs} ms`), startTimeoutMs);
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      output.push(chunk);
      buffered += chunk;
      const match = urlLine.exec(buffered);
      if (match?.[1]) {
        clearTimeout(timer);
        child.off('exit', onExit);
        resolve({ child, url: match[1] });
      }
    });
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => output.push(chunk));
    const onExit = (code: number | null, signal: string | null) =>
      fail(`exited (code ${code}, signal ${signal}) before printing its URL`);
    child.once('exit', onExit);
  });
}

function watchPage(page: Page, errors: string[]): void {
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    // A 4xx answer is the store refusing an action with a typed error, which the UI shows and
    // the specs check; Chromium also logs it as a failed resource, which is not a page error.
    if (message.type() === 'error' && !/^Failed to load resource: .* status of 4\d\d/.test(message.text())) {
      errors.push(`console.error: ${message.text()}`);
    }
  });
}

export const test = base.extend<{ till: TillHost }>({
  till: async ({ page }, use, testInfo) => {
    if (!existsSync(join(root, 'dist/renderer/index.html'))) {
      throw new Error('The renderer is not built: run `npm run build` (or `npx vite build`) before the e2e tests.');
    }
    const dataDir = mkdtempSync(join(tmpdir(), 'tilldesk-e2e-'));
    const token = randomBytes(24).toString('base64url');
    const output: string[] = [];
    const pageErrors: string[] = [];
    let { child, url } = await startHost(dataDir, token, output);

    const till: TillHost = {
      get url() {
        return url;
      },
      dataDir,
      token,
      pageErrors,
      async restart(options = {}) {
        await stopChild(child, 'SIGKILL');
        output.push('--- killed with SIGKILL, starting again ---\n');
        ({ child, url } = await startHost(dataDir, token, output, options.samePort ? Number(new URL(url).port) : 0));
        if (options.navigate !== false) await page.goto(url);
        return url;
      },
      stop: () => stopChild(child, 'SIGTERM'),
      log: () => output.join(''),
      async call(name, input) {
        const response = await fetch(new URL(`/api/op/${name}`, url), {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify(input),
        });
        return (await response.json()) as never;
      },
      async openShop(options = {}) {
        const ok = async <N extends OperationName>(name: N, input: InputOf<N>): Promise<OutputOf<N>> => {
          const result = await till.call(name, input);
          if (!result.ok) throw new Error(`${name} failed: ${JSON.stringify(result.error)}`);
          return result.value;
        };
        const { setupComplete } = await ok('setup.status', {});
        if (!setupComplete) {
          await ok('setup.create', { ...testShop, taxRates: [...testShop.taxRates], language: options.language ?? 'en' });
        }
        const owner = (await ok('staff.list', {})).find((s) => s.role === 'owner');
        if (!owner) throw new Error('The shop has no owner');
        if ((await ok('staff.current', {}))?.id !== owner.id)
          await ok('staff.signIn', { staffId: owner.id, pin: testShop.ownerPin });
        await page.goto(url);
        return { ownerId: owner.id, ownerPin: testShop.ownerPin };
      },
    };

    watchPage(page, pageErrors);
    await page.goto(url);
    try {
      await use(till);
    } finally {
      await stopChild(child, 'SIGKILL');
      await testInfo.attach('host.log', { body: till.log(), contentType: 'text/plain' });
      rmSync(dataDir, { recursive: true, force: true });
    }
  },
});
