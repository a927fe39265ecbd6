import { runtimeClass } from "./runtime-classes.ts";
import { optionsFromEnv, overheadVariable } from "./options.ts";

test("kata-deploy's overheads for qemu and clh by default", () => {
  expect(optionsFromEnv({})).toEqual({
    shims: ["qemu", "clh"],
    overhead: { qemu: { cpu: "250m", memory: "160Mi" }, clh: { cpu: "250m", memory: "130Mi" } },
  });
});

test("each class's overhead is its own variable, and reaches its RuntimeClass", () => {
  const options = optionsFromEnv({
    ICN_KATA_SHIMS: "qemu,qemu-tdx",
    ICN_KATA_OVERHEAD_QEMU_TDX: "cpu=500m, memory=2Gi",
    ICN_KATA_OVERHEAD_QEMU: "memory=200Mi",
  });
  expect(options.overhead).toEqual({ qemu: { memory: "200Mi" }, "qemu-tdx": { cpu: "500m", memory: "2Gi" } });
  expect(runtimeClass("qemu-tdx", options.overhead?.["qemu-tdx"])).toMatchObject({
    metadata: { name: "kata-qemu-tdx" },
    overhead: { podFixed: { cpu: "500m", memory: "2Gi" } },
  });
  expect(overheadVariable("qemu-coco-dev")).toBe("ICN_KATA_OVERHEAD_QEMU_COCO_DEV");
});

test.each([
  [
    "a quantity Kubernetes would refuse",
    "cpu=lots",
    /ICN_KATA_OVERHEAD_QEMU cpu must be a non-negative Kubernetes quantity/,
  ],
  ["a resource other than cpu and memory", "gpu=1", /keys among cpu, memory/],
])("%s is an error naming the variable", (_, value, message) => {
  expect(() => optionsFromEnv({ ICN_KATA_OVERHEAD_QEMU: value })).toThrow(message);
});
