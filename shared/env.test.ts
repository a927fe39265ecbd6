import { envBool, envChoice, envInt, envList, envPairs, envString } from "./env.ts";

test("envList trims entries and drops empty ones", () => {
  expect(envList({ L: " kata-fc, secure-vm ,," }, "L")).toEqual(["kata-fc", "secure-vm"]);
  expect(envList({}, "L", ["a"])).toEqual(["a"]);
  expect(envList({ L: " , " }, "L", ["a"])).toEqual(["a"]);
});

test("envInt reads whole numbers and names the variable it refuses", () => {
  expect(envInt({ N: " 42 " }, "N", 1)).toBe(42);
  expect(envInt({}, "N", 7)).toBe(7);
  expect(() => envInt({ N: "1.5" }, "N", 1)).toThrow('N must be a non-negative integer, got "1.5"');
  expect(() => envInt({ N: "-1" }, "N", 1)).toThrow(/N must be/);
});

test("envChoice reads one of its words and names the choices it refuses", () => {
  expect(envChoice({ C: " bind " }, "C", ["create", "bind"], "create")).toBe("bind");
  expect(envChoice({}, "C", ["create", "bind"], "create")).toBe("create");
  expect(() => envChoice({ C: "Bind" }, "C", ["create", "bind"], "create")).toThrow(
    'C must be one of create, bind, got "Bind"',
  );
});

test("envString trims and falls back when unset or blank", () => {
  expect(envString({ S: " nats://x:4222 \n" }, "S", "d")).toBe("nats://x:4222");
  expect(envString({ S: "  " }, "S", "d")).toBe("d");
  expect(envString({}, "S")).toBeUndefined();
});

test("envBool reads true or false and refuses anything else rather than reading it as false", () => {
  expect(envBool({ B: " true " }, "B", false)).toBe(true);
  expect(envBool({ B: "false" }, "B", true)).toBe(false);
  expect(envBool({}, "B", true)).toBe(true);
  expect(() => envBool({ B: "yes" }, "B", false)).toThrow('B must be one of true, false, got "yes"');
});

test("envPairs reads key=value entries among known keys, and names the variable it refuses", () => {
  expect(envPairs({ P: " cpu = 250m, memory=160Mi " }, "P", ["cpu", "memory"])).toEqual({
    cpu: "250m",
    memory: "160Mi",
  });
  expect(envPairs({ P: " " }, "P", ["cpu"])).toBeUndefined();
  for (const bad of ["cpu", "cpu=", "gpu=1", "cpu=1,cpu=2"])
    expect(() => envPairs({ P: bad }, "P", ["cpu", "memory"])).toThrow(
      `P must be comma-separated key=value entries, each key once, keys among cpu, memory; got "${bad}"`,
    );
});
