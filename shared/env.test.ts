import { envChoice, envInt, envList } from "./env.ts";

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
