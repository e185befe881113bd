import { ErrorCode, gatewayError } from '../errors.js';
import { uploadImage, type UploadedImage } from '../services/upload-image.js';
import { builder } from './builder.js';

/** A WHATWG File as yoga's multipart parser makes it (its own class, so no instanceof). */
function isFile(value: unknown): value is File {
  const file = value as File | null;
  return typeof file === 'object' && file !== null && typeof file.arrayBuffer === 'function' && typeof file.size === 'number';
}

const notAFile = () =>
  gatewayError(ErrorCode.BAD_USER_INPUT, 'File takes a file part of a GraphQL multipart request (see the README\'s Examples), not a value.');

builder.scalarType('File', {
  description: 'A file sent as part of a GraphQL multipart request.',
  serialize: () => {
    throw new Error('File is an input-only scalar');
  },
  parseValue: (value) => {
    if (!isFile(value)) throw notAFile();
    return value;
  },
  // A file cannot be written inline in a query.
  parseLiteral: () => {
    throw notAFile();
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
    resolve: (_root, { file }, { services, caller, signal }) => uploadImage(file, services, caller, signal),
  }),
);
