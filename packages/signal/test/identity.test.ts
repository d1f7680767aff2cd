import { createHash } from 'node:crypto';
import { validate as isUuid, version as uuidVersion } from 'uuid';
import {
  identityHash,
  newSignalId,
  webhookId,
  webhookIdOfIdentity,
} from '../src';

// Computed with `printf '%s\0%s' SOURCE ID | openssl dgst -sha256`.
const OPENSSL_VECTORS = [
  {
    source: '/my/app',
    id: '1',
    hex: '90de2478b70009cc2ca331a90bddcc5f0b7fdf34647596ed6af52a6a32d09946',
    webhookId: 'msg_kN4keLcACcwsozGpC93MXw',
  },
  {
    source: 'https://example.com/orders',
    id: 'ord_42',
    hex: 'a49fe180665f06b5d9bead039572a3a027637a88b913747128fe33697e1b61f6',
    webhookId: 'msg_pJ_hgGZfBrXZvq0DlXKjoC',
  },
];

function sha256OfIdentity(source: string, id: string): Buffer {
  const bytes = Buffer.concat([
    Buffer.from(source, 'utf8'),
    Buffer.from([0]),
    Buffer.from(id, 'utf8'),
  ]);
  return createHash('sha256').update(bytes).digest();
}

describe('webhookId', () => {
  it.each(OPENSSL_VECTORS)('matches openssl for $source, $id', (vector) => {
    expect(webhookId(vector.source, vector.id)).toBe(vector.webhookId);
  });

  it.each([
    ['/my/app', '1'],
    ['urn:üñí', 'émoji-🙂'],
    ['', ''],
  ])(
    'is msg_ and 22 base64url characters of SHA-256 for %j, %j',
    (source, id) => {
      const expected = `msg_${sha256OfIdentity(source, id).toString('base64url').slice(0, 22)}`;

      expect(webhookId(source, id)).toBe(expected);
      expect(webhookId(source, id)).toMatch(/^msg_[A-Za-z0-9_-]{22}$/);
    },
  );

  it('differs when source and id swap', () => {
    expect(webhookId('a', 'b')).not.toBe(webhookId('b', 'a'));
  });

  it('differs when the boundary between source and id moves', () => {
    expect(webhookId('ab', 'c')).not.toBe(webhookId('a', 'bc'));
  });
});

describe('webhookIdOfIdentity', () => {
  it.each(OPENSSL_VECTORS)('matches webhookId for $source, $id', (vector) => {
    expect(webhookIdOfIdentity(vector.hex)).toBe(vector.webhookId);
  });
});

describe('identityHash', () => {
  it.each(OPENSSL_VECTORS)('matches openssl for $source, $id', (vector) => {
    expect(identityHash(vector.source, vector.id)).toBe(vector.hex);
  });

  it('is the hex SHA-256 of source, NUL, id', () => {
    const expected = sha256OfIdentity('urn:üñí', '7').toString('hex');

    expect(identityHash('urn:üñí', '7')).toBe(expected);
  });
});

describe('newSignalId', () => {
  it('returns a UUIDv7', () => {
    const id = newSignalId();

    expect(isUuid(id)).toBe(true);
    expect(uuidVersion(id)).toBe(7);
  });

  it('returns ids that sort by creation', () => {
    const ids = Array.from({ length: 50 }, () => newSignalId());

    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
