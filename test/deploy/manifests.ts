// The cluster manifests as the tests see them: built by the pinned kustomize, KEDA's CRDs from its pinned Go module.
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { KubernetesObject } from "@kubernetes/client-node";
import { loadAll } from "js-yaml";
import { repoRoot } from "../../deploy/local/paths.ts";

export const OVERLAYS = ["deploy/overlays/dev", "deploy/overlays/prod"] as const;
export const BASE = "deploy/base";

/** A version pinned in deploy/local/versions.env. */
export function pinned(name: string): string {
  const text = readFileSync(join(repoRoot, "deploy/local/versions.env"), "utf8");
  const value = new RegExp(`^${name}=(\\S+)$`, "m").exec(text)?.[1];
  if (!value) throw new Error(`${name} is not pinned in deploy/local/versions.env`);
  return value;
}

let kustomizeBinary: string | undefined;

/** The pinned kustomize, built once per version into the shared cache by deploy/local/build.sh. */
export function kustomize(): string {
  kustomizeBinary ??= execFileSync("bash", [join(repoRoot, "deploy/local/build.sh"), "kustomize"], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  }).trim();
  return kustomizeBinary;
}

/** Plain objects: client-node's loadAllYaml maps known kinds through its models, which rename and drop fields. */
function parseAll(yaml: string): KubernetesObject[] {
  return (loadAll(yaml) as (KubernetesObject | null)[]).filter((o): o is KubernetesObject => !!o?.kind);
}

/** `kustomize build <dir>`, as objects. */
export function build(dir: string): KubernetesObject[] {
  const yaml = execFileSync(kustomize(), ["build", join(repoRoot, dir)], {
    encoding: "utf8",
    maxBuffer: 32 * 1024 * 1024,
  });
  return parseAll(yaml);
}

/** KEDA's own CRDs, from `config/crd/bases` of the pinned module in the Go module cache (downloaded once). */
export function kedaCrds(): KubernetesObject[] {
  const module = `github.com/kedacore/keda/v2@${pinned("KEDA_VERSION")}`;
  const info = JSON.parse(
    execFileSync("go", ["mod", "download", "-json", module], { cwd: tmpdir(), encoding: "utf8" }),
  ) as { Dir?: string; Error?: string };
  if (!info.Dir) throw new Error(`go mod download ${module}: ${info.Error ?? "no module directory"}`);
  const dir = join(info.Dir, "config/crd/bases");
  return readdirSync(dir)
    .filter((file) => file.endsWith(".yaml"))
    .flatMap((file) => parseAll(readFileSync(join(dir, file), "utf8")))
    .filter((o) => o?.kind === "CustomResourceDefinition");
}

export const groupOf = (obj: KubernetesObject): string =>
  obj.apiVersion?.includes("/") ? (obj.apiVersion.split("/")[0] ?? "") : "";

export const refOf = (obj: KubernetesObject): string =>
  `${obj.kind}/${obj.metadata?.namespace ? `${obj.metadata.namespace}/` : ""}${obj.metadata?.name ?? ""}`;

export function ofKind<T extends KubernetesObject>(objects: readonly KubernetesObject[], kind: string): T[] {
  return objects.filter((o) => o.kind === kind) as T[];
}
