/**
 * The keyring a CLI seals and opens personal data with — the same one the platform uses: PII_MASTER_KEY
 * (and PII_MASTER_KEYS_OLD) from the configuration, else the local key file in DATA_DIR
 * (domain/privacy/config.ts, keyringOf), so what a CLI seals the running platform can read.
 */
import path from 'node:path';
import { keyringOf, LOCAL_KEY_FILE } from '../../domain/privacy/config';
import { PiiKeyring, setPiiKeyring } from '../../domain/privacy/pii-crypto';
import type { Config } from '../config';

export function useConfiguredKeyring(config: Config): PiiKeyring {
  const ring = keyringOf(config.privacy, {
    demo: config.demo,
    sharedDatabase: !!config.databaseUrl,
    localKeyFile: path.join(config.dataDir, LOCAL_KEY_FILE),
    log: (m) => process.stderr.write(m + '\n'),
  });
  setPiiKeyring(ring);
  return ring;
}
