// What a CLI test machine holds that no output may show: the tokens of its
// `credentials/<env>.json` files, read the way the CLI writes them. Shared by the CLI's sandboxes
// and e2e's user machines, which both end with a scan of everything printed.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

const TOKEN_FIELDS = ['accessToken', 'refreshToken', 'apiKey'] as const;

/** The tokens stored for `environment` under `configDir`, none when it has no credentials. */
export async function storedTokens(configDir: string, environment: string): Promise<string[]> {
  let stored: unknown;
  try {
    stored = JSON.parse(
      await readFile(join(configDir, 'credentials', `${environment}.json`), 'utf8'),
    );
  } catch {
    return [];
  }
  if (typeof stored !== 'object' || stored === null) return [];
  const fields = stored as Record<string, unknown>;
  return TOKEN_FIELDS.map((key) => fields[key]).filter(
    (value): value is string => typeof value === 'string',
  );
}

/** The tokens of every environment with credentials under `configDir`. */
export async function allStoredTokens(configDir: string): Promise<string[]> {
  const files = await readdir(join(configDir, 'credentials')).catch(() => []);
  const environments = files
    .filter((file) => file.endsWith('.json'))
    .map((file) => file.slice(0, -'.json'.length));
  return (await Promise.all(environments.map((name) => storedTokens(configDir, name)))).flat();
}
