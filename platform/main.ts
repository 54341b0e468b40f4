/**
 * `npm start`: read the configuration (fail fast on a bad variable), start the platform, and stop
 * it gracefully on SIGTERM/SIGINT. A second signal exits at once.
 */
import { ConfigError, loadConfig, type Config } from './config';
import { createLogger } from './logger';
import { startPlatform, type Platform } from './platform';

function readConfig(): Config {
  try {
    return loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`onematter: ${err.message}\nSee README.md, "Configuration".\n`);
      process.exit(1);
    }
    throw err;
  }
}

async function main(): Promise<void> {
  const config = readConfig();
  const logger = createLogger(config.logLevel);

  let platform: Platform | undefined;
  let signalled = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (signalled) {
      logger.warn({ signal }, 'second signal: exiting without waiting');
      process.exit(1);
    }
    signalled = true;
    logger.info({ signal }, 'shutting down');
    // A signal during start-up is handled once startPlatform settles (see below).
    platform?.stop().then(
      () => process.exit(0),
      (err) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);

  try {
    platform = await startPlatform(config, logger);
  } catch (err) {
    logger.fatal({ err }, 'OneMatter failed to start');
    process.exit(1);
  }
  if (signalled) {
    await platform.stop();
    process.exit(0);
  }
}

void main();
