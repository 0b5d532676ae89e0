/**
 * The environment a user's shell would give npm: without the `npm_*`
 * variables a `pnpm test` run exports (pnpm's own config keys, which npm
 * then warns about as unknown), so npm and npx behave as they do outside
 * the test runner.
 */
export function shellEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
}
