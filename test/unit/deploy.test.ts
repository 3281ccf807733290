/**
 * The sync server's Docker deployment — checked here WITHOUT building the image (no Docker
 * daemon runs on this machine and no base image can be pulled). server/Dockerfile,
 * compose.yaml, .dockerignore and .env.example are parsed and held against the server's
 * code: non-root user, health check on a real route, env vars the server reads, ports that
 * agree, a CMD file that exists, and exactly the packages the server imports. Then the
 * image's layout is rehearsed: the Dockerfile's own dependency step runs on a copy of the
 * lockfile, `npm ci --dry-run` accepts the result, and the server starts from a folder that
 * holds only those packages, answers the Dockerfile's HEALTHCHECK and stops on SIGTERM.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pgliteTemplate } from '../server/harness.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const read = (path: string) => readFileSync(join(root, path), 'utf8');
const require = createRequire(import.meta.url);
// js-yaml is what electron-builder itself reads YAML with (a dev dependency of ours through it).
const yaml = createRequire(require.resolve('app-builder-lib/package.json'))('js-yaml') as { load(text: string): unknown };

interface Instruction {
  keyword: string;
  args: string;
  /** The body of a `<<'EOF'` heredoc, if the instruction has one. */
  heredoc: string | null;
  /** 0 for the first FROM's stage, 1 for the next, … */
  stage: number;
}

/** A Dockerfile as instructions: comments dropped, `\` continuations joined, heredocs kept. */
function parseDockerfile(text: string): Instruction[] {
  const lines = text.split('\n');
  const out: Instruction[] = [];
  let stage = -1;
  for (let i = 0; i < lines.length; ) {
    let line = lines[i++] ?? '';
    if (/^\s*(#|$)/.test(line)) continue;
    while (line.endsWith('\\')) line = `${line.slice(0, -1).trimEnd()} ${(lines[i++] ?? '').trim()}`;
    const match = /^\s*([A-Za-z]+)\s+(.*)$/.exec(line);
    if (!match) throw new Error(`Cannot read Dockerfile line: ${line}`);
    const keyword = (match[1] ?? '').toUpperCase();
    const args = (match[2] ?? '').trim();
    let heredoc: string | null = null;
    const marker = /<<-?['"]?([A-Za-z_]+)['"]?/.exec(args);
    if (marker && (keyword === 'RUN' || keyword === 'COPY')) {
      const body: string[] = [];
      while (i < lines.length && lines[i] !== marker[1]) body.push(lines[i++] ?? '');
      i++;
      heredoc = body.join('\n');
    }
    if (keyword === 'FROM') stage++;
    out.push({ keyword, args, heredoc, stage });
  }
  return out;
}

const dockerfile = parseDockerfile(read('server/Dockerfile'));
const finalStage = Math.max(...dockerfile.map((i) => i.stage));
const final = dockerfile.filter((i) => i.stage === finalStage);
const only = (list: Instruction[], keyword: string) => list.filter((i) => i.keyword === keyword);
const imageEnv: Record<string, string> = Object.fromEntries(
  only(final, 'ENV').flatMap((i) => i.args.split(/\s+/).map((pair) => pair.split('=', 2) as [string, string])),
);
const exposed = only(final, 'EXPOSE').map((i) => Number(i.args));
const healthcheck = only(final, 'HEALTHCHECK')[0]?.args ?? '';
const healthCommand = JSON.parse(healthcheck.slice(healthcheck.indexOf('CMD') + 3).trim()) as string[];
const cmd = JSON.parse(only(final, 'CMD')[0]?.args ?? '[]') as string[];
const pruneStep = dockerfile.find((i) => i.keyword === 'RUN' && i.heredoc?.includes('package-lock.json'));
const serverPackagesArg =
  /SERVER_PACKAGES="([^"]*)"/.exec(
    only(dockerfile, 'ARG')
      .map((i) => i.args)
      .join('\n'),
  )?.[1] ?? '';
const serverPackages = serverPackagesArg.split(/\s+/).filter(Boolean).sort();

