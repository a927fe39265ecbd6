// A throwaway PKI for the embedded apiserver: CA, serving cert, client certs, SA signing key.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export interface Pki {
  caCert: string;
  caKey: string;
  servingCert: string;
  servingKey: string;
  adminCert: string;
  adminKey: string;
  serviceAccountKey: string;
  serviceAccountPub: string;
  /** One client certificate per component that talks to the apiserver as itself. */
  components: Record<Component, ClientCert>;
}

export interface ClientCert {
  /** The user the apiserver sees (the certificate's CN). */
  user: string;
  cert: string;
  key: string;
}

/**
 * The scheduler's user is the one Kubernetes' bootstrap RBAC already binds (system:kube-scheduler);
 * KWOK has no built-in role, so the platform binds its own to this user (kwok-rbac.ts).
 */
export const COMPONENT_USERS = {
  "kube-scheduler": "system:kube-scheduler",
  kwok: "icn-kwok",
} as const;
export type Component = keyof typeof COMPONENT_USERS;

export function pkiPaths(dir: string): Pki {
  const at = (name: string): string => join(dir, name);
  return {
    caCert: at("ca.crt"),
    caKey: at("ca.key"),
    servingCert: at("apiserver.crt"),
    servingKey: at("apiserver.key"),
    adminCert: at("admin.crt"),
    adminKey: at("admin.key"),
    serviceAccountKey: at("sa.key"),
    serviceAccountPub: at("sa.pub"),
    components: {
      "kube-scheduler": {
        user: COMPONENT_USERS["kube-scheduler"],
        cert: at("kube-scheduler.crt"),
        key: at("kube-scheduler.key"),
      },
      kwok: { user: COMPONENT_USERS.kwok, cert: at("kwok.crt"), key: at("kwok.key") },
    },
  };
}

function openssl(args: string[]): void {
  execFileSync("openssl", args, { stdio: ["ignore", "ignore", "pipe"] });
}

function issue(pki: Pki, cn: string, out: { cert: string; key: string }, extensions: string): void {
  const [certPath, keyPath] = [out.cert, out.key];
  const csr = `${certPath}.csr`;
  const ext = `${certPath}.ext`;
  openssl(["req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", keyPath, "-subj", cn, "-out", csr]);
  writeFileSync(ext, `${extensions}\n`);
  openssl(
    ["x509", "-req", "-in", csr, "-CA", pki.caCert, "-CAkey", pki.caKey, "-CAcreateserial"].concat([
      "-days",
      "365",
      "-sha256",
      "-extfile",
      ext,
      "-out",
      certPath,
    ]),
  );
}

/**
 * Creates the PKI once; an existing one is reused so clients keep trusting the server. A component
 * certificate missing from an older PKI is issued from its CA.
 */
export function ensurePki(dir: string): Pki {
  const pki = pkiPaths(dir);
  if (!existsSync(pki.serviceAccountPub)) createPki(pki, dir);
  for (const { user, cert, key } of Object.values(pki.components))
    if (!existsSync(cert)) issue(pki, `/CN=${user}`, { cert, key }, "extendedKeyUsage=clientAuth");
  return pki;
}

function createPki(pki: Pki, dir: string): void {
  mkdirSync(dir, { recursive: true });
  openssl(
    ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", pki.caKey, "-out", pki.caCert].concat([
      "-days",
      "365",
      "-subj",
      "/CN=icn-local-ca",
    ]),
  );
  issue(
    pki,
    "/CN=kube-apiserver",
    { cert: pki.servingCert, key: pki.servingKey },
    "subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes.default.svc\nextendedKeyUsage=serverAuth",
  );
  issue(
    pki,
    "/O=system:masters/CN=icn-admin",
    { cert: pki.adminCert, key: pki.adminKey },
    "extendedKeyUsage=clientAuth",
  );
  openssl([
    "genpkey",
    "-algorithm",
    "RSA",
    "-pkeyopt",
    "rsa_keygen_bits:2048",
    "-out",
    pki.serviceAccountKey,
  ]);
  openssl(["pkey", "-in", pki.serviceAccountKey, "-pubout", "-out", pki.serviceAccountPub]);
}
