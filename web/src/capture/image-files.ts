/** The first image among dropped or pasted items, if any. */
export function firstImageFile(files: FileList | File[] | null | undefined): File | undefined {
  return Array.from(files ?? []).find((file) => file.type.startsWith('image/'));
}