/** Every environment variable the server's own code reads (server/*.ts). */
function envReadByServer(): Set<string> {
  const names = new Set<string>();
  for (const file of readdirSync(join(root, 'server')).filter((f) => f.endsWith('.ts'))) {
    for (const match of read(`server/${file}`).matchAll(/\benv\.([A-Z][A-Z0-9_]*)/g)) names.add(match[1] ?? '');
  }
  return names;
}

/** The packages server/main.ts and server/admin.ts load at run time, following relative imports. */
function serverRuntimePackages(): string[] {
  const packages = new Set<string>();
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const source = readFileSync(file, 'utf8');
    const specifiers = [
      ...source.matchAll(/^\s*(?:import|export)\s+(?!type\b)[^;]*?\sfrom\s+'([^']+)'/gms),
      ...source.matchAll(/^\s*import\s+'([^']+)'/gm),
      ...source.matchAll(/\bimport\(\s*'([^']+)'\s*\)/g),
    ].map((m) => m[1] ?? '');
    for (const specifier of specifiers) {
      if (specifier.startsWith('.')) visit(resolve(dirname(file), specifier));
      else if (!specifier.startsWith('node:')) {
        const parts = specifier.split('/');
        packages.add(specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? ''));
      }
    }
  };
  visit(join(root, 'server/main.ts'));
  visit(join(root, 'server/admin.ts'));
  expect(seen.size).toBeGreaterThan(10); // the walk really followed the server's files
  return [...packages].sort();
}

type Service = {
  image?: string;
  build?: { context: string; dockerfile: string };
  environment?: Record<string, string>;
  ports?: string[];
  volumes?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
};
const compose = yaml.load(read('compose.yaml')) as { services: Record<string, Service>; volumes: Record<string, unknown> };
const postgres = compose.services.postgres as Service;
const server = compose.services.server as Service;

describe('server/Dockerfile (checked, not built: no Docker here)', () => {
  it('builds in two stages on Node 24 (bookworm-slim) and runs as a non-root user', () => {
    const bases = only(dockerfile, 'FROM').map((i) => i.args);
    expect(bases).toEqual(['node:24-bookworm-slim AS deps', 'node:24-bookworm-slim']);
    expect(only(final, 'COPY').some((i) => i.args.startsWith('--from=deps'))).toBe(true);
    const users = only(final, 'USER').map((i) => i.args);
    expect(users).toHaveLength(1);
    expect(users[0]).not.toMatch(/^(root|0)(:|$)/);
    // The user is set before the process starts, and nothing after it needs root.
    const order = final.map((i) => i.keyword);
    expect(order.indexOf('USER')).toBeLessThan(order.indexOf('CMD'));
    expect(order.slice(order.indexOf('USER')).filter((k) => k === 'RUN')).toEqual([]);
    // The dependency step installs production packages only, from the lockfile.
    expect(dockerfile.some((i) => i.keyword === 'RUN' && /npm ci --omit=dev/.test(i.args))).toBe(true);
  });

  it('starts server/main.ts, which exists, and sets only variables the server reads', () => {
    expect(cmd).toEqual(['node', 'server/main.ts']);
    expect(existsSync(join(root, cmd[1] ?? ''))).toBe(true);
    const readByServer = envReadByServer();
    expect([...readByServer]).toEqual(expect.arrayContaining(['DATABASE_URL', 'HOST', 'PORT', 'TILLDESK_SERVER_DATA']));
    for (const name of Object.keys(imageEnv)) expect(readByServer, `ENV ${name}`).toContain(name);
    expect(imageEnv.HOST).toBe('0.0.0.0'); // inside a container, loopback is unreachable from the published port
    expect(exposed).toEqual([Number(imageEnv.PORT)]);
  });

  it('checks health on /health/ready, a route the server has', () => {
    expect(healthCommand[0]).toBe('node');
    expect(healthCommand.join(' ')).toContain('/health/ready');
    expect(read('server/app.ts')).toContain("app.get('/health/ready'");
  });

  it('installs exactly the packages the server imports, each pinned in package.json', () => {
    expect(serverPackages).toEqual(serverRuntimePackages());
    const manifest = JSON.parse(read('package.json')) as Record<string, Record<string, string> | undefined>;
    for (const name of serverPackages) {
      expect(manifest.dependencies?.[name] ?? manifest.devDependencies?.[name], name).toMatch(/^\d+\.\d+\.\d+$/);
    }
  });

  it('copies only what .dockerignore lets into the build context, and never .env', () => {
    const rules = read('.dockerignore')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
    expect(rules[0]).toBe('*'); // an allowlist
    const allowed = rules.slice(1).map((r) => r.replace(/^!/, '').replace(/\/$/, ''));
    expect(allowed.some((a) => a.includes('.env'))).toBe(false);
    const sources = only(dockerfile, 'COPY')
      .filter((i) => !i.args.startsWith('--from'))
      .flatMap((i) => i.args.split(/\s+/).slice(0, -1));
    expect(sources.length).toBeGreaterThan(2);
    for (const source of sources) {
      expect(allowed, source).toContain(source.replace(/\/$/, ''));
      expect(existsSync(join(root, source)), source).toBe(true);
    }
  });
});

