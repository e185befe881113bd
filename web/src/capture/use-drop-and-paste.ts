import { useEffect, useRef, useState, type DragEvent } from 'react';
import { firstImageFile } from './image-files';

export interface DropTarget {
  dragging: boolean;
  onDragEnter(event: DragEvent): void;
  onDragOver(event: DragEvent): void;
  onDragLeave(event: DragEvent): void;
  onDrop(event: DragEvent): void;
}

/**
 * Images dropped on the returned target, or pasted anywhere on the page:
 * the ways in when there is no camera, and the quickest from a screenshot.
 */
export function useDropAndPaste(onImage: (file: File) => void): DropTarget {
  const [dragging, setDragging] = useState(false);
  // Enter/leave fire for every child crossed; count them to know when the pointer really left.
  const depth = useRef(0);
  const latest = useRef(onImage);
  latest.current = onImage;

  useEffect(() => {
    const onPaste = (event: ClipboardEvent) => {
      const file = firstImageFile(event.clipboardData?.files);
      if (!file) return;
      event.preventDefault();
      latest.current(file);
    };
    window.addEventListener('paste', onPaste);
    return () => window.removeEventListener('paste', onPaste);
  }, []);

  const carriesFiles = (event: DragEvent) => event.dataTransfer.types.includes('Files');
  return {
    dragging,
    onDragEnter(event) {
      if (!carriesFiles(event)) return;
      depth.current++;
      setDragging(true);
    },
    onDragOver(event) {
      if (!carriesFiles(event)) return;
      event.preventDefault();
      event.dataTransfer.dropEffect = 'copy';
    },
    onDragLeave(event) {
      if (!carriesFiles(event)) return;
      depth.current = Math.max(0, depth.current - 1);
      if (depth.current === 0) setDragging(false);
    },
    onDrop(event) {
      if (!carriesFiles(event)) return;
      event.preventDefault();
      depth.current = 0;
      setDragging(false);
      const file = firstImageFile(event.dataTransfer.files);
      if (file) latest.current(file);
    },
  };
}
