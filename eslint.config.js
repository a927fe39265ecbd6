// Lint holds the shape: typed, no floating promises, explicit return types on exports.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  {
    ignores: ["node_modules/", ".icn/", "dist/", "coverage/", "**/*.js", "!console/web/*.js", "**/*.json"],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/explicit-module-boundary-types": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
      complexity: ["warn", 12],
      "max-depth": ["warn", 3],
      "max-params": ["warn", 4],
    },
  },
  {
    // The console's browser modules: plain JS checked by tsc (console/web/tsconfig.json, DOM types), which
    // knows the browser's globals better than a list here would.
    files: ["console/web/*.js"],
    // JSDoc gives the types; tsc's strict checkJs reports any implicit any.
    rules: { "no-undef": "off", "@typescript-eslint/explicit-module-boundary-types": "off" },
  },
);
