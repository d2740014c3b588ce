// Global setup of the integration project: one server and one template for the whole run.
import type { TestProject } from 'vitest/node';
import { startTestServer } from './test-server.ts';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await startTestServer();
  project.provide('claimsTestServer', server.info);
  return () => server.stop();
}
