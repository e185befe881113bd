import { describe, expect, it } from 'vitest';
import { cameraProblemFromError, cameraUnavailable } from '../src/camera/camera-errors';

describe('camera problems', () => {
  it('tells an insecure context apart from a browser without camera support', () => {
    expect(cameraUnavailable({ isSecureContext: false })?.kind).toBe('insecure-context');
    expect(cameraUnavailable({ isSecureContext: true })?.kind).toBe('unsupported');
    expect(cameraUnavailable({ isSecureContext: true, mediaDevices: { getUserMedia: () => {} } as unknown as MediaDevices })).toBe(
      undefined,
    );
  });

  it.each([
    ['NotAllowedError', 'permission-denied'],
    ['SecurityError', 'permission-denied'],
    ['NotFoundError', 'no-camera'],
    ['OverconstrainedError', 'no-camera'],
    ['NotReadableError', 'busy'],
    ['TypeError', 'failed'],
  ])('maps getUserMedia rejecting with %s to %s', (name, kind) => {
    const problem = cameraProblemFromError(new DOMException('x', name));
    expect(problem.kind).toBe(kind);
    expect(problem.message).toMatch(/choose, drop or paste an image/);
  });
});
