import { useQuery } from 'urql';
import { graphql } from '../gql';
import type { ModelsQuery } from '../gql/graphql';
import { toGatewayFailure, type GatewayFailure } from './gateway-errors';

const Models = graphql(/* GraphQL */ `
  query Models {
    models {
      id
      name
      description
      provider
      isDefault
      isLocal
      recommendedLongEdge
      maxImages
      maxOutputTokens
      prices {
        input
        output
        cacheRead
        cacheWrite
      }
      availability
      lifecycle {
        status
        endOfLife
        replacement
      }
      warnings
    }
    serverInfo {
      bedrockMode
      defaultModelId
    }
  }
`);

export type VisionModel = ModelsQuery['models'][number];

export interface Models {
  models: VisionModel[];
  defaultModelId?: string;
  /** True when the server runs its embedded offline model instead of Bedrock. */
  localMode: boolean;
  fetching: boolean;
  failure?: GatewayFailure;
  retry(): void;
}

/** The models the server offers, for the picker and for how far to downscale. */
export function useModels(): Models {
  const [{ data, fetching, error }, reexecute] = useQuery({ query: Models });
  return {
    models: data?.models ?? [],
    defaultModelId: data?.serverInfo.defaultModelId,
    localMode: data?.serverInfo.bedrockMode === 'LOCAL',
    fetching,
    failure: error ? toGatewayFailure(error) : undefined,
    retry: () => reexecute({ requestPolicy: 'network-only' }),
  };
}
