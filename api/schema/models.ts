import { modelInfo, type VisionModelInfo } from '../bedrock/models.js';
import { builder } from './builder.js';

interface VisionModelView extends VisionModelInfo {
  isDefault: boolean;
}

const VisionModel = builder.objectRef<VisionModelView>('VisionModel').implement({
  description: 'A model this server may call, with the limits checked before every request.',
  fields: (t) => ({
    id: t.exposeString('id', { description: 'The Bedrock model id (or local.image-inspector).' }),
    name: t.exposeString('name'),
    provider: t.exposeString('provider'),
    description: t.exposeString('description'),
    isDefault: t.exposeBoolean('isDefault', { description: 'Used when a request names no model.' }),
    isLocal: t.boolean({
      description: 'True for the embedded offline model, which measures images and is not a language model.',
      resolve: (model) => model.local,
    }),
    maxOutputTokens: t.exposeInt('maxOutputTokens'),
    maxImages: t.exposeInt('maxImages'),
    maxImageBytes: t.exposeInt('maxImageBytes', { description: 'Largest image sent upstream, in bytes.' }),
    maxImageDimension: t.exposeInt('maxImageDimension', { description: 'Largest width or height Bedrock accepts, in pixels.' }),
    recommendedLongEdge: t.exposeInt('recommendedLongEdge', {
      description: 'Images are downscaled to this long edge before sending; clients can do the same to upload less.',
    }),
  }),
});

const BedrockMode = builder.enumType('BedrockMode', {
  values: {
    LOCAL: { value: 'local', description: 'The embedded offline endpoint: no AWS account used, no cost.' },
    AWS: { value: 'aws', description: 'Amazon Bedrock, through the AWS SDK and its credentials.' },
  } as const,
});

const ServerInfo = builder
  .objectRef<{ bedrockMode: 'local' | 'aws'; defaultModelId: string }>('ServerInfo')
  .implement({
    fields: (t) => ({
      bedrockMode: t.expose('bedrockMode', { type: BedrockMode }),
      defaultModelId: t.exposeString('defaultModelId'),
    }),
  });

builder.queryField('models', (t) =>
  t.field({
    type: [VisionModel],
    description: 'The models a client may ask for; the default one is flagged.',
    resolve: (_root, _args, { services }) =>
      services.allowedModelIds.map((id) => ({ ...modelInfo(id), isDefault: id === services.defaultModelId })),
  }),
);

builder.queryField('serverInfo', (t) =>
  t.field({
    type: ServerInfo,
    description: 'Where descriptions come from: the local offline model or Amazon Bedrock.',
    resolve: (_root, _args, { services }) => ({
      bedrockMode: services.bedrockMode,
      defaultModelId: services.defaultModelId,
    }),
  }),
);
