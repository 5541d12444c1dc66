// The protocol manifests are the one place a protocol's names, default link and
// options schema are written: every protocol has one, and every registry reads it.
import { describe, expect, it } from 'vitest';
import { PROTOCOLS } from '../../shared/api/contract';
import { LinkSpec } from '../../shared/api/link-config';
import { defaultLinkOn, defaultPortOf, PROTOCOL_MANIFESTS } from '../../shared/api/manifests';
import { PROTOCOL_LABELS } from '../../shared/api/protocol-actions';
import { PROTOCOL_DEFINITIONS } from '../../main/protocols/registry';
import { RENDERER_PROTOCOLS } from '../../renderer/src/protocols/registry';

const manifests = Object.values(PROTOCOL_MANIFESTS);

describe('protocol manifests', () => {
  it('has exactly one manifest per protocol, each under its own name', () => {
    expect(Object.keys(PROTOCOL_MANIFESTS).sort()).toEqual([...PROTOCOLS].sort());
    for (const [key, m] of Object.entries(PROTOCOL_MANIFESTS)) expect(m.name).toBe(key);
  });

  it("parses each protocol's default options with its own schema", () => {
    for (const m of manifests) {
      const r = m.optionsSchema.safeParse({});
      expect(r.success, `${m.name}: ${r.success ? '' : r.error.message}`).toBe(true);
      // The filled-in defaults are themselves valid options (a saved workspace stores them).
      expect(m.optionsSchema.safeParse(r.data).success, m.name).toBe(true);
    }
  });

  it('refuses an unknown option in every schema', () => {
    for (const m of manifests) expect(m.optionsSchema.safeParse({ notAnOption: 1 }).success, m.name).toBe(false);
  });

  it('has unique labels and titles', () => {
    expect(new Set(manifests.map((m) => m.label)).size).toBe(manifests.length);
    expect(new Set(manifests.map((m) => m.title)).size).toBe(manifests.length);
  });

  it('gives every protocol a valid default link with a fixed port', () => {
    for (const m of manifests) {
      expect(LinkSpec.safeParse(m.defaultLink).success, m.name).toBe(true);
      expect(defaultPortOf(m.name)).toBeGreaterThan(0);
    }
    expect(defaultPortOf('katcp')).toBe(7147);
    expect(defaultLinkOn('dcs', 40000)).toEqual({ type: 'tcp-server', config: { host: '127.0.0.1', port: 40000 } });
    // defaultLinkOn copies: the manifest keeps its port.
    expect(defaultPortOf('dcs')).toBe(14242);
  });

  it('is what messages name each protocol by', () => {
    for (const m of manifests) expect(PROTOCOL_LABELS[m.name]).toBe(m.label);
  });
});

describe('protocol registries', () => {
  it("the engine registry covers exactly the manifests' protocols and takes their names, link and schema", () => {
    expect(Object.keys(PROTOCOL_DEFINITIONS).sort()).toEqual(Object.keys(PROTOCOL_MANIFESTS).sort());
    for (const m of manifests) {
      const d = PROTOCOL_DEFINITIONS[m.name];
      expect(d.name).toBe(m.name);
      expect(d.label).toBe(m.label);
      expect(d.defaultLink).toEqual(m.defaultLink);
      expect(d.optionsSchema).toBe(m.optionsSchema);
    }
  });

  it("the renderer registry covers exactly the manifests' protocols and shows their titles and links", () => {
    expect(Object.keys(RENDERER_PROTOCOLS).sort()).toEqual(Object.keys(PROTOCOL_MANIFESTS).sort());
    for (const m of manifests) {
      expect(RENDERER_PROTOCOLS[m.name].label).toBe(m.title);
      expect(RENDERER_PROTOCOLS[m.name].defaultLink).toEqual(m.defaultLink);
    }
  });
});
