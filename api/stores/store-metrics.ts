import type { Logger } from 'pino';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { ErrorCode, gatewayError } from '../errors.js';

export type StoreKind = 'memory' | 'redis';

/**
 * Times every call into the shared store and turns its failures into one
 * retryable error, so a lost Redis is a clear `STORE_UNAVAILABLE` for the
 * client and a counted, logged error for the operator, never a hang.
 */
export interface StoreCalls {
  readonly kind: StoreKind;
  /** Runs one store operation; a failure becomes `STORE_UNAVAILABLE`. */
  run<T>(operation: string, call: () => Promise<T>): Promise<T>;
}

/** Metrics of the store in use: `gateway_store_info`, `gateway_store_operation_seconds`, `gateway_store_errors_total`. */
export function createStoreCalls(kind: StoreKind, registry: Registry, logger: Logger): StoreCalls {
  new Gauge({ name: 'gateway_store_info', help: 'The store holding uploads and per-key limits (1 for the one in use)', labelNames: ['store'], registers: [registry] }).set(
    { store: kind },
    1,
  );
  const seconds = new Histogram({
    name: 'gateway_store_operation_seconds',
    help: 'Time spent in store operations, failures included',
    labelNames: ['store', 'operation'],
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 2.5],
    registers: [registry],
  });
  const errors = new Counter({
    name: 'gateway_store_errors_total',
    help: 'Store operations that failed (unreachable, timed out, refused)',
    labelNames: ['store', 'operation'],
    registers: [registry],
  });
  return {
    kind,
    async run(operation, call) {
      const end = seconds.startTimer({ store: kind, operation });
      try {
        return await call();
      } catch (error) {
        if (isStoreFailure(error)) {
          errors.inc({ store: kind, operation });
          logger.warn({ store: kind, operation, err: error }, `store ${kind}: ${operation} failed`);
          throw storeUnavailable();
        }
        throw error;
      } finally {
        end();
      }
    },
  };
}

/** Errors the store itself raised (not the coded refusals a limiter throws on purpose). */
function isStoreFailure(error: unknown): boolean {
  return error instanceof Error && !('extensions' in error);
}

export function storeUnavailable() {
  return gatewayError(
    ErrorCode.STORE_UNAVAILABLE,
    'The shared store is unavailable right now; nothing was sent to the model. Retry in a few seconds.',
    { retryable: true },
  );
}
