import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2';
import { CATALOGUE } from '../bedrock/catalogue/index.js';

/**
 * The two Bedrock control-plane calls model discovery makes, answered offline
 * with the JSON the real API returns (API reference: ListFoundationModels,
 * ListInferenceProfiles), so discovery runs in local mode and in tests.
 * Tests script what an account sees: a model missing, a LEGACY lifecycle, an
 * application profile, or an access-denied answer.
 */

type ModelModality = 'TEXT' | 'IMAGE' | 'EMBEDDING';

/** A `FoundationModelSummary` as Bedrock sends it (timestamps as RFC 3339 strings, as the SDK's model reads them). */
export interface FoundationModelSummaryJson {
  modelArn: string;
  modelId: string;
  modelName?: string;
  providerName?: string;
  inputModalities?: ModelModality[];
  outputModalities?: ModelModality[];
  responseStreamingSupported?: boolean;
  customizationsSupported?: string[];
  inferenceTypesSupported?: ('ON_DEMAND' | 'PROVISIONED' | 'INFERENCE_PROFILE')[];
  modelLifecycle?: {
    status: 'ACTIVE' | 'LEGACY';
    startOfLifeTime?: string;
    endOfLifeTime?: string;
    legacyTime?: string;
  };
}

/** An `InferenceProfileSummary` as Bedrock sends it. */
export interface InferenceProfileSummaryJson {
  inferenceProfileName: string;
  inferenceProfileArn: string;
  inferenceProfileId: string;
  description?: string;
  createdAt?: string;
  updatedAt?: string;
  models: { modelArn: string }[];
  status: 'ACTIVE';
  type: 'SYSTEM_DEFINED' | 'APPLICATION';
}

export interface ControlPlaneOptions {
  /** Region named in the ARNs. @default 'us-east-1' */
  region?: string;
  /** Account named in profile ARNs. @default '123456789012' */
  accountId?: string;
}

type AnyRequest = IncomingMessage | Http2ServerRequest;
type AnyResponse = ServerResponse | Http2ServerResponse;

const ERROR_NAMESPACE = ':http://internal.amazon.com/coral/com.amazon.bedrock/';
const PATHS = new Set(['/foundation-models', '/inference-profiles']);

/** An ISO date (2027-06-30) as the RFC 3339 date-time Bedrock sends. */
function dateTime(isoDate: string): string {
  return `${isoDate}T00:00:00Z`;
}

const now = () => new Date().toISOString();
const LAUNCH = '2025-01-01T00:00:00Z';

export class LocalControlPlane {
  /** What ListFoundationModels returns before filters: editable by tests. */
  readonly models: FoundationModelSummaryJson[];
  /** What ListInferenceProfiles returns: editable by tests. */
  readonly profiles: InferenceProfileSummaryJson[];
  /** When set, every control-plane call gets this error instead (e.g. AccessDeniedException, 403). */
  failure?: { status: number; errorType: string; message: string };
  /** Control-plane requests received, for tests: method and path with query. */
  readonly received: string[] = [];
  readonly region: string;
  readonly accountId: string;

  constructor(options: ControlPlaneOptions = {}) {
    this.region = options.region ?? 'us-east-1';
    this.accountId = options.accountId ?? '123456789012';
    // Every catalogue model Bedrock still serves, the way Bedrock lists it.
    const served = CATALOGUE.filter((entry) => entry.lifecycle.status !== 'end-of-life');
    this.models = served.map((entry) => ({
      modelArn: this.modelArn(entry.id),
      modelId: entry.id,
      modelName: entry.name.slice(0, 20),
      providerName: entry.provider,
      inputModalities: ['TEXT', 'IMAGE'],
      outputModalities: ['TEXT'],
      responseStreamingSupported: true,
      customizationsSupported: [],
      inferenceTypesSupported: entry.requiresInferenceProfile ? ['INFERENCE_PROFILE'] : ['ON_DEMAND'],
      modelLifecycle: {
        status: entry.lifecycle.status === 'legacy' ? 'LEGACY' : 'ACTIVE',
        ...(entry.lifecycle.endOfLife ? { endOfLifeTime: dateTime(entry.lifecycle.endOfLife) } : {}),
      },
    }));
    this.profiles = served.flatMap((entry) =>
      entry.inferenceProfilePrefixes.map((prefix) => this.systemProfile(`${prefix}.${entry.id}`, entry.id, entry.name)),
    );
  }

  modelArn(modelId: string): string {
    return `arn:aws:bedrock:${this.region}::foundation-model/${modelId}`;
  }

