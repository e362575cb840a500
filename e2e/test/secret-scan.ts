// Set up in every test file (vitest setupFiles): once its scenarios are done, no output of any
// command they ran may contain a secret: seed passwords and API keys, the registry and verdaccio
// secrets, and the tokens and private keys the users' machines held.
import { afterAll, expect } from 'vitest';
import { machineSecrets, transcript, world } from './user-machine.js';

afterAll(() => {
  const secrets = [...world.secrets, ...machineSecrets].filter((secret) => secret.length >= 8);
  expect(world.secrets.length).toBeGreaterThan(5);
  // Positions, never the secrets themselves, so a failure does not print one either.
  const leaks: string[] = [];
  transcript.forEach((output, outputIndex) => {
    secrets.forEach((secret, secretIndex) => {
      if (output.includes(secret)) leaks.push(`output ${outputIndex} holds secret ${secretIndex}`);
    });
  });
  expect(leaks).toEqual([]);
});
