import { uploadImage, type UploadedImage } from '../services/upload-image.js';
import { builder } from './builder.js';

builder.scalarType('File', {
  description: 'A file sent as part of a GraphQL multipart request.',
  serialize: () => {
    throw new Error('File is an input-only scalar');
  },
});

const UploadedImageRef = builder.objectRef<UploadedImage>('UploadedImage').implement({
  description: 'A checked and normalised image held for a short time; pass its id as ImageInput.uploadId.',
  fields: (t) => ({
    id: t.exposeID('id'),
    mediaType: t.exposeString('mediaType'),
    width: t.exposeInt('width'),
    height: t.exposeInt('height'),
    byteSize: t.exposeInt('byteSize'),
    originalByteSize: t.exposeInt('originalByteSize'),
    expiresAt: t.exposeString('expiresAt', { description: 'ISO 8601 time after which the id no longer works.' }),
  }),
});

builder.mutationField('uploadImage', (t) =>
  t.field({
    type: UploadedImageRef,
    description: 'Uploads one image (GraphQL multipart request); the same checks as describeImage apply.',
    args: { file: t.arg({ type: 'File', required: true }) },
    resolve: (_root, { file }, { services, caller }) => uploadImage(file, services, caller),
  }),
);
