/**
 * The keyring a CLI seals and opens personal data with: PII_MASTER_KEY (and PII_MASTER_KEYS_OLD) from
 * the configuration, as the platform uses. A CLI never makes a random key, even in demo mode: what it
 * sealed would be unreadable by the running platform.
 */
import { PiiKeyring, setPiiKeyring } from '../../domain/privacy/pii-crypto';
import type { Config } from '../config';

export function useConfiguredKeyring(config: Config): PiiKeyring {
  if (!config.privacy.masterKey)
    throw new Error(
      'Expected PII_MASTER_KEY (or PII_MASTER_KEY_FILE) to be set: personal data is sealed with it (openssl rand -base64 32)',
    );
  const ring = new PiiKeyring(config.privacy.masterKey, config.privacy.oldMasterKeys);
  setPiiKeyring(ring);
  return ring;
}
