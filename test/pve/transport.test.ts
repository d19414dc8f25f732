import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../support/temp.js';
import { rootCertificates } from 'node:tls';
import { proxyApplies, trustedCas } from '../../src/pve/transport.js';
import { UsageError } from '../../src/errors.js';

test('NO_PROXY follows undici: exact hosts, leading-dot and wildcard suffixes, ports, *', () => {
  const cfg = { httpProxy: 'http://proxy:3128', httpsProxy: '', noProxy: 'localhost, .lab.example,*.corp pve3:8006' };
  assert.equal(proxyApplies('https://pve.example.org:8006/api2/json', cfg), true, 'https falls back to HTTP_PROXY');
  assert.equal(proxyApplies('https://localhost:8006/', cfg), false);
  assert.equal(proxyApplies('https://pve1.lab.example:8006/', cfg), false);
  assert.equal(proxyApplies('https://x.corp/', cfg), false);
  assert.equal(proxyApplies('https://pve3:8006/', cfg), false);
  assert.equal(proxyApplies('https://pve3:443/', cfg), true, 'port must match');
  assert.equal(proxyApplies('https://a/', { ...cfg, noProxy: '*' }), false);
  assert.equal(proxyApplies('http://a/', { httpProxy: '', httpsProxy: 'http://p:1', noProxy: '' }), false, 'HTTPS_PROXY is only for https');
});

test('a CA file is trusted in addition to the system roots, NODE_EXTRA_CA_CERTS too', () => {
  const dir = tempDir('ca');
  const pem = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
  writeFileSync(join(dir, 'a.pem'), pem);
  writeFileSync(join(dir, 'b.pem'), pem.replace('MIIB', 'MIIC'));
  assert.equal(trustedCas({ env: {} }), undefined, 'no extra CA: Node defaults');
  const cas = trustedCas({ env: { NODE_EXTRA_CA_CERTS: join(dir, 'b.pem') }, caFile: join(dir, 'a.pem') })!;
  assert.equal(cas.length, rootCertificates.length + 2);
  assert.ok(cas.includes(pem));
  assert.ok(cas.some((c) => c.includes('MIIC')));
});

test('an unusable CA file is a usage error naming the file', () => {
  const dir = tempDir('ca');
  writeFileSync(join(dir, 'junk.pem'), 'not a certificate');
  for (const f of [join(dir, 'missing.pem'), join(dir, 'junk.pem')]) {
    assert.throws(() => trustedCas({ env: {}, caFile: f }), (e: unknown) => e instanceof UsageError && e.message.includes(f) && /pve-root-ca\.pem/.test(e.hint ?? ''));
  }
});
