import { useEffect, useId, useRef, useState, type CSSProperties, type ReactNode } from 'react';
import { isTypingTarget } from './is-typing-target';
import type { Camera } from './use-camera';

export interface CameraPanelProps {
  camera: Camera;
  /** Called with the playing video when the person captures. */
  onCapture(video: HTMLVideoElement): void;
  /** Capturing is briefly blocked while a frame is being prepared. */
  busy: boolean;
  /** What to offer beside the camera (file chooser, drop hint). */
  alternatives: ReactNode;
}

/** The live preview with its camera picker and shutter; Space captures too. */
export function CameraPanel({ camera, onCapture, busy, alternatives }: CameraPanelProps) {
  const { state, devices, deviceId, start } = camera;
  const video = useRef<HTMLVideoElement>(null);
  const [playing, setPlaying] = useState(false);
  // The frame's width / height: capture sends the whole frame, so the preview shows the whole frame, in its shape.
  const [frameAspect, setFrameAspect] = useState<number>();
  const pickerId = useId();
  const stream = state.status === 'live' ? state.stream : undefined;
  const canCapture = Boolean(stream) && playing && !busy;

  useEffect(() => {
    setPlaying(false);
    setFrameAspect(undefined);
    if (video.current) video.current.srcObject = stream ?? null;
  }, [stream]);

  // 'resize' also fires when a phone turns and the camera's frames turn with it.
  const measureFrame = (event: { currentTarget: HTMLVideoElement }) => {
    const { videoWidth, videoHeight } = event.currentTarget;
    if (videoWidth && videoHeight) setFrameAspect(videoWidth / videoHeight);
  };

  const capture = useRef(() => {});
  capture.current = () => {
    if (canCapture && video.current) onCapture(video.current);
  };

  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.code !== 'Space' || event.repeat || event.altKey || event.ctrlKey || event.metaKey) return;
      if (isTypingTarget(event.target)) return;
      event.preventDefault();
      capture.current();
    };
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, []);

  return (
    <>
      <div
        className="viewport"
        data-status={state.status}
        data-framed={frameAspect ? '' : undefined}
        style={frameAspect ? ({ '--frame-aspect': frameAspect } as CSSProperties) : undefined}
      >
        {stream && (
          <video
            ref={video}
            className={state.status === 'live' && state.facingMode === 'user' ? 'mirrored' : undefined}
            autoPlay
            muted
            playsInline
            aria-label="Camera preview"
            onPlaying={() => setPlaying(true)}
            onLoadedMetadata={measureFrame}
            onResize={measureFrame}
          />
        )}
        {state.status === 'off' && (
          <div className="viewport-message">
            <svg aria-hidden="true" viewBox="0 0 24 24" className="icon large">
              <path d="M3 8a2 2 0 0 1 2-2h2l1.5-2h7L17 6h2a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2z" />
              <circle cx="12" cy="13" r="3.5" />
            </svg>
            <button type="button" className="button primary" onClick={() => void start()}>
              Start camera
            </button>
            <p className="muted">Your browser will ask for permission. Nothing is recorded; frames leave only when you capture.</p>
          </div>
        )}
        {state.status === 'starting' && (
          <div className="viewport-message" role="status">
            <span className="spinner" aria-hidden="true" /> Starting camera…
          </div>
        )}
        {state.status === 'problem' && (
          <div className="viewport-message problem" role="alert" data-problem={state.problem.kind}>
            <strong>{state.problem.title}</strong>
            <p>{state.problem.message}</p>
            {state.problem.kind !== 'insecure-context' && state.problem.kind !== 'unsupported' && (
              <button type="button" className="button secondary" onClick={() => void start(deviceId)}>
                Try again
              </button>
            )}
          </div>
        )}
      </div>

      <div className="capture-bar">
        {devices.length > 1 && (
          <div className="field inline">
            <label htmlFor={pickerId}>Camera</label>
            <select id={pickerId} value={deviceId ?? ''} onChange={(event) => void start(event.target.value)}>
              {devices.map((device) => (
                <option key={device.deviceId} value={device.deviceId}>
                  {device.label}
                </option>
              ))}
            </select>
          </div>
        )}
        {(state.status === 'live' || state.status === 'starting') && (
        <button
          type="button"
          className="button primary shutter"
          disabled={!canCapture}
          aria-keyshortcuts="Space"
          onClick={() => capture.current()}
        >
          <span className="shutter-dot" aria-hidden="true" />
          Capture
          <kbd aria-hidden="true">Space</kbd>
        </button>
        )}
        {alternatives}
      </div>
    </>
  );
}
