import { useId, useRef } from 'react';
import { CUSTOM_PROMPT_ID, PROMPT_PRESETS } from './prompts';

export interface PromptPickerProps {
  presetId: string;
  prompt: string;
  onChange(presetId: string, prompt: string): void;
}

/** Preset chips that fill an editable prompt; editing makes it a custom prompt. */
export function PromptPicker({ presetId, prompt, onChange }: PromptPickerProps) {
  const name = useId();
  const textId = useId();
  const text = useRef<HTMLTextAreaElement>(null);
  const options = [...PROMPT_PRESETS, { id: CUSTOM_PROMPT_ID, label: 'Custom', prompt }];
  return (
    <div className="prompt-picker">
      <fieldset>
        <legend>Ask for</legend>
        <div className="chips">
          {options.map((option) => (
            <label key={option.id} className="chip">
              <input
                type="radio"
                name={name}
                value={option.id}
                checked={presetId === option.id}
                onChange={() => {
                  onChange(option.id, option.prompt);
                  if (option.id === CUSTOM_PROMPT_ID) text.current?.focus();
                }}
              />
              <span>{option.label}</span>
            </label>
          ))}
        </div>
      </fieldset>
      <div className="field">
        <label htmlFor={textId}>Prompt</label>
        <textarea
          ref={text}
          id={textId}
          rows={3}
          value={prompt}
          placeholder="What should the model tell you about the picture?"
          onChange={(event) => onChange(CUSTOM_PROMPT_ID, event.target.value)}
        />
      </div>
    </div>
  );
}
