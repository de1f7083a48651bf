# jdssc — build, test, demo, install. `make test` and `make demo` work from a fresh clone.
SHELL := /bin/bash
NODE  ?= node
NPM   ?= npm

.PHONY: all build deps typecheck test test-unit demo clean

all: build

# Install exactly what package-lock.json pins (only when it changed).
node_modules/.package-lock.json: package.json package-lock.json
	$(NPM) ci --no-audit --no-fund
	@touch $@

deps: node_modules/.package-lock.json

build: deps
	$(NODE) scripts/build.mjs

typecheck: deps
	./node_modules/.bin/tsc -p tsconfig.json --noEmit

# The whole suite: type check, bundle, then every test tier that runs on this machine.
test: typecheck build
	$(NODE) --experimental-vm-modules --no-warnings node_modules/jest/bin/jest.js --ci

test-unit: deps
	$(NODE) --experimental-vm-modules --no-warnings node_modules/jest/bin/jest.js --ci test/unit

# A scripted session against the embedded simulator on loopback; stops it and exits 0.
demo: build
	./scripts/demo.sh

clean:
	rm -rf dist coverage
