// The kata-deploy values and the RuntimeClass manifests agree with what label-kata-node does.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { load, loadAll } from "js-yaml";
import { KATA_LABEL } from "../../schemas/names.ts";
import { optionsFromEnv } from "../../functions/label-kata-node/index.ts";
import { runtimeClass } from "../../functions/label-kata-node/runtime-classes.ts";

const read = (file: string): string => readFileSync(join(import.meta.dirname, file), "utf8");
const shims = optionsFromEnv({}).shims;

test("the RuntimeClass manifests are exactly the ones label-kata-node applies", () => {
  expect(loadAll(read("runtime-classes.yaml"))).toEqual(shims.map(runtimeClass));
});

describe("kata-deploy's values", () => {
  const values = load(read("values.yaml")) as {
    nodeSelector: Record<string, string>;
    shims: Record<string, { enabled?: boolean } | boolean>;
    runtimeClasses: { enabled: boolean };
  };

  test("install Kata only on the nodes label-kata-node found capable", () => {
    expect(values.nodeSelector).toEqual({ [KATA_LABEL]: "enabled" });
  });

  test("enable exactly the shims the platform's RuntimeClasses name", () => {
    const enabled = Object.entries(values.shims)
      .filter(([, shim]) => typeof shim === "object" && shim.enabled)
      .map(([name]) => name);
    expect(enabled.sort()).toEqual([...shims].sort());
  });

  test("leave the RuntimeClasses to the platform", () => {
    expect(values.runtimeClasses.enabled).toBe(false);
  });
});
