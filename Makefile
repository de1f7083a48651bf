# jdssc — build, test, demo, install, package. `make test` and `make demo` work from a fresh clone.
SHELL   := /bin/bash
NODE    ?= node
NPM     ?= npm
DESTDIR ?=
PREFIX  ?= /usr
LIBDIR  := $(PREFIX)/lib/jdssc
PERL5   := /usr/share/perl5
PERLDIR := $(PERL5)/PVE/Storage/Custom
DOCDIR  := $(PREFIX)/share/doc/jdssc
VERSION := $(shell $(NODE) -p "require('./package.json').version")

.PHONY: all build deps system-deps typecheck lint format test test-quick test-fast test-unit demo install uninstall deb e2e bench clean

all: build

# Install exactly what package-lock.json pins (only when it changed).
node_modules/.package-lock.json: package.json package-lock.json
	$(NPM) ci --no-audit --no-fund
	@touch $@

deps: node_modules/.package-lock.json

build: deps
	$(NODE) scripts/build.mjs
	$(NODE) scripts/man.mjs
	./bin/jdssc completion > dist/jdssc.bash-completion

typecheck: deps
	./node_modules/.bin/tsc -p tsconfig.json --noEmit

# The Debian packages of the full suite: installed when run as root, else one line saying how.
system-deps:
	./scripts/system-deps.sh

# Layer rules (dependency-cruiser), code rules (ESLint with typescript-eslint), format (Prettier).
LINTED := src test scripts bench
FORMATTED := '{src,test,scripts,bench}/**/*.{ts,mts,mjs,cjs}' '*.{mjs,cjs}' '.*.cjs'
lint: deps
	./node_modules/.bin/depcruise src --config .dependency-cruiser.cjs --output-type err
	./node_modules/.bin/eslint --max-warnings 0 $(LINTED)
	./node_modules/.bin/prettier --check --log-level warn $(FORMATTED)

# Rewrites files in place to the house format.
format: deps
	./node_modules/.bin/prettier --write --log-level warn $(FORMATTED)

JEST := $(NODE) --experimental-vm-modules --no-warnings node_modules/jest/bin/jest.js --ci

# The whole suite: system packages, lint, every tier (as root: the real-kernel tier boots a test VM).
test: system-deps lint test-fast e2e

# No root, no Debian packages: lint, type check, unit, CLI against the simulator, host flows on
# fake tools, reliability, simulator, and the Perl plugin tests. What a newcomer runs first.
test-quick: lint typecheck build
	$(JEST) --testPathIgnorePatterns '/test/datapath/' '/test/packaging/'
	prove -j2 -r test/plugin test/pve

# Everything but the test VM: type check, bundle, every jest tier (the real-parts tier needs tgt
# and libiscsi-bin, packaging needs dpkg-dev and fakeroot), and the Perl plugin tests (prove).
test-fast: typecheck build
	$(JEST)
	prove -j4 -r test/plugin test/pve

test-unit: deps
	$(JEST) test/unit

# A scripted session against the embedded simulator on loopback; stops it and exits 0.
demo: build
	./scripts/demo.sh

bench: build
	$(NODE) bench/run.mjs

# Real-kernel end-to-end tests in a TCG VM (root; the first run builds and caches the VM image, ~1 min).
e2e: build
	test/e2e/run.sh

# DESTDIR-aware: the CLI under $(LIBDIR) (no node_modules needed at run time), /usr/bin/jdssc,
# the Proxmox plugins (the whole perl/ tree, under /usr/share/perl5), the package's storage.cfg
# check (scripts/storage-cfg-check.pl, run by postinst), man page, bash completion, multipath drop-in, udev rule, examples.
install: build
	install -d $(DESTDIR)$(LIBDIR)/bin $(DESTDIR)$(LIBDIR)/dist $(DESTDIR)$(PREFIX)/bin
	install -m 0755 bin/jdssc $(DESTDIR)$(LIBDIR)/bin/jdssc
	install -m 0644 dist/jdssc.cjs dist/simulator.cjs dist/vendor-*.cjs $(DESTDIR)$(LIBDIR)/dist/
	install -m 0644 package.json $(DESTDIR)$(LIBDIR)/package.json
	ln -sfn ../lib/jdssc/bin/jdssc $(DESTDIR)$(PREFIX)/bin/jdssc
	cd perl && find . -name '*.pm' -exec install -D -m 0644 {} $(DESTDIR)$(PERL5)/{} \;
	install -D -m 0755 scripts/storage-cfg-check.pl $(DESTDIR)$(LIBDIR)/storage-cfg-check
	install -D -m 0644 dist/jdssc.1 $(DESTDIR)$(PREFIX)/share/man/man1/jdssc.1
	install -D -m 0644 dist/jdssc.bash-completion $(DESTDIR)$(PREFIX)/share/bash-completion/completions/jdssc
	install -D -m 0644 config-examples/multipath/jdssc.conf $(DESTDIR)/etc/multipath/conf.d/jdssc.conf
	install -D -m 0644 config-examples/udev/68-jdssc-guest-lvm.rules $(DESTDIR)$(PREFIX)/lib/udev/rules.d/68-jdssc-guest-lvm.rules
	install -d $(DESTDIR)$(DOCDIR)/examples
	cp -r config-examples/. $(DESTDIR)$(DOCDIR)/examples/
	install -m 0644 README.md LICENSE $(DESTDIR)$(DOCDIR)/

uninstall:
	rm -rf $(DESTDIR)$(LIBDIR) $(DESTDIR)$(DOCDIR)
	rm -f $(DESTDIR)$(PREFIX)/bin/jdssc $(DESTDIR)$(PREFIX)/share/man/man1/jdssc.1
	rm -f $(DESTDIR)$(PREFIX)/share/bash-completion/completions/jdssc
	rm -f $(DESTDIR)/etc/multipath/conf.d/jdssc.conf $(DESTDIR)$(PREFIX)/lib/udev/rules.d/68-jdssc-guest-lvm.rules
	cd perl && find . -name '*.pm' -exec rm -f $(DESTDIR)$(PERL5)/{} \;
	rm -rf $(DESTDIR)$(PERLDIR)/JovianDSS

# A Debian package built from `make install` into a staging root.
deb: build
	./scripts/deb.sh $(VERSION)

clean:
	rm -rf dist coverage
