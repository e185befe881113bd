import type { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import type { Logger } from 'pino';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { UpstreamDetail } from './bedrock/errors.js';
import type { TokenUsage } from './bedrock/model-request.js';

/** What is known when one describe request ends. Never image bytes or credentials. */
export interface DescriptionReport {
  requestId: string;
  operation: 'subscription' | 'mutation';
  caller: string;
  modelId?: string;
  /** ok: finished; error: failed with `code`; cancelled: the client went away; rejected: refused before any upstream call. */
  outcome: 'ok' | 'error' | 'cancelled' | 'rejected';
  code?: string;
  /** On a cancelled stream: the input tokens and the output tokens generated before the abort. */
  usage?: TokenUsage & { costUsd?: number | null };
  /** What Bedrock said when the call failed: for this log only, never for the client (it can hold account ids and ARNs). */
  upstream?: UpstreamDetail;
  firstTokenMs?: number | null;
  latencyMs?: number;
  imageCount?: number;
  bytesSent?: number;
}

export interface Telemetry {
  readonly registry: Registry;
  /** Marks one more (or one fewer) open subscription. */
  streamOpened(): () => void;
  describeEnded(report: DescriptionReport): void;
  rejected(reason: string): void;
}

const SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/** Structured logs (pino) and Prometheus metrics (prom-client) for describe requests. */
export function createTelemetry(logger: Logger): Telemetry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const activeStreams = new Gauge({ name: 'gateway_active_subscriptions', help: 'describeImage subscriptions open now', registers: [registry] });
  const requests = new Counter({
    name: 'gateway_describe_requests_total',
    help: 'describeImage requests by operation, outcome and error code',
    labelNames: ['operation', 'outcome', 'code'],
    registers: [registry],
  });
  const tokens = new Counter({
    name: 'gateway_tokens_total',
    help: 'Tokens billed, by model and direction (input, output, cache_read, cache_write)',
    labelNames: ['model', 'direction'],
    registers: [registry],
  });
  const cost = new Counter({
    name: 'gateway_cost_usd_total',
    help: 'What the answers cost, in USD at the catalogue prices, by model',
    labelNames: ['model'],
    registers: [registry],
  });
  const firstToken = new Histogram({
    name: 'gateway_time_to_first_token_seconds',
    help: 'From the upstream call to its first text delta',
    labelNames: ['model'],
    buckets: SECONDS,
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'gateway_describe_duration_seconds',
    help: 'From the upstream call to its end',
    labelNames: ['model', 'operation'],
    buckets: SECONDS,
    registers: [registry],
  });
  const rejected = new Counter({
    name: 'gateway_rejected_total',
    help: 'Requests refused by a limit or a missing API key, before any upstream call',
    labelNames: ['reason'],
    registers: [registry],
  });

  return {
    registry,
    streamOpened() {
      activeStreams.inc();
      let open = true;
      return () => {
        if (open) activeStreams.dec();
        open = false;
      };
    },
    describeEnded(report) {
      requests.inc({ operation: report.operation, outcome: report.outcome, code: report.code ?? '' });
      const model = report.modelId ?? 'unknown';
      if (report.usage) {
        tokens.inc({ model, direction: 'input' }, report.usage.inputTokens);
        tokens.inc({ model, direction: 'output' }, report.usage.outputTokens);
        if (report.usage.cacheReadInputTokens) tokens.inc({ model, direction: 'cache_read' }, report.usage.cacheReadInputTokens);
        if (report.usage.cacheWriteInputTokens) tokens.inc({ model, direction: 'cache_write' }, report.usage.cacheWriteInputTokens);
        if (report.usage.costUsd) cost.inc({ model }, report.usage.costUsd);
      }
      if (typeof report.firstTokenMs === 'number') firstToken.observe({ model }, report.firstTokenMs / 1000);
      if (typeof report.latencyMs === 'number') latency.observe({ model, operation: report.operation }, report.latencyMs / 1000);
      if (report.outcome === 'rejected' && (report.code === 'RATE_LIMITED' || report.code === 'SHUTTING_DOWN' || report.code === 'STORE_UNAVAILABLE' || report.code === 'SERVER_BUSY')) {
        rejected.inc({ reason: report.code });
      }
      const level = report.outcome === 'error' ? 'warn' : 'info';
      logger[level]({ event: 'describe', ...report }, `describe ${report.operation} ${report.outcome}`);
    },
    rejected(reason) {
      rejected.inc({ reason });
    },
  };
}

/**
 * Counts upstream retries from the SDK's own `$metadata.attempts`, with a
 * middleware outside the retry loop, so the SDK's retry strategy stays in charge.
 */
export function countUpstreamRetries(client: BedrockRuntimeClient, registry: Registry): void {
  const retries = new Counter({
    name: 'gateway_upstream_retries_total',
    help: 'Bedrock attempts beyond the first, made by the SDK retry strategy',
    registers: [registry],
  });
  client.middlewareStack.add(
    (next) => async (args) => {
      try {
        const result = await next(args);
        retries.inc(Math.max(0, ((result.output as { $metadata?: { attempts?: number } }).$metadata?.attempts ?? 1) - 1));
        return result;
      } catch (error) {
        retries.inc(Math.max(0, ((error as { $metadata?: { attempts?: number } }).$metadata?.attempts ?? 1) - 1));
        throw error;
      }
    },
    { step: 'initialize', name: 'gatewayRetryCounter' },
  );
}
