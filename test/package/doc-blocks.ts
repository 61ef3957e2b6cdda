import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/** One ```ts / ```tsx block found in a guide or in a TSDoc `@example`. */
export interface DocBlock {
  /** The file it was found in, relative to the repository root (`docs/pipelines.md`, `src/model/wire.ts`). */
  readonly file: string;
  /** 1-based index of the block among the ts/tsx blocks of `file`. */
  readonly index: number;
  /** 1-based line in `file` of the block's first code line (the line after the opening fence). */
  readonly line: number;
  readonly lang: 'ts' | 'tsx';
  /** The code, one entry per source line, with the fence's indentation (and ` * ` in comments) removed. */
  readonly code: string;
  /** Set when the author opted the block out of compilation, with the reason they gave. */
  readonly skipReason?: string;
}

/**
 * The opt-out marker: an HTML comment on the last non-blank line before the opening fence,
 * `<!-- not compiled: why -->`. A reason is required.
 */
const OPT_OUT = /^<!--\s*not compiled:\s*(\S.*?)\s*-->$/;
const FENCE = /^(\s*)(`{3,}|~{3,})\s*([^\s`]*)(.*)$/;
const TS_LANGS: Record<string, 'ts' | 'tsx'> = { ts: 'ts', typescript: 'ts', tsx: 'tsx' };

interface Line {
  readonly text: string;
  /** 1-based line number in the original file. */
  readonly at: number;
}

/**
 * The ts/tsx fenced blocks among `lines`, numbered from `firstIndex`. Tracks every fence (```sh
 * included) so a ts fence shown inside another block is not mistaken for a block.
 */
function fencedBlocks(file: string, lines: readonly Line[], firstIndex: number): DocBlock[] {
  const blocks: DocBlock[] = [];
  let index = firstIndex;
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE.exec(lines[i]!.text);
    if (!open) continue;
    const [, indent = '', fence = '', info = ''] = open;
    let end = i + 1;
    while (end < lines.length) {
      const close = /^\s*(`{3,}|~{3,})\s*$/.exec(lines[end]!.text);
      if (close && close[1]![0] === fence[0] && close[1]!.length >= fence.length) break;
      end++;
    }
    const lang = TS_LANGS[info.toLowerCase()];
    if (lang) {
      let before = i - 1;
      while (before >= 0 && lines[before]!.text.trim() === '') before--;
      const marker = before >= 0 ? OPT_OUT.exec(lines[before]!.text.trim()) : null;
      const body = lines.slice(i + 1, end).map((l) => (l.text.startsWith(indent) ? l.text.slice(indent.length) : l.text.trimStart()));
      blocks.push({ file, index: index++, line: lines[i]!.at + 1, lang, code: body.join('\n'), ...(marker ? { skipReason: marker[1]! } : {}) });
    }
    i = end;
  }
  return blocks;
}

/** Every ts/tsx fenced block of a Markdown file. */
export function markdownBlocks(root: string, path: string): DocBlock[] {
  const lines = readFileSync(path, 'utf8').split('\n').map((text, i) => ({ text, at: i + 1 }));
  return fencedBlocks(relative(root, path), lines, 1);
}

/**
 * The ts/tsx fenced blocks inside the `@example` sections of the doc comments of a TypeScript
 * file. An `@example` section runs to the next block tag (a line starting with `@`) or the end of
 * its comment; the comment's ` * ` prefixes are removed, keeping line numbers.
 */
export function exampleBlocks(root: string, path: string): DocBlock[] {
  const file = relative(root, path);
  const source = readFileSync(path, 'utf8').split('\n');
  const blocks: DocBlock[] = [];
  for (let i = 0; i < source.length; i++) {
    if (!/^\s*\/\*\*/.test(source[i]!)) continue;
    const comment: Line[] = [];
    for (; i < source.length; i++) {
      const raw = source[i]!;
      const closes = raw.includes('*/');
      const text = raw.replace(/^\s*\/\*\*\s?/, '').replace(/\*\/.*$/, '').replace(/^\s*\*(?: |$)/, '');
      comment.push({ text, at: i + 1 });
      if (closes) break;
    }
    let section: Line[] | undefined;
    const sections: Line[][] = [];
    let inFence = false;
    for (const l of comment) {
      if (/^\s*(`{3,}|~{3,})/.test(l.text)) inFence = !inFence;
      if (!inFence && /^\s*@\w+/.test(l.text)) {
        section = /^\s*@example\b/.test(l.text) ? [] : undefined;
        if (section) sections.push(section);
        continue;
      }
      section?.push(l);
    }
    for (const s of sections) {
      const found = fencedBlocks(file, s, blocks.length + 1);
      if (found.length === 0) throw new Error(`${file}:${s[0]?.at ?? '?'}: an @example without a \`\`\`ts block; write the example as a fenced ts block so the doctests check it`);
      blocks.push(...found);
    }
  }
  return blocks;
}

/** Every `.ts` file under `dir` (recursively), sorted. */
function tsFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => /\.tsx?$/.test(f) && !f.endsWith('.d.ts'))
    .map((f) => join(dir, f))
    .sort();
}

/** The doc blocks of the repository: README.md, docs/*.md (not the generated docs/api) and the `@example`s of src. */
export function repositoryDocBlocks(root: string): DocBlock[] {
  const guides = readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md')).sort().map((f) => join(root, 'docs', f));
  return [
    ...[join(root, 'README.md'), ...guides].flatMap((p) => markdownBlocks(root, p)),
    ...tsFiles(join(root, 'src')).flatMap((p) => exampleBlocks(root, p)),
  ];
}

/** A compiler error in a doc block, located in the file the block came from. */
export interface DocBlockError {
  readonly block: DocBlock;
  /** 1-based line in `block.file`. */
  readonly line: number;
  readonly message: string;
}

/** `file:line (block N): message`, the way the doctests report a failure. */
export function formatDocBlockError(e: DocBlockError): string {
  return `${e.block.file}:${e.line} (block ${e.block.index}): ${e.message}`;
}
