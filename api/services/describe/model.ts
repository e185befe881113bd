import { checkLifecycle } from '../../bedrock/catalogue/checks.js';
import { conservativeEntry, resolveModel, type CatalogueEntry } from '../../bedrock/catalogue/index.js';
import type { ApiFamily } from '../../bedrock/catalogue/types.js';
import { LOCAL_MODEL_ID, visionModelInfo, type VisionModelInfo } from '../../bedrock/models.js';
import { ErrorCode, gatewayError, truncateForMessage } from '../../errors.js';
import type { Services } from '../container.js';
import type { DescribeImageInput } from './types.js';

/**
 * The allowed model a request names (or the default), with its catalogue
 * entry: a model past its end of life is refused with the replacement named,
 * before the allow-list is consulted, so the answer says what to use instead.
 */
export function resolveRequestModel(input: DescribeImageInput, deps: Services): { model: VisionModelInfo; entry: CatalogueEntry } {
  const id = input.modelId ?? deps.defaultModelId;
  const options = deps.modelDiscovery?.resolveOptions(deps.modelAliases) ?? { aliases: deps.modelAliases };
  const known = resolveModel(id, options)?.entry;
  const entry = known ? (deps.modelDiscovery?.withReportedLifecycle(known) ?? known) : conservativeEntry(id);
  if (known) checkLifecycle(entry);
  if (known && entry.requiresInferenceProfile && id === entry.id) {
    const profiles = entry.inferenceProfilePrefixes.map((prefix) => `${prefix}.${entry.id}`).join(', ');
    throw gatewayError(
      ErrorCode.MODEL_NOT_ALLOWED,
      `${entry.name} is served on demand only through an inference profile; ask for one of: ${profiles}.`,
      { allowedModelIds: deps.allowedModelIds },
    );
  }
  if (!deps.allowedModelIds.includes(id)) {
    const hint =
      deps.bedrockMode === 'local'
        ? ' This server runs the embedded local model because no AWS credentials were configured; set them (see README) to use Bedrock models.'
        : '';
    throw gatewayError(
      ErrorCode.MODEL_NOT_ALLOWED,
      `Model "${truncateForMessage(id)}" is not allowed here. Allowed: ${deps.allowedModelIds.join(', ')}.${hint}`,
      { allowedModelIds: deps.allowedModelIds },
    );
  }
  return { model: visionModelInfo(id, entry), entry };
}

/**
 * The API a model is called through: its catalogue family; the local model
 * follows LOCAL_MODEL_API, and PREFER_CONVERSE moves every model that also
 * speaks Converse (Claude) onto it.
 */
export function apiFamilyFor(entry: CatalogueEntry, deps: Services): ApiFamily {
  if (entry.id === LOCAL_MODEL_ID) return deps.localModelApi;
  if (deps.preferConverse && entry.apiFamilies.includes('converse')) return 'converse';
  return entry.apiFamily;
}
