// Two projects: unit tests live beside the code; integration tests under test/ run against
// the real servers that the global setup starts once per run (deploy/local).
const transform = { "^.+\\.ts$": ["@swc/jest", { jsc: { target: "es2023" } }] };
// .icn/ holds the platform's state: etcd's `*.snap` files there would pass for obsolete Jest snapshots.
const common = {
  transform,
  extensionsToTreatAsEsm: [".ts"],
  testEnvironment: "node",
  modulePathIgnorePatterns: ["<rootDir>/.icn/"],
};

export default {
  testTimeout: 120000,
  maxWorkers: 2,
  projects: [
    {
      ...common,
      displayName: "unit",
      testMatch: ["<rootDir>/{functions,shared,schemas,deploy}/**/*.test.ts"],
    },
    {
      ...common,
      displayName: "integration",
      testMatch: ["<rootDir>/test/**/*.test.ts"],
      globalSetup: "<rootDir>/test/harness/global-setup.ts",
      globalTeardown: "<rootDir>/test/harness/global-teardown.ts",
    },
  ],
};
