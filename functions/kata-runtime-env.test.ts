// Regression: ICN_KATA_RUNTIME_CLASSES was parsed three ways and one kept " secure-vm", so a pod in a correctly configured class was quarantined.
import type { V1Namespace, V1Pod, V1RuntimeClass } from "@kubernetes/client-node";
import { TENANT_LABEL } from "../schemas/names.ts";
import { notKataReason } from "../shared/kata.ts";
import { checkRequestedClasses } from "./provision-tenant/kata-classes.ts";
import { optionsFromEnv as provisionOptions } from "./provision-tenant/options.ts";
import { optionsFromEnv as quarantineOptions } from "./quarantine-runc-pod/options.ts";
import { verdict } from "./quarantine-runc-pod/verdict.ts";
import { watcherOptionsFromEnv } from "../shared/sources/index.ts";
import { unsafePod } from "../shared/sources/unsafe-pod.ts";

const ENV = { ICN_KATA_RUNTIME_CLASSES: " secure-vm", ICN_KATA_HANDLERS: "kata-qemu , kata-clh " };
const secureVm: V1RuntimeClass = { metadata: { name: "secure-vm" }, handler: "kata-qemu" };
const namespace: V1Namespace = { metadata: { name: "acme-web", labels: { [TENANT_LABEL]: "acme" } } };
const pod: V1Pod = {
  metadata: { name: "web-0", namespace: "acme-web", uid: "u-1" },
  spec: { runtimeClassName: "secure-vm", containers: [] },
  status: { phase: "Running" },
};

const readers = {
  "provision-tenant": () => provisionOptions(ENV).kata,
  "quarantine-runc-pod": () => quarantineOptions(ENV).kata,
  watchers: () => watcherOptionsFromEnv(ENV).kata,
};

test.each(Object.entries(readers))("%s reads the Kata runtime trimmed", (_, read) => {
  expect(read()).toEqual({ classes: ["secure-vm"], handlers: ["kata-qemu", "kata-clh"] });
});

test("a pod in the configured class is Kata to the watcher and to quarantine", () => {
  expect(unsafePod(pod, new Map([["secure-vm", secureVm]]), watcherOptionsFromEnv(ENV).kata)).toBeUndefined();
  const facts = { pod, namespace, runtimeClass: secureVm };
  expect(verdict(facts, { uid: "u-1" }, quarantineOptions(ENV).kata)).toMatchObject({ quarantine: false });
});

test("provision-tenant offers the configured class and accepts a request for it", () => {
  const options = provisionOptions(ENV);
  expect(options.defaultRuntimeClass).toBe("secure-vm");
  const kata = options.kata.classes.filter((name) => !notKataReason(name, secureVm, options.kata));
  expect(kata).toEqual(["secure-vm"]);
  expect(() =>
    checkRequestedClasses({ allowed: ["secure-vm"], default: "secure-vm" }, { kata, refused: new Map() }),
  ).not.toThrow();
});
