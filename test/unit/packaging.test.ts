/**
 * electron-builder.yml is checked by electron-builder's own loader and schema validator
 * (app-builder-lib), so a misspelt or misplaced key fails here rather than on a release tag.
 */
import { globSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

type Config = Record<string, unknown> & {
  electronFuses?: Record<string, boolean>;
  files?: string[];
  asarUnpack?: string[];
  directories?: { output?: string };
  linux?: { target?: string[]; maintainer?: string; category?: string };
  win?: { target?: string[]; [key: string]: unknown };
  mac?: { target?: string[] };
  publish?: { provider?: string };
};

const root = fileURLToPath(new URL('../../', import.meta.url));
const require = createRequire(import.meta.url);
const configModule = require.resolve('app-builder-lib/out/util/config/config.js');
const { validateConfiguration } = require(configModule) as {
  validateConfiguration(config: Config, logger: unknown): Promise<void>;
};
const { getConfig } = require('app-builder-lib/out/util/config/load.js') as {
  getConfig(
    request: { packageKey: string; configFilename: string; projectDir: string; packageMetadata: null },
    path: string,
  ): Promise<{ result: Config; configFile: string | null } | null>;
};
const { DebugLogger } = createRequire(configModule)('builder-util') as { DebugLogger: new (enabled: boolean) => unknown };

/** Loads a config file the way electron-builder does. */
async function load(projectDir: string, file: string): Promise<Config> {
  const loaded = await getConfig(
    { packageKey: 'build', configFilename: 'electron-builder', projectDir, packageMetadata: null },
    file,
  );
  if (!loaded) throw new Error(`${file} did not load`);
  return loaded.result;
}

const validate = (config: Config) => validateConfiguration(structuredClone(config), new DebugLogger(false));

const scratch = mkdtempSync(join(tmpdir(), 'tilldesk-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('electron-builder.yml', () => {
  it('passes electron-builder’s own validation', async () => {
    const config = await load(root, 'electron-builder.yml');
    await expect(validate(config)).resolves.toBeUndefined();
  });

  it('is rejected once a bad key is added to a copy of it', async () => {
    const text = readFileSync(join(root, 'electron-builder.yml'), 'utf8');
    writeFileSync(join(scratch, 'electron-builder.yml'), `${text}\nnpmRebuilt: false\n`);
    const mutated = await load(scratch, 'electron-builder.yml');
    await expect(validate(mutated)).rejects.toThrow(/unknown property 'npmRebuilt'/);
  });

  it('is rejected for a key in the wrong place, a wrong type or a misspelt fuse', async () => {
    const config = await load(root, 'electron-builder.yml');
    await expect(validate({ ...config, win: { ...config.win, category: 'Office' } })).rejects.toThrow(/configuration\.win/);
    await expect(validate({ ...config, npmRebuild: 'no' })).rejects.toThrow(/npmRebuild should be a boolean/);
    await expect(validate({ ...config, electronFuses: { ...config.electronFuses, runAsNod: false } })).rejects.toThrow(
      /electronFuses/,
    );
  });

  it('sets every fuse, never rebuilds natives and unpacks better-sqlite3', async () => {
    const config = await load(root, 'electron-builder.yml');
    expect(config.electronFuses).toEqual({
      runAsNode: false,
      enableCookieEncryption: true,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      grantFileProtocolExtraPrivileges: false,
    });
    expect(config.npmRebuild).toBe(false);
    expect(config.asarUnpack).toContain('node_modules/better-sqlite3/**');
  });

  it('builds Tilldesk for every desktop, from the files the app needs, and publishes to GitHub', async () => {
    const config = await load(root, 'electron-builder.yml');
    expect(config.productName).toBe('Tilldesk');
    expect(config.appId).toMatch(/^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)+$/);
    expect(config.directories?.output).toBe('release');
    expect(config.files).toEqual(['dist/**', 'db/migrations/*.sql', 'package.json']);
    expect(globSync('db/migrations/*.sql', { cwd: root }).length).toBeGreaterThan(0);
    expect(config.linux?.target).toEqual(['AppImage', 'deb']);
    expect(config.linux?.maintainer).toMatch(/<.+@.+>/);
    expect(config.linux?.category).toBeTruthy();
    expect(config.win?.target).toEqual(['nsis']);
    expect(config.mac?.target).toEqual(['dmg', 'zip']);
    expect(config.publish?.provider).toBe('github');
    // The main process package.json points at is the bundle the files list ships.
    const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { main: string };
    expect(manifest.main).toMatch(/^dist\//);
  });
});
