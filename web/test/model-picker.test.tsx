// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { useState } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import { ModelPicker, shortModelName } from '../src/describe/model-picker';
import type { Models, VisionModel } from '../src/describe/use-models';

afterEach(cleanup);

const model = (overrides: Partial<VisionModel> & Pick<VisionModel, 'id' | 'name' | 'provider'>): VisionModel => ({
  description: `About ${overrides.name}.`,
  isDefault: false,
  isLocal: false,
  recommendedLongEdge: 1568,
  maxImages: 20,
  maxOutputTokens: 8192,
  availability: 'AVAILABLE',
  warnings: [],
  prices: { input: 1, output: 5, cacheRead: 0.1, cacheWrite: 1.25 },
  lifecycle: { status: 'ACTIVE', endOfLife: null, replacement: null },
  ...overrides,
});

const HAIKU = model({ id: 'global.anthropic.claude-haiku-4-5', name: 'Claude Haiku 4.5', provider: 'Anthropic', isDefault: true });
const SONNET_35 = model({
  id: 'anthropic.claude-3-5-sonnet',
  name: 'Claude 3.5 Sonnet (v2)',
  provider: 'Anthropic',
  prices: { input: 3, output: 15, cacheRead: null, cacheWrite: null },
  lifecycle: { status: 'LEGACY', endOfLife: '2027-01-01', replacement: 'anthropic.claude-sonnet-4-6' },
  warnings: ['Claude 3.5 Sonnet is legacy on Amazon Bedrock; it stops working on 2027-01-01.'],
});
const NOVA = model({
  id: 'amazon.nova-lite-v1:0',
  name: 'Amazon Nova Lite',
  provider: 'Amazon',
  availability: 'UNAVAILABLE',
  prices: { input: 0.06, output: 0.24, cacheRead: 0.015, cacheWrite: null },
});
const PIXTRAL = model({
  id: 'mistral.pixtral-large-2502-v1:0',
  name: 'Pixtral Large (25.02)',
  provider: 'Mistral AI',
  maxImages: 5,
  availability: 'UNKNOWN',
  prices: { input: null, output: null, cacheRead: null, cacheWrite: null },
});
const CLAUDE_3_HAIKU = model({
  id: 'anthropic.claude-3-haiku-20240307-v1:0',
  name: 'Claude 3 Haiku',
  provider: 'Anthropic',
  // The catalogue zeroes the prices of retired models: they must not read as free.
  prices: { input: 0, output: 0, cacheRead: null, cacheWrite: null },
  lifecycle: { status: 'END_OF_LIFE', endOfLife: '2026-06-19', replacement: 'anthropic.claude-haiku-4-5-20251001-v1:0' },
  warnings: ['Claude 3 Haiku reached end of life on Amazon Bedrock on 2026-06-19; requests for it are refused.'],
});
const LOCAL = model({
  id: 'local.image-inspector',
  name: 'Local image inspector (offline, not an LLM)',
  provider: 'bedrock-vision-gateway',
  isLocal: true,
  prices: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 },
  availability: 'UNKNOWN',
});

const models = (list: VisionModel[]): Models => ({ models: list, localMode: false, fetching: false, retry() {} });

function Harness({ list, initial }: { list: VisionModel[]; initial: string }) {
  const [modelId, setModelId] = useState(initial);
  return <ModelPicker models={models(list)} modelId={modelId} onChange={setModelId} />;
}

const select = () => screen.getByRole('combobox', { name: /Model/ }) as HTMLSelectElement;
const optionTexts = (group: HTMLElement) => within(group).getAllByRole('option').map((option) => option.textContent);

describe('ModelPicker', () => {
  it('groups the models by provider in native optgroups, each option with its price and marks', () => {
    render(<Harness list={[HAIKU, NOVA, SONNET_35, PIXTRAL, CLAUDE_3_HAIKU, LOCAL]} initial={HAIKU.id} />);
    const groups = [...select().querySelectorAll('optgroup')];
    expect(groups.map((group) => group.label)).toEqual(['Anthropic', 'Amazon', 'Mistral AI', 'Offline']);
    expect(optionTexts(groups[0]!)).toEqual(['Claude Haiku 4.5 · $1 / $5 per M tokens', 'Claude 3.5 Sonnet (legacy) · $3 / $15 per M tokens', 'Claude 3 Haiku (end of life)']);
    expect(optionTexts(groups[1]!)).toEqual(['Amazon Nova Lite (unavailable) · $0.06 / $0.24 per M tokens']);
    // Prices unknown: no price rather than a made-up one.
    expect(optionTexts(groups[2]!)).toEqual(['Pixtral Large']);
    expect(optionTexts(groups[3]!)).toEqual(['Local image inspector']);
    // The whole name stays reachable from the option.
    expect(screen.getByRole('option', { name: /^Claude 3.5 Sonnet/ }).getAttribute('title')).toBe('Claude 3.5 Sonnet (v2)');
  });

  it('describes the selected model under the select: name, description, prices, availability, max images', () => {
    render(<Harness list={[HAIKU, NOVA, SONNET_35, PIXTRAL, CLAUDE_3_HAIKU, LOCAL]} initial={HAIKU.id} />);
    const note = screen.getByTestId('model-note');
    expect(select().getAttribute('aria-describedby')).toBe(note.id);
    expect([...note.querySelectorAll('p')].map((p) => p.textContent)).toEqual([
      'Claude Haiku 4.5',
      'About Claude Haiku 4.5.',
      'Input $1 · output $5 · cache read $0.10 · cache write $1.25 per million tokens.',
      'Available to this account in this Region.',
      'Up to 20 images per request, sent at up to 1568 px on the long edge.',
    ]);

    fireEvent.change(select(), { target: { value: NOVA.id } });
    expect(screen.getByTestId('model-note').textContent).toContain('Input $0.06 · output $0.24 · cache read $0.015 per million tokens.');
    expect(screen.getByTestId('model-note').textContent).toContain('Not available to this account in this Region');

    fireEvent.change(select(), { target: { value: SONNET_35.id } });
    expect(screen.getByTestId('model-note').textContent).toContain('Claude 3.5 Sonnet (v2)');
    expect(screen.getByTestId('model-note').textContent).toContain('it stops working on 2027-01-01');

    fireEvent.change(select(), { target: { value: PIXTRAL.id } });
    expect(screen.getByTestId('model-note').textContent).toContain('Prices unknown');
    expect(screen.getByTestId('model-note').textContent).toContain('Up to 5 images per request');
    expect(screen.getByTestId('model-note').textContent).toContain('Availability unknown');

    fireEvent.change(select(), { target: { value: CLAUDE_3_HAIKU.id } });
    expect(screen.getByTestId('model-note').textContent).toContain('reached end of life on Amazon Bedrock on 2026-06-19');
    expect(screen.getByTestId('model-note').textContent).not.toContain('$0');
  });

  it('keeps the offline note and the Local badge for the local model', () => {
    render(<Harness list={[LOCAL]} initial={LOCAL.id} />);
    expect(screen.getByText('Local', { selector: '.badge' })).toBeTruthy();
    const note = document.getElementById(select().getAttribute('aria-describedby')!)!;
    expect(note.textContent).toMatch(/^Offline mode: this local inspector measures the picture/);
    expect(note.className).toBe('notice local');
  });

  it('drops only a trailing remark from names', () => {
    expect(shortModelName('Local image inspector (offline, not an LLM)')).toBe('Local image inspector');
    expect(shortModelName('Claude Haiku 4.5')).toBe('Claude Haiku 4.5');
    expect(shortModelName('(beta)')).toBe('(beta)');
  });
});
