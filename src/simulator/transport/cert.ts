// A self-signed certificate for the listen addresses (+ localhost). It is its own CA, so a
// client verifies TLS by trusting exactly this PEM — verification stays on.
export interface TlsMaterial {
  cert: string;
  key: string;
  /** What clients pass as their CA; the certificate itself when self-signed. */
  ca?: string;
}

export async function generateCertificate(addresses: string[], now: Date): Promise<TlsMaterial> {
  // Loaded lazily: only a simulator start pays for it.
  const { generate } = await import('selfsigned');
  const notBeforeDate = new Date(now.getTime() - 60 * 60 * 1000);
  const notAfterDate = new Date(now.getTime() + 825 * 24 * 60 * 60 * 1000);
  const altNames = [...new Set(['127.0.0.1', ...addresses])].map((ip) => ({ type: 7 as const, ip }));
  const pems = await generate(
    [
      { name: 'commonName', value: 'jdssc-simulator' },
      { name: 'organizationName', value: 'jdssc JovianDSS simulator' },
    ],
    {
      keyType: 'ec',
      curve: 'P-256',
      algorithm: 'sha256',
      notBeforeDate,
      notAfterDate,
      extensions: [
        { name: 'basicConstraints', cA: true, critical: true },
        { name: 'keyUsage', digitalSignature: true, keyCertSign: true, critical: true },
        { name: 'extKeyUsage', serverAuth: true },
        { name: 'subjectAltName', altNames: [...altNames, { type: 2, value: 'localhost' }] },
      ],
    },
  );
  return { cert: pems.cert, key: pems.private, ca: pems.cert };
}