describe('compose.yaml', () => {
  it('runs PostgreSQL 15 on a volume, with a health check the server waits for', () => {
    expect(postgres.image).toMatch(/^postgres:15(\.|-|$)/);
    expect(postgres.volumes).toEqual(['pgdata:/var/lib/postgresql/data']);
    expect(Object.keys(compose.volumes)).toContain('pgdata');
    expect(postgres.healthcheck?.test.join(' ')).toContain('pg_isready');
    expect(server.depends_on).toEqual({ postgres: { condition: 'service_healthy' } });
    expect(server.build).toEqual({ context: '.', dockerfile: 'server/Dockerfile' });
  });

  it('gives the server only variables it (or pg and pg_dump) reads, pointing at the postgres service', () => {
    const readByServer = envReadByServer();
    const environment = server.environment ?? {};
    for (const name of Object.keys(environment)) {
      // PGPASSWORD is read by node-postgres and libpq (pg_dump) themselves.
      if (name !== 'PGPASSWORD') expect(readByServer, `environment ${name}`).toContain(name);
    }
    const url = new URL((environment.DATABASE_URL ?? '').replace(/\$\{([A-Z_]+):-([^}]*)\}/g, '$2'));
    expect(url.hostname).toBe('postgres');
    expect(url.password).toBe(''); // the password travels in PGPASSWORD
  });

  it('commits no secret: every password comes from .env and is required, and .env.example leaves it empty', () => {
    const text = read('compose.yaml');
    const passwords = [...text.matchAll(/^\s*([A-Z_]*PASSWORD): (.*)$/gm)];
    expect(passwords.length).toBeGreaterThanOrEqual(2);
    for (const [, , value] of passwords) expect(value).toMatch(/^\$\{POSTGRES_PASSWORD:\?[^}]+\}$/);
    const example = read('.env.example');
    expect(example).toMatch(/^POSTGRES_PASSWORD=$/m);
    // Every variable compose.yaml takes from the environment is explained in .env.example.
    const used = new Set([...text.matchAll(/\$\{([A-Z_]+)/g)].map((m) => m[1]));
    for (const name of used) expect(example, name).toMatch(new RegExp(`^${name}=`, 'm'));
  });

  it('publishes the port the image listens on', () => {
    const ports = (server.ports ?? []).map((p) => Number(p.split(':').at(-1)));
    expect(ports).toEqual([Number(imageEnv.PORT)]);
  });
});

