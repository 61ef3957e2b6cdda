/**
 * The API report: every name each public entry point (package.json `exports`) exports, with its
 * declared signature, read from the built `dist/**\/*.d.ts` with the TypeScript compiler API and
 * written to `etc/api/<entry>.api.md`. `test/package/api-report.test.ts` regenerates it and fails
 * on any difference, so a change to the public surface is always a reviewed diff.
 *
 * Update after an intended change: `npm run api:update` (builds, then rewrites etc/api/).
 */
import { readFileSync, readdirSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';

const root = join(import.meta.dirname, '../..');

/** Where the committed reports live. */
export const reportDir = join(root, 'etc/api');

/** One public entry point: its import specifier, its built declaration file, its report file. */
export interface Entry {
  readonly specifier: string;
  readonly types: string;
  readonly report: string;
}

/** The entry points of package.json's `exports` that carry types, in the map's order. */
export function entries(): Entry[] {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { name: string; exports: Record<string, string | { types?: string }> };
  const out: Entry[] = [];
  for (const [key, target] of Object.entries(pkg.exports)) {
    if (typeof target === 'string' || target.types === undefined) continue;
    const specifier = key === '.' ? pkg.name : `${pkg.name}/${key.slice(2)}`;
    out.push({ specifier, types: join(root, target.types), report: join(reportDir, `${specifier.replace('/', '-')}.api.md`) });
  }
  return out;
}

/** One exported name: whether it exists at run time, and the declarations it stands for. */
export interface ExportedName {
  readonly name: string;
  /** True when the name is a run-time value (function, class, const, enum); false for type-only names. */
  readonly value: boolean;
  /** True for a type no entry point exports but an exported signature names (api-extractor's "forgotten export"): its shape is API too. */
  readonly referenced: boolean;
  readonly declarations: readonly string[];
}

const printer = ts.createPrinter({ removeComments: true, newLine: ts.NewLineKind.LineFeed });

/** A declaration's text, printed without comments and without the `export`/`declare` keywords (where it is re-exported from is not API). */
function declarationText(node: ts.Declaration): string {
  const printed = ts.isVariableDeclaration(node) && ts.isVariableDeclarationList(node.parent) && ts.isVariableStatement(node.parent.parent)
    ? printer.printNode(ts.EmitHint.Unspecified, node.parent.parent, node.getSourceFile())
    : printer.printNode(ts.EmitHint.Unspecified, node, node.getSourceFile());
  return printed.replace(/^(?:export )?(?:default )?(?:declare )?/, '').replace(/[ \t]+$/gm, '').trim();
}

/** The package's own declarations that an entry's exports name, transitively, but no entry point exports. */
function referencedNotExported(checker: ts.TypeChecker, roots: readonly ts.Symbol[], exported: ReadonlySet<ts.Symbol>): ExportedName[] {
  const seen = new Set<ts.Symbol>(exported);
  const found: ExportedName[] = [];
  const queue = [...roots];
  const visit = (node: ts.Node): void => {
    const name = ts.isTypeReferenceNode(node) ? node.typeName : ts.isExpressionWithTypeArguments(node) ? node.expression : ts.isTypeQueryNode(node) ? node.exprName : undefined;
    if (name !== undefined) {
      let symbol = checker.getSymbolAtLocation(ts.isQualifiedName(name) ? name.right : ts.isPropertyAccessExpression(name) ? name.name : name);
      if (symbol !== undefined && symbol.flags & ts.SymbolFlags.Alias) symbol = checker.getAliasedSymbol(symbol);
      const own = symbol?.declarations?.some((d) => !d.getSourceFile().fileName.includes('/node_modules/') && !ts.isTypeParameterDeclaration(d));
      if (symbol !== undefined && own && !seen.has(symbol)) {
        seen.add(symbol);
        queue.push(symbol);
        found.push({ name: symbol.name, value: false, referenced: true, declarations: (symbol.declarations ?? []).map(declarationText) });
      }
    }
    ts.forEachChild(node, visit);
  };
  for (let symbol = queue.shift(); symbol !== undefined; symbol = queue.shift()) for (const d of symbol.declarations ?? []) visit(d);
  return found;
}

/** Every exported name of each entry, sorted, from one program over the built declaration files. */
export function collect(list: readonly Entry[] = entries()): Map<Entry, ExportedName[]> {
  const program = ts.createProgram(list.map((e) => e.types), {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2023,
    allowImportingTsExtensions: true,
    noEmit: true,
    skipLibCheck: true,
    types: ['node'],
  });
  const checker = program.getTypeChecker();
  const result = new Map<Entry, ExportedName[]>();
  const exportedTargets = new Set<ts.Symbol>(); // by any entry point: a user can import them
  const collected: [Entry, ExportedName[], ts.Symbol[]][] = [];
  for (const entry of list) {
    const file = program.getSourceFile(entry.types);
    if (file === undefined) throw new Error(`${relative(root, entry.types)} is missing: run \`npm run build\` first`);
    const moduleSymbol = checker.getSymbolAtLocation(file);
    if (moduleSymbol === undefined) throw new Error(`${relative(root, entry.types)} is not a module`);
    const names: ExportedName[] = [];
    const targets: ts.Symbol[] = [];
    for (const exported of checker.getExportsOfModule(moduleSymbol)) {
      const target = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
      exportedTargets.add(target);
      targets.push(target);
      const typeOnly = exported.flags & ts.SymbolFlags.Alias && exported.declarations?.some((d) => ts.isTypeOnlyImportOrExportDeclaration(d));
      const value = !typeOnly && (target.flags & ts.SymbolFlags.Value) !== 0;
      const declarations = (target.declarations ?? []).map(declarationText);
      names.push({ name: exported.name, value, referenced: false, declarations });
    }
    collected.push([entry, names, targets]);
  }
  for (const [entry, names, targets] of collected) {
    names.push(...referencedNotExported(checker, targets, exportedTargets));
    names.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    result.set(entry, names);
  }
  return result;
}

/** The report text of one entry point. */
export function render(entry: Entry, names: readonly ExportedName[]): string {
  const values = names.filter((n) => n.value);
  const types = names.filter((n) => !n.value && !n.referenced);
  const referenced = names.filter((n) => n.referenced);
  const section = (title: string, list: readonly ExportedName[]) =>
    list.length === 0 ? [] : [`## ${title}`, '', ...list.flatMap((n) => [`### ${n.name}`, '', '```ts', ...n.declarations.join('\n\n').split('\n'), '```', ''])];
  return [
    `# API report: ${entry.specifier}`,
    '',
    `<!-- Generated from ${relative(root, entry.types)} by \`npm run api:update\`. Do not edit by hand: review the diff. -->`,
    '',
    `${values.length} values, ${types.length} types${referenced.length === 0 ? '' : `, ${referenced.length} referenced but not exported`}.`,
    '',
    ...section('Values', values),
    ...section('Types', types),
    ...(referenced.length === 0 ? [] : ['<!-- Exported by no entry point, but named by the signatures above: their shape is API too. -->', '']),
    ...section('Referenced, not exported', referenced),
  ].join('\n');
}

/** Every report, keyed by its file path. */
export function reports(): Map<string, string> {
  const out = new Map<string, string>();
  for (const [entry, names] of collect()) out.set(entry.report, render(entry, names));
  return out;
}

/** Rewrites etc/api/ from the built declarations (removing reports of entry points that no longer exist). */
export function update(): void {
  const next = reports();
  mkdirSync(reportDir, { recursive: true });
  for (const f of readdirSync(reportDir)) if (f.endsWith('.api.md') && !next.has(join(reportDir, f))) rmSync(join(reportDir, f));
  for (const [file, text] of next) writeFileSync(file, text);
  for (const [file] of next) process.stdout.write(`wrote ${relative(root, file)}\n`);
}

if (import.meta.main) update();

/** The run-time value names a committed report lists (the `### name` headings of its `## Values` section). */
export function valueNames(report: string): string[] {
  const values = /^## Values\n([\s\S]*?)(?=^## |(?![\s\S]))/m.exec(report)?.[1] ?? '';
  return [...values.matchAll(/^### (\S+)$/gm)].map((m) => m[1]!);
}
