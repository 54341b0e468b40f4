/** Zeebe rejection types and the gRPC status codes the gateway maps them to (GrpcErrorMapper). */
export type RejectionType = 'INVALID_ARGUMENT' | 'NOT_FOUND' | 'ALREADY_EXISTS' | 'INVALID_STATE' | 'PROCESSING_ERROR';

const GRPC_CODES: Record<RejectionType, number> = {
  INVALID_ARGUMENT: 3,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  INVALID_STATE: 9, // FAILED_PRECONDITION
  PROCESSING_ERROR: 13, // INTERNAL
};

/**
 * A command the engine refuses. Business failures are values, never exceptions of the engine
 * itself; the message follows Zeebe: `Command 'COMPLETE' rejected with code 'NOT_FOUND': Expected …`.
 */
export class Rejection extends Error {
  readonly grpcCode: number;
  constructor(
    readonly type: RejectionType,
    readonly intent: string,
    readonly reason: string,
  ) {
    super(`Command '${intent}' rejected with code '${type}': ${reason}`);
    this.name = 'Rejection';
    this.grpcCode = GRPC_CODES[type];
  }
}

/** A request the gateway refuses before it becomes a command (bad arguments). */
export class InvalidArgument extends Error {
  readonly grpcCode = 3;
  constructor(message: string) {
    super(message);
    this.name = 'InvalidArgument';
  }
}