function freePort(): Promise<number> {
  return new Promise((done) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => done(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

function run(
  command: string,
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; input?: string },
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = execFile(command, args, { cwd: options.cwd, env: options.env ?? process.env }, (error, stdout, stderr) =>
      done({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
    if (options.input !== undefined) child.stdin?.end(options.input);
  });
}

describe('the image, rehearsed in a folder (its dependency step, then the server from it)', () => {
  const stage = mkdtempSync(join(tmpdir(), 'tilldesk-image-'));
  let pruned: { packages: Record<string, unknown> };
  let child: ChildProcess | null = null;
  afterAll(() => {
    child?.kill('SIGKILL');
    rmSync(stage, { recursive: true, force: true });
  }, 60_000);

  beforeAll(async () => {
    cpSync(join(root, 'package.json'), join(stage, 'package.json'));
    cpSync(join(root, 'package-lock.json'), join(stage, 'package-lock.json'));
    expect(pruneStep?.heredoc).toBeTruthy();
    const result = await run(process.execPath, ['--input-type=module'], {
      cwd: stage,
      env: { PATH: process.env.PATH, SERVER_PACKAGES: serverPackagesArg },
      input: pruneStep?.heredoc ?? '',
    });
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/^\d+ packages for the server/);
    pruned = JSON.parse(readFileSync(join(stage, 'package-lock.json'), 'utf8'));
  }, 60_000);

  it('keeps the server’s packages and drops the desktop app’s', () => {
    const names = Object.keys(pruned.packages);
    for (const name of serverPackages) expect(names).toContain(`node_modules/${name}`);
    for (const desktop of ['react', 'better-sqlite3', 'electron', 'recharts', 'vite', 'typescript']) {
      expect(names).not.toContain(`node_modules/${desktop}`);
    }
    const manifest = JSON.parse(readFileSync(join(stage, 'package.json'), 'utf8'));
    expect(manifest).toMatchObject({ type: 'module', private: true });
    expect(Object.keys(manifest.dependencies).sort()).toEqual(serverPackages);
    console.log(
      `the image installs ${names.length - 1} packages (the desktop lockfile holds ${Object.keys(JSON.parse(read('package-lock.json')).packages).length - 1})`,
    );
  });

  it('is a lockfile npm ci accepts as it is (dry run, offline)', async () => {
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    const result = await run(npm, ['ci', '--omit=dev', '--ignore-scripts', '--dry-run', '--offline', '--no-audit', '--no-fund'], {
      cwd: stage,
    });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(`added ${Object.keys(pruned.packages).length - 1} packages`);
  }, 120_000);

  it('runs the server from only those packages: the HEALTHCHECK passes, SIGTERM stops it cleanly', async () => {
    // /app as the image lays it out: node_modules (the pruned set only), shared/, server/ —
    // in a temp folder, so no node_modules of the repository is above it to fall back on.
    for (const key of Object.keys(pruned.packages).filter(Boolean)) {
      const from = join(root, key);
      cpSync(from, join(stage, key), {
        recursive: true,
        dereference: true,
        filter: (path) => !path.slice(from.length).includes('node_modules'),
      });
    }
    cpSync(join(root, 'shared'), join(stage, 'shared'), { recursive: true });
    cpSync(join(root, 'server'), join(stage, 'server'), { recursive: true });
    const data = join(stage, 'data');
    const seeded = await PGlite.create({ dataDir: data, loadDataDir: await pgliteTemplate() });
    await seeded.close();

    const port = await freePort();
    // The image's environment, with a free port, loopback (not 0.0.0.0) and a temp data folder.
    const env = { PATH: process.env.PATH, ...imageEnv, PORT: String(port), HOST: '127.0.0.1', TILLDESK_SERVER_DATA: data };
    const output: string[] = [];
    child = spawn(process.execPath, cmd.slice(1), { cwd: stage, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const started = child;
    await new Promise<void>((done, fail) => {
      const timer = setTimeout(() => fail(new Error(`no "listening" line:\n${output.join('')}`)), 90_000);
      started.stdout?.on('data', (chunk: Buffer) => {
        output.push(String(chunk));
        if (output.join('').includes('"msg":"listening"')) {
          clearTimeout(timer);
          done();
        }
      });
      started.stderr?.on('data', (chunk: Buffer) => output.push(String(chunk)));
      started.once('exit', (code) => {
        clearTimeout(timer);
        fail(new Error(`the server exited (${code}):\n${output.join('')}`));
      });
    });
    const health = () => run(process.execPath, healthCommand.slice(1), { cwd: stage, env: { PORT: String(port) } });
    expect((await health()).code).toBe(0);

    started.removeAllListeners('exit');
    const exited = new Promise<number | null>((done) => started.once('exit', (code) => done(code)));
    started.kill('SIGTERM');
    expect(await exited).toBe(0);
    child = null;
    expect((await health()).code).toBe(1); // nothing answers now: the check can fail
  }, 180_000);
});
