import type { IncomingMessage } from "node:http";

const LOOPBACK_NAMES = new Set(["127.0.0.1", "localhost", "[::1]", "::1"]);

/**
 * Whether a request may use the page's server. On a loopback listener the Host header must be a
 * loopback name, so that a site that re-points its own name at 127.0.0.1 (DNS rebinding) is
 * refused; and a browser's Origin must be the page's own, so that another site's script cannot
 * open the MQTT WebSocket or change the simulated vehicle.
 */
export function isLocalRequest(request: IncomingMessage, listenHost: string): boolean {
  const host = request.headers.host;
  if (host === undefined) return false;
  const hostname = hostnameOf(host);
  if (hostname === undefined) return false;
  const anyHost = listenHost === "0.0.0.0" || listenHost === "::";
  if (!anyHost && !LOOPBACK_NAMES.has(hostname) && hostname !== listenHost) return false;

  const origin = request.headers.origin;
  if (origin === undefined) return true;
  try {
    return new URL(origin).host === host.toLowerCase();
  } catch {
    return false;
  }
}

function hostnameOf(host: string): string | undefined {
  try {
    return new URL(`http://${host}`).hostname.toLowerCase();
  } catch {
    return undefined;
  }
}
