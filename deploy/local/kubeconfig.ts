// The admin kubeconfig that `make up` writes: client-certificate credentials, CA pinned.
import { readFileSync, writeFileSync } from "node:fs";
import type { Pki } from "./certs.ts";

const b64 = (file: string): string => readFileSync(file).toString("base64");

export function writeKubeconfig(file: string, pki: Pki, server: string): void {
  const yaml = `apiVersion: v1
kind: Config
clusters:
- name: icn-local
  cluster:
    server: ${server}
    certificate-authority-data: ${b64(pki.caCert)}
users:
- name: icn-admin
  user:
    client-certificate-data: ${b64(pki.adminCert)}
    client-key-data: ${b64(pki.adminKey)}
contexts:
- name: icn-local
  context:
    cluster: icn-local
    user: icn-admin
current-context: icn-local
`;
  writeFileSync(file, yaml, { mode: 0o600 });
}
