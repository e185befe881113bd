import { describe, expect, it } from 'vitest';
import { fitLongEdge } from '../src/capture/downscale';

describe('downscaling to the model\'s long edge', () => {
  it('fits the long edge of landscape and portrait images, keeping the aspect ratio', () => {
    expect(fitLongEdge({ width: 4032, height: 3024 }, 1568)).toEqual({ width: 1568, height: 1176 });
    expect(fitLongEdge({ width: 3000, height: 2000 }, 1568)).toEqual({ width: 1568, height: 1045 });
    expect(fitLongEdge({ width: 1080, height: 1920 }, 1568)).toEqual({ width: 882, height: 1568 });
  });

  it('never upscales a smaller image', () => {
    expect(fitLongEdge({ width: 640, height: 480 }, 1568)).toEqual({ width: 640, height: 480 });
  });
});
