import { execFile } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/** File paths of a test CA, a server certificate for 127.0.0.1 and one client certificate. */
export interface TestPki {
  readonly ca: string;
  readonly serverCert: string;
  readonly serverKey: string;
  readonly clientCert: string;
  readonly clientKey: string;
}

/**
 * Makes a throwaway PKI with openssl in `dir`: a CA, a server certificate whose names are
 * 127.0.0.1 and localhost, and a client certificate whose CN is `clientName`.
 */
export async function makeTestPki(dir: string, clientName: string): Promise<TestPki> {
  const at = (name: string) => join(dir, name);
  const ecKey = (name: string) => run("openssl", ["genpkey", "-algorithm", "EC",
    "-pkeyopt", "ec_paramgen_curve:P-256", "-out", at(name)]);
  await Promise.all([ecKey("ca.key"), ecKey("server.key"), ecKey("client.key")]);
  await run("openssl", ["req", "-x509", "-new", "-key", at("ca.key"), "-days", "2",
    "-subj", "/CN=roadrig test CA", "-out", at("ca.pem")]);
  await writeFile(at("server.ext"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
  await writeFile(at("client.ext"), "extendedKeyUsage=clientAuth\n");
  await Promise.all([
    sign(at, "server", "/CN=localhost", 1),
    sign(at, "client", `/CN=${clientName}`, 2),
  ]);
  return { ca: at("ca.pem"), serverCert: at("server.pem"), serverKey: at("server.key"),
    clientCert: at("client.pem"), clientKey: at("client.key") };
}

// Serial numbers are given: -CAcreateserial would share one serial file between the two.
async function sign(
  at: (name: string) => string,
  name: string,
  subject: string,
  serial: number,
): Promise<void> {
  await run("openssl", ["req", "-new", "-key", at(`${name}.key`), "-subj", subject,
    "-out", at(`${name}.csr`)]);
  await run("openssl", ["x509", "-req", "-in", at(`${name}.csr`), "-CA", at("ca.pem"),
    "-CAkey", at("ca.key"), "-set_serial", String(serial), "-days", "2", "-extfile", at(`${name}.ext`),
    "-out", at(`${name}.pem`)]);
}
