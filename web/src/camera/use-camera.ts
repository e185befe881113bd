import { useCallback, useEffect, useRef, useState } from 'react';
import { cameraProblemFromError, cameraUnavailable, type CameraProblem } from './camera-errors';

export type CameraState =
  /** Asking the Permissions API whether the camera may start by itself. */
  | { status: 'checking' }
  | { status: 'off' }
  | { status: 'starting' }
  | { status: 'live'; stream: MediaStream; facingMode?: string }
  | { status: 'problem'; problem: CameraProblem };

export interface CameraDevice {
  deviceId: string;
  label: string;
}

export interface Camera {
  state: CameraState;
  /** Video inputs, known once permission is granted (labels are hidden before). */
  devices: CameraDevice[];
  deviceId: string | undefined;
  start(deviceId?: string): Promise<void>;
}

function constraintsFor(deviceId: string | undefined): MediaStreamConstraints {
  const size = { width: { ideal: 1920 }, height: { ideal: 1080 } };
  // Phones open the back camera first: people point it at things, not at themselves.
  const video = deviceId ? { deviceId: { exact: deviceId }, ...size } : { facingMode: { ideal: 'environment' }, ...size };
  return { video, audio: false };
}

async function listCameras(): Promise<CameraDevice[]> {
  const all = await navigator.mediaDevices.enumerateDevices();
  return all
    .filter((device) => device.kind === 'videoinput' && device.deviceId)
    .map((device, i) => ({ deviceId: device.deviceId, label: device.label || `Camera ${i + 1}` }));
}

/**
 * The camera stream, its devices and its problems. It starts by itself only
 * when permission was already granted, so a first visit is never met with a
 * permission prompt before the person asked for the camera.
 */
export function useCamera(): Camera {
  const [unavailable] = useState(() =>
    cameraUnavailable({ isSecureContext: window.isSecureContext, mediaDevices: navigator.mediaDevices }),
  );
  const [state, setState] = useState<CameraState>(
    unavailable ? { status: 'problem', problem: unavailable } : { status: 'checking' },
  );
  const [devices, setDevices] = useState<CameraDevice[]>([]);
  const [deviceId, setDeviceId] = useState<string>();
  const streamRef = useRef<MediaStream | undefined>(undefined);
  const attempt = useRef(0);

  const release = () => {
    streamRef.current?.getTracks().forEach((track) => track.stop());
    streamRef.current = undefined;
  };

  const start = useCallback(async (wanted?: string) => {
    if (unavailable) return;
    const current = ++attempt.current;
    release();
    setState({ status: 'starting' });
    try {
      const stream = await navigator.mediaDevices.getUserMedia(constraintsFor(wanted));
      if (current !== attempt.current) return stream.getTracks().forEach((track) => track.stop());
      streamRef.current = stream;
      const settings = stream.getVideoTracks()[0]?.getSettings();
      setDeviceId(settings?.deviceId ?? wanted);
      setState({ status: 'live', stream, facingMode: settings?.facingMode });
      setDevices(await listCameras());
    } catch (error) {
      if (current === attempt.current) setState({ status: 'problem', problem: cameraProblemFromError(error) });
    }
  }, [unavailable]);

  useEffect(() => {
    if (unavailable) return;
    let cancelled = false;
    const offUnlessStarted = () => setState((state) => (state.status === 'checking' ? { status: 'off' } : state));
    const permission = navigator.permissions?.query({ name: 'camera' as PermissionName }) ?? Promise.reject();
    permission
      .then((status) => {
        if (cancelled) return;
        if (status.state === 'granted') void start();
        else offUnlessStarted();
      })
      // Firefox and Safari may not know the "camera" permission name: wait for the button.
      .catch(() => !cancelled && offUnlessStarted());
    const onDeviceChange = () => void listCameras().then(setDevices, () => {});
    navigator.mediaDevices.addEventListener('devicechange', onDeviceChange);
    return () => {
      cancelled = true;
      navigator.mediaDevices.removeEventListener('devicechange', onDeviceChange);
      attempt.current++;
      release();
    };
  }, [start, unavailable]);

  return { state, devices, deviceId, start };
}