  /** Marks a listed model LEGACY, with its end of life (an ISO date) when given. */
  setLegacy(modelId: string, endOfLife?: string): void {
    const model = this.models.find((m) => m.modelId === modelId);
    if (!model) throw new Error(`${modelId} is not listed`);
    model.modelLifecycle = {
      status: 'LEGACY',
      legacyTime: now(),
      ...(endOfLife ? { endOfLifeTime: dateTime(endOfLife) } : {}),
    };
  }

  /** Drops a model (and its profiles) from what this account sees. */
  remove(modelId: string): void {
    const arn = this.modelArn(modelId);
    this.models.splice(0, this.models.length, ...this.models.filter((m) => m.modelId !== modelId));
    this.profiles.splice(0, this.profiles.length, ...this.profiles.filter((p) => !p.models.some((m) => m.modelArn === arn)));
  }

  /** Adds an application inference profile routing to one base model; returns its ARN. */
  addApplicationProfile(profileId: string, baseModelId: string, name = profileId): string {
    const arn = `arn:aws:bedrock:${this.region}:${this.accountId}:application-inference-profile/${profileId}`;
    this.profiles.push({
      inferenceProfileName: name,
      inferenceProfileArn: arn,
      inferenceProfileId: profileId,
      createdAt: now(),
      updatedAt: now(),
      models: [{ modelArn: this.modelArn(baseModelId) }],
      status: 'ACTIVE',
      type: 'APPLICATION',
    });
    return arn;
  }

  private systemProfile(id: string, baseModelId: string, name: string): InferenceProfileSummaryJson {
    const geography = id.split('.')[0]!.toUpperCase();
    return {
      inferenceProfileName: `${geography} ${name}`.slice(0, 64),
      inferenceProfileArn: `arn:aws:bedrock:${this.region}:${this.accountId}:inference-profile/${id}`,
      inferenceProfileId: id,
      description: `Routes requests to ${name} in ${geography} Regions.`,
      createdAt: LAUNCH,
      updatedAt: LAUNCH,
      models: [{ modelArn: this.modelArn(baseModelId) }],
      status: 'ACTIVE',
      type: 'SYSTEM_DEFINED',
    };
  }

  /** True for a request this control plane answers. */
  handles(req: AnyRequest): boolean {
    return req.method === 'GET' && PATHS.has((req.url ?? '').split('?')[0] ?? '');
  }

  serve(req: AnyRequest, res: AnyResponse): void {
    const url = new URL(req.url ?? '/', 'http://local');
    this.received.push(`${req.method} ${url.pathname}${url.search}`);
    if (this.failure) return this.sendError(res, this.failure.status, this.failure.errorType, this.failure.message);
    if (url.pathname === '/foundation-models') return this.sendJson(res, { modelSummaries: this.filterModels(url.searchParams) });
    this.sendJson(res, this.pageProfiles(url.searchParams));
  }

  private filterModels(query: URLSearchParams): FoundationModelSummaryJson[] {
    const output = query.get('byOutputModality');
    // Not a parameter of the real API (it filters by output only); accepted here for convenience.
    const input = query.get('byInputModality');
    const provider = query.get('byProvider')?.toLowerCase();
    const inference = query.get('byInferenceType');
    return this.models.filter(
      (m) =>
        (!output || m.outputModalities?.includes(output as ModelModality)) &&
        (!input || m.inputModalities?.includes(input as ModelModality)) &&
        (!provider || m.providerName?.toLowerCase() === provider) &&
        (!inference || m.inferenceTypesSupported?.includes(inference as 'ON_DEMAND')),
    );
  }

  /** `type` filters; `maxResults` and `nextToken` page as the real API does. */
  private pageProfiles(query: URLSearchParams): { inferenceProfileSummaries: InferenceProfileSummaryJson[]; nextToken?: string } {
    const type = query.get('type');
    const all = this.profiles.filter((p) => !type || p.type === type);
    const start = Number(query.get('nextToken') ?? 0) || 0;
    const size = Number(query.get('maxResults') ?? 1000) || 1000;
    const page = all.slice(start, start + size);
    return start + size < all.length ? { inferenceProfileSummaries: page, nextToken: String(start + size) } : { inferenceProfileSummaries: page };
  }

  private sendJson(res: AnyResponse, body: unknown): void {
    res.writeHead(200, { 'content-type': 'application/json', 'x-amzn-requestid': randomUUID() });
    res.end(JSON.stringify(body));
  }

  private sendError(res: AnyResponse, status: number, errorType: string, message: string): void {
    res.writeHead(status, {
      'content-type': 'application/json',
      'x-amzn-errortype': errorType + ERROR_NAMESPACE,
      'x-amzn-requestid': randomUUID(),
    });
    res.end(JSON.stringify({ message }));
  }
}
