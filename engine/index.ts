/**
 * @packageDocumentation
 * The embedded Zeebe-protocol engine: BPMN execution with its state in PostgreSQL, served over
 * Zeebe's gRPC gateway protocol. See engine/README.md.
 *
 * (Being written in this change: startEngine/migrateEngine land with the engine core.)
 */
import type { Knex } from 'knex';

export interface EngineLogger {
  info(obj: object | string, msg?: string): void;
  warn(obj: object | string, msg?: string): void;
  error(obj: object | string, msg?: string): void;
  debug(obj: object | string, msg?: string): void;
}

export interface EngineOptions {
  /** knex instance (PGlite or PostgreSQL); the engine keeps its tables prefixed `engine_`. */
  db: Knex;
  /** gRPC port; 0 picks a free one. Default 26500. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  logger?: EngineLogger;
}

export interface Engine {
  /** `host:port` the gateway listens on. */
  readonly address: string;
  readonly port: number;
  stop(): Promise<void>;
}

export declare function migrateEngine(db: Knex): Promise<string[]>;
export declare function startEngine(options: EngineOptions): Promise<Engine>;
