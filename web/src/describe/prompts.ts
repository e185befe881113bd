export interface PromptPreset {
  id: string;
  label: string;
  prompt: string;
}

/** Ready-made questions; the prompt field starts from one and may be edited freely. */
export const PROMPT_PRESETS: readonly PromptPreset[] = [
  {
    id: 'alt-text',
    label: 'Alt text',
    prompt:
      'Write alt text for this image: one sentence of at most 125 characters, describing what matters, without starting with "Image of" or "Picture of".',
  },
  {
    id: 'detailed',
    label: 'Detailed',
    prompt:
      'Describe this image in detail: the main subject, the setting, colours and lighting, any people, objects or text, and what is happening.',
  },
  {
    id: 'playful',
    label: 'Playful',
    prompt:
      'Describe this image like an enthusiastic nature-documentary narrator who has just discovered it, in three or four vivid sentences.',
  },
  {
    id: 'read-text',
    label: 'Read text',
    prompt:
      'Transcribe all legible text in this image exactly as written, keeping line breaks. If there is no text, say so in one sentence.',
  },
];

export const CUSTOM_PROMPT_ID = 'custom';

/** A short label for the history: the preset's name, or the start of a free prompt. */
export function promptLabel(presetId: string, prompt: string): string {
  const preset = PROMPT_PRESETS.find((p) => p.id === presetId);
  if (preset && preset.prompt === prompt) return preset.label;
  const trimmed = prompt.trim().replace(/\s+/g, ' ');
  return trimmed.length > 48 ? `${trimmed.slice(0, 47)}…` : trimmed || 'Default prompt';
}
