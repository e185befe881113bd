export type CameraProblemKind = 'insecure-context' | 'unsupported' | 'permission-denied' | 'no-camera' | 'busy' | 'failed';

export interface CameraProblem {
  kind: CameraProblemKind;
  title: string;
  message: string;
}

const PROBLEMS: Record<CameraProblemKind, Omit<CameraProblem, 'kind'>> = {
  'insecure-context': {
    title: 'The camera needs a secure connection',
    message:
      'Browsers only allow the camera on https:// pages or on localhost. Open this page over HTTPS, or choose, drop or paste an image instead.',
  },
  unsupported: {
    title: 'This browser has no camera access',
    message: 'Choose, drop or paste an image instead.',
  },
  'permission-denied': {
    title: 'Camera permission was denied',
    message:
      'Allow the camera for this site in your browser’s address bar or site settings, then try again — or choose, drop or paste an image instead.',
  },
  'no-camera': {
    title: 'No camera found',
    message: 'Connect a camera and try again, or choose, drop or paste an image instead.',
  },
  busy: {
    title: 'The camera could not be started',
    message: 'Another app or tab may be using it. Close it and try again, or choose, drop or paste an image instead.',
  },
  failed: {
    title: 'The camera could not be started',
    message: 'Try again, or choose, drop or paste an image instead.',
  },
};

export function cameraProblem(kind: CameraProblemKind): CameraProblem {
  return { kind, ...PROBLEMS[kind] };
}

/**
 * Why the camera cannot even be asked for. In an insecure context browsers hide
 * `navigator.mediaDevices` altogether, so that case must be told apart first.
 */
export function cameraUnavailable(env: { isSecureContext: boolean; mediaDevices?: MediaDevices }): CameraProblem | undefined {
  if (!env.isSecureContext) return cameraProblem('insecure-context');
  if (typeof env.mediaDevices?.getUserMedia !== 'function') return cameraProblem('unsupported');
  return undefined;
}

/** Maps a getUserMedia rejection (a DOMException by name) to what the person can do about it. */
export function cameraProblemFromError(error: unknown): CameraProblem {
  const name = (error as { name?: unknown } | null)?.name;
  switch (name) {
    case 'NotAllowedError':
    case 'SecurityError':
    case 'PermissionDeniedError':
      return cameraProblem('permission-denied');
    case 'NotFoundError':
    case 'DevicesNotFoundError':
    case 'OverconstrainedError':
      return cameraProblem('no-camera');
    case 'NotReadableError':
    case 'TrackStartError':
    case 'AbortError':
      return cameraProblem('busy');
    default:
      return cameraProblem('failed');
  }
}
