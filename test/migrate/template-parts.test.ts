import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { literalText, partsToHcl, substitute, templateParts } from '../../src/migrate/template-parts.js';

const hcl = (text: string) => templateParts({ syntax: 'hcl', text });

describe('template parts of iso_file expressions', () => {
  it('splits interpolations and literals as written', () => {
    assert.deepEqual(hcl('"${var.proxmox_iso_storage}:iso/${var.iso_file}"'), [
      { kind: 'interpolation', expression: 'var.proxmox_iso_storage' },
      { kind: 'literal', text: ':iso/' },
      { kind: 'interpolation', expression: 'var.iso_file' },
    ]);
    assert.deepEqual(hcl('"local:iso/x.iso"'), [{ kind: 'literal', text: 'local:iso/x.iso' }]);
  });

  it('handles escapes, nested braces and strings inside interpolations', () => {
    assert.deepEqual(hcl('"a\\"b$${x}${lookup(var.m, "k}")}${ {a = 1}.a }"'), [
      { kind: 'literal', text: 'a"b${x}' },
      { kind: 'interpolation', expression: 'lookup(var.m, "k}")' },
      { kind: 'interpolation', expression: '{a = 1}.a' },
    ]);
  });

  it('reads JSON strings as templates', () => {
    assert.deepEqual(templateParts({ syntax: 'json', text: '"${var.s}:iso/a.iso"' }), [
      { kind: 'interpolation', expression: 'var.s' },
      { kind: 'literal', text: ':iso/a.iso' },
    ]);
    assert.equal(templateParts({ syntax: 'json', text: '42' }), undefined);
  });

  it('refuses what it cannot split', () => {
    assert.equal(hcl('var.iso_file'), undefined);
    assert.equal(hcl('"%{ if var.a }x%{ endif }"'), undefined);
    assert.equal(hcl('"${unclosed"'), undefined);
  });

  it('substitutes values by the parts that hold them, longest first, in literals only', () => {
    const parts = substitute([{ kind: 'literal', text: 'https://releases.ubuntu.com/24.04.3/ubuntu-24.04.3-live-server-amd64.iso' }], [
      ['24.04.3', [{ kind: 'interpolation', expression: 'var.v' }]],
      ['ubuntu-24.04.3-live-server-amd64.iso', [{ kind: 'interpolation', expression: 'var.name' }]],
    ]);
    assert.equal(partsToHcl(parts), '"https://releases.ubuntu.com/${var.v}/${var.name}"');
    assert.equal(literalText(parts), undefined);
  });

  it('writes a lone interpolation as a bare expression and escapes literals', () => {
    assert.equal(partsToHcl([{ kind: 'interpolation', expression: 'var.x' }]), 'var.x');
    assert.equal(partsToHcl([{ kind: 'literal', text: 'a"${b}' }]), '"a\\"$${b}"');
  });

  it('keeps a literal $ or % before an interpolation literal (not the $${ escape)', () => {
    const parts = [
      { kind: 'literal' as const, text: 'cost$' },
      { kind: 'interpolation' as const, expression: 'var.x' },
      { kind: 'literal' as const, text: '%' },
      { kind: 'interpolation' as const, expression: 'var.y' },
    ];
    const hclText = partsToHcl(parts);
    assert.equal(hclText, '"cost\\u0024${var.x}\\u0025${var.y}"');
    assert.deepEqual(hcl(hclText), parts);
  });
});
