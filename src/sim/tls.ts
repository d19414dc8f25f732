// The simulator's TLS material: a throw-away CA and a server certificate it signs for the listen
// host, localhost, 127.0.0.1 and ::1. Clients trust the CA file; nothing is reused between runs.
import { generate } from 'selfsigned';
import { isIP } from 'node:net';

export interface TlsMaterial {
  caCert: string;
  key: string;
  cert: string;
}

export async function makeTlsMaterial(host: string): Promise<TlsMaterial> {
  const notAfterDate = new Date(Date.now() + 30 * 86400_000);
  const ca = await generate([{ name: 'commonName', value: 'hclx sim CA' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    notAfterDate,
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    ],
  });
  const altNames: Array<{ type: 2 | 7; value?: string; ip?: string }> = [
    { type: 2, value: 'localhost' },
    { type: 7, ip: '127.0.0.1' },
    { type: 7, ip: '::1' },
  ];
  if (isIP(host) && host !== '127.0.0.1' && host !== '::1' && host !== '0.0.0.0' && host !== '::') altNames.push({ type: 7, ip: host });
  else if (!isIP(host) && host !== 'localhost') altNames.push({ type: 2, value: host });
  const server = await generate([{ name: 'commonName', value: isIP(host) ? 'localhost' : host }], {
    keyType: 'ec',
    algorithm: 'sha256',
    notAfterDate,
    ca: { key: ca.private, cert: ca.cert },
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames },
    ],
  });
  return { caCert: ca.cert, key: server.private, cert: server.cert };
}
