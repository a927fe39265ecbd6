// The kata-deploy values and the RuntimeClass manifests agree with what label-kata-node does.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { load, loadAll } from "js-yaml";
import { KATA_LABEL, KATA_NOT_READY_TAINT } from "../../schemas/names.ts";
import { optionsFromEnv } from "../../functions/label-kata-node/index.ts";
import { runtimeClass } from "../../functions/label-kata-node/runtime-classes.ts";

const read = (file: string): string => readFileSync(join(import.meta.dirname, file), "utf8");
/** deploy/base/config.env, the settings the Deployments run with, as an environment. */
const deployed = Object.fromEntries(
  read("../base/config.env")
    .split("\n")
    .filter((line) => line.includes("=") && !line.startsWith("#"))
    .map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]),
);

test.each([
  ["by default", {}],
  ["with the base's config.env", deployed],
])("the RuntimeClass manifests are exactly the ones label-kata-node applies %s", (_, env) => {
  const { shims, overhead } = optionsFromEnv(env);
  expect(loadAll(read("runtime-classes.yaml"))).toEqual(
    shims.map((shim) => runtimeClass(shim, overhead?.[shim])),
  );
});

describe("kata-deploy's values", () => {
  const values = load(read("values.yaml")) as {
    nodeSelector: Record<string, string>;
    tolerations: unknown[];
    shims: Record<string, { enabled?: boolean } | boolean>;
    runtimeClasses: { enabled: boolean };
  };

  test("install Kata only on the nodes label-kata-node found capable", () => {
    expect(values.nodeSelector).toEqual({ [KATA_LABEL]: "enabled" });
  });

  test("tolerate the startup taint those nodes carry until Kata is installed", () => {
    expect(values.tolerations).toEqual([
      { key: KATA_NOT_READY_TAINT, operator: "Exists", effect: "NoSchedule" },
    ]);
  });

  test("enable exactly the shims the platform's RuntimeClasses name", () => {
    const enabled = Object.entries(values.shims)
      .filter(([, shim]) => typeof shim === "object" && shim.enabled)
      .map(([name]) => name);
    expect(enabled.sort()).toEqual([...optionsFromEnv(deployed).shims].sort());
  });

  test("leave the RuntimeClasses to the platform", () => {
    expect(values.runtimeClasses.enabled).toBe(false);
  });
});
