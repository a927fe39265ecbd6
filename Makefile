# Every target installs what it needs: npm packages from the lockfile, Go builds cached per version.
SHELL := bash
NPM_STAMP := node_modules/.package-lock.json
RUN := npm run --silent
# Node.js 24 from the npm dev dependency: the machine's own node may be too old.
NODE := node_modules/.bin/node

.PHONY: install up down status lint typecheck test test-unit test-integration generate bench bench-scale demo run clean reliability chromium screenshots console-bench

install: $(NPM_STAMP)

$(NPM_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

up: install
	$(RUN) local -- up

down: install
	$(RUN) local -- down

status: install
	$(RUN) local -- status

lint: install
	$(RUN) lint

typecheck: install
	$(RUN) typecheck

generate: install
	$(RUN) generate

test-unit: install
	$(RUN) test:unit

test-integration: install
	$(RUN) test:integration

# lint + typecheck + every test (the integration project starts the platform itself).
test: lint typecheck chromium
	$(RUN) test

# The console's browser tests drive Debian's Chromium: installed when missing and possible, else a clear failure.
chromium:
	deploy/local/ensure-chromium.sh

# The README's console screenshots (docs/screenshots/), taken by the console's browser tests.
screenshots: install chromium
	ICN_SCREENSHOTS_DIR=docs/screenshots $(NODE) --experimental-vm-modules node_modules/jest/bin/jest.js --testPathPatterns test/console/story --selectProjects integration

# The console's page weight and publish-to-row latency in the browser (200 events); figures in .icn/bench/console.json.
console-bench: install chromium
	$(NODE) test/bench/console.bench.ts

bench: install
	$(RUN) bench

# The blueprint's promise at scale, in one run on the embedded platform (started if needed), KWOK running the nodes:
# 1,000 nodes, 1,000 tenants, 10,000 pods, shared vs dedicated nodes. BENCH_SCALE=0.05 for a quick run.
bench-scale: install
	$(RUN) bench:scale

# The main job, narrated step by step on the embedded platform (started if needed, reused if up).
demo: install
	$(NODE) test/demo/demo.ts

# The function host and the watchers in the foreground on the embedded platform, and the web console
# (read-only, its login link printed first); Ctrl-C drains and stops both.
# .icn/env also names the admin user among the platform identities: the functions act as it there.
run: up
	source .icn/env && { $(NODE) cli/icnctl.ts console & trap "kill $$! 2>/dev/null" EXIT; $(NODE) cli/icnctl.ts run; }

clean: down
	rm -rf .icn

# The reliability suites at full size (one at a time: they load the machine) and the attack suite
# (test/security), then docs/RELIABILITY.md from what they wrote. Old figures go first, so the page never mixes runs.
reliability: install
	rm -f .icn/reliability/*.json .icn/reliability-security/results.json
	ICN_RELIABILITY=full node_modules/.bin/node --experimental-vm-modules node_modules/jest/bin/jest.js test/reliability --selectProjects integration --runInBand
	mkdir -p .icn/reliability-security
	node_modules/.bin/node --experimental-vm-modules node_modules/jest/bin/jest.js --testPathPatterns test/security --selectProjects integration --json --outputFile=.icn/reliability-security/results.json
	node_modules/.bin/node test/reliability/report.ts
