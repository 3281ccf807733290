/**
 * The runtime-boundary check (DESIGN.md §1): each top folder runs somewhere different, so
 * what it may import is fixed. Every import, re-export, dynamic import, `require` and
 * `import('x').Type` in shared/, db/, electron/, renderer/ and server/ is parsed (oxc, via
 * Vite) and checked; type-only imports count too, so a folder never even leans on another's
 * types. Run it alone with `node test/boundary.ts [root]`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, extname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseSync } from 'vite';

export const runtimeFolders = ['shared', 'db', 'electron', 'renderer', 'server'] as const;
type Folder = (typeof runtimeFolders)[number] | 'test' | 'other';

export interface Violation {
  /** Path from the checked root, with forward slashes. */
  file: string;
  line: number;
  /** The import specifier, or the global's name for code rules. */
  subject: string;
  rule: string;
}

const sourceExtensions = new Set(['.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs']);
const skippedDirectories = new Set(['node_modules', 'dist', '.tsbuild']);

/** shared/ runs anywhere: only small pure libraries. */
const sharedPackages = new Set(['zod']);
/** Packages that only work under Node; the renderer runs in a browser. */
const nodeOnlyPackages = new Set(['better-sqlite3', 'pg', 'fastify', '@fastify/rate-limit', 'node-thermal-printer']);
/** Folders each runtime must never reach into. */
const forbiddenFolders: Record<(typeof runtimeFolders)[number], Folder[]> = {
  shared: ['db', 'electron', 'renderer', 'server', 'test', 'other'],
  db: ['electron', 'renderer', 'server', 'test'],
  electron: ['renderer', 'server', 'test'],
  renderer: ['db', 'electron', 'server', 'test'],
  server: ['db', 'electron', 'renderer', 'test'],
};
/** Globals that exist only in a browser, or only in Node: neither belongs in shared/. */
const domGlobals = new Set([
  'window',
  'document',
  'navigator',
  'location',
  'history',
  'localStorage',
  'sessionStorage',
  'indexedDB',
  'customElements',
  'HTMLElement',
  'Element',
  'XMLHttpRequest',
  'requestAnimationFrame',
  'getComputedStyle',
  'alert',
  'confirm',
  'prompt',
]);
const nodeGlobals = new Set(['process', 'Buffer', '__dirname', '__filename', 'require', 'global', 'setImmediate']);
const builtins = new Set(builtinModules);

function* sourceFiles(dir: string): Generator<string> {
  let entries: import('node:fs').Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return; // a folder that does not exist yet has nothing to check
  }
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!skippedDirectories.has(entry.name)) yield* sourceFiles(path);
    } else if (sourceExtensions.has(extname(entry.name)) && !entry.name.endsWith('.d.ts')) {
      yield path;
    }
  }
}

function folderOf(root: string, path: string): Folder {
  const rel = relative(root, path);
  if (rel.startsWith('..') || isAbsolute(rel)) return 'other';
  const top = rel.split(sep)[0] ?? '';
  return (runtimeFolders as readonly string[]).includes(top) || top === 'test' ? (top as Folder) : 'other';
}

type Target = { kind: 'folder'; folder: Folder } | { kind: 'node' } | { kind: 'electron' } | { kind: 'package'; name: string };

