import sharp from 'sharp';

/** A small generated picture (sky, sun, hills) that GraphiQL's example sends, so a newcomer can press run. */
export async function sampleImageDataUrl(): Promise<string> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="160" height="120">
    <rect width="160" height="120" fill="#87ceeb"/>
    <circle cx="120" cy="32" r="16" fill="#ffd23f"/>
    <path d="M0 90 Q40 60 80 88 T160 80 V120 H0 Z" fill="#3a9d48"/>
  </svg>`;
  const png = await sharp(Buffer.from(svg)).png({ palette: true }).toBuffer();
  return `data:image/png;base64,${png.toString('base64')}`;
}

export const EXAMPLE_SUBSCRIPTION = /* GraphQL */ `# Streams a description of the sample image in the variables below.
# Press run and watch the chunks arrive; the last one (done: true) holds the
# whole answer in description.text. Query.models lists what you can pick.
subscription DescribeSample($input: DescribeImageInput!) {
  describeImage(input: $input) {
    index
    text
    done
    stopReason
    modelId
    description {
      text
      answerPrefix
      usage { inputTokens outputTokens cacheReadInputTokens cacheWriteInputTokens costUsd }
    }
  }
}
`;

export async function graphiqlExampleTab() {
  const variables = { input: { images: [{ base64: await sampleImageDataUrl() }], prompt: 'Describe this image in one paragraph.' } };
  return { query: EXAMPLE_SUBSCRIPTION, variables: JSON.stringify(variables, null, 2) };
}
