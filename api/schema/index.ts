import { lexicographicSortSchema } from 'graphql';
import { builder } from './builder.js';
import './root-types.js';
import './models.js';
import './image-description.js';
import './upload.js';
import './estimate.js';

/** The whole schema, sorted so that its printed SDL is stable. */
export const schema = lexicographicSortSchema(builder.toSchema());