function classify(root: string, file: string, specifier: string): Target {
  const bare = specifier.replace(/[?#].*$/, '');
  if (bare.startsWith('.') || isAbsolute(bare)) return { kind: 'folder', folder: folderOf(root, resolve(dirname(file), bare)) };
  if (bare.startsWith('node:')) return { kind: 'node' };
  const name = bare.startsWith('@') ? bare.split('/').slice(0, 2).join('/') : (bare.split('/')[0] ?? bare);
  if (name === 'electron') return { kind: 'electron' };
  if (builtins.has(name)) return { kind: 'node' };
  return { kind: 'package', name };
}

/** Why `from` may not import this target, or null when it may. */
function ruleFor(from: (typeof runtimeFolders)[number], target: Target): string | null {
  if (target.kind === 'electron') return from === 'electron' ? null : 'only electron/ may import electron';
  if (target.kind === 'folder') {
    return forbiddenFolders[from].includes(target.folder) ? `${from}/ must not import from ${target.folder}/` : null;
  }
  if (target.kind === 'node') {
    if (from === 'shared') return 'shared/ runs anywhere: no Node built-ins';
    if (from === 'renderer') return 'renderer/ runs in the browser: no Node built-ins';
    return null;
  }
  if (from === 'shared' && !sharedPackages.has(target.name)) return `shared/ may import only ${[...sharedPackages].join(', ')}`;
  if (from === 'renderer' && nodeOnlyPackages.has(target.name))
    return `renderer/ runs in the browser: ${target.name} is Node-only`;
  return null;
}

type AstNode = { type: string; start: number; [key: string]: unknown };

function isNode(value: unknown): value is AstNode {
  return typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string';
}

function stringValue(node: unknown): string | null {
  if (!isNode(node)) return null;
  if (node.type === 'Literal' && typeof node.value === 'string') return node.value;
  if (node.type === 'TemplateLiteral' && Array.isArray(node.expressions) && node.expressions.length === 0) {
    const quasi = (node.quasis as { value: { cooked: string } }[])[0];
    return quasi ? quasi.value.cooked : null;
  }
  if (node.type === 'TSLiteralType') return stringValue(node.literal);
  return null;
}

/** The module a node loads: a specifier, `undefined` when the node loads nothing, null when it is computed. */
function loadedModule(node: AstNode): string | null | undefined {
  switch (node.type) {
    case 'ImportDeclaration':
    case 'ExportAllDeclaration':
    case 'ExportNamedDeclaration':
      return node.source ? stringValue(node.source) : undefined;
    case 'ImportExpression':
      return stringValue(node.source);
    case 'TSImportType':
      return stringValue(node.source ?? node.argument);
    case 'TSExternalModuleReference':
      return stringValue(node.expression);
    case 'CallExpression': {
      const callee = node.callee as AstNode;
      const isRequire =
        (callee.type === 'Identifier' && callee.name === 'require') ||
        (callee.type === 'MemberExpression' &&
          (callee.object as AstNode).type === 'Identifier' &&
          (callee.object as { name: string }).name === 'require' &&
          (callee.property as { name?: string }).name === 'resolve');
      return isRequire ? stringValue((node.arguments as unknown[])[0]) : undefined;
    }
    default:
      return undefined;
  }
}

/** Identifier positions that name a property or label rather than reading a variable. */
function isReference(parent: AstNode | null, key: string): boolean {
  if (!parent) return true;
  switch (parent.type) {
    case 'MemberExpression':
      return key !== 'property' || parent.computed === true;
    case 'Property':
    case 'MethodDefinition':
    case 'PropertyDefinition':
    case 'TSPropertySignature':
    case 'TSMethodSignature':
    case 'TSEnumMember':
      return key !== 'key' || parent.computed === true;
    case 'LabeledStatement':
    case 'BreakStatement':
    case 'ContinueStatement':
      return key !== 'label';
    case 'TSQualifiedName':
      return key !== 'right';
    case 'ExportSpecifier':
      return key !== 'exported';
    case 'ImportSpecifier':
      return false;
    default:
      return true;
  }
}

/** Every name a file declares (anywhere: a coarse scope is enough to clear a local `process`). */
function declaredNames(node: unknown, names: Set<string>): void {
  const bind = (pattern: unknown): void => {
    if (!isNode(pattern)) return;
    if (pattern.type === 'Identifier') names.add(pattern.name as string);
    else if (pattern.type === 'ObjectPattern')
      for (const p of pattern.properties as AstNode[]) bind(p.type === 'RestElement' ? p : p.value);
    else if (pattern.type === 'ArrayPattern') for (const e of pattern.elements as unknown[]) bind(e);
    else if (pattern.type === 'AssignmentPattern') bind(pattern.left);
    else if (pattern.type === 'RestElement') bind(pattern.argument);
    else if (pattern.type === 'TSParameterProperty') bind(pattern.parameter);
  };
  if (Array.isArray(node)) {
    for (const child of node) declaredNames(child, names);
    return;
  }
  if (!isNode(node)) return;
  switch (node.type) {
    case 'VariableDeclarator':
      bind(node.id);
      break;
    case 'FunctionDeclaration':
    case 'FunctionExpression':
    case 'ArrowFunctionExpression':
      bind(node.id);
      for (const p of node.params as unknown[]) bind(p);
      break;
    case 'ClassDeclaration':
    case 'ClassExpression':
    case 'TSInterfaceDeclaration':
    case 'TSTypeAliasDeclaration':
    case 'TSEnumDeclaration':
    case 'TSModuleDeclaration':
    case 'TSImportEqualsDeclaration':
      bind(node.id);
      break;
    case 'ImportSpecifier':
    case 'ImportDefaultSpecifier':
    case 'ImportNamespaceSpecifier':
      bind(node.local);
      break;
    case 'CatchClause':
      bind(node.param);
      break;
  }
  for (const value of Object.values(node)) if (typeof value === 'object' && value !== null) declaredNames(value, names);
}

function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/** The violations in one file of a runtime folder. */
export function checkFile(root: string, file: string): Violation[] {
  const from = folderOf(root, file);
  if (from === 'test' || from === 'other') return [];
  const text = readFileSync(file, 'utf8');
  const shown = relative(root, file).split(sep).join('/');
  const violations: Violation[] = [];
  const parsed = parseSync(file, text);
  if (parsed.errors.length > 0) {
    const first = parsed.errors[0];
    violations.push({ file: shown, line: 1, subject: '(parse)', rule: `cannot be parsed: ${first?.message ?? 'syntax error'}` });
    return violations;
  }
  const declared = new Set<string>();
  if (from === 'shared') declaredNames(parsed.program, declared);

  const visit = (node: AstNode, parent: AstNode | null, key: string): void => {
    const specifier = loadedModule(node);
    if (specifier === null) {
      violations.push({
        file: shown,
        line: lineAt(text, node.start),
        subject: '(computed)',
        rule: 'imports a computed specifier',
      });
    } else if (specifier !== undefined) {
      const rule = ruleFor(from, classify(root, file, specifier));
      if (rule) violations.push({ file: shown, line: lineAt(text, node.start), subject: specifier, rule });
    }
    if (from === 'shared' && node.type === 'Identifier' && isReference(parent, key) && !declared.has(node.name as string)) {
      const name = node.name as string;
      if (domGlobals.has(name)) {
        violations.push({ file: shown, line: lineAt(text, node.start), subject: name, rule: 'shared/ runs anywhere: no DOM' });
      } else if (nodeGlobals.has(name)) {
        violations.push({
          file: shown,
          line: lineAt(text, node.start),
          subject: name,
          rule: 'shared/ runs anywhere: no Node globals',
        });
      }
    }
    for (const [childKey, value] of Object.entries(node)) {
      if (Array.isArray(value)) {
        for (const child of value) if (isNode(child)) visit(child, node, childKey);
      } else if (isNode(value)) {
        visit(value, node, childKey);
      }
    }
  };
  visit(parsed.program as unknown as AstNode, null, '');
  return violations;
}

/** The source files the check reads under `root`. */
export function runtimeSourceFiles(root: string): string[] {
  const absolute = resolve(root);
  return runtimeFolders.flatMap((folder) => [...sourceFiles(join(absolute, folder))]);
}

/** Every violation under `root` (the repository, or a fixture tree shaped like it). */
export function checkBoundaries(root: string): Violation[] {
  const absolute = resolve(root);
  return runtimeSourceFiles(absolute).flatMap((file) => checkFile(absolute, file));
}

export function formatViolation(v: Violation): string {
  return `${v.file}:${v.line} ${v.subject}: ${v.rule}`;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = process.argv[2] ?? fileURLToPath(new URL('../', import.meta.url));
  const violations = checkBoundaries(root);
  for (const v of violations) console.error(formatViolation(v));
  console.log(violations.length === 0 ? 'Runtime boundaries: clean' : `Runtime boundaries: ${violations.length} violation(s)`);
  process.exitCode = violations.length === 0 ? 0 : 1;
}
