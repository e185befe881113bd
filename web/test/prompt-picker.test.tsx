// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { useState } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import { PromptPicker } from '../src/describe/prompt-picker';
import { PROMPT_PRESETS } from '../src/describe/prompts';

afterEach(cleanup);

function Harness() {
  const [state, setState] = useState({ presetId: 'detailed', prompt: PROMPT_PRESETS[1]!.prompt });
  return <PromptPicker {...state} onChange={(presetId, prompt) => setState({ presetId, prompt })} />;
}

describe('PromptPicker', () => {
  it('fills the prompt from a preset', () => {
    render(<Harness />);
    fireEvent.click(screen.getByRole('radio', { name: 'Read text' }));
    const prompt = screen.getByRole('textbox', { name: 'Prompt' }) as HTMLTextAreaElement;
    expect(prompt.value).toMatch(/^Transcribe all legible text/);
  });

  it('turns an edited prompt into a custom one', () => {
    render(<Harness />);
    fireEvent.change(screen.getByRole('textbox', { name: 'Prompt' }), { target: { value: 'Count the chairs.' } });
    expect((screen.getByRole('radio', { name: 'Custom' }) as HTMLInputElement).checked).toBe(true);
    expect((screen.getByRole('radio', { name: 'Detailed' }) as HTMLInputElement).checked).toBe(false);
  });
});
