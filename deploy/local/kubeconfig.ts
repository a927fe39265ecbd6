// The kubeconfigs that `make up` writes: client-certificate credentials, CA pinned (admin's and each component's).
import { readFileSync, writeFileSync } from "node:fs";
import type { ClientCert, Pki } from "./certs.ts";

const b64 = (file: string): string => readFileSync(file).toString("base64");

/** The admin's kubeconfig (user icn-admin, in system:masters): what users, tests and functions use here. */
export function writeKubeconfig(file: string, pki: Pki, server: string): void {
  writeClientKubeconfig(file, pki, server, { user: "icn-admin", cert: pki.adminCert, key: pki.adminKey });
}

/** A kubeconfig acting as `client.user`, for a component that runs under its own identity. */
export function writeClientKubeconfig(file: string, pki: Pki, server: string, client: ClientCert): void {
  const yaml = `apiVersion: v1
kind: Config
clusters:
- name: icn-local
  cluster:
    server: ${server}
    certificate-authority-data: ${b64(pki.caCert)}
users:
- name: ${client.user}
  user:
    client-certificate-data: ${b64(client.cert)}
    client-key-data: ${b64(client.key)}
contexts:
- name: icn-local
  context:
    cluster: icn-local
    user: ${client.user}
current-context: icn-local
`;
  writeFileSync(file, yaml, { mode: 0o600 });
}
