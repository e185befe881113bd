import { useId, useRef } from 'react';
import { firstImageFile } from './image-files';

/** The camera-free way in; on phones the system sheet also offers the camera app. */
export function FileChooser({ onImage, disabled }: { onImage: (file: File) => void; disabled?: boolean }) {
  const id = useId();
  const input = useRef<HTMLInputElement>(null);
  return (
    <>
      <input
        ref={input}
        id={id}
        className="visually-hidden"
        type="file"
        accept="image/*"
        disabled={disabled}
        onChange={(event) => {
          const file = firstImageFile(event.currentTarget.files);
          // Reset so that choosing the same file again still fires change.
          event.currentTarget.value = '';
          if (file) onImage(file);
        }}
      />
      <label htmlFor={id} className="button secondary" aria-disabled={disabled || undefined}>
        <svg aria-hidden="true" viewBox="0 0 24 24" className="icon">
          <path d="M4 16v3a1 1 0 0 0 1 1h14a1 1 0 0 0 1-1v-3M12 4v12M7 9l5-5 5 5" />
        </svg>
        Choose a file
      </label>
    </>
  );
}
