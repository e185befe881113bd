import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { startLocalBedrock } from '../../api/local/endpoint.js';
import { collect, sseSubscribe } from '../helpers/graphql.js';
import { base64, solidImage } from '../helpers/images.js';
import { startMain } from '../helpers/main-process.js';

const SUBSCRIPTION = 'subscription ($input: DescribeImageInput!) { describeImage(input: $input) { text done modelId usage { inputTokens outputTokens } } }';

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

describe('the server process', () => {
  it('with no AWS credentials, says it runs the local model and streams its description', async () => {
    const main = await startMain({ LOCAL_MODEL_PACE_MS: '0' });
    children.push(main.child);
    expect(main.output()).toMatch(/LOCAL MODE \(no AWS credentials found\).*not Claude/);
    const variables = { input: { images: [{ base64: base64(await solidImage('png')) }] } };
    const results = await collect(sseSubscribe(`${main.url}/graphql`, SUBSCRIPTION, variables));
    expect(results.at(-1)!.data!.describeImage).toMatchObject({ done: true, modelId: 'local.image-inspector' });

    main.child.kill('SIGTERM');
    const [code] = await once(main.child, 'exit');
    expect(code).toBe(0);
  });

  it('with AWS credentials and AWS_ENDPOINT_URL_BEDROCK_RUNTIME, streams that endpoint\'s text exactly through the SDK', async () => {
    const bedrock = await startLocalBedrock();
    try {
      const text = ['A ', 'red ', 'square', ' — ', '赤い', '四角 ', '🟥', '.'];
      bedrock.script({ kind: 'text', deltas: text, usage: { inputTokens: 1530, outputTokens: 8 } });
      const main = await startMain({
        AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
        AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
        AWS_REGION: 'us-west-2',
        AWS_ENDPOINT_URL_BEDROCK_RUNTIME: bedrock.url,
      });
      children.push(main.child);
      expect(main.output()).toMatch(/Using Amazon Bedrock in us-west-2/);

      const variables = { input: { images: [{ base64: base64(await solidImage('jpeg')) }] } };
      const results = await collect(sseSubscribe(`${main.url}/graphql`, SUBSCRIPTION, variables));
      const chunks = results.map((r) => r.data!.describeImage);
      expect(chunks.map((c) => c.text).join('')).toBe(text.join(''));
      expect(chunks.at(-1)).toMatchObject({
        done: true,
        modelId: 'global.anthropic.claude-haiku-4-5-20251001-v1:0',
        usage: { inputTokens: 1530, outputTokens: 8 },
      });
      const request = bedrock.requests[0]!;
      expect(request.modelId).toBe('global.anthropic.claude-haiku-4-5-20251001-v1:0');
      expect(request.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/us-west-2\/bedrock\/aws4_request/);
      expect(bedrock.requests).toHaveLength(1);
    } finally {
      await bedrock.stop();
    }
  });

  it('on a second SIGTERM during the drain, aborts in-flight upstream calls and exits 1 at once ("forced exit")', async () => {
    const bedrock = await startLocalBedrock();
    try {
      bedrock.script({ kind: 'hang' });
      const main = await startMain({
        AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
        AWS_SECRET_ACCESS_KEY: 'secret',
        AWS_REGION: 'us-east-1',
        AWS_ENDPOINT_URL_BEDROCK_RUNTIME: bedrock.url,
        AWS_MAX_ATTEMPTS: '1',
        SHUTDOWN_GRACE_MS: '60000',
      });
      children.push(main.child);
      const requested = bedrock.nextRequest();
      const variables = { input: { images: [{ base64: base64(await solidImage('png')) }] } };
      void collect(sseSubscribe(`${main.url}/graphql`, SUBSCRIPTION, variables)).catch(() => {});
      const request = await requested;

      const exited = once(main.child, 'exit');
      main.child.kill('SIGTERM');
      await expect.poll(() => main.output()).toMatch(/shutting down/);
      const secondAt = performance.now();
      main.child.kill('SIGTERM');
      const [code] = await exited;
      expect(code).toBe(1);
      expect(performance.now() - secondAt).toBeLessThan(2000);
      expect(main.output()).toMatch(/forced exit/);
      expect(await request.settled).toBe('aborted');
    } finally {
      await bedrock.stop();
    }
  });
});
