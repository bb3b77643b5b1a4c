// ESLint for the browser's scripts (static/js) and their unit tests (tests/js); `make lint` runs it.
import js from "@eslint/js";
import globals from "globals";

export default [
  { ignores: [".venv/", "test-artifacts/", "instance/"] },  // a fresh clone's .venv holds other projects' JS
  js.configs.recommended,
  {
    rules: {
      eqeqeq: ["error", "always", { null: "ignore" }],  // `x == null` stands for null or undefined
      "no-var": "error",
      "prefer-const": "error",
    },
  },
  {
    // The call page, the phone simulator and the booking form: ES modules (loaded with type="module").
    files: ["static/js/**/*.js"],
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: "module",
      globals: { ...globals.browser },
    },
  },
  {
    // A plain script the templates load with `defer`: an IIFE, written for any browser.
    files: ["static/js/live-list.js"],
    languageOptions: { sourceType: "script" },
    rules: { "no-var": "off" },
  },
  {
    // Runs in the AudioWorkletGlobalScope (sampleRate, registerProcessor...), not in the page.
    files: ["static/js/phone-simulator-worklet.js"],
    languageOptions: { globals: { ...globals.audioWorklet } },
  },
  {
    files: ["tests/js/**/*.js", "eslint.config.js"],
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: "module",
      globals: { ...globals.node },
    },
  },
];
