/**
 * Personal data at rest (个人信息保护法): envelope encryption with node:crypto's AES-256-GCM.
 *
 * Every value gets its own random 32-byte data key; the value is sealed with the data key and the
 * data key is sealed ("wrapped") with the master key. A stored value reads
 * `pii1:<key id>:<wrapped data key>:<sealed value>` (base64url parts, each `iv ‖ ciphertext ‖ tag`),
 * where the key id is the first 8 hex digits of SHA-256 of the master key. Rotating the master key
 * therefore re-wraps 60 bytes per value and never touches the sealed value ({@link PiiKeyring.rewrap});
 * a process configured with the new key and the old ones (`PII_MASTER_KEYS_OLD`) reads both, so the
 * rotation runs while the platform serves.
 *
 * Phone look-ups (the tracking page, "my cases") use a keyed search hash: HMAC-SHA256 of the
 * normalised number under a key derived from the master key (HKDF-SHA256, info `phone-search`).
 * Until a rotation has re-hashed every row, a look-up asks for the hash under each known key.
 */
import crypto from 'node:crypto';

const PREFIX = 'pii1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** The master key's id: the first 8 hex digits of its SHA-256 (names the key without revealing it). */
export function masterKeyId(key: Buffer): string {
  return crypto.createHash('sha256').update(key).digest('hex').slice(0, 8);
}

function seal(key: Buffer, plain: Buffer, aad: string): Buffer {
  const iv = crypto.randomBytes(IV_BYTES);
  const cipher = crypto.createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(aad));
  const body = Buffer.concat([cipher.update(plain), cipher.final()]);
  return Buffer.concat([iv, body, cipher.getAuthTag()]);
}

function open(key: Buffer, sealed: Buffer, aad: string): Buffer {
  const iv = sealed.subarray(0, IV_BYTES);
  const tag = sealed.subarray(sealed.length - TAG_BYTES);
  const body = sealed.subarray(IV_BYTES, sealed.length - TAG_BYTES);
  const decipher = crypto.createDecipheriv('aes-256-gcm', key, iv);
  decipher.setAAD(Buffer.from(aad));
  decipher.setAuthTag(tag);
  return Buffer.concat([decipher.update(body), decipher.final()]);
}

/** Digits of a phone number, a mainland mobile without its +86/0086 prefix (the form the search hash is of). */
export function normalisePhone(phone: string): string {
  const digits = String(phone).replace(/\D/g, '');
  const mobile = /^(?:0086|86)?(1[3-9]\d{9})$/.exec(digits);
  return mobile ? mobile[1] : digits;
}

/** True for a value written by {@link PiiKeyring.encrypt}; anything else is plaintext from before encryption. */
export function isSealed(value: string | null | undefined): boolean {
  return typeof value === 'string' && value.startsWith(`${PREFIX}:`);
}

export class PiiKeyring {
  readonly currentId: string;
  private readonly keys = new Map<string, Buffer>();
  private readonly searchKeys = new Map<string, Buffer>();

  /** `current` seals new values; `old` keys only open (and are re-wrapped away by a rotation). */
  constructor(current: Buffer, old: readonly Buffer[] = []) {
    for (const k of [current, ...old]) {
      if (k.length !== 32) throw new Error(`Expected a 32-byte master key, but got ${k.length} bytes`);
      const id = masterKeyId(k);
      if (this.keys.has(id)) continue;
      this.keys.set(id, k);
      this.searchKeys.set(id, Buffer.from(crypto.hkdfSync('sha256', k, Buffer.alloc(0), 'phone-search', 32)));
    }
    this.currentId = masterKeyId(current);
  }

  /** A keyring with a random master key (demo mode and tests: values do not survive a restart's new key). */
  static generate(): PiiKeyring {
    return new PiiKeyring(crypto.randomBytes(32));
  }

  /** The ids of every key this ring can open with, the current one first. */
  get keyIds(): string[] {
    return [this.currentId, ...[...this.keys.keys()].filter((id) => id !== this.currentId)];
  }

  encrypt(plain: string): string;
  encrypt(plain: string | null | undefined): string | null;
  encrypt(plain: string | null | undefined): string | null {
    if (plain == null) return null;
    if (isSealed(plain)) return plain;
    const dataKey = crypto.randomBytes(32);
    const wrapped = seal(this.keys.get(this.currentId)!, dataKey, `${PREFIX}:${this.currentId}`);
    const body = seal(dataKey, Buffer.from(plain, 'utf8'), PREFIX);
    return `${PREFIX}:${this.currentId}:${wrapped.toString('base64url')}:${body.toString('base64url')}`;
  }

  /** The plaintext of a sealed value; plaintext (a row not yet backfilled) is returned as it is. */
  decrypt(value: string): string;
  decrypt(value: string | null | undefined): string | null;
  decrypt(value: string | null | undefined): string | null {
    if (value == null) return null;
    if (!isSealed(value)) return value;
    const { dataKey, body } = this.unwrap(value);
    return open(dataKey, body, PREFIX).toString('utf8');
  }

  /** The value with its data key wrapped by the current master key (unchanged if it already is). */
  rewrap(value: string): string {
    if (!isSealed(value)) return this.encrypt(value);
    const [, id] = value.split(':');
    if (id === this.currentId) return value;
    const { dataKey, body } = this.unwrap(value);
    const wrapped = seal(this.keys.get(this.currentId)!, dataKey, `${PREFIX}:${this.currentId}`);
    return `${PREFIX}:${this.currentId}:${wrapped.toString('base64url')}:${body.toString('base64url')}`;
  }

  /** The id of the master key that wrapped `value`, or null for plaintext. */
  keyIdOf(value: string | null | undefined): string | null {
    return isSealed(value) ? value!.split(':')[1] : null;
  }

  /** The search hash of a phone under the current key (stored beside the sealed number). */
  phoneHash(phone: string): string {
    return this.hashWith(this.currentId, phone);
  }

  /** The search hashes of a phone under every known key (a look-up during a rotation matches either). */
  phoneHashes(phone: string): string[] {
    return this.keyIds.map((id) => this.hashWith(id, phone));
  }

  private hashWith(id: string, phone: string): string {
    return crypto.createHmac('sha256', this.searchKeys.get(id)!).update(normalisePhone(phone)).digest('hex');
  }

  private unwrap(value: string): { dataKey: Buffer; body: Buffer } {
    const [, id, wrapped, body] = value.split(':');
    const master = this.keys.get(id);
    if (!master)
      throw new Error(
        `Expected master key ${id} to open a stored personal field, but it is neither PII_MASTER_KEY nor in PII_MASTER_KEYS_OLD`,
      );
    const dataKey = open(master, Buffer.from(wrapped, 'base64url'), `${PREFIX}:${id}`);
    return { dataKey, body: Buffer.from(body, 'base64url') };
  }
}

let active: PiiKeyring | undefined;

/** Sets the process's keyring (the platform at start, from PII_MASTER_KEY). */
export function setPiiKeyring(ring: PiiKeyring): void {
  active = ring;
}

/**
 * The process's keyring. Without one set (a unit test, a script), a random key is made once: values
 * it seals are readable only by this process.
 */
export function piiKeyring(): PiiKeyring {
  active ??= PiiKeyring.generate();
  return active;
}
