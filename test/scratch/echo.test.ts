import { it } from 'vitest';
import { startGateway } from '../helpers/gateway.js';
import { postGraphQL } from '../helpers/graphql.js';
it('probe', async () => {
  const g = await startGateway({});
  const long = 'a'.repeat(200_000);
  for (const [label, q, v] of [
    ['inline int', `mutation { describeImage(input: { images: [], maxTokens: "${long}" }) { text } }`, undefined],
    ['var int', `mutation ($m: Int) { describeImage(input: { images: [], maxTokens: $m }) { text } }`, { m: long }],
    ['var obj', `mutation ($f: File!) { uploadImage(file: $f) { id } }`, { f: { x: long } }],
    ['unknown field', `{ ${'b'.repeat(200_000)} }`, undefined],
    ['bad enum', `mutation { describeImage(input: { images: [], ${'c'.repeat(200000)}: 1 }) { text } }`, undefined],
  ] as const) {
    const r = await postGraphQL(g.graphqlUrl, q, v as never);
    console.log(label, r.status, JSON.stringify(r).length, JSON.stringify(r).slice(0, 200));
  }
  await g.stop();
}, 60_000);
