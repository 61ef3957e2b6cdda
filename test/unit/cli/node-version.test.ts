import { describe, expect, it } from 'vitest';
import { requiredNode, unsupportedNode } from '../../../src/cli/node-version.ts';
import pkg from '../../../package.json' with { type: 'json' };

describe('the CLI\'s Node.js check', () => {
  it('names the Node.js it needs, in one line, for older versions', () => {
    for (const old of ['20.20.2', 'v22.18.9', '22.9.0', '18.0.0']) {
      const message = unsupportedNode(old);
      expect(message).toMatch(/^rxkube needs Node\.js 22\.19\.0 or newer; this is Node\.js \d+\.\d+\.\d+ \(.*\)$/);
      expect(message).not.toContain('\n');
    }
  });

  it('accepts 22.19 and newer', () => {
    for (const ok of ['22.19.0', 'v22.20.1', '23.0.0', '24.21.0', '100.0.0']) expect(unsupportedNode(ok)).toBeUndefined();
  });

  it('agrees with package.json\'s engines', () => {
    expect(pkg.engines.node).toBe(`>=${requiredNode.replace(/\.0$/, '')}`);
  });
});
