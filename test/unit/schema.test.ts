import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { printedSchema, SDL_PATH } from '../../api/schema/print.js';

describe('schema/schema.graphql', () => {
  it('matches the schema printed from the code (run `npm run schema:print` after a change)', () => {
    expect(readFileSync(SDL_PATH, 'utf8')).toBe(printedSchema());
  });

  it('keeps the fixed contract names', () => {
    const sdl = printedSchema();
    expect(sdl).toContain('describeImage(input: DescribeImageInput!): DescriptionChunk!');
    expect(sdl).toContain('describeImage(input: DescribeImageInput!): Description!');
    expect(sdl).toContain('uploadImage(file: File!): UploadedImage!');
    expect(sdl).toContain('models: [VisionModel!]!');
    expect(sdl).toMatch(/input ImageInput @oneOf \{/);
  });
});
