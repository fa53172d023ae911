/**
 * V8 flags the agent is launched with in production: the systemd unit's ExecStart, the
 * Greengrass component's run step (deploy/greengrass/run.sh) and the container's entry point;
 * the telemetry-agent bench runs with them too. A test checks that each launch carries them.
 *
 * `--max-semi-space-size=2` (MB): the young generation otherwise grows to 16 MB per semi-space
 * under the telemetry pipeline's steady allocation, about 20 MB of RSS that a TCU pays for
 * nothing; what the pipeline allocates per frame dies young, so the smaller nursery costs a
 * few cheap scavenges a second, and old-generation collections get rarer, not more frequent.
 */
export const AGENT_V8_FLAGS: readonly string[] = ["--max-semi-space-size=2"];
